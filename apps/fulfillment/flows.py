"""What the fulfillment app brings to the workspace: the drop-ship flow, its panel, its SFCC
fields and its X12 documents (the 855 through the shared acknowledgement dispatcher)."""

from apps.orders import acknowledgements
from apps.partners.roles import Role
from apps.workspace.choices import CaseKind
from apps.workspace.flows import Flow, register_flow

from . import api, edi, panels, sfcc_fields, states


def register() -> None:
    # Crossdock's own PO numbers are exact claims, asked before the order exceptions' fallback.
    acknowledgements.register_owner(
        acknowledgements.AcknowledgementOwner(
            name="dropship", claims=edi.claims_po, apply=edi.apply_855
        )
    )
    register_flow(
        Flow(
            kind=CaseKind.DROPSHIP.value,
            label=CaseKind.DROPSHIP.label,
            workflow=states.DROPSHIP,
            roles=frozenset({Role.AGENT}),
            detail_model="fulfillment.Dispatch",
            detail_related_name="dispatch",
            panel="fulfillment/panels.html#dispatch",
            panel_context=panels.dispatch_panel,
            api_routes=api.routes,
            writes_to_order=True,
            order_attributes=sfcc_fields.dispatch_attributes,
            inbound={
                ("tradinggrid", ("x12", "855")): acknowledgements.apply_855,
                ("tradinggrid", ("x12", "865")): edi.apply_865,
                ("tradinggrid", ("x12", "870")): edi.apply_870,
            },
            outbound={
                ("tradinggrid", ("x12", "850")): edi.build_850,
                ("tradinggrid", ("x12", "860")): edi.build_860,
            },
        )
    )
