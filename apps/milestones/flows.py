"""What the milestones app brings to the workspace: its flow, panel, API, SFCC fields and EDI."""

from apps.partners.roles import Role
from apps.workspace.choices import CaseKind
from apps.workspace.flows import Flow, register_flow

from . import api, edi, panels, sfcc_fields, states


def register() -> None:
    register_flow(
        Flow(
            kind=CaseKind.MILESTONE.value,
            label=CaseKind.MILESTONE.label,
            workflow=states.MILESTONE,
            roles=frozenset({Role.AGENT}),
            panel="milestones/panels.html#milestones",
            panel_context=panels.milestone_panel,
            api_routes=api.milestone_routes,
            writes_to_order=True,
            order_attributes=sfcc_fields.milestone_attributes,
            order_shipping_status=sfcc_fields.shipping_status,
            # Ship notices from warehouses and suppliers, status messages from carriers.
            inbound={
                ("tradinggrid", ("x12", "856")): edi.apply_856,
                ("tradinggrid", ("x12", "214")): edi.apply_214,
            },
        )
    )
