"""The demo's claims: one in every state of the claim workflow, each reached by real steps.

Each claim is opened from a mirrored demo order (apps.orders.demo, whose lines carry the
prices the storefront charged) through this app's services, then walked by the people who
would take each step. A claim is known by its (order, partner): one that exists is left as
it is, so a second run changes nothing.
"""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from io import BytesIO

from django.contrib.auth import get_user_model

from apps.orders import demo as orders_demo
from apps.orders.models import Order
from apps.partners.actors import PartnerSystemActor
from apps.partners.demo import register_seeder
from apps.partners.models import Membership, Organization
from apps.partners.roles import Role
from apps.workspace import services as workspace
from apps.workspace.choices import CaseKind, Channel, Visibility
from apps.workspace.models import Case

from . import services
from .states import CLAIM

AGENT_EMAIL = "agent@crossdock.test"
# A 1×1 PNG: the demo's photo of the damage.
PHOTO = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\xbd\xfa\x00\x00\x00\x00IEND\xaeB`\x82"
)


def _agent():
    return get_user_model().objects.get(email=AGENT_EMAIL)


def _supplier(code: str):
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


@dataclass(frozen=True)
class Scenario:
    order: str
    partner: str
    ends_in: str
    claim_type: str
    reason: str
    words: str
    walk: Callable[["Scenario", Case], None]


def _open(sc: Scenario) -> Case:
    spec = next(o for o in orders_demo.ORDERS if o.number == sc.order)
    prices = {line.sku: Decimal(line.price) for line in spec.lines}
    order = Order.objects.prefetch_related("lines").get(order_no=sc.order)
    partner = Organization.objects.get(code=sc.partner)
    lines = tuple(
        services.ClaimLineDraft(
            sku=line.product_id,
            quantity=Decimal(1),
            unit_price=prices.get(line.product_id, Decimal(0)),
            description=line.product_name,
            line_ref=line.item_id,
        )
        for line in order.lines.all()
        if line.partner_id == partner.pk
    )[:1]
    return services.claim_open(
        actor=_agent(),
        channel=Channel.WEB,
        draft=services.ClaimDraft(
            partner=partner,
            order_number=sc.order,
            site_id=order.site_id,
            claim_type=sc.claim_type,
            reason_code=sc.reason,
            description=sc.words,
            currency=order.currency or "USD",
            lines=lines,
        ),
        evidence=[("damage.png", BytesIO(PHOTO))] if sc.claim_type == "damage" else (),
    )


def _step(actor, case, transition, *, comment="", payload=None, channel=Channel.WEB):
    workspace.case_transition(
        actor=actor,
        channel=channel,
        case=case,
        transition=transition,
        comment=comment,
        payload=payload,
    )


def stays(sc, case):
    workspace.message_post(
        actor=_agent(),
        channel=Channel.WEB,
        case=case,
        visibility=Visibility.INTERNAL,
        body="Customer is a repeat buyer; push for a quick answer.",
    )


def evidence_requested(sc, case):
    _step(
        _supplier(sc.partner),
        case,
        "request_evidence",
        comment="Please send a photo of the serial number plate.",
    )


def replacement(sc, case):
    _step(
        _supplier(sc.partner),
        case,
        "approve_replacement",
        payload={"note": "A new tent ships tomorrow."},
    )


def credit(sc, case):
    _step(
        _supplier(sc.partner),
        case,
        "approve_credit",
        payload={"credit": "partial", "amount": "60.00", "currency": "USD"},
        comment="Partial credit: the jacket was worn.",
    )


def denied(sc, case):
    _step(
        _supplier(sc.partner),
        case,
        "deny",
        payload={
            "denial_reason_code": "outside_warranty",
            "denial_reason": "Bought 26 months ago; the warranty is 24.",
        },
    )


def disputed(sc, case):
    denied(sc, case)
    workspace.file_upload(
        actor=_agent(), channel=Channel.WEB, case=case, name="receipt.png", content=BytesIO(PHOTO)
    )
    _step(
        _agent(),
        case,
        "dispute",
        payload={"dispute_statement": "The receipt shows the pack was bought 5 months ago."},
    )


def upheld(sc, case):
    denied(sc, case)
    workspace.file_upload(
        actor=_agent(), channel=Channel.WEB, case=case, name="photo-2.png", content=BytesIO(PHOTO)
    )
    _step(
        _agent(),
        case,
        "dispute",
        payload={"dispute_statement": "The second photo shows factory stitching."},
    )
    _step(
        _supplier(sc.partner),
        case,
        "uphold_denial",
        payload={
            "denial_reason_code": "misuse",
            "denial_reason": "The stitching was cut; this is not a fault.",
        },
    )


def closed_over_trading_grid(sc, case):
    partner = Organization.objects.get(code=sc.partner)
    system = PartnerSystemActor(partner, f"{partner.name} via Trading Grid")
    _step(system, case, "approve_credit", payload={"credit": "full"}, channel=Channel.TRADING_GRID)
    _step(_agent(), case, "close")


def withdrawn(sc, case):
    _step(_agent(), case, "withdraw", comment="The customer found the missing part in the box.")


# Claims waiting on a supplier (submitted, disputed) are with SUP-002, which is on the portal
# only: the Trading Grid simulator's bots would answer the others' within seconds.
SCENARIOS = (
    Scenario(
        "DEMO1010",
        "SUP-002",
        "submitted",
        "damage",
        "damaged_in_transit",
        "The boot's sole came off the box torn.",
        stays,
    ),
    Scenario(
        "DEMO1011",
        "SUP-002",
        "evidence_requested",
        "warranty",
        "failed_in_use",
        "The stove stopped igniting.",
        evidence_requested,
    ),
    Scenario(
        "DEMO1001",
        "SUP-002",
        "replacement_approved",
        "damage",
        "damaged_in_transit",
        "The tent pole arrived snapped.",
        replacement,
    ),
    Scenario(
        "DEMO1002",
        "SUP-001",
        "credit_approved",
        "return",
        "not_as_described",
        "The jacket is not waterproof.",
        credit,
    ),
    Scenario(
        "DEMO1013",
        "SUP-002",
        "denied",
        "warranty",
        "failed_in_use",
        "A pole section will not lock.",
        denied,
    ),
    Scenario(
        "DEMO1007",
        "SUP-002",
        "disputed",
        "warranty",
        "failed_in_use",
        "The hip belt buckle broke.",
        disputed,
    ),
    Scenario(
        "DEMO1005",
        "SUP-003",
        "denial_upheld",
        "warranty",
        "defective",
        "The duvet is losing down.",
        upheld,
    ),
    Scenario(
        "DEMO1004",
        "SUP-004",
        "closed",
        "damage",
        "damaged_in_transit",
        "The headphone case was crushed.",
        closed_over_trading_grid,
    ),
    Scenario(
        "DEMO1008",
        "SUP-003",
        "withdrawn",
        "return",
        "missing_parts",
        "The kettle lid is missing.",
        withdrawn,
    ),
)
WORKFLOWS = (CLAIM,)  # every state has a scenario (tests/claims)


def seed() -> str:
    created = 0
    for sc in SCENARIOS:
        if Case.objects.filter(
            kind=CaseKind.CLAIM, order_number=sc.order, partner__code=sc.partner
        ).exists():
            continue
        case = _open(sc)
        sc.walk(sc, case)
        case.refresh_from_db(fields=["status"])
        if case.status != sc.ends_in:
            raise RuntimeError(f"{sc.walk.__name__} ended in {case.status}, not {sc.ends_in}.")
        created += 1
    return f"{len(SCENARIOS)} claims, one in every state ({created} new)"


register_seeder("claims", seed)
