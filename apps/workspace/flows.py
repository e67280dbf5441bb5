"""The flow registry: how a flow app plugs its kinds into the workspace, which names no flow.

A flow app calls `register_flow` from its `AppConfig.ready()` with one `Flow` per kind: the
workflow, the detail model, the case-page panel, the internal roles that work it, the API
routes, the `c_` attributes it writes to an SFCC order, and its inbound mappings per
connector. The core, the pages and the connectors read this table and nothing else; the
connectors look up inbound documents here by (connector, document key), so a flow can own
an EDI document without a connector importing it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from .states import Workflow


@dataclass(frozen=True)
class Flow:
    kind: str
    label: str
    workflow: Workflow
    # Internal roles whose inbox holds this kind; operations and administrators see every kind.
    roles: frozenset[str] = frozenset()
    # "app_label.Model" of the one-to-one detail row, reached as `case.<detail_related_name>`.
    detail_model: str = ""
    detail_related_name: str = ""
    # A named partial drawn in the case page's main column, and the context it needs:
    # `panel_context(request=, case=) -> dict` (it runs only for cases of this kind).
    panel: str = ""
    panel_context: Callable[..., dict] | None = None
    # `api_routes(router)`: registers the flow's viewsets under /api/v1/.
    api_routes: Callable[[Any], None] | None = None
    # The case is about an SFCC order (by its order number): state, attributes and notes
    # are written back. `order_attributes(case=, event_payload=) -> dict` adds the flow's own `c_`s.
    writes_to_order: bool = False
    order_attributes: Callable[..., dict] | None = None
    # `order_shipping_status(case=, event_payload=) -> "not_shipped" | "part_shipped" | "shipped"
    # | None`: the flow's word on the SFCC order's shipping status; None says nothing.
    order_shipping_status: Callable[..., str | None] | None = None
    # Inbound documents this flow owns: {(connector, key): handler}, e.g.
    # {("tradinggrid", ("x12", "855")): apply_855}. A handler takes keyword arguments
    # (actor=, partner=, payload=, channel=) and returns (case, summary).
    inbound: dict[tuple[str, Any], Callable[..., Any]] = field(default_factory=dict)
    # Business documents this flow sends: {(connector, key): builder}, e.g.
    # {("tradinggrid", ("x12", "850")): build_850}. The connector calls `builder(event=)` for
    # each partner-visible event of a case of this kind (for partners on that standard) and
    # sends what it returns: the mapping's domain dict, or None for "nothing to send".
    outbound: dict[tuple[str, Any], Callable[..., Any]] = field(default_factory=dict)
    # `outcome_codes() -> {"root_cause": [(code, label)], "resolution": [...]}`: the code lists
    # the inbox offers as filters for `Case.root_cause_code` and `Case.resolution_code`.
    outcome_codes: Callable[[], dict[str, list[tuple[str, str]]]] | None = None


_FLOWS: dict[str, Flow] = {}


class FlowNotRegistered(LookupError):
    pass


def register_flow(flow: Flow) -> Flow:
    """Declare a kind's flow; registering one kind twice is a mistake, not an override."""
    existing = _FLOWS.get(flow.kind)
    if existing is not None and existing != flow:
        raise ValueError(f"Kind {flow.kind!r} already has a flow ({existing.label}).")
    assert flow.workflow.kind == flow.kind, f"{flow.kind}: the workflow is for {flow.workflow.kind}"
    _FLOWS[flow.kind] = flow
    return flow


def flow_for(kind: str) -> Flow:
    try:
        return _FLOWS[kind]
    except KeyError:
        raise FlowNotRegistered(f"No flow is registered for kind {kind!r}.") from None


def flows() -> list[Flow]:
    return list(_FLOWS.values())


def kinds_for_role(role: str) -> set[str] | None:
    """The kinds an internal role works; None (every kind) for a role no flow names, such
    as operations and administrators, who watch all flows."""
    return {f.kind for f in _FLOWS.values() if role in f.roles} or None


def kind_choices(kinds: Iterable[str] | None = None) -> list[tuple[str, str]]:
    wanted = None if kinds is None else set(kinds)
    return [(f.kind, f.label) for f in _FLOWS.values() if wanted is None or f.kind in wanted]


def outcome_code_choices(kinds: Iterable[str] | None = None) -> dict[str, list[tuple[str, str]]]:
    """The outcome codes of the flows of these kinds (all when None), each code once."""
    merged: dict[str, dict[str, str]] = {"root_cause": {}, "resolution": {}}
    for flow in _FLOWS.values():
        if flow.outcome_codes is None or (kinds is not None and flow.kind not in kinds):
            continue
        for name, choices in flow.outcome_codes().items():
            for code, label in choices:
                merged.setdefault(name, {}).setdefault(code, label)
    return {name: sorted(codes.items(), key=lambda c: c[1]) for name, codes in merged.items()}


def order_kinds() -> set[str]:
    """Kinds whose cases are linked to an SFCC order by their order number."""
    return {f.kind for f in _FLOWS.values() if f.writes_to_order}


def outbound_builders(connector: str, kind: str) -> dict[Any, Callable[..., Any]]:
    """The business documents a kind's flow sends through a connector, by key."""
    flow = _FLOWS.get(kind)
    if flow is None:
        return {}
    return {key: build for (name, key), build in flow.outbound.items() if name == connector}


def inbound_handler(connector: str, key: Any) -> Callable[..., Any] | None:
    for flow in _FLOWS.values():
        handler = flow.inbound.get((connector, key))
        if handler is not None:
            return handler
    return None
