"""The demo's milestone cases: every state of the workflow, and shipments at every step.

Each case tracks a mirrored demo order (apps.orders.demo) with one of its partners, opened by
the agent and walked by the people and systems who would report each step: the partner's
users in the portal, a partner's system over Trading Grid (an 856 read into the mapping's
dict). Nothing is written around the services. A case known by its (order, partner) is left
as it is, so a second run changes nothing.
"""

import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from io import BytesIO

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.partners.actors import PartnerSystemActor
from apps.partners.demo import register_seeder
from apps.partners.models import Membership, Organization
from apps.partners.roles import Role
from apps.workspace import services as workspace
from apps.workspace.choices import CaseKind, Channel
from apps.workspace.models import Case

from . import edi, services
from .states import MILESTONE

AGENT_EMAIL = "agent@crossdock.test"


def signed_slip() -> bytes:
    """A small PNG of a signed delivery slip (white page, dark scribble), drawn without a library."""
    width, height = 40, 28
    rows = []
    for y in range(height):
        row = bytearray(b"\x00")
        for x in range(width):
            ink = 18 <= y <= 22 and abs((x * 3) % 11 - (y - 18) * 2) < 2 and 6 <= x < 34
            row += bytes((30, 30, 60) if ink else (250, 250, 246))
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows)))
        + chunk(b"IEND", b"")
    )


class Cast:
    def __init__(self) -> None:
        self.agent = get_user_model().objects.get(email=AGENT_EMAIL)

    @staticmethod
    def partner(code: str) -> Organization:
        return Organization.objects.get(code=code)

    @staticmethod
    def person(code: str):
        memberships = Membership.objects.filter(
            organization__code=code,
            is_active=True,
            role__in=[Role.PARTNER_MEMBER, Role.PARTNER_ADMIN],
        ).select_related("user")
        return sorted(memberships, key=lambda m: m.role != Role.PARTNER_MEMBER)[0].user

    def system(self, code: str) -> PartnerSystemActor:
        partner = self.partner(code)
        return PartnerSystemActor(partner, f"{partner.name} via Trading Grid")


@dataclass(frozen=True)
class Scenario:
    order: str
    partner: str
    ends_in: str
    walk: Callable[[Cast, "Scenario", Case], None]
    references: tuple[str, ...] = ()


def _ago(hours: float) -> str:
    return (timezone.now() - timedelta(hours=hours)).replace(microsecond=0).isoformat()


def _report(
    actor, case: Case, shipment: str, step: str, hours_ago: float, *, files=(), **data
) -> None:
    services.milestone_record(
        actor=actor,
        channel=Channel.WEB,
        case=case,
        files=files,
        data={"shipment": shipment, "step": step, "occurred_at": _ago(hours_ago), **data},
    )


def _shipped(
    actor,
    case: Case,
    shipment: str,
    hours_ago: float,
    *,
    carrier="UPSN",
    tracking="1Z999AA1",
    **data,
):
    _report(
        actor,
        case,
        shipment,
        "shipped",
        hours_ago,
        carrier=carrier,
        tracking_number=tracking,
        **data,
    )


def awaiting(cast: Cast, sc: Scenario, case: Case) -> None:
    """Asked, nothing reported yet."""


def packed_and_split(cast: Cast, sc: Scenario, case: Case) -> None:
    person = cast.person(sc.partner)
    _report(person, case, "me", "accepted", 30)
    _report(person, case, "me", "packed", 6, note="Two cartons on pallet 4.")
    _report(
        person, case, "me-2", "accepted", 5, note="The scarf ships separately from the knit mill."
    )


