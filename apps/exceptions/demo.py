"""The demo's cases of flows 1 and 7: every state of both workflows, each reached by real steps.

Each case is opened from a mirrored demo order (apps.orders.demo) through this app's services,
then walked by the people who would take each step: the agent in the portal, the partner's
users in the portal, a partner's system over Trading Grid. Nothing is written around the
services, so the timeline, the line answers, the outcome codes, the SFCC write-back rows and
the notifications are what the portal itself would have produced.

A case is known by its (kind, order, partner): one that exists is left as it is, so a second
run changes nothing. Dates in proposals and plans count from the day of the seeding.
"""

import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.orders.models import Order
from apps.partners.actors import PartnerSystemActor
from apps.partners.demo import register_seeder
from apps.partners.models import Membership, Organization
from apps.partners.roles import Role
from apps.workspace import services as workspace
from apps.workspace.choices import CaseKind, Channel, Visibility
from apps.workspace.models import Case
from apps.workspace.services import LineDraft

from . import services
from .models import EscalationReason, ExceptionType
from .states import ESCALATION, ORDER_EXCEPTION

AGENT_EMAIL = "agent@crossdock.test"


def _day(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def box_photo() -> bytes:
    """A small PNG of an opened parcel (brown box, darker flaps), drawn without any library."""
    width, height = 48, 32
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")  # filter byte: none
        for x in range(width):
            if 10 <= y < 30 and 6 <= x < 42:
                pixel = (150, 105, 60) if y >= 12 else (120, 80, 45)
            elif 4 <= y < 10 and (4 <= x < 22 or 26 <= x < 44):
                pixel = (120, 80, 45)
            else:
                pixel = (235, 235, 228)
            row += bytes(pixel)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


class Cast:
    """The people (and systems) who act in the demo, found by the demo's codes and e-mails."""

    def __init__(self) -> None:
        self.agent = get_user_model().objects.get(email=AGENT_EMAIL)

    @staticmethod
    def partner(code: str) -> Organization:
        return Organization.objects.get(code=code)

    def person(self, code: str):
        """The partner's member where the demo has one, else its administrator."""
        memberships = Membership.objects.filter(
            organization__code=code, is_active=True, role__in=[Role.PARTNER_MEMBER, Role.PARTNER_ADMIN]
        ).select_related("user")
        ranked = sorted(memberships, key=lambda m: m.role != Role.PARTNER_MEMBER)
        return ranked[0].user

    def admin(self, code: str):
        return Membership.objects.select_related("user").get(
            organization__code=code, role=Role.PARTNER_ADMIN
        ).user

    def system(self, code: str) -> PartnerSystemActor:
        """A partner's own system answering over Trading Grid, as the inbound path acts."""
        partner = self.partner(code)
        return PartnerSystemActor(partner, f"{partner.name} via Trading Grid")


@dataclass(frozen=True)
class Scenario:
    kind: str
    order: str
    partner: str
    ends_in: str
    walk: Callable[["Cast", "Scenario"], Case]


def _order(number: str) -> Order:
    return Order.objects.prefetch_related("lines", "shipments").get(order_no=number)


def _lines(scenario: Scenario, *, short: dict[str, tuple[int, int]] | None = None,
           skus: tuple[str, ...] = ()) -> tuple[LineDraft, ...]:
    """The order's lines the case is about, by SFCC's natural key; `short` marks a shortage:
    sku → (quantity short, days until the stock is back)."""
    short = short or {}
    drafts = []
    for line in _order(scenario.order).lines.all():
        if skus and line.product_id not in skus:
            continue
        data = {}
        if line.product_id in short:
            quantity, days = short[line.product_id]
            data = {"quantity_short": quantity, "earliest_available": _day(days)}
        drafts.append(
            LineDraft(
                sku=line.product_id, quantity=line.quantity, description=line.product_name,
                order_number=scenario.order, line_ref=line.item_id, data=data,
            )
        )
    return tuple(drafts)


def _exception(cast: Cast, scenario: Scenario, *, exception_type: str, subject: str, body: str,
               lines: tuple[LineDraft, ...] = (), priority: str = "normal") -> Case:
    return services.exception_open(
        actor=cast.agent,
        channel=Channel.WEB,
        draft=services.ExceptionDraft(
            partner=cast.partner(scenario.partner), order_number=scenario.order,
            exception_type=exception_type, subject=subject, body=body, lines=lines, priority=priority,
        ),
    )


def _escalation(cast: Cast, scenario: Scenario, *, reason: str, words: str,
                skus: tuple[str, ...] = (), photo: str = "") -> Case:
    """As the order page escalates: the order's lines and shipment prefilled, the customer's words."""
    shipment = _order(scenario.order).shipments.first()
    return services.escalation_open(
        actor=cast.agent,
        channel=Channel.WEB,
        draft=services.EscalationDraft(
            partner=cast.partner(scenario.partner), order_number=scenario.order, reason=reason,
            customer_words=words, lines=_lines(scenario, skus=skus) if skus else (),
            shipment_id=shipment.shipment_no if shipment else "",
            carrier=shipment.carrier_code if shipment else "",
            tracking_number=shipment.tracking_number if shipment else "",
        ),
        photos=[(photo, BytesIO(box_photo()))] if photo else (),
    )


def _step(actor, case: Case, transition: str, *, channel: str = Channel.WEB, comment: str = "",
          payload: dict | None = None) -> Case:
    return workspace.case_transition(
        actor=actor, channel=channel, case=case, transition=transition, comment=comment, payload=payload
    )


def _say(actor, case: Case, body: str, *, internal: bool = False, channel: str = Channel.WEB) -> None:
    workspace.message_post(
        actor=actor, channel=channel, case=case, body=body,
        visibility=Visibility.INTERNAL if internal else Visibility.PARTNER,
    )


# --- flow 1: order exceptions -----------------------------------------------------------------


def shortage_closed(cast: Cast, sc: Scenario) -> Case:
    """The reference story: partial shipment with a backorder, a counter, a revised date, accepted."""
    case = _exception(
        cast, sc, exception_type=ExceptionType.STOCK_SHORTAGE, priority="high",
        subject=f"Stock shortage on order {sc.order}",
        body="SFCC could not allocate 2 of the 3 tents. Tell us what you can ship and when.",
        lines=_lines(sc, short={"TENT-2P": (2, 14)}),
    )
    supplier = cast.person(sc.partner)
    _step(supplier, case, "propose", payload={
        "resolution": "partial_backorder", "ship_date": _day(1), "root_cause_code": "forecast_error",
        "note": "One tent and the mats leave tomorrow; the rest with the next container.",
        "lines": [
            {"line": 1, "status": "backordered", "quantity": "2", "date": _day(14)},
            {"line": 2, "status": "accepted", "quantity": "3"},
        ],
    })
    _step(cast.agent, case, "counter",
          comment="The customer leaves on a trip in ten days. Can the two tents come from your Venlo stock sooner?")
    _step(supplier, case, "propose", payload={
        "resolution": "partial_backorder", "ship_date": _day(1), "root_cause_code": "forecast_error",
        "note": "Venlo can release two tents to ship in a week.",
        "lines": [
            {"line": 1, "status": "backordered", "quantity": "2", "date": _day(7)},
            {"line": 2, "status": "accepted", "quantity": "3"},
        ],
    })
    _step(cast.agent, case, "accept", payload={"resolution_code": "partial_backorder"})
    _say(cast.agent, case, "Customer informed of the two dates.", internal=True)
    return _step(cast.agent, case, "close")


def shortage_agreed_over_trading_grid(cast: Cast, sc: Scenario) -> Case:
    """A partner's system answers with line acknowledgements; accepted, reopened, answered again."""
    case = _exception(
        cast, sc, exception_type=ExceptionType.STOCK_SHORTAGE, priority="high",
        subject=f"Stock shortage on order {sc.order}",
        body="Both headphones are short at your warehouse. Please acknowledge the lines.",
        lines=_lines(sc, short={"HDPN-BT": (2, 10)}),
    )
    system = cast.system(sc.partner)
    _step(system, case, "propose", channel=Channel.TRADING_GRID, payload={
        "resolution": "substitute", "root_cause_code": "inventory_mismatch",
        "lines": [
            {"line": 1, "status": "substituted", "substitute_sku": "HDPN-BT-V2", "substitute_quantity": "2",
             "note": "Successor model, same price"},
            {"line": 2, "status": "accepted", "quantity": "4"},
        ],
    })
    _step(cast.agent, case, "accept", payload={"resolution_code": "substitute"})
    _step(cast.agent, case, "reopen",
          comment="The customer wants the original model after all and will wait for it.")
    _step(system, case, "propose", channel=Channel.TRADING_GRID, payload={
        "resolution": "partial_backorder", "ship_date": _day(2), "root_cause_code": "inventory_mismatch",
        "lines": [
            {"line": 1, "status": "backordered", "quantity": "2", "date": _day(10)},
            {"line": 2, "status": "accepted", "quantity": "4"},
        ],
    })
    return _step(cast.agent, case, "accept", payload={"resolution_code": "partial_backorder"})


def shortage_proposed(cast: Cast, sc: Scenario) -> Case:
    case = _exception(
        cast, sc, exception_type=ExceptionType.STOCK_SHORTAGE,
        subject=f"Stock shortage on order {sc.order}",
        body="One rain jacket in M is short. Can you ship the rest now?",
        lines=_lines(sc, short={"JKT-RAIN-M": (1, 12)}),
    )
    member = cast.person(sc.partner)
    workspace.case_update(actor=cast.admin(sc.partner), channel=Channel.WEB, case=case, assignee=member)
    return _step(member, case, "propose", payload={
        "resolution": "partial_backorder", "ship_date": _day(1), "root_cause_code": "warehouse_error",
        "lines": [
            {"line": 1, "status": "backordered", "quantity": "1", "date": _day(12),
             "note": "One jacket ships now, one when the restock lands."},
            {"line": 2, "status": "accepted", "quantity": "1"},
        ],
    })


def shortage_countered(cast: Cast, sc: Scenario) -> Case:
    case = _exception(
        cast, sc, exception_type=ExceptionType.STOCK_SHORTAGE,
        subject=f"Stock shortage on order {sc.order}",
        body="The arc lamp is short. What can you offer?",
        lines=_lines(sc, short={"LAMP-ARC": (1, 21)}),
    )
    _step(cast.person(sc.partner), case, "propose", payload={
        "resolution": "substitute", "root_cause_code": "forecast_error",
        "lines": [
            {"line": 1, "status": "substituted", "substitute_sku": "LAMP-ARC-BRASS", "substitute_quantity": "1",
             "note": "Same lamp in brushed brass"},
            {"line": 2, "status": "accepted", "quantity": "1"},
        ],
    })
    _say(cast.agent, case, "The customer picked matte black to match the rug; brass will not do.", internal=True)
    return _step(cast.agent, case, "counter",
                 comment="The customer wants matte black. Can you backorder it instead, with a date?")


def address_question(cast: Cast, sc: Scenario) -> Case:
    case = _exception(
        cast, sc, exception_type=ExceptionType.ADDRESS_ISSUE,
        subject=f"Address problem on order {sc.order}",
        body="The carrier's address check failed: the house number matches two buildings. "
             "Hold the parcel; tell us what you need.",
    )
    _say(cast.person(sc.partner), case, "Is it 12A or 12B? The label prints 12 only.")
    return case


def payment_on_hold(cast: Cast, sc: Scenario) -> Case:
    case = _exception(
        cast, sc, exception_type=ExceptionType.PAYMENT_FAILURE, priority="urgent",
        subject=f"Hold order {sc.order}: payment not confirmed",
        body="Do not ship this order until we confirm it here.",
    )
    _say(cast.agent, case, "Payments team is reviewing the authorisation.", internal=True)
    return _step(cast.agent, case, "hold")


def carrier_reported(cast: Cast, sc: Scenario) -> Case:
    return _exception(
        cast, sc, exception_type=ExceptionType.CARRIER_EXCEPTION, priority="high",
        subject=f"Carrier exception on order {sc.order}",
        body="Tracking shows 'exception: consignee premises closed' for three days. "
             "What happened to the parcel, and when will it be delivered?",
    )


def payment_withdrawn(cast: Cast, sc: Scenario) -> Case:
    case = _exception(
        cast, sc, exception_type=ExceptionType.PAYMENT_FAILURE, priority="urgent",
        subject=f"Hold order {sc.order}: payment not confirmed",
        body="Do not ship this order until we confirm it here.",
    )
    return _step(cast.agent, case, "withdraw",
                 comment="The payment was captured on the second attempt: ship as normal.")


# --- flow 7: service escalations --------------------------------------------------------------


def delay_escalated(cast: Cast, sc: Scenario) -> Case:
    case = _escalation(
        cast, sc, reason=EscalationReason.DELIVERY_DELAY,
        words="Tracking has not moved for six days and the boots are a birthday present.",
    )
    workspace.case_request_update(actor=cast.agent, channel=Channel.WEB, case=case,
                                  note="The customer called again; any news from the depot?")
    return case


def defect_investigating(cast: Cast, sc: Scenario) -> Case:
    case = _escalation(
        cast, sc, reason=EscalationReason.PRODUCT_DEFECT, skus=("POLE-TREK",),
        words="A locking clip on one pole snapped on the first hike.",
    )
    return _step(cast.person(sc.partner), case, "acknowledge")


def missing_item_info_needed(cast: Cast, sc: Scenario) -> Case:
    case = _escalation(
        cast, sc, reason=EscalationReason.MISSING_ITEM, skus=("STOVE-MINI",), photo="parcel.png",
        words="The parcel had the cookware but no stove. Photo of the open box attached.",
    )
    warehouse = cast.person(sc.partner)
    _step(warehouse, case, "acknowledge")
    _say(warehouse, case, "Our scale shows the full weight left the dock. Can you send a photo of the shipping label?")
    return case


def delay_plan_proposed(cast: Cast, sc: Scenario) -> Case:
    case = _escalation(
        cast, sc, reason=EscalationReason.DELIVERY_DELAY,
        words="It was due last Tuesday. I need the backpack for a hike this weekend.",
    )
    carrier = cast.person(sc.partner)
    _step(carrier, case, "acknowledge")
    return _step(carrier, case, "propose_plan", payload={
        "root_cause_code": "carrier_delay", "root_cause_detail": "Missorted to the Rotterdam hub.",
        "plan_type": "carrier_trace", "plan": "Trace opened; the parcel goes out on the first linehaul.",
        "plan_due": _day(3),
    })


def defect_on_hold(cast: Cast, sc: Scenario) -> Case:
    case = _escalation(
        cast, sc, reason=EscalationReason.PRODUCT_DEFECT, skus=("RUG-WOOL-160",),
        words="The rug's colour ran onto the floor after the first clean.",
    )
    _say(cast.agent, case, "Waiting for the customer's photos before the supplier can judge it.", internal=True)
    return _step(cast.agent, case, "hold")


def missing_item_plan_agreed(cast: Cast, sc: Scenario) -> Case:
    case = _escalation(
        cast, sc, reason=EscalationReason.MISSING_ITEM, skus=("TENT-2P",), photo="tent-box.png",
        words="The tent came without its poles.",
    )
    supplier = cast.person(sc.partner)
    _step(supplier, case, "acknowledge")
    _step(supplier, case, "propose_plan", payload={
        "root_cause_code": "packing_error", "root_cause_detail": "Poles were not packed at station 4.",
        "plan_type": "replacement", "plan": "A pole set ships by express today.", "plan_due": _day(2),
    })
    return _step(cast.agent, case, "accept_plan")


def defect_closed_over_trading_grid(cast: Cast, sc: Scenario) -> Case:
    case = _escalation(
        cast, sc, reason=EscalationReason.PRODUCT_DEFECT, skus=("HDPN-BT",),
        words="The left ear cup crackles at any volume.",
    )
    system = cast.system(sc.partner)
    _step(system, case, "acknowledge", channel=Channel.TRADING_GRID)
    _step(system, case, "propose_plan", channel=Channel.TRADING_GRID, payload={
        "root_cause_code": "manufacturing_defect", "root_cause_detail": "Batch 2291 has a loose driver cable.",
        "plan_type": "repair", "plan": "Customer returns the headphones for repair.", "plan_due": _day(14),
    })
    _step(cast.agent, case, "reject_plan", comment="Two weeks without headphones is too long: please replace them.")
    _step(system, case, "propose_plan", channel=Channel.TRADING_GRID, payload={
        "root_cause_code": "manufacturing_defect", "root_cause_detail": "Batch 2291 has a loose driver cable.",
        "plan_type": "replacement", "plan": "A new pair ships with a return label.", "plan_due": _day(3),
    })
    _step(cast.agent, case, "accept_plan")
    return _step(cast.agent, case, "close")


def delay_cancelled(cast: Cast, sc: Scenario) -> Case:
    case = _escalation(
        cast, sc, reason=EscalationReason.DELIVERY_DELAY,
        words="My kettle still has not arrived.",
    )
    return _step(cast.agent, case, "cancel", comment="The customer called back: it was delivered to a neighbour.")


EXCEPTION = CaseKind.ORDER_EXCEPTION.value
ESCALATE = CaseKind.ESCALATION.value

# In the running demo, the Trading Grid simulator's partner bots answer the cases of partners
# connected to it (SUP-001, SUP-003, SUP-004, WH-001, CAR-001, MKT-001): a case waiting on such
# a partner would move on within seconds. The states a partner can still leave (reported,
# question, countered, escalated, investigating, info needed) are with portal-only partners,
# so each state keeps its case; SFCC's own carrier exception (DEMO1012, CAR-001) is the bots'.
SCENARIOS = (
    Scenario(EXCEPTION, "DEMO1007", "CAR-002", "reported", carrier_reported),
    Scenario(EXCEPTION, "DEMO1005", "WH-002", "question", address_question),
    Scenario(EXCEPTION, "DEMO1002", "SUP-001", "proposed", shortage_proposed),
    Scenario(EXCEPTION, "DEMO1003", "MKT-003", "countered", shortage_countered),
    Scenario(EXCEPTION, "DEMO1006", "MKT-001", "on_hold", payment_on_hold),
    Scenario(EXCEPTION, "DEMO1004", "SUP-004", "agreed", shortage_agreed_over_trading_grid),
    Scenario(EXCEPTION, "DEMO1001", "SUP-002", "closed", shortage_closed),
    Scenario(EXCEPTION, "DEMO1009", "MKT-002", "withdrawn", payment_withdrawn),
    Scenario(ESCALATE, "DEMO1010", "CAR-002", "escalated", delay_escalated),
    Scenario(ESCALATE, "DEMO1013", "SUP-002", "investigating", defect_investigating),
    Scenario(ESCALATE, "DEMO1011", "WH-003", "info_needed", missing_item_info_needed),
    Scenario(ESCALATE, "DEMO1007", "CAR-002", "plan_proposed", delay_plan_proposed),
    Scenario(ESCALATE, "DEMO1003", "MKT-003", "on_hold", defect_on_hold),
    Scenario(ESCALATE, "DEMO1001", "SUP-002", "plan_agreed", missing_item_plan_agreed),
    Scenario(ESCALATE, "DEMO1004", "SUP-004", "closed", defect_closed_over_trading_grid),
    Scenario(ESCALATE, "DEMO1008", "WH-003", "cancelled", delay_cancelled),
)
WORKFLOWS = (ORDER_EXCEPTION, ESCALATION)  # every state of each has a scenario (tests/core)


def seed() -> str:
    cast = Cast()
    created = 0
    for scenario in SCENARIOS:
        known = Case.objects.filter(
            kind=scenario.kind, order_number=scenario.order, partner__code=scenario.partner
        ).exists()
        if known:
            continue
        case = scenario.walk(cast, scenario)
        case.refresh_from_db(fields=["status"])
        if case.status != scenario.ends_in:
            raise RuntimeError(f"{scenario.walk.__name__} ended in {case.status}, not {scenario.ends_in}.")
        created += 1
    return f"{len(SCENARIOS)} cases of flows 1 and 7, one in every state ({created} new)"


register_seeder("exceptions", seed)
