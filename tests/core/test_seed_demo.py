"""The demo seed: every role and partner kind, mirrored orders, cases of flows 1 and 7 in every
state, and safe to run twice."""

import pytest
from django.core.management import call_command

from apps.accounts.models import User
from apps.exceptions import demo as exceptions_demo
from apps.exceptions.models import DetailSource, ExceptionDetail
from apps.orders import demo as orders_demo
from apps.orders.models import Order, OrderLine, Shipment
from apps.orders.privacy import email_hash
from apps.partners import demo
from apps.partners.models import Membership, Organization
from apps.partners.roles import OrganizationKind, Role
from apps.sync.models import OutboxMessage
from apps.workspace.choices import CaseKind, Channel, Side
from apps.workspace.models import Attachment, Case, LineAnswer, Message, TimelineEvent
from apps.workspace.states import workflow_for
from tests.factories import totp_code

pytestmark = pytest.mark.django_db

FLOW_KINDS = (CaseKind.ORDER_EXCEPTION, CaseKind.ESCALATION)


def snapshot() -> dict[str, object]:
    """What a second run must leave exactly as it was."""
    return {
        "orders": list(Order.objects.order_by("pk").values_list("pk", "last_modified")),
        "lines": OrderLine.objects.count(),
        "cases": list(Case.objects.order_by("pk").values_list("pk", "status", "last_activity_at")),
        "timeline": TimelineEvent.objects.count(),
        "messages": Message.objects.count(),
        "answers": LineAnswer.objects.count(),
        "files": Attachment.objects.count(),
        "outbox": OutboxMessage.objects.count(),
    }


def test_seed_demo_is_idempotent_and_complete(client, settings):
    settings.SFCC_ENABLED = True
    call_command("seed_demo")
    first = snapshot()
    call_command("seed_demo")
    assert snapshot() == first
    assert Organization.objects.partners().count() == len(demo.PARTNERS)
    assert {o.kind for o in Organization.objects.partners()} == set(OrganizationKind) - {OrganizationKind.INTERNAL}
    assert set(Membership.objects.values_list("role", flat=True)) == set(Role)
    assert User.objects.count() == len(demo.INTERNAL_USERS) + len(demo.partner_users())
    # Cases on mirrored orders are written back to SFCC: the rows wait in the outbox.
    assert OutboxMessage.objects.filter(target="sfcc").exists()
    response = client.post("/accounts/login/", {"login": "admin@sup-001.test", "password": demo.DEMO_PASSWORD})
    assert response.status_code == 302
    # A partner administrator: the published demo TOTP secret completes the sign-in.
    assert response["Location"].startswith("/accounts/2fa/authenticate/")
    client.post("/accounts/2fa/authenticate/", {"code": totp_code(demo.DEMO_TOTP_SECRET)})
    assert client.session.get("_auth_user_id")


def test_every_state_of_both_flows_has_a_case_with_its_history(settings):
    settings.SFCC_ENABLED = False  # the seed needs no SFCC
    call_command("seed_demo")
    for workflow in exceptions_demo.WORKFLOWS:
        states = set(Case.objects.filter(kind=workflow.kind).values_list("status", flat=True))
        assert states == {state.name for state in workflow.states}, workflow.kind
    assert not OutboxMessage.objects.filter(target="sfcc").exists()
    # Every case was walked there by real steps, and its order is a mirrored one.
    flow_cases = Case.objects.filter(kind__in=FLOW_KINDS)
    orders = set(Order.objects.values_list("order_no", flat=True))
    assert set(flow_cases.values_list("order_number", flat=True)) <= orders
    steps = TimelineEvent.objects.filter(verb="transitioned")
    for case in flow_cases.exclude(status__in=["reported", "escalated"]):
        assert steps.filter(case=case).exists(), case
    # The reference story of flow 1: proposal, counter, revised proposal, accepted, closed.
    closed = Case.objects.get(kind=CaseKind.ORDER_EXCEPTION, status="closed")
    summaries = list(steps.filter(case=closed).order_by("id").values_list("summary", flat=True))
    assert [s.split(":")[0] for s in summaries] == [
        "Propose a resolution", "Counter", "Propose a resolution", "Accept the proposal", "Close",
    ]
    assert closed.resolution_code == "partial_backorder" and closed.root_cause_code == "forecast_error"
    assert LineAnswer.objects.filter(line__case=closed).count() == 4
    # A partner system answered over Trading Grid; a missing item came with a photo.
    assert steps.filter(channel=Channel.TRADING_GRID, actor__isnull=True).exists()
    assert Attachment.objects.filter(case__kind=CaseKind.ESCALATION, name__endswith=".png").exists()
    # A case a partner can still move is with a portal-only partner: the Trading Grid
    # simulator's bots answer the others' within seconds in the running demo.
    for case in flow_cases.exclude(exception_detail__source=DetailSource.RULE).select_related("partner"):
        steps = workflow_for(case.kind).available(status=case.status, side=Side.PARTNER)
        if any(not step.reopens for step in steps):
            assert not case.partner.uses_trading_grid, (case.partner.code, case.status)
    # SFCC reported one exception itself: the rule opened it with the carrier's fields.
    detected = ExceptionDetail.objects.get(source=DetailSource.RULE)
    assert (detected.carrier, detected.carrier_exception_code) == ("CAR-001", "DMG-HUB")


def test_orders_keep_the_customer_name_and_a_hash_never_the_email():
    call_command("seed_demo")
    # Every demo order of the orders app (flows may mirror their own, e.g. drop-ship orders).
    assert Order.objects.filter(order_no__startswith="DEMO1").count() == len(orders_demo.ORDERS)
    for spec in orders_demo.ORDERS:
        order = Order.objects.get(order_no=spec.number)
        assert order.customer_name == spec.customer
        assert order.customer_email_hash == email_hash(spec.email)
        assert spec.email not in repr(list(Order.objects.filter(pk=order.pk).values()))
        assert order.lines.exists() and not order.lines.filter(partner__isnull=True).exists()
    shipments = Shipment.objects.all()
    assert all(s.carrier_code and s.fulfillment_location for s in shipments)
    assert shipments.exclude(tracking_number="").count() >= 8
    assert not any("@" in repr(row) for row in Shipment.objects.values())
