"""What the mirror announces: an order version applied, for the flows to act on.

As the workspace announces case events, the orders app announces each applied order and the
flows subscribe from their `AppConfig.ready()`; this app never imports a flow. A handler runs
inside the apply's transaction, after the mirror rows are written: the cases it opens and the
outbox rows they announce commit with the mirror, or not at all.

A subscriber may also name the order attributes it reads (`attributes=`, a callable returning
attribute names): a connector keeps those when it reduces an incoming document, so a flow's
rule on a new `c_` attribute sees it without the connector knowing the flow.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from apps.workspace.models import Case

    from .models import Order
    from .routing import Router


@dataclass
class OrderApplied:
    """One order version written to the mirror, and what the subscribers did about it."""

    order: Order
    created: bool
    # The source document, reduced by the connector: statuses, lines, shipments and the
    # kept c_ attributes, in SFCC's shape. Rules read it; routing reads its ids.
    attributes: dict[str, Any]
    # Memoised for this apply: the mirror routed the lines with it already.
    router: Router
    # Who acts for the source (Channel.SFCC, "SFCC"), so a flow never imports the connector.
    channel: str
    actor_label: str
    # Filled by the subscribers, for the caller's result and logs.
    opened: list[Case] = field(default_factory=list)
    updated: list[Case] = field(default_factory=list)
    cleared: list[Case] = field(default_factory=list)


Handler = Callable[[OrderApplied], None]
AttributeSource = Callable[[], Iterable[str]]
_handlers: list[Handler] = []
_attribute_sources: list[AttributeSource] = []


def subscribe(handler: Handler, *, attributes: AttributeSource | None = None) -> Handler:
    if handler not in _handlers:
        _handlers.append(handler)
    if attributes is not None and attributes not in _attribute_sources:
        _attribute_sources.append(attributes)
    return handler


def publish(applied: OrderApplied) -> None:
    for handler in list(_handlers):
        handler(applied)


def wanted_attributes() -> frozenset[str]:
    """The order and line attributes the subscribers read, for the connectors to keep."""
    return frozenset(name for source in _attribute_sources for name in source())