def shipped_by_856(cast: Cast, sc: Scenario, case: Case) -> None:
    _report(cast.person(sc.partner), case, "me", "accepted", 48)
    day = timezone.localdate() - timedelta(days=1)
    edi.apply_856(
        actor=cast.system(sc.partner),
        partner=cast.partner(sc.partner),
        channel=Channel.TRADING_GRID,
        payload={
            "asn_number": f"ASN-{sc.order}",
            "asn_date": day,
            "asn_time": "1530",
            "hierarchy": "0001",
            "shipment": {
                "carrier": "UPSN",
                "tracking_number": "1Z999AA10123456784",
                "bill_of_lading": "BOL-4471",
                "reference": "me",
                "shipped_date": day,
            },
            "orders": [
                {
                    "po_number": sc.order,
                    "po_date": None,
                    "references": [],
                    "packs": [
                        {
                            "marks": "00061414100000000017",
                            "tracking_number": None,
                            "items": [
                                {
                                    "product_ids": [{"qualifier": "SK", "id": "TENT-2P"}],
                                    "quantity": 3,
                                    "unit": "EA",
                                    "description": "Trailhead two-person tent",
                                },
                                {
                                    "product_ids": [{"qualifier": "SK", "id": "MAT-1"}],
                                    "quantity": 3,
                                    "unit": "EA",
                                    "description": "Insulated sleeping mat",
                                },
                            ],
                        }
                    ],
                    "items": [],
                }
            ],
        },
    )


def exception_delayed(cast: Cast, sc: Scenario, case: Case) -> None:
    person = cast.person(sc.partner)
    _report(person, case, "me", "packed", 40)
    _shipped(person, case, "me", 20, carrier="CAR-002", tracking="BW70031007")
    _report(
        person,
        case,
        "me",
        "shipped",
        2,
        exception_code="delayed",
        exception_note="The linehaul missed the Memphis hub; one day late.",
    )


def question(cast: Cast, sc: Scenario, case: Case) -> None:
    person = cast.person(sc.partner)
    _report(person, case, "me", "accepted", 10)
    workspace.message_post(
        actor=person,
        channel=Channel.WEB,
        case=case,
        body="May we ship the stove and the cookware in one carton? It saves a day.",
    )


def delivered_with_proof(cast: Cast, sc: Scenario, case: Case) -> None:
    person = cast.person(sc.partner)
    _report(person, case, "me", "packed", 100)
    _shipped(person, case, "me", 80, tracking="1Z999AA10123456800", bill_of_lading="BOL-1004")
    _report(
        person,
        case,
        "me",
        "delivered",
        30,
        files=[("proof-of-delivery.png", BytesIO(signed_slip()))],
        note="Signed by J. Ortiz at the dock.",
    )


def closed(cast: Cast, sc: Scenario, case: Case) -> None:
    delivered_with_proof(cast, sc, case)
    workspace.case_transition(actor=cast.agent, channel=Channel.WEB, case=case, transition="close")


def cancelled(cast: Cast, sc: Scenario, case: Case) -> None:
    workspace.case_transition(
        actor=cast.agent,
        channel=Channel.WEB,
        case=case,
        transition="cancel",
        comment="The customer cancelled the order before it was picked.",
    )


SCENARIOS = (
    Scenario("DEMO1005", "SUP-003", "awaiting", awaiting),
    Scenario("DEMO1002", "SUP-001", "in_progress", packed_and_split),
    Scenario("DEMO1001", "SUP-002", "in_progress", shipped_by_856),
    Scenario("DEMO1007", "SUP-002", "exception", exception_delayed),
    Scenario("DEMO1011", "SUP-002", "question", question),
    Scenario("DEMO1004", "SUP-004", "delivered", delivered_with_proof),
    Scenario("DEMO1013", "SUP-002", "closed", closed),
    Scenario("DEMO1010", "SUP-002", "cancelled", cancelled),
)
WORKFLOWS = (MILESTONE,)  # every state has a scenario (tests/milestones/test_demo.py)


def seed() -> str:
    cast = Cast()
    created = 0
    for scenario in SCENARIOS:
        if Case.objects.filter(
            kind=CaseKind.MILESTONE, order_number=scenario.order, partner__code=scenario.partner
        ).exists():
            continue
        case = services.tracking_open(
            actor=cast.agent,
            channel=Channel.WEB,
            order_number=scenario.order,
            partner=cast.partner(scenario.partner),
            references=scenario.references,
        )
        scenario.walk(cast, scenario, case)
        case.refresh_from_db(fields=["status"])
        if case.status != scenario.ends_in:
            raise RuntimeError(
                f"{scenario.walk.__name__} ended in {case.status}, not {scenario.ends_in}."
            )
        created += 1
    return f"{len(SCENARIOS)} milestone cases, one in every state, shipments at every step ({created} new)"


register_seeder("milestones", seed)
