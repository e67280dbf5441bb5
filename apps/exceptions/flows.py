"""What the exceptions app brings to the workspace: its two flows, their panels and SFCC fields."""

from apps.orders import acknowledgements
from apps.partners.roles import Role
from apps.workspace.choices import CaseKind
from apps.workspace.flows import Flow, register_flow

from . import api, codes, edi, panels, sfcc_fields, states

AGENTS = frozenset({Role.AGENT})


def register() -> None:
    acknowledgements.register_owner(
        acknowledgements.AcknowledgementOwner(
            name="order_exception", claims=lambda **_: True, apply=edi.apply_855, fallback=True
        )
    )
    register_flow(
        Flow(
            kind=CaseKind.ORDER_EXCEPTION.value,
            label=CaseKind.ORDER_EXCEPTION.label,
            workflow=states.ORDER_EXCEPTION,
            roles=AGENTS,
            detail_model="exceptions.ExceptionDetail",
            detail_related_name="exception_detail",
            panel="exceptions/panels.html#exception",
            panel_context=panels.exception_panel,
            api_routes=api.exception_routes,
            writes_to_order=True,
            order_attributes=sfcc_fields.exception_attributes,
            outcome_codes=codes.exception_outcome_codes,
            # Partner systems answer a shortage with a purchase order acknowledgement; the
            # 855 is shared with drop-ship dispatches, which claim their own PO numbers first.
            inbound={("tradinggrid", ("x12", "855")): acknowledgements.apply_855},
        )
    )
    register_flow(
        Flow(
            kind=CaseKind.ESCALATION.value,
            label=CaseKind.ESCALATION.label,
            workflow=states.ESCALATION,
            roles=AGENTS,
            detail_model="exceptions.Escalation",
            detail_related_name="escalation",
            panel="exceptions/panels.html#escalation",
            panel_context=panels.escalation_panel,
            api_routes=api.escalation_routes,
            writes_to_order=True,
            order_attributes=sfcc_fields.escalation_attributes,
            outcome_codes=codes.escalation_outcome_codes,
        )
    )
