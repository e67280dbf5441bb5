"""Per-kind state machines: the one table the service enforces and the case page draws from.

A workflow lists its states (each says whose turn it is there) and its transitions (each
says which side may take it, from which states, to which state). Flow apps register their
own workflow for their kind with `register`; every kind starts with the shared default.
"""

from dataclasses import dataclass, field

from .choices import CaseKind, Side


@dataclass(frozen=True)
class State:
    name: str
    label: str
    turn: Side
    tone: str = "neutral"  # the status pill's colour family
    open: bool = True  # closed states stop every clock and leave the default inbox


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


@dataclass(frozen=True)
class Workflow:
    kind: str
    initial: str
    states: tuple[State, ...]
    transitions: tuple[Transition, ...]
    _by_name: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        self._by_name.update({s.name: s for s in self.states})
        names = set(self._by_name)
        assert self.initial in names, f"{self.kind}: unknown initial state {self.initial}"
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
        states=(
            State("open", "Open", Side.PARTNER, "info"),
            State("awaiting_partner", "Waiting on partner", Side.PARTNER, "warn"),
            State("awaiting_retailer", "Waiting on retailer", Side.RETAILER, "accent"),
            State("on_hold", "On hold", Side.NONE, "muted"),
            State("resolved", "Resolved", Side.RETAILER, "success"),
            State("closed", "Closed", Side.NONE, "muted", open=False),
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
                style="primary",
            ),
            Transition("hold", "Put on hold", ACTIVE, "on_hold", RETAILER),
            Transition("resume", "Resume", frozenset({"on_hold"}), "awaiting_partner", RETAILER),
            Transition(
                "reopen", "Reopen", frozenset({"resolved", "closed"}), "awaiting_partner", BOTH,
                needs_comment=True,
            ),
            Transition("close", "Close", frozenset({"resolved"}), "closed", RETAILER, style="primary"),
            Transition(
                "cancel", "Cancel case", ACTIVE | {"on_hold"}, "cancelled", RETAILER,
                needs_comment=True, style="danger",
            ),
        ),
    )


WORKFLOWS: dict[str, Workflow] = {kind.value: default_workflow(kind.value) for kind in CaseKind}


def register(workflow: Workflow) -> Workflow:
    """Let a flow app replace its kind's workflow with its own states."""
    WORKFLOWS[workflow.kind] = workflow
    return workflow


def workflow_for(kind: str) -> Workflow:
    return WORKFLOWS[kind]
