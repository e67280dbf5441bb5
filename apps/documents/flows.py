"""What the documents app brings to the workspace: the trade-document flow, its panel and SFCC fields."""

from apps.partners.roles import Role
from apps.workspace.choices import CaseKind
from apps.workspace.flows import Flow, register_flow

from . import api, inbound, panels, sfcc_fields, states


def register() -> None:
    register_flow(
        Flow(
            kind=CaseKind.TRADE_DOCUMENT.value,
            label=CaseKind.TRADE_DOCUMENT.label,
            workflow=states.TRADE_DOCUMENT,
            roles=frozenset({Role.AGENT, Role.MERCHANDISER}),
            detail_model="documents.DocumentRequest",
            detail_related_name="document_request",
            panel="documents/panels.html#request",
            panel_context=panels.request_panel,
            api_routes=api.document_routes,
            writes_to_order=True,
            order_attributes=sfcc_fields.document_attributes,
            # A partner's system answers a request with a file naming its request id.
            inbound={("tradinggrid", ("collab", "file.attached")): inbound.file_for_request},
        )
    )
