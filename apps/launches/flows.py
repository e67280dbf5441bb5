"""What the launches app brings to the workspace: the launch-share kind, its panel, API and documents."""

from apps.partners.roles import Role
from apps.workspace.choices import CaseKind
from apps.workspace.flows import Flow, register_flow

from . import api, panels, states

MERCHANDISERS = frozenset({Role.MERCHANDISER})


def register() -> None:
    register_flow(
        Flow(
            kind=CaseKind.LAUNCH.value,
            label=CaseKind.LAUNCH.label,
            workflow=states.SHARE,
            roles=MERCHANDISERS,
            detail_model="launches.LaunchShare",
            detail_related_name="launch_share",
            panel="launches/panels.html#share",
            panel_context=panels.launch_panel,
            api_routes=api.launch_routes,
        )
    )
