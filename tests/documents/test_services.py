"""Flow 3 through its services: requirements open requests, and every review step, allowed and refused."""

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.core.errors import Conflict, DomainError, NotAllowed
from apps.documents import services
from apps.documents.models import DocumentRequest, DocumentSubmission, Outcome
from apps.documents.selectors import order_checklist, retailer_checklist
from apps.documents.sfcc_fields import document_attributes
from apps.partners.actors import SYSTEM
from apps.workspace import services as workspace
from apps.workspace.choices import Channel, Side
from apps.workspace.models import Attachment, Case, TimelineEvent
from tests.documents.helpers import ORDER, doc_pdf, order_for, request_for, requirement

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
VALID = {"issue_date": TODAY - timedelta(days=10), "expiry_date": TODAY + timedelta(days=365)}


def _take(actor, case, name, **kwargs):
    return workspace.case_transition(
        actor=actor, channel=Channel.WEB, case=case, transition=name, **kwargs
    )


def _submit(user, case, text="certificate", **dates):
    return services.document_submit(
        actor=user,
        channel=Channel.WEB,
        case=case,
        name=f"{text}.pdf",
        content=doc_pdf(text),
        **dates,
    )


# --- requirements open requests --------------------------------------------------------------


def test_an_order_opens_the_documents_its_partner_owes_on_its_lane(partner_a, partner_b):
    requirement(partner_a, "certificate_of_origin", origin_country="CN", destination_country="US")
    requirement(partner_a, "packing_list", per_shipment=True, needed_before_shipping=False)
    requirement(partner_a, "customs_declaration", origin_country="VN")  # another lane
    requirement(partner_b, "commercial_invoice")  # a partner without lines on the order
    order = order_for(partner_a)

    requests = DocumentRequest.objects.filter(order_number=order.order_no)
    assert sorted(requests.values_list("document_type", flat=True)) == [
        "certificate_of_origin",
        "packing_list",
    ]
    assert {r.partner_id for r in requests} == {partner_a.pk}
    certificate = requests.get(document_type="certificate_of_origin")
    assert certificate.dated and certificate.needed_before_shipping
    assert certificate.case.status == "requested" and certificate.case.turn == Side.PARTNER
    assert requests.get(document_type="packing_list").shipment_ref  # one per shipment

    order_for(partner_a, modified="2026-03-02T10:00:00.000Z")  # SFCC sends the order again
    assert DocumentRequest.objects.filter(order_number=order.order_no).count() == 2


def test_an_order_type_requirement_applies_to_that_type_only(partner_a):
    requirement(partner_a, "compliance_approval", order_type="b2b")
    order_for(partner_a, "00007002", c_orderType="b2c")
    order_for(partner_a, "00007003", c_orderType="B2B")
    assert list(DocumentRequest.objects.values_list("order_number", flat=True)) == ["00007003"]


def test_only_the_retailer_requests_documents(user_a, partner_a):
    with pytest.raises(NotAllowed):
        request_for(user_a, partner_a)


def test_a_request_needs_a_type_and_an_order(agent, partner_a):
    with pytest.raises(DomainError) as refused:
        request_for(agent, partner_a, "Not A Code", order_no="")
    assert set(refused.value.fields) == {"document_type", "order_number"}


# --- submit ----------------------------------------------------------------------------------


def test_submit_without_a_file_is_refused_with_its_reason(agent, user_a, partner_a):
    case, _ = request_for(agent, partner_a, "packing_list")
    with pytest.raises(Conflict, match="Upload the packing list first"):
        _take(user_a, case, "submit", payload={})
    assert Case.objects.get(pk=case.pk).status == "requested"


def test_a_certificate_is_refused_without_its_dates_and_nothing_is_stored(agent, user_a, partner_a):
    case, request = request_for(agent, partner_a)
    with pytest.raises(DomainError) as refused:
        _submit(user_a, case)
    assert set(refused.value.fields) == {"issue_date", "expiry_date"}
    with pytest.raises(DomainError) as expired:
        _submit(
            user_a,
            case,
            issue_date=TODAY - timedelta(days=400),
            expiry_date=TODAY - timedelta(days=1),
        )
    assert "expired" in str(expired.value.fields["expiry_date"])
    assert not Attachment.objects.filter(case=case).exists()
    assert Case.objects.get(pk=case.pk).status == "requested"


