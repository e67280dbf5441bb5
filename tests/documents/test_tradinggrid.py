"""Trade documents over Trading Grid: document.requested goes out, file.attached with
document_request_id comes back and takes the same review states as the portal."""

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from apps.documents.models import DocumentSubmission, Outcome
from apps.tradinggrid.edi import CollabFile, parse_document
from apps.tradinggrid.inbound import poll_mailbox
from apps.tradinggrid.models import Direction, Interchange, Status
from apps.workspace import services as workspace
from apps.workspace.choices import Channel
from apps.workspace.models import Attachment, Case
from tests.documents.helpers import request_for
from tests.tradinggrid.test_ledger import drain_outbox, folder_mailbox, partner_document, tg_partner

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% packing list\n%%EOF\n"
TODAY = timezone.localdate()


@pytest.fixture
def mailbox(tmp_path, settings):
    return folder_mailbox(tmp_path, settings)


@pytest.fixture
def partner(db):
    return tg_partner()


def _sent(mailbox, event_type: str) -> list[dict]:
    # The mailbox also holds our 997s (X12): only the collaboration documents are JSON.
    documents = [
        json.loads(data) for name in mailbox.sent() if (data := mailbox.read(name)).startswith(b"{")
    ]
    return [d for d in documents if d.get("event", {}).get("type") == event_type]


def _file(partner, case, request_id: str, name: str, *, start: int, text: bytes = PDF) -> bytes:
    return partner_document(
        partner,
        case,
        event_type="file.attached",
        start=start,
        event_data={
            "file_names": [name],
            "description": "From our WMS",
            "document_request_id": request_id,
        },
        files=[CollabFile(name=name, content_type="application/pdf", content=text)],
    )


def test_a_request_is_sent_and_a_file_naming_it_is_submitted_rejected_and_corrected(
    agent, partner, mailbox
):
    case, request = request_for(agent, partner, "packing_list")
    drain_outbox()
    [sent] = _sent(mailbox, "document.requested")
    parse_document(json.dumps(sent))  # valid against the published schema
    assert sent["event"]["data"]["request_id"] == request.request_id
    assert sent["event"]["data"]["document_type"] == "packing_list"
    assert sent["case"]["kind"] == "trade_document"

    mailbox.arrive("pl-1.json", _file(partner, case, request.request_id, "pl-v1.pdf", start=500))
    poll_mailbox()
    case.refresh_from_db()
    assert case.status == "submitted"
    workspace.case_transition(
        actor=agent,
        channel=Channel.WEB,
        case=case,
        transition="reject",
        payload={"reason": "data_mismatch"},
        comment="Quantities do not match the order.",
    )
    drain_outbox()
    [rejected] = [
        d
        for d in _sent(mailbox, "case.transitioned")
        if d["event"]["data"]["to_status"] == "rejected"
    ]
    assert rejected["event"]["data"]["payload"] == {"reason": "data_mismatch"}

    mailbox.arrive(
        "pl-2.json",
        _file(partner, case, request.request_id, "pl-v2.pdf", start=600, text=PDF + b"%v2\n"),
    )
    poll_mailbox()
    case.refresh_from_db()
    assert case.status == "submitted"
    assert Attachment.objects.get(case=case).version_count == 2
    outcomes = list(
        DocumentSubmission.objects.filter(request=request)
        .order_by("number")
        .values_list("outcome", flat=True)
    )
    assert outcomes == [Outcome.REJECTED, Outcome.PENDING]
    assert all(
        i.status == Status.ACCEPTED for i in Interchange.objects.filter(direction=Direction.INBOUND)
    )


def test_a_file_naming_another_request_changes_nothing(agent, partner, mailbox):
    case, _ = request_for(agent, partner, "packing_list")
    mailbox.arrive("x.json", _file(partner, case, "req-not-this-one", "pl.pdf", start=700))
    poll_mailbox()
    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert (
        inbound.status == Status.ACCEPTED_WITH_ERRORS
        and "document_request_id" in inbound.status_detail
    )
    assert Case.objects.get(pk=case.pk).status == "requested"
    assert not Attachment.objects.filter(case=case).exists()


def test_a_certificate_is_submitted_with_its_dates_after_its_file(agent, partner, mailbox):
    case, request = request_for(agent, partner, "certificate_of_origin")
    mailbox.arrive("co.json", _file(partner, case, request.request_id, "co.pdf", start=800))
    poll_mailbox()
    assert Case.objects.get(pk=case.pk).status == "requested"  # stored, waiting for its dates
    submit = partner_document(
        partner,
        case,
        event_type="case.transitioned",
        start=810,
        event_data={
            "transition": "submit",
            "to_status": "submitted",
            "payload": {
                "issue_date": (TODAY - timedelta(days=1)).isoformat(),
                "expiry_date": (TODAY + timedelta(days=200)).isoformat(),
            },
        },
    )
    mailbox.arrive("co-submit.json", submit)
    poll_mailbox()
    case.refresh_from_db()
    assert case.status == "submitted"
    assert DocumentSubmission.objects.get(request=request).expiry_date == TODAY + timedelta(
        days=200
    )
