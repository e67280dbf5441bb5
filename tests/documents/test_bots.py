"""The simulator's partner bots answer document requests as a document system would, and the
portal takes it: sometimes a wrong file first, which the retailer rejects, then the correction."""

import json
from datetime import UTC, datetime

import pytest

from apps.documents.models import DocumentSubmission, Outcome
from apps.tradinggrid.inbound import poll_mailbox
from apps.workspace import services as workspace
from apps.workspace.choices import Channel
from apps.workspace.models import Case
from simulators.tradinggrid import answers, collaboration
from simulators.tradinggrid.participants import Address
from tests.documents.helpers import request_for
from tests.tradinggrid.test_ledger import drain_outbox, folder_mailbox, tg_partner

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(tmp_path, settings):
    return folder_mailbox(tmp_path, settings)


@pytest.fixture
def partner(db):
    return tg_partner()


def last_sent(mailbox, event_type: str) -> dict:
    drain_outbox()
    documents = [
        json.loads(data) for name in mailbox.sent() if (data := mailbox.read(name)).startswith(b"{")
    ]
    return [d for d in documents if d["event"]["type"] == event_type][-1]


def requested_document(mailbox, request) -> dict:
    """The document.requested we sent for this request."""
    drain_outbox()
    for name in mailbox.sent():
        data = mailbox.read(name)
        if data.startswith(b"{"):
            document = json.loads(data)
            if document["event"]["data"].get("request_id") == request.request_id:
                return document
    raise AssertionError(f"no document.requested for {request.request_id}")


def bot_answers(partner, mailbox, document: dict, *, opened=None, start: int) -> None:
    """What the bot sends about `document` (as bots.py builds it), into our inbound folder, polled."""
    pending = list(
        answers.answers_for(
            document, partner_name=partner.name, today=datetime.now(UTC).date(), opened=opened
        )
    )
    number = start
    while pending:
        answer = pending.pop(0)
        common = {
            "inbound": document,
            "sender": Address("ZZ", partner.tg_id),
            "receiver": Address("ZZ", "CROSSDOCK"),
            "partner_name": partner.name,
            "control_number": number,
            "now": datetime.now(UTC),
        }
        if answer.file:
            reply = collaboration.build_file(
                **common,
                name=answer.file[0],
                content=answer.file[1],
                description=answer.text,
                document_request_id=answer.document_request_id,
            )
        else:
            reply = collaboration.build_transition(
                **common,
                transition=answer.transition,
                to_status=answer.to_status,
                reason=answer.text,
                payload=answer.payload,
            )
        mailbox.arrive(f"bot-{number}.json", json.dumps(reply).encode())
        poll_mailbox()
        pending[:0] = answer.then
        number += 1


def _request_whose_first_file_is(wrong: bool, agent, partner, document_type: str):
    for attempt in range(20):
        case, request = request_for(agent, partner, document_type, order_no=f"0000{attempt:04d}")
        if answers.sends_a_wrong_document(request.request_id) == wrong:
            return case, request
    raise AssertionError("no request id of that kind in 20 tries")


def test_a_bot_sends_a_wrong_certificate_which_is_rejected_then_corrected(agent, partner, mailbox):
    case, request = _request_whose_first_file_is(True, agent, partner, "certificate_of_origin")
    requested = requested_document(mailbox, request)
    assert requested["event"]["data"]["document_type"] == "certificate_of_origin"
    bot_answers(partner, mailbox, requested, start=500)
    case.refresh_from_db()
    assert case.status == "submitted"
    first = DocumentSubmission.objects.get(request=request)
    assert b"sent by mistake" in first.file_version.file.read()
    assert first.expiry_date is not None  # the certificate's dates came with the submit step

    workspace.case_transition(
        actor=agent,
        channel=Channel.WEB,
        case=case,
        transition="reject",
        payload={"reason": "wrong_document"},
        comment="That is an invoice.",
    )
    rejection = last_sent(mailbox, "case.transitioned")
    bot_answers(partner, mailbox, rejection, opened=requested, start=600)
    case.refresh_from_db()
    assert case.status == "submitted"
    outcomes = list(request.submissions.order_by("number").values_list("outcome", flat=True))
    assert outcomes == [Outcome.REJECTED, Outcome.PENDING]
    workspace.case_transition(
        actor=agent, channel=Channel.WEB, case=case, transition="accept", payload={}
    )
    assert Case.objects.get(pk=case.pk).status == "accepted"


def test_a_bot_answers_a_packing_list_request_with_the_file_alone(agent, partner, mailbox):
    case, request = _request_whose_first_file_is(False, agent, partner, "packing_list")
    requested = requested_document(mailbox, request)
    bot_answers(partner, mailbox, requested, start=700)
    case.refresh_from_db()
    assert case.status == "submitted"
    assert b"packing list for request" in request.submissions.get().file_version.file.read()