def test_the_partner_submits_and_the_retailer_cannot(agent, user_a, partner_a):
    case, request = request_for(agent, partner_a)
    with pytest.raises(NotAllowed):
        _submit(agent, case, **VALID)
    case = _submit(user_a, case, **VALID)
    assert (case.status, case.turn) == ("submitted", Side.RETAILER)
    submission = DocumentSubmission.objects.get(request=request)
    assert (submission.number, submission.outcome, submission.expiry_date) == (
        1,
        Outcome.PENDING,
        VALID["expiry_date"],
    )
    assert submission.submitted_label == user_a.get_full_name()
    with pytest.raises(Conflict):  # submitted already: nothing more to send until reviewed
        _submit(user_a, case, "again", **VALID)


# --- review ----------------------------------------------------------------------------------


def test_review_steps_are_the_retailers(agent, user_a, partner_a):
    case, _ = request_for(agent, partner_a)
    case = _submit(user_a, case, **VALID)
    for step, payload in (
        ("start_review", None),
        ("accept", {}),
        ("reject", {"reason": "illegible"}),
    ):
        with pytest.raises(NotAllowed):
            _take(user_a, case, step, payload=payload, comment="why")
    _take(agent, case, "start_review")
    assert Case.objects.get(pk=case.pk).status == "under_review"


def test_a_rejection_needs_a_reason_and_asks_the_partner_for_a_correction(agent, user_a, partner_a):
    case, request = request_for(agent, partner_a)
    case = _submit(user_a, case, "wrong-one", **VALID)
    with pytest.raises(DomainError):
        _take(agent, case, "reject", payload={"reason": "wrong_document"})  # no comment
    with pytest.raises(DomainError):
        _take(
            agent, case, "reject", payload={"reason": "because"}, comment="Wrong file."
        )  # unknown reason
    _take(
        agent,
        case,
        "reject",
        payload={"reason": "wrong_document"},
        comment="This is the invoice, not the CO.",
    )
    case.refresh_from_db()
    assert (case.status, case.turn) == ("rejected", Side.PARTNER)
    submission = DocumentSubmission.objects.get(request=request)
    assert (submission.outcome, submission.rejection_code) == (Outcome.REJECTED, "wrong_document")
    assert submission.reviewed_label == agent.get_full_name()
    # The rejected file does not count as the correction.
    with pytest.raises(Conflict, match="Upload the certificate of origin first"):
        _take(user_a, case, "submit", payload={**{k: v.isoformat() for k, v in VALID.items()}})


def test_a_correction_is_a_new_version_and_every_version_is_kept(agent, user_a, partner_a):
    case, request = request_for(agent, partner_a)
    case = _submit(user_a, case, "wrong-one", **VALID)
    _take(agent, case, "reject", payload={"reason": "wrong_document"}, comment="Wrong file.")
    case = _submit(user_a, case, "right-one", **VALID)
    _take(agent, case, "start_review")
    _take(agent, case, "accept", payload={})

    request.refresh_from_db()
    attachment = Attachment.objects.get(case=case)  # one file, two versions: the second supersedes
    assert attachment.version_count == 2 and request.attachment_id == attachment.pk
    outcomes = list(request.submissions.order_by("number").values_list("number", "outcome"))
    assert outcomes == [(1, Outcome.REJECTED), (2, Outcome.ACCEPTED)]
    assert request.accepted_submission.file_version == attachment.current_version
    verbs = list(
        TimelineEvent.objects.filter(case=case).order_by("id").values_list("verb", "summary")
    )
    summaries = " | ".join(s for _, s in verbs)
    for words in (
        "Submit the document",
        "Reject and ask for a correction",
        "New version",
        "Start review",
        "Accept",
    ):
        assert words in summaries


