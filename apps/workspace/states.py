"""Per-kind state machines: the one table the service enforces and the case page draws from.

A workflow lists its states (each says whose turn it is there) and its transitions (each
says which side may take it, from which states, to which state). The core asks the flags
(`state.resolved`, `transition.resolves`), never a state's name, so a flow may name its
states as it likes. Flow apps bring their workflow through the flow registry (flows.py).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .choices import Side


@dataclass(frozen=True)
class State:
    name: str
    label: str
    turn: Side
    tone: str = "neutral"  # the status pill's colour family
    open: bool = True  # closed states stop every clock and leave the default inbox
    # The case's question is answered (resolved and closed; not cancelled): sets resolved_at,
    # and new information no longer hands the turn back by itself.
    resolved: bool = False


@dataclass(frozen=True)
class Transition:
    name: str
    label: str
    sources: frozenset[str]
    target: str
    sides: frozenset[Side]  # who may take it: the retailer's people, the partner's, or both
    # Taken by the system when this side replies in a source state, so a reply hands the turn over.
    on_reply_from: Side | None = None
    needs_comment: bool = False
    style: str = "default"  # the button's look: primary, default or danger
    # What a system (SFCC clearing an exception, say) looks for instead of a name.
    resolves: bool = False
    reopens: bool = False
    # The data the step carries: a PayloadForm validated alike for page, API and Trading Grid,
    # stored on the timeline and carried in the case event.
    payload_form: type | None = None
    # `guard(case, data) -> str | None`: a refusal that depends on the case, e.g. unanswered lines.
    guard: Callable[[Any, dict], str | None] | None = None
    # `effect(case=, data=, actor=, channel=)`: the flow's own writes, in the step's transaction.
    effect: Callable[..., None] | None = None


@dataclass(frozen=True)
class Workflow:
    kind: str
    initial: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    # Where a case the partner opens starts: the retailer's turn. None means `initial`.
    partner_initial: str | None = None
    _by_name: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        self._by_name.update({s.name: s for s in self.states})
        names = set(self._by_name)
        assert self.initial in names, f"{self.kind}: unknown initial state {self.initial}"
        assert self.partner_initial in names | {None}, f"{self.kind}: unknown partner_initial"
        for t in self.transitions:
            unknown = (t.sources | {t.target}) - names
            assert not unknown, f"{self.kind}.{t.name}: unknown states {unknown}"

    def state(self, name: str) -> State:
        return self._by_name[name]

    def transition(self, name: str) -> Transition | None:
        return next((t for t in self.transitions if t.name == name), None)

    def available(self, *, status: str, side: Side) -> list[Transition]:
        return [t for t in self.transitions if status in t.sources and side in t.sides]

    def reply_transition(self, *, status: str, side: Side) -> Transition | None:
        return next(
            (t for t in self.transitions if t.on_reply_from == side and status in t.sources), None
        )

    def opening_state(self, side: Side) -> str:
        return self.partner_initial or self.initial if side == Side.PARTNER else self.initial

    def settled(self, status: str) -> bool:
        """Resolved or closed: new information should not hand the turn back by itself."""
        state = self.state(status)
        return state.resolved or not state.open

    def resolving(self, *, status: str, side: Side) -> Transition | None:
        """The step that resolves the case from here for this side, if any."""
        return next((t for t in self.available(status=status, side=side) if t.resolves), None)

    def reopening(self, *, status: str, side: Side) -> Transition | None:
        return next((t for t in self.available(status=status, side=side) if t.reopens), None)

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(s.name, s.label) for s in self.states]


RETAILER = frozenset({Side.RETAILER})
PARTNER = frozenset({Side.PARTNER})
BOTH = frozenset({Side.RETAILER, Side.PARTNER})
ACTIVE = frozenset({"open", "awaiting_partner", "awaiting_retailer"})


def default_workflow(kind: str) -> Workflow:
    """The conversation every kind starts with: ask, answer, resolve, confirm."""
    return Workflow(
        kind=kind,
        initial="open",
        partner_initial="awaiting_retailer",
        states=(
            State("open", "Open", Side.PARTNER, "info"),
            State("awaiting_partner", "Waiting on partner", Side.PARTNER, "warn"),
            State("awaiting_retailer", "Waiting on retailer", Side.RETAILER, "accent"),
            State("on_hold", "On hold", Side.NONE, "muted"),
            State("resolved", "Resolved", Side.RETAILER, "success", resolved=True),
            State("closed", "Closed", Side.NONE, "muted", open=False, resolved=True),
            State("cancelled", "Cancelled", Side.NONE, "muted", open=False),
        ),
        transitions=(
            Transition(
                "respond", "Send to retailer", frozenset({"open", "awaiting_partner"}),
                "awaiting_retailer", PARTNER, on_reply_from=Side.PARTNER, style="primary",
            ),
            Transition(
                "request_info", "Ask partner", frozenset({"awaiting_retailer", "resolved"}),
                "awaiting_partner", RETAILER, on_reply_from=Side.RETAILER,
            ),
            Transition(
                "resolve", "Mark resolved", ACTIVE, "resolved", BOTH, needs_comment=True,
                style="primary", resolves=True,
            ),
            Transition("hold", "Put on hold", ACTIVE, "on_hold", RETAILER),
            Transition("resume", "Resume", frozenset({"on_hold"}), "awaiting_partner", RETAILER),
            Transition(
                "reopen", "Reopen", frozenset({"resolved", "closed"}), "awaiting_partner", BOTH,
                needs_comment=True, reopens=True,
            ),
            Transition("close", "Close", frozenset({"resolved"}), "closed", RETAILER, style="primary"),
            Transition(
                "cancel", "Cancel case", ACTIVE | {"on_hold"}, "cancelled", RETAILER,
                needs_comment=True, style="danger",
            ),
        ),
    )


def workflow_for(kind: str) -> Workflow:
    """The kind's workflow, as its flow registered it (see flows.py)."""
    from .flows import flow_for

    return flow_for(kind).workflow
