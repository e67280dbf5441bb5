"""Who is on the simulated network: the retailer and its trading partners, with logins and EDI ids."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

RETAILER_KIND = "retailer"
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")

# id, name, kind, EDI id. Mirrors the portal's demo partners (the simulator imports nothing from
# the portal: it stands for another company's network, so the list is written out here).
_DEMO = [
    ("RETAILER", "Crossdock", RETAILER_KIND, "CROSSDOCK"),
    ("SUP-001", "Northwind Apparel", "supplier", "SUP001"),
    ("SUP-002", "Alpine Outdoor Goods", "supplier", "SUP002"),
    ("SUP-003", "Meridian Home", "supplier", "SUP003"),
    ("SUP-004", "Kestrel Electronics", "supplier", "SUP004"),
    ("WH-001", "Harbor Logistics Centre", "warehouse", "WH001"),
    ("WH-002", "Midlands Fulfilment", "warehouse", "WH002"),
    ("WH-003", "Pacific Crossdock DC", "warehouse", "WH003"),
    ("CAR-001", "SwiftParcel", "carrier", "CAR001"),
    ("CAR-002", "Bluewater Freight", "carrier", "CAR002"),
    ("MKT-001", "Urban Loom Marketplace", "marketplace", "MKT001"),
    ("MKT-002", "Tidewater Gifts", "marketplace", "MKT002"),
    ("MKT-003", "Greenleaf Home", "marketplace", "MKT003"),
]


@dataclass(frozen=True)
class Address:
    """A Trading Grid EDI address: qualifier and id (ISA05/06, ISA07/08; UNB sender, receiver)."""

    qualifier: str
    id: str

    def __str__(self) -> str:
        return f"{self.qualifier}:{self.id}" if self.qualifier else self.id


@dataclass(frozen=True)
class Participant:
    """One mailbox on the network and the login that reaches it."""

    id: str
    name: str
    kind: str
    qualifier: str
    edi_id: str
    username: str
    password: str | None = None
    authorized_keys: tuple[str, ...] = ()
    bot: bool = True

    @property
    def address(self) -> Address:
        return Address(self.qualifier, self.edi_id)

    @property
    def is_retailer(self) -> bool:
        return self.kind == RETAILER_KIND

    def public(self) -> dict[str, Any]:
        """What the control API shows: everything except secrets."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "qualifier": self.qualifier,
            "edi_id": self.edi_id,
            "username": self.username,
            "password_login": bool(self.password),
            "authorized_keys": len(self.authorized_keys),
            "bot": self.bot and not self.is_retailer,
        }


def default_participants() -> list[Participant]:
    """The demo network. Logins are `<id in lower case>` with the same word as password."""
    return [
        Participant(
            id=pid,
            name=name,
            kind=kind,
            qualifier="ZZ",
            edi_id=edi_id,
            username="crossdock" if kind == RETAILER_KIND else pid.lower(),
            password="crossdock" if kind == RETAILER_KIND else pid.lower(),
            bot=kind != RETAILER_KIND,
        )
        for pid, name, kind, edi_id in _DEMO
    ]


_KNOWN_FIELDS = frozenset(
    ("id", "name", "kind", "qualifier", "edi_id", "username", "password", "authorized_keys", "bot")
)


def participants_from_json(text: str) -> list[Participant]:
    """Participants from a JSON list of objects (`id`, `qualifier`, `edi_id`, `username`, ...)."""
    rows = json.loads(text)
    if not isinstance(rows, list) or not rows:
        raise ValueError("participants must be a non-empty JSON list")
    participants = []
    for row in rows:
        missing = {"id", "edi_id"} - set(row)
        unknown = set(row) - _KNOWN_FIELDS
        if missing or unknown:
            raise ValueError(
                f"participant {row.get('id')!r}: missing {sorted(missing)}, unknown {sorted(unknown)}"
            )
        kind = row.get("kind") or (RETAILER_KIND if row["id"] == "RETAILER" else "partner")
        participants.append(
            Participant(
                id=row["id"],
                name=row.get("name", row["id"]),
                kind=kind,
                qualifier=row.get("qualifier", "ZZ"),
                edi_id=row["edi_id"],
                username=row.get("username", row["id"].lower()),
                password=row.get("password"),
                authorized_keys=tuple(row.get("authorized_keys", ())),
                bot=bool(row.get("bot", kind != RETAILER_KIND)),
            )
        )
    return participants


def load_participants(source: str | None) -> list[Participant]:
    """The `--participants` value: a JSON file path, inline JSON, or nothing for the defaults."""
    if not source:
        return default_participants()
    text = source if source.lstrip().startswith("[") else Path(source).read_text()
    return participants_from_json(text)


class Directory:
    """Participants looked up by id, login, and EDI address."""

    def __init__(self, participants: Iterable[Participant]) -> None:
        self.participants = list(participants)
        self.by_id = {p.id: p for p in self.participants}
        self.by_username = {p.username: p for p in self.participants}
        for participant in self.participants:
            # Ids name folders and control API paths.
            if not _SAFE_ID.match(participant.id):
                raise ValueError(f"participant id {participant.id!r}: use letters, digits, - and _")
        retailers = [p for p in self.participants if p.is_retailer]
        if len(retailers) != 1:
            raise ValueError("the network needs exactly one participant of kind 'retailer'")
        self.retailer = retailers[0]
        for unique, label in ((self.by_id, "id"), (self.by_username, "username")):
            if len(unique) != len(self.participants):
                raise ValueError(f"participants must have distinct {label}s")

    def find(self, address: Address) -> Participant | None:
        """The participant an address names: exact qualifier and id, else the id alone if unique.

        The fallback is there because EDIFACT and X12 spell qualifiers differently (ZZZ, ZZ)
        and EDIFACT may leave it out, while the ids on this network are unique anyway.
        """
        exact = [p for p in self.participants if p.address == address]
        if exact:
            return exact[0]
        same_id = [p for p in self.participants if p.edi_id == address.id]
        return same_id[0] if len(same_id) == 1 else None

    def with_retailer_keys(self, keys: Iterable[str]) -> Directory:
        """A copy whose retailer also accepts these public keys (`--retailer-authorized-key`)."""
        keys = tuple(keys)
        return Directory(
            replace(p, authorized_keys=p.authorized_keys + keys) if p.is_retailer else p
            for p in self.participants
        )
