"""The demo's drop-ship and marketplace orders: dispatched from new SFCC orders, then walked
into every state the workflow reaches, by the people (and systems) who take each step.

Each order is mirrored through the orders app's own demo writer, so the dispatch comes from
the order's announcement as it would from SFCC; the steps go through the workspace services,
so the timeline, the line answers, the outbox (850s, SFCC write-back) and the notifications
are the portal's own. An order already mirrored is left as it is: a second run changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.orders.demo import DemoLine, DemoOrder, order_mirror
from apps.partners.actors import PartnerSystemActor
from apps.partners.demo import register_seeder
from apps.partners.models import Membership, Organization
from apps.partners.roles import Role
from apps.workspace import services as workspace
from apps.workspace.choices import Channel
from apps.workspace.models import Case

from .models import PartnerAgreement

AGENT_EMAIL = "agent@crossdock.test"
AGREEMENTS = {
    # partner code: (answer within hours, reminder hours before, ship within days, every line)
    "SUP-001": (24, 4, 2, False),
    "SUP-002": (48, 8, 3, False),
    "MKT-001": (12, 3, 2, True),
    "MKT-002": (24, 6, 3, True),
}
DROPSHIP = {"c_fulfillmentType": "dropship"}


def _day(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _person(code: str):
    membership = (
        Membership.objects.filter(
            organization__code=code,
            is_active=True,
            role__in=[Role.PARTNER_MEMBER, Role.PARTNER_ADMIN],
        )
        .select_related("user")
        .order_by("role")
        .first()
    )
    return membership.user


def _system(code: str) -> PartnerSystemActor:
    partner = Organization.objects.get(code=code)
    return PartnerSystemActor(partner, f"{partner.name} via Trading Grid")


def _agent():
    return get_user_model().objects.get(email=AGENT_EMAIL)


def _take(
    case: Case,
    actor,
    transition: str,
    payload: dict | None = None,
    comment: str = "",
    channel=Channel.WEB,
) -> Case:
    return workspace.case_transition(
        actor=actor,
        channel=channel,
        case=case,
        transition=transition,
        payload=payload,
        comment=comment,
    )


def _all(case: Case, status: str = "accepted", **extra) -> list[dict]:
    return [
        {"line": line.position, "status": status, **extra}
        for line in case.lines.order_by("position")
    ]


@dataclass(frozen=True)
class Scenario:
    order: DemoOrder
    partner: str
    walk: Callable[[Case, str], Case]


def _waiting(case, code):
    return case


def _accepted_over_edi(case, code):
    return _take(
        case,
        _system(code),
        "accept",
        {"ship_date": _day(2), "lines": _all(case)},
        channel=Channel.TRADING_GRID,
    )


def _in_part(case, code):
    first, *rest = case.lines.order_by("position")
    lines = [{"line": first.position, "status": "accepted"}] + [
        {"line": line.position, "status": "backordered", "quantity": "1", "date": _day(12)}
        for line in rest
    ]
    return _take(
        case,
        _person(code),
        "accept_in_part",
        {"ship_date": _day(2), "lines": lines},
        comment="The packs ship Tuesday; the mats follow when the next lot lands.",
    )


def _rejected(case, code):
    case = _take(
        case,
        _person(code),
        "reject",
        {"reason": "out_of_stock", "note": "The weaver's next run is in March."},
    )
    # The agent re-routes the order and settles the order exception the rejection opened.
    reroute = Case.objects.get(pk=case.dispatch.reroute_case_id)
    _take(
        reroute,
        _agent(),
        "resolve",
        comment="Re-routed to Tidewater Gifts, who has the throw in stock.",
    )
    return case


def _exception(case, code):
    return _take(
        case,
        _person(code),
        "flag_exception",
        {
            "exception_type": "delivery_requirement",
            "detail": "We cannot promise delivery before the 24th to this postcode.",
        },
    )


def _change_requested(case, code):
    case = _in_part(case, code)
    return _take(
        case,
        _agent(),
        "request_change",
        {
            "change": "change_quantity",
            "positions": "1",
            "quantities": "1",
            "detail": "The customer wants one only.",
        },
    )


def _change_refused(case, code):
    case = _accepted_over_edi(case, code)
    case = _take(
        case,
        _agent(),
        "request_change",
        {"change": "change_service", "shipping_method": "Overnight"},
    )
    return _take(
        case,
        _system(code),
        "refuse_change",
        {"note": "Overnight is not offered from our warehouse."},
        channel=Channel.TRADING_GRID,
    )


def _cancelled(case, code):
    case = _take(
        case,
        _agent(),
        "request_change",
        {"change": "cancel", "detail": "The customer cancelled online."},
    )
    return _take(case, _person(code), "accept_cancellation", {"note": "Stopped before picking."})


def _closed(case, code):
    case = _take(case, _person(code), "accept", {"ship_date": _day(1), "lines": _all(case)})
    return _take(case, _agent(), "close")


def _substituted(case, code):
    first, *rest = case.lines.order_by("position")
    lines = [
        {
            "line": first.position,
            "status": "substituted",
            "substitute_sku": f"{first.sku}-ALT",
            "substitute_quantity": str(first.quantity.normalize()),
        }
    ] + [{"line": line.position, "status": "accepted"} for line in rest]
    return _take(case, _person(code), "accept_in_part", {"ship_date": _day(3), "lines": lines})


def _order(number: str, customer: str, address, lines, days_ago: int = 1, **extra) -> DemoOrder:
    return DemoOrder(
        number,
        customer,
        f"{customer.split()[0].lower()}@example.com",
        days_ago,
        address,
        lines,
        "WH-003",
        "CAR-001",
        status="new",
        **extra,
    )


SCENARIOS = (
    Scenario(_order("DEMO-DS01", "Ada Byron", ("5 Elm St.", "Portland", "OR", "97201", "US"),
                    (DemoLine("PACK-20L", "Trail 20 L daypack", 1, "89.00", "SUP-002", DROPSHIP),),
                    attributes={"c_deliveryInstructions": "Leave at the side door", "c_serviceLevel": "STANDARD"}),
             "SUP-002", _waiting),
    Scenario(_order("DEMO-DS02", "Hedy Lamarr", ("9 Sunset Blvd.", "Los Angeles", "CA", "90028", "US"),
                    (DemoLine("JKT-RAIN-S", "Stormline rain jacket, S", 2, "139.00", "SUP-001", DROPSHIP),),
                    attributes={"c_signatureRequired": True, "c_serviceLevel": "EXPRESS"}),
             "SUP-001", _accepted_over_edi),
    Scenario(_order("DEMO-DS03", "Mary Somerville", ("4 Loch Rd.", "Denver", "CO", "80202", "US"),
                    (DemoLine("PACK-30L", "Ridge 30 L daypack", 1, "119.00", "SUP-002", DROPSHIP),
                     DemoLine("MAT-1", "Insulated sleeping mat", 2, "59.00", "SUP-002", DROPSHIP))),
             "SUP-002", _in_part),
    Scenario(_order("DEMO-DS04", "Emmy Noether", ("17 Bryn Mawr Ave.", "Philadelphia", "PA", "19010", "US"),
                    (DemoLine("THROW-LOOM-R", "Hand-loomed throw, rust", 1, "120.00"),), seller="MKT-001"),
             "MKT-001", _rejected),
    Scenario(_order("DEMO-DS05", "Lise Meitner", ("3 Harbor Way", "Miami", "FL", "33101", "US"),
                    (DemoLine("CANDLE-TALL", "Tall beeswax candles", 4, "12.00"),), seller="MKT-002",
                    attributes={"c_requestedDeliveryDate": _day(5)}),
             "MKT-002", _exception),
    Scenario(_order("DEMO-DS06", "Chien-Shiung Wu", ("60 Lake Shore Dr.", "Chicago", "IL", "60601", "US"),
                    (DemoLine("PACK-40L", "Summit 40 L backpack", 2, "165.00", "SUP-002", DROPSHIP),
                     DemoLine("MAT-1", "Insulated sleeping mat", 1, "59.00", "SUP-002", DROPSHIP))),
             "SUP-002", _change_requested),
    Scenario(_order("DEMO-DS07", "Rosalind Franklin", ("22 King St.", "Boston", "MA", "02108", "US"),
                    (DemoLine("SCARF-WOOL", "Merino scarf, charcoal", 1, "45.00", "SUP-001", DROPSHIP),)),
             "SUP-001", _change_refused),
    Scenario(_order("DEMO-DS08", "Dorothy Vaughan", ("8 Mill Rd.", "Richmond", "VA", "23219", "US"),
                    (DemoLine("CUSH-LOOM", "Hand-loomed cushion cover", 2, "38.00"),), seller="MKT-001"),
             "MKT-001", _cancelled),
    Scenario(_order("DEMO-DS09", "Annie Easley", ("1 Lakeside Ave.", "Cleveland", "OH", "44114", "US"),
                    (DemoLine("TENT-1P", "Trailhead one-person tent", 1, "189.00", "SUP-002", DROPSHIP),), days_ago=4),
             "SUP-002", _closed),
    Scenario(_order("DEMO-DS10", "Joan Clarke", ("14 Bletchley Ln.", "Seattle", "WA", "98101", "US"),
                    (DemoLine("CANDLE-SET", "Beeswax candle set", 1, "24.00"),
                     DemoLine("CANDLE-HOLD", "Brass candle holder", 2, "18.00")), seller="MKT-002"),
             "MKT-002", _substituted),
)  # fmt: skip


def seed() -> str:
    for code, (ack_hours, reminder, ship_days, every_line) in AGREEMENTS.items():
        partner = Organization.objects.filter(code=code).first()
        if partner is not None:
            PartnerAgreement.objects.get_or_create(
                partner=partner,
                defaults={
                    "ack_hours": ack_hours,
                    "reminder_hours": reminder,
                    "ship_days": ship_days,
                    "dispatch_all_lines": every_line,
                },
            )
    walked = 0
    for scenario in SCENARIOS:
        if not order_mirror(scenario.order):
            continue  # mirrored by an earlier run, with its dispatch as that run left it
        case = Case.objects.filter(
            order_number=scenario.order.number, kind="dropship", partner__code=scenario.partner
        ).first()
        if case is None:
            continue
        scenario.walk(case, scenario.partner)
        walked += 1
    return (
        f"{len(AGREEMENTS)} drop-ship agreements, {len(SCENARIOS)} dispatched orders ({walked} new)"
    )


register_seeder("fulfillment", seed)
