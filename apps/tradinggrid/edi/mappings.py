"""Registry of transaction-set mappings: one mapper per (standard, set) between segments and domain."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol, TypeVar

from .errors import EdiIssue, MappingError
from .segments import Segment
from .x12_sets import foreign_segments


class HasSegments(Protocol):
    """What a mapper reads: an X12 Transaction or an EDIFACT message."""

    @property
    def segments(self) -> list[Segment]: ...


class TransactionMapping:
    """Base of a mapper; subclass, implement, and register with ``@register_mapping``.

    ``to_domain`` reads a whole transaction set (ST..SE, UNH..UNT) into a plain dict for
    the flow services; ``from_domain`` writes the body segments (without ST/SE) for the
    writer's envelopes; ``validate`` reports content errors for the acknowledgement.
    """

    standard: str = ""
    set_id: str = ""

    def to_domain(self, transaction: HasSegments) -> dict[str, Any]:
        raise NotImplementedError

    def from_domain(self, payload: Mapping[str, Any]) -> list[Segment]:
        raise NotImplementedError

    def validate(self, transaction: HasSegments) -> list[EdiIssue]:
        return []


M = TypeVar("M", bound=type[TransactionMapping])
_REGISTRY: dict[tuple[str, str], TransactionMapping] = {}


def register_mapping(standard: str, set_id: str) -> Callable[[M], M]:
    """Class decorator: ``@register_mapping("x12", "855")`` registers one instance."""
    key = (standard.lower(), set_id.upper())

    def decorator(cls: M) -> M:
        existing = _REGISTRY.get(key)
        if existing is not None and type(existing).__qualname__ != cls.__qualname__:
            raise ValueError(f"{key} is already mapped by {type(existing).__qualname__}")
        instance = cls()
        instance.standard, instance.set_id = key
        _REGISTRY[key] = instance
        return cls

    return decorator


def find_mapping(*, standard: str, set_id: str) -> TransactionMapping | None:
    _load_builtin_mappings()
    return _REGISTRY.get((standard.lower(), set_id.upper()))


def get_mapping(*, standard: str, set_id: str) -> TransactionMapping:
    mapping = find_mapping(standard=standard, set_id=set_id)
    if mapping is None:
        raise MappingError(f"no mapping registered for {standard} {set_id}")
    return mapping


def registered_mappings() -> list[tuple[str, str]]:
    _load_builtin_mappings()
    return sorted(_REGISTRY)


def validate_x12_transaction(transaction: HasSegments) -> list[EdiIssue]:
    """Segments the set's 004010 layout does not name, then its registered mapper's checks."""
    segments = transaction.segments
    set_id = segments[0].text(1) if segments else ""
    issues = foreign_segments(set_id, segments)
    mapping = find_mapping(standard="x12", set_id=set_id)
    return issues + mapping.validate(transaction) if mapping else issues


def segment_issue(
    *,
    segment_id: str,
    index: int,
    code: str,
    message: str,
    segment: Segment | None = None,
    severity: str = "error",
) -> EdiIssue:
    """A segment-level issue (X12 AK3 code 720); ``index`` counts from the set header = 1."""
    return EdiIssue(
        message=message,
        level="segment",
        code=code,
        segment_id=segment_id,
        position=segment.position if segment else None,
        offset=segment.offset if segment else None,
        severity=severity,  # type: ignore[arg-type]
        segment_index=index,
    )


def element_issue(
    *,
    segment: Segment,
    index: int,
    element: int,
    reference: str,
    code: str,
    message: str,
    component: int | None = None,
    severity: str = "error",
) -> EdiIssue:
    """An element-level issue (X12 AK4 code 723) inside segment number ``index`` of the set."""
    value = segment.element(element)
    bad = value if isinstance(value, str) else None
    return EdiIssue(
        message=f"{segment.id}{element:02d}: {message}",
        level="element",
        code=code,
        segment_id=segment.id,
        position=segment.position or None,
        offset=segment.offset if segment.position else None,
        severity=severity,  # type: ignore[arg-type]
        segment_index=index,
        element_position=element,
        component_position=component,
        element_reference=reference,
        bad_value=bad or None,
    )


def numbered(segments: Sequence[Segment]) -> list[tuple[int, Segment]]:
    """Segments with their position in the set (header = 1), as AK302 counts them."""
    return list(enumerate(segments, start=1))


_BUILTINS_LOADED = False


def _load_builtin_mappings() -> None:
    # Imported on first use rather than at import time so that this module has no cycle
    # with the mappers that register themselves through it.
    global _BUILTINS_LOADED
    if not _BUILTINS_LOADED:
        _BUILTINS_LOADED = True
        from . import (  # noqa: F401  (each module registers its mappings)
            edifact_orders,  # ORDERS out, ORDRSP in
            x12_changes,  # 860, 865, 870: flow 4's order changes
            x12_orders,  # 850, 855
            x12_planning,  # 830 out, 846 in: flow 2's allocations
            x12_returns,  # 180: flow 5's returns
            x12_shipments,  # 856, 214: flow 8's milestones
        )