def test_accepting_needs_a_submission_and_a_valid_certificate(agent, user_a, partner_a):
    case, request = request_for(agent, partner_a)
    case = _submit(user_a, case, **VALID)
    # The retailer reads a different (past) expiry date off the scan: that is not acceptable.
    with pytest.raises(DomainError):
        _take(
            agent, case, "accept", payload={"expiry_date": (TODAY - timedelta(days=2)).isoformat()}
        )
    # A submission that expired while waiting for review is refused by the guard.
    DocumentSubmission.objects.filter(request=request).update(expiry_date=TODAY - timedelta(days=1))
    with pytest.raises(Conflict, match="expired"):
        _take(agent, case, "accept", payload={})
    DocumentSubmission.objects.filter(request=request).update(expiry_date=None)
    with pytest.raises(Conflict, match="needs its expiry date"):
        _take(agent, case, "accept", payload={})
    _take(agent, case, "accept", payload={"expiry_date": VALID["expiry_date"].isoformat()})
    request.refresh_from_db()
    assert request.satisfied() and request.expiry_date == VALID["expiry_date"]


# --- checklist, blocking, SFCC ---------------------------------------------------------------


def test_the_order_is_blocked_until_its_required_documents_are_accepted(agent, user_a, partner_a):
    certificate, _ = request_for(agent, partner_a)
    packing, _ = request_for(agent, partner_a, "packing_list", needed_before_shipping=False)
    checklist = order_checklist(actor=agent, order_number=ORDER)
    assert checklist.status == "blocked" and [i.label for i in checklist.missing] == [
        "Certificate of origin"
    ]
    assert document_attributes(case=certificate, event_payload={}) == {
        "c_crossdockDocumentsStatus": "blocked",
        "c_crossdockDocumentsMissing": "Certificate of origin (requested)",
        "c_crossdockDocumentsAccepted": "0/2",
    }
    assert certificate.tags.filter(name=services.BLOCKED_TAG).exists()
    assert not packing.tags.filter(name=services.BLOCKED_TAG).exists()  # not needed to ship

    certificate = _submit(user_a, certificate, "wrong", **VALID)
    _take(
        agent, certificate, "reject", payload={"reason": "missing_signature"}, comment="Unsigned."
    )
    assert retailer_checklist(ORDER).summary() == "Certificate of origin (rejected)"
    certificate = _submit(user_a, certificate, "signed", **VALID)
    _take(agent, certificate, "accept", payload={})

    assert retailer_checklist(ORDER).status == "ready"
    assert (
        document_attributes(case=certificate, event_payload={})["c_crossdockDocumentsStatus"]
        == "ready"
    )
    assert (
        document_attributes(case=certificate, event_payload={})["c_crossdockDocumentsMissing"]
        is None
    )
    assert not Case.objects.get(pk=certificate.pk).tags.filter(name=services.BLOCKED_TAG).exists()


def test_a_partners_checklist_holds_its_own_documents_only(
    agent, user_a, user_b, partner_a, partner_b
):
    request_for(agent, partner_a)
    request_for(agent, partner_b, "commercial_invoice")
    assert [i.label for i in order_checklist(actor=user_a, order_number=ORDER).items] == [
        "Certificate of origin"
    ]
    assert [i.label for i in order_checklist(actor=user_b, order_number=ORDER).items] == [
        "Commercial invoice"
    ]
    assert len(retailer_checklist(ORDER).items) == 2


def test_a_waived_document_no_longer_blocks(agent, partner_a):
    case, _ = request_for(agent, partner_a)
    with pytest.raises(DomainError):
        _take(agent, case, "waive")  # needs a comment
    _take(agent, case, "waive", comment="Exempt under the trade agreement.")
    assert retailer_checklist(ORDER).status == "ready"


# --- expiry and renewal ----------------------------------------------------------------------


def _accepted(agent, user_a, partner_a, *, expires_in: int):
    case, request = request_for(agent, partner_a)
    case = _submit(
        user_a,
        case,
        issue_date=TODAY - timedelta(days=300),
        expiry_date=TODAY + timedelta(days=max(expires_in, 0)),
    )
    _take(agent, case, "accept", payload={})
    DocumentRequest.objects.filter(pk=request.pk).update(
        expiry_date=TODAY + timedelta(days=expires_in)
    )
    return case, request


