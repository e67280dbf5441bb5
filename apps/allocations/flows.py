"""What the allocations app brings to the workspace: the share flow, its panel, API and EDI."""

from apps.partners.roles import Role
from apps.workspace.choices import CaseKind
from apps.workspace.flows import Flow, register_flow

from . import api, edi, panels, states

MERCHANDISERS = frozenset({Role.MERCHANDISER})


def register() -> None:
    register_flow(
        Flow(
            kind=CaseKind.ALLOCATION.value,
            label=CaseKind.ALLOCATION.label,
            workflow=states.ALLOCATION,
            roles=MERCHANDISERS,
            detail_model="allocations.AllocationShare",
            detail_related_name="allocation_share",
            panel="allocations/panels.html#share",
            panel_context=panels.share_panel,
            api_routes=api.routes,
            # The partner's system gets the request as an 830 planning schedule and may answer
            # with an 846 inventory advice; collaboration documents (1.1) answer lines too.
            outbound={("tradinggrid", ("x12", "830")): edi.build_830},
            inbound={("tradinggrid", ("x12", "846")): edi.apply_846},
        )
    )
