"""Trading Grid identities: an id qualifier and an id, as ISA05/06, UNB02 and collab documents carry them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Party:
    """A sender or receiver address on the network (X12 ISA05+ISA06, EDIFACT UNB02 id+qualifier)."""

    qualifier: str
    id: str

    @property
    def key(self) -> str:
        """The key control number sequences are kept under, the same for X12, EDIFACT and collab."""
        return f"{self.qualifier}:{self.id}"

    def as_dict(self) -> dict[str, str]:
        return {"qualifier": self.qualifier, "id": self.id}
