"""Which flow a purchase order acknowledgement (X12 855) is about: one handler, many owners.

The flow registry keeps one inbound handler per document key, but two flows read 855s: a
drop-ship dispatch (flow 4) receives the 855 for the purchase order Crossdock sent, and an
order exception (flow 1) receives one a partner sends against an SFCC order number. Each flow
registers an owner here from its `AppConfig.ready()` and names `apply_855` as its handler;
`apply_855` hands the document to the first owner that claims its PO number. A claim is
exact (the flow finds a record under that reference for that partner), and an owner
registered as `fallback` is asked last, so a new flow cannot take another's documents by
registering before it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from apps.core.errors import DomainError


@dataclass(frozen=True)
class AcknowledgementOwner:
    name: str
    # `claims(partner=, po_number=) -> bool`: the flow holds a record under this reference.
    claims: Callable[..., bool]
    # The flow's handler: (actor=, partner=, payload=, channel=) -> (case, summary).
    apply: Callable[..., Any]
    fallback: bool = False


_owners: dict[str, AcknowledgementOwner] = {}


def register_owner(owner: AcknowledgementOwner) -> AcknowledgementOwner:
    _owners[owner.name] = owner
    return owner


def owners() -> list[AcknowledgementOwner]:
    return sorted(_owners.values(), key=lambda o: o.fallback)


def owner_for(*, partner, po_number: str) -> AcknowledgementOwner | None:
    for owner in owners():
        if owner.claims(partner=partner, po_number=po_number):
            return owner
    return None


def apply_855(*, actor, partner, payload: dict[str, Any], channel: str):
    """The inbound handler both flows register under ("tradinggrid", ("x12", "855"))."""
    po_number = str(payload.get("po_number") or "").strip()
    owner = owner_for(partner=partner, po_number=po_number)
    if owner is None:
        raise DomainError(f"no case of {partner} is about purchase order {po_number}")
    return owner.apply(actor=actor, partner=partner, payload=payload, channel=channel)
