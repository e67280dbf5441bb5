"""Trading Grid's `file.attached` on a trade-document case: the partner's system submits.

The connector finds this handler through the flow registry (`Flow.inbound`, key
("tradinggrid", ("collab", "file.attached"))) and never imports this app. The request is
looked up through the partner's scope, so a document naming another partner's request id
is refused like an unknown one.
"""

import io

from apps.core.errors import DomainError

from . import services
from .models import DocumentRequest


def file_for_request(*, actor, partner, payload: dict, channel: str):
    case = payload["case"]
    data = payload["event_data"]
    request = DocumentRequest.objects.for_actor(actor).filter(case=case).first()
    if request is None:
        raise DomainError(f"{case.reference} is not a document request.")
    named = data.get("document_request_id")
    if named and named != request.request_id:
        raise DomainError(
            f"document_request_id {named} is not the request of {case.reference} ({request.request_id}).",
            fields={"document_request_id": ["Not this case's request."]},
        )
    stored = []
    for name, content in payload["files"]:
        services.submission_from_file(
            actor=actor,
            channel=channel,
            case=case,
            name=name,
            content=io.BytesIO(content),
            note=(data.get("description") or "")[:500],
        )
        stored.append(name)
    case.refresh_from_db()
    return case, f"{request.label} {', '.join(stored)} for {request.request_id}: {case.status}"
