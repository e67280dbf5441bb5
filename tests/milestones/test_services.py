"""Milestones through the service: the workflow, its guards, proofs, ship-by and SFCC's rows."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.utils import timezone

from apps.core.errors import Conflict, DomainError
from apps.milestones import services
from apps.milestones.models import Milestone, Step, TrackedShipment
from apps.sync.models import OutboxMessage
from apps.workspace.choices import Channel, Side
from apps.workspace.models import Attachment, TimelineEvent
from tests.workspace.helpers import PNG_BYTES

from .helpers import b2b_order, shipped, tracked

pytestmark = pytest.mark.django_db


def record(actor, case, data, **kwargs):
    return services.milestone_record(
        actor=actor, channel=Channel.WEB, case=case, data=data, **kwargs
    )


def test_tracking_holds_the_shipments_that_carry_the_partners_lines(agent, partner_a, partner_b):
    order = b2b_order(partner_a, shipments=("SHP-1", "SHP-2"))
    case = services.tracking_open(
        actor=agent, channel=Channel.WEB, order_number=order.order_no, partner=partner_a
    )
    assert (case.kind, case.status, case.turn) == ("milestone", "awaiting", Side.PARTNER)
    refs = list(TrackedShipment.objects.filter(case=case).values_list("reference", "order_number"))
    assert refs == [("SHP-1", order.order_no), ("SHP-2", order.order_no)]
    with pytest.raises(Conflict, match="already tracked"):
        services.tracking_open(
            actor=agent, channel=Channel.WEB, order_number=order.order_no, partner=partner_a
        )


def test_a_partner_cannot_open_tracking_of_an_order_not_routed_to_it(partner_a, user_b, partner_b):
    b2b_order(partner_a)
    with pytest.raises(DomainError, match="not one of yours"):
        services.tracking_open(
            actor=user_b, channel=Channel.WEB, order_number="00088001", partner=partner_b
        )


def test_each_milestone_records_when_who_and_how(agent, partner_a, user_a):
    case = tracked(agent, partner_a)
    when = (timezone.now() - timedelta(hours=3)).replace(microsecond=0)
    record(
        user_a,
        case,
        {"shipment": "SHP-88001-1", "step": "accepted", "occurred_at": when.isoformat()},
    )
    case.refresh_from_db()
    milestone = Milestone.objects.get()
    assert (milestone.step, milestone.occurred_at, milestone.reported_by, milestone.channel) == (
        "accepted",
        when,
        user_a,
        Channel.WEB,
    )
    assert milestone.reporter_organization == partner_a
    assert case.status == "in_progress"
    event = TimelineEvent.objects.filter(case=case, verb="transitioned").get()
    assert event.data["step"] == "accepted" and event.data["shipment"] == "SHP-88001-1"


def test_shipped_without_tracking_or_carrier_says_what_is_missing(agent, partner_a, user_a):
    case = tracked(agent, partner_a)
    with pytest.raises(DomainError) as refused:
        record(user_a, case, {"shipment": "SHP-88001-1", "step": "shipped"})
    assert set(refused.value.fields) >= {"tracking_number", "carrier"}
    assert "tracking number or a bill of lading" in refused.value.fields["tracking_number"][0]
    assert Milestone.objects.count() == 0


def test_a_shipment_never_goes_back(agent, partner_a, user_a):
    case = tracked(agent, partner_a)
    record(user_a, case, shipped())
    with pytest.raises(Conflict, match="already shipped: it cannot go back to packed"):
        record(user_a, case, {"shipment": "SHP-88001-1", "step": "packed"})
    assert TrackedShipment.objects.get().status == Step.SHIPPED


def test_an_exception_hands_the_case_to_the_retailer_until_handled(agent, partner_a, user_a):
    case = tracked(agent, partner_a)
    record(
        user_a, case, shipped(exception_code="delayed", exception_note="Missed the 16:00 pick-up.")
    )
    case.refresh_from_db()
    shipment = TrackedShipment.objects.get()
    assert (case.status, case.turn, shipment.exception_open) == ("exception", Side.RETAILER, True)
    from apps.workspace import services as workspace

    workspace.case_transition(
        actor=agent,
        channel=Channel.WEB,
        case=case,
        transition="handle_exception",
        comment="Customer told.",
    )
    shipment.refresh_from_db()
    case.refresh_from_db()
    assert (case.status, shipment.exception_open) == ("in_progress", False)


def test_the_last_delivery_moves_the_case_to_delivered(agent, partner_a, user_a):
    case = tracked(agent, partner_a, shipments=("SHP-1", "SHP-2"))
    record(user_a, case, shipped("SHP-1"))
    record(user_a, case, {"shipment": "SHP-1", "step": "delivered"})
    case.refresh_from_db()
    assert case.status == "in_progress"  # SHP-2 has not left
    record(user_a, case, shipped("SHP-2", tracking_number="1Z2"))
    record(user_a, case, {"shipment": "SHP-2", "step": "delivered"})
    case.refresh_from_db()
    assert (case.status, case.resolved_at is not None) == ("delivered", True)


def test_a_proof_photo_is_stored_on_the_case_and_named_by_the_milestone(agent, partner_a, user_a):
    case = tracked(agent, partner_a)
    record(user_a, case, shipped())
    milestone = record(
        user_a,
        case,
        {"shipment": "SHP-88001-1", "step": "delivered"},
        files=[("pod.png", BytesIO(PNG_BYTES))],
    )
    [proof] = milestone.proofs.all()
    assert (proof.original_name, proof.content_type, proof.attachment.case_id) == (
        "pod.png",
        "image/png",
        case.pk,
    )


def test_a_refused_milestone_leaves_no_file_behind(agent, partner_a, user_a):
    case = tracked(agent, partner_a)
    with pytest.raises(DomainError):
        record(
            user_a,
            case,
            {"shipment": "SHP-88001-1", "step": "shipped"},
            files=[("pod.png", BytesIO(PNG_BYTES))],
        )
    assert not Attachment.objects.filter(case=case).exists()


def test_ship_by_comes_from_the_order_and_flags_a_late_shipment(agent, partner_a, user_a, settings):
    settings.MILESTONES_SHIP_BY_DAYS = 2
    case = tracked(agent, partner_a, creationDate="2026-03-01T09:00:00.000Z")
    shipment = TrackedShipment.objects.get(case=case)
    assert shipment.ship_by.isoformat() == "2026-03-03"
    assert shipment.is_late  # not shipped, and the day is long gone
    b2b_order(partner_a, "00088002", c_shipByDate="2099-01-31")
    other = services.tracking_open(
        actor=agent, channel=Channel.WEB, order_number="00088002", partner=partner_a
    )
    later = TrackedShipment.objects.get(case=other)
    assert later.ship_by.isoformat() == "2099-01-31" and not later.is_late
    record(user_a, case, shipped())
    shipment.refresh_from_db()
    assert shipment.is_late  # it left after its ship-by day


def test_sfcc_hears_the_shipping_status_and_the_tracking(agent, partner_a, user_a):
    case = tracked(agent, partner_a, shipments=("SHP-1", "SHP-2"))
    record(user_a, case, shipped("SHP-1"))
    rows = OutboxMessage.objects.filter(target="sfcc").order_by("id")
    statuses = [r.payload["status"] for r in rows if r.topic == "order.shipping_status"]
    assert statuses[-1] == "part_shipped"
    attributes = [r.payload["attributes"] for r in rows if r.topic == "order.attributes"][-1]
    assert attributes["c_crossdockTrackingNumber"] == "1Z999AA10123456784"
    assert attributes["c_crossdockCarrier"] == "UPSN"
    # The mirror placed the order in March: both are past their ship-by day.
    assert attributes["c_crossdockShipmentStatus"] == "SHP-1 shipped (late); SHP-2 waiting (late)"
    record(user_a, case, shipped("SHP-2", tracking_number="1Z2"))
    statuses = [
        r.payload["status"]
        for r in OutboxMessage.objects.filter(topic="order.shipping_status").order_by("id")
    ]
    assert statuses[-1] == "shipped"
