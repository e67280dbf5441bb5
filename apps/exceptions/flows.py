"""What the exceptions app brings to the workspace: one flow per kind it owns."""

from apps.partners.roles import Role
from apps.workspace.choices import CaseKind
from apps.workspace.flows import Flow, register_flow
from apps.workspace.states import default_workflow

AGENTS = frozenset({Role.AGENT})


def register() -> None:
    for kind in (CaseKind.ORDER_EXCEPTION, CaseKind.ESCALATION):
        register_flow(
            Flow(
                kind=kind.value,
                label=kind.label,
                workflow=default_workflow(kind.value),
                roles=AGENTS,
                writes_to_order=True,
            )
        )