def test_renewal_is_requested_ahead_of_expiry_once(agent, user_a, partner_a, settings):
    settings.DOCUMENTS_RENEWAL_DAYS = 30
    case, request = _accepted(agent, user_a, partner_a, expires_in=20)
    far, _ = request_for(agent, partner_a, order_no="00007099")
    assert services.renewals_sweep().renewals == 1
    assert services.renewals_sweep().renewals == 0  # idempotent: asked once
    case.refresh_from_db()
    assert (case.status, case.turn) == ("renewal_requested", Side.PARTNER)
    # Still valid until it expires: the order stays ready meanwhile.
    assert retailer_checklist(ORDER).status == "ready"
    # The renewed certificate replaces it.
    case = _submit(
        user_a, case, "renewed", issue_date=TODAY, expiry_date=TODAY + timedelta(days=730)
    )
    _take(agent, case, "accept", payload={})
    request.refresh_from_db()
    assert (
        request.expiry_date == TODAY + timedelta(days=730) and request.renewal_requested_at is None
    )


def test_an_expired_certificate_no_longer_satisfies_the_requirement(agent, user_a, partner_a):
    case, _ = _accepted(agent, user_a, partner_a, expires_in=-1)
    assert retailer_checklist(ORDER).status == "blocked"  # before any sweep: the date decides
    result = services.renewals_sweep()
    assert (result.expired, services.renewals_sweep().expired) == (1, 0)
    case.refresh_from_db()
    assert case.status == "expired"
    assert Case.objects.get(pk=case.pk).tags.filter(name=services.BLOCKED_TAG).exists()


def test_a_valid_certificate_cannot_be_marked_expired(agent, user_a, partner_a):
    case, _ = _accepted(agent, user_a, partner_a, expires_in=100)
    with pytest.raises(Conflict, match="has not expired"):
        _take(agent, case, "expire")
    with pytest.raises(NotAllowed):
        _take(user_a, case, "request_renewal")
    _take(SYSTEM, case, "request_renewal")
    assert Case.objects.get(pk=case.pk).status == "renewal_requested"


def test_asking_again_sets_the_accepted_document_aside(agent, user_a, partner_a):
    case, request = _accepted(agent, user_a, partner_a, expires_in=100)
    _take(agent, case, "request_again", comment="The consignee changed; we need a new certificate.")
    request.refresh_from_db()
    assert request.accepted_submission is None and not request.satisfied()
    assert Case.objects.get(pk=case.pk).status == "requested"
    assert request.submissions.get().outcome == Outcome.ACCEPTED  # the record stays


def test_seed_demo_has_a_request_in_every_state_with_its_history(settings):
    from django.core.management import call_command

    from apps.documents import demo

    settings.SFCC_ENABLED = False
    call_command("seed_demo")
    states = set(Case.objects.filter(kind="trade_document").values_list("status", flat=True))
    assert states == {state.name for state in demo.TRADE_DOCUMENT.states}
    accepted = Case.objects.get(kind="trade_document", status="accepted")
    assert list(
        accepted.document_request.submissions.order_by("number").values_list("outcome", flat=True)
    ) == [
        Outcome.REJECTED,
        Outcome.ACCEPTED,
    ]
    call_command("seed_demo")
    assert Case.objects.filter(kind="trade_document").count() == len(demo.SCENARIOS)


def test_sfcc_hears_the_order_blocked_as_soon_as_the_request_opens(partner_a, settings):
    from apps.sync.models import OutboxMessage

    settings.SFCC_ENABLED = True
    requirement(partner_a, "certificate_of_origin")
    order_for(partner_a)
    [written] = OutboxMessage.objects.filter(target="sfcc", topic="order.attributes")
    attributes = written.payload["attributes"]
    assert attributes["c_crossdockDocumentsStatus"] == "blocked"
    assert attributes["c_crossdockDocumentsMissing"] == "Certificate of origin (requested)"
