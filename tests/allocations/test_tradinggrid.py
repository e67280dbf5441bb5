"""Flow 2 over Trading Grid: an 830 goes out with each share, an 846 answers it, and the stored
answers are the same as a partner's user gives in the browser."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from apps.allocations import services
from apps.allocations.models import AllocationShare, PlanLine
from apps.partners.roles import EdiStandard
from apps.tradinggrid.edi import get_mapping, parse_interchange
from apps.tradinggrid.inbound import poll_mailbox
from apps.tradinggrid.models import Direction, Interchange, Status
from apps.workspace.choices import Channel
from apps.workspace.models import LineAnswer
from tests.factories import member
from tests.tradinggrid.test_business import x12_from
from tests.tradinggrid.test_ledger import drain_outbox, folder_mailbox, tg_partner

from .conftest import csv_file, draft_plan, plan_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def mailbox(tmp_path, settings):
    return folder_mailbox(tmp_path, settings)


@pytest.fixture
def edi_partner(db):
    return tg_partner(code="SUP-EDI", edi_standard=EdiStandard.X12)


@pytest.fixture
def web_partner(db):
    return tg_partner(name="Portal Partner", tg_id="SUP777", code="SUP-WEB")


def twin_plan(merch, *partners):
    """The same two lines asked of each partner."""
    day = (timezone.localdate() + timedelta(days=30)).isoformat()
    rows = [
        (p.code, sku, "", "", qty, day, "")
        for p in partners
        for sku, qty in (("TENT-2P", 100), ("HDPN-BT", 80))
    ]
    plan = draft_plan(merch)
    services.plan_lines_import(
        actor=merch, plan=plan, name="p.csv", content=csv_file(plan_csv(*rows))
    )
    services.plan_publish(actor=merch, channel=Channel.WEB, plan=plan)
    return plan


def test_a_share_goes_out_as_an_830(sfcc, mailbox, merch, edi_partner):
    plan = twin_plan(merch, edi_partner)
    drain_outbox()
    sent = [name for name in mailbox.sent() if b"ST*830*" in mailbox.read(name)]
    assert len(sent) == 1
    transaction = parse_interchange(mailbox.read(sent[0])).groups[0].transactions[0]
    schedule = get_mapping(standard="x12", set_id="830").to_domain(transaction)
    case = AllocationShare.objects.get(plan=plan).case
    assert (schedule["reference"], schedule["release"]) == (plan.reference, case.reference)
    assert [(line["line"], line["sku"], line["quantity"]) for line in schedule["lines"]] == [
        (1, "TENT-2P", Decimal("100")), (2, "HDPN-BT", Decimal("80")),
    ]  # fmt: skip


def test_an_846_stores_the_same_answers_as_the_browser(
    sfcc, mailbox, client, merch, edi_partner, web_partner
):
    plan = twin_plan(merch, edi_partner, web_partner)
    backorder = date.today() + timedelta(days=40)
    edi_case = AllocationShare.objects.get(plan=plan, partner=edi_partner).case
    web_case = AllocationShare.objects.get(plan=plan, partner=web_partner).case

    body = get_mapping(standard="x12", set_id="846").from_domain({
        "reference": edi_case.reference, "date": date.today(),
        "lines": [
            {"line": 1, "sku": "TENT-2P", "confirmed": 60, "backordered": 40, "available_date": backorder},
            {"line": 2, "sku": "HDPN-BT", "confirmed": 0, "substitute_sku": "HDPN-BT2", "substitute_quantity": 80},
        ],
    })  # fmt: skip
    mailbox.arrive("846.x12", x12_from(edi_partner, "846", "IB", body))
    poll_mailbox()
    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.ACCEPTED, inbound.status_detail

    client.force_login(member(web_partner))
    response = client.post(
        reverse("workspace:case_transition", args=[web_case.pk]),
        {
            "transition": "answer",
            "lines-1-status": "backordered", "lines-1-quantity": "60", "lines-1-date": backorder.isoformat(),
            "lines-2-status": "substituted", "lines-2-quantity": "0", "lines-2-substitute_sku": "HDPN-BT2",
            "lines-2-substitute_quantity": "80",
        },
    )  # fmt: skip
    assert response.status_code in (200, 302)

    def stored(case):
        answers = LineAnswer.objects.filter(line__case=case).order_by("line__position")
        lines = PlanLine.objects.filter(case_line__case=case).order_by("row")
        return (
            [(a.line.position, a.status, a.quantity, a.date, a.substitute_sku, a.substitute_quantity) for a in answers],
            [(p.sku, p.answer_status, p.confirmed_qty, p.backorder_date, p.substitute_sku, p.substitute_qty, p.substitution)
             for p in lines],
        )  # fmt: skip

    assert stored(edi_case) == stored(web_case)
    assert stored(edi_case)[1][0][1:4] == ("backordered", Decimal("60"), backorder)
    edi_case.refresh_from_db()
    web_case.refresh_from_db()
    assert edi_case.status == web_case.status == "answered"
    assert LineAnswer.objects.filter(line__case=edi_case, channel=Channel.TRADING_GRID).count() == 2


def test_an_846_for_another_partners_request_is_refused(
    sfcc, mailbox, merch, edi_partner, web_partner
):
    plan = twin_plan(merch, edi_partner, web_partner)
    other = AllocationShare.objects.get(plan=plan, partner=web_partner).case
    body = get_mapping(standard="x12", set_id="846").from_domain(
        {
            "reference": other.reference,
            "date": date.today(),
            "lines": [{"line": 1, "sku": "TENT-2P", "confirmed": 1}],
        }
    )
    mailbox.arrive("846.x12", x12_from(edi_partner, "846", "IB", body))
    poll_mailbox()
    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.ACCEPTED_WITH_ERRORS
    assert "names no allocation request" in inbound.status_detail
    assert not LineAnswer.objects.filter(line__case=other).exists()


def test_the_simulators_partner_bot_answers_in_part_with_a_substitute(
    sfcc, mailbox, merch, edi_partner
):
    from tests.tradinggrid.test_bots import answer_from_the_bot, sent_to_partner

    plan = twin_plan(merch, edi_partner)
    case = AllocationShare.objects.get(plan=plan).case
    answer_from_the_bot(edi_partner, mailbox, sent_to_partner(mailbox, "case.created"))

    inbound = Interchange.objects.get(direction=Direction.INBOUND)
    assert inbound.status == Status.ACCEPTED, inbound.status_detail
    case.refresh_from_db()
    assert case.status == "answered"
    lines = {p.sku: p for p in PlanLine.objects.filter(plan=plan)}
    assert (lines["TENT-2P"].answer_status, lines["TENT-2P"].substitute_sku) == (
        "substituted",
        "TENT-4P",
    )
    assert (lines["HDPN-BT"].answer_status, lines["HDPN-BT"].confirmed_qty) == (
        "accepted",
        Decimal("80"),
    )
