"""What the claims app brings to the workspace: the claim flow, its panel, SFCC fields and EDI."""

from apps.partners.roles import Role
from apps.workspace.choices import CaseKind
from apps.workspace.flows import Flow, register_flow

from . import api, edi, panels, sfcc_fields, states


def register() -> None:
    register_flow(
        Flow(
            kind=CaseKind.CLAIM.value,
            label=CaseKind.CLAIM.label,
            workflow=states.CLAIM,
            roles=frozenset({Role.AGENT}),
            detail_model="claims.Claim",
            detail_related_name="claim",
            panel="claims/panels.html#claim",
            panel_context=panels.claim_panel,
            api_routes=api.claim_routes,
            writes_to_order=True,
            order_attributes=sfcc_fields.claim_attributes,
            # Partners on X12 are sent a new claim, and answer it, as a 180.
            inbound={("tradinggrid", ("x12", "180")): edi.apply_180},
            outbound={("tradinggrid", ("x12", "180")): edi.build_180},
        )
    )
