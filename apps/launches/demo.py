"""seed_demo's launches: two launches with partners' answers as they would stand weeks before go-live.

"Spring Outdoor 2027" is close: one supplier flagged a constraint from its own system over
Trading Grid, another waits on the merchandiser's review, the carrier is confirmed. "Holiday
Home" is further out and shares its totals with partners. Run twice, nothing changes.
"""

import io
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.partners.actors import PartnerSystemActor
from apps.partners.demo import register_seeder
from apps.partners.models import Membership, Organization
from apps.partners.roles import Role
from apps.workspace import services as workspace
from apps.workspace.choices import Channel

from . import services
from .checklists import CustomItem
from .models import Constraint, Launch, LaunchDocument

MERCHANDISER_EMAIL = "merch@crossdock.test"
PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


def _partner(code: str) -> Organization:
    return Organization.objects.get(code=code)


def _person(code: str):
    membership = (
        Membership.objects.filter(
            organization__code=code,
            is_active=True,
            role__in=[Role.PARTNER_MEMBER, Role.PARTNER_ADMIN],
        )
        .select_related("user")
        .order_by("role")  # partner_admin sorts before partner_member; either acts for the partner
        .first()
    )
    return membership.user


def _tick(actor, launch: Launch, code: str, *items: str, channel: str = Channel.WEB) -> None:
    share = launch.shares.get(partner__code=code)
    for item in items:
        workspace.case_transition(
            actor=actor,
            channel=channel,
            case=share.case,
            transition="update_checklist",
            payload={"item": item, "status": "done", "note": ""},
        )


def _pdf(name: str) -> io.BytesIO:
    content = io.BytesIO(PDF)
    content.name = name
    return content


def spring_outdoor(merchandiser) -> Launch:
    skus = [
        ("TENT-2P-GRN", "Trailhead 2-person tent, green", 1200, "SUP-001"),
        ("TENT-4P-GRN", "Trailhead 4-person tent, green", 600, "SUP-001"),
        ("BAG-SLP-REG", "Summit sleeping bag, regular", 900, "SUP-002"),
        ("BAG-SLP-LNG", "Summit sleeping bag, long", 400, "SUP-002"),
        ("STOVE-TI", "Titanium camp stove", 750, "SUP-002"),
    ]
    launch = services.launch_create(
        actor=merchandiser,
        channel=Channel.WEB,
        draft=services.LaunchDraft(
            name="Spring Outdoor 2027",
            go_live_at=timezone.now().replace(hour=8, minute=0, second=0, microsecond=0)
            + timedelta(days=12),
            ends_at=timezone.now() + timedelta(days=60),
            description="The spring camping range goes live on the storefront with a homepage takeover.",
            skus=tuple(
                services.SkuDraft(
                    sku=sku,
                    description=name,
                    forecast_quantity=Decimal(qty),
                    partner=_partner(code),
                )
                for sku, name, qty, code in skus
            ),
            partners=(_partner("WH-001"), _partner("CAR-001")),
            custom_items=(CustomItem("Store staff briefed on the range"),),
        ),
    )
    services.document_add(
        actor=merchandiser,
        channel=Channel.WEB,
        launch=launch,
        kind="requirements",
        name="spring-outdoor-requirements.pdf",
        content=_pdf("spring-outdoor-requirements.pdf"),
    )
    # Alpine (portal): most of it done, its lookbook waits on the merchandiser's review.
    alpine = _person("SUP-002")
    _tick(alpine, launch, "SUP-002", "inventory", "packaging", "fulfilment")
    share = launch.shares.get(partner__code="SUP-002")
    services.item_review(
        actor=merchandiser, channel=Channel.WEB, item=share.items.get(code="packaging"), accept=True
    )
    services.material_upload(
        actor=alpine,
        channel=Channel.WEB,
        item=share.items.get(code="materials"),
        name="alpine-lookbook.pdf",
        content=_pdf("alpine-lookbook.pdf"),
    )
    # Northwind's system flagged a shortfall over Trading Grid, then confirmed fulfilment.
    northwind = PartnerSystemActor(_partner("SUP-001"), "Northwind Apparel via Trading Grid")
    north = launch.shares.get(partner__code="SUP-001")
    workspace.case_transition(
        actor=northwind,
        channel=Channel.TRADING_GRID,
        case=north.case,
        transition="flag_constraint",
        comment="Our fabric mill is two weeks late on the green nylon.",
        payload={
            "sku": "TENT-4P-GRN",
            "quantity_at_risk": "350",
            "date": str(timezone.localdate() + timedelta(days=19)),
            "item": "inventory",
            "note": "Fabric mill delay",
        },
    )
    # The carrier: everything done, ready, confirmed.
    carrier = _person("CAR-001")
    swift = launch.shares.get(partner__code="CAR-001")
    for item in swift.items.all():
        _tick(carrier, launch, "CAR-001", item.code)
        if item.requires_review:
            services.item_review(actor=merchandiser, channel=Channel.WEB, item=item, accept=True)
    workspace.case_transition(
        actor=carrier, channel=Channel.WEB, case=swift.case, transition="mark_ready"
    )
    workspace.case_transition(
        actor=merchandiser, channel=Channel.WEB, case=swift.case, transition="confirm"
    )
    # The warehouse has started.
    _tick(_person("WH-001"), launch, "WH-001", "inventory")
    return launch


def holiday_home(merchandiser) -> Launch:
    launch = services.launch_create(
        actor=merchandiser,
        channel=Channel.WEB,
        draft=services.LaunchDraft(
            name="Holiday Home Collection",
            go_live_at=timezone.now().replace(hour=9, minute=0, second=0, microsecond=0)
            + timedelta(days=45),
            description="Candles, throws and table linen for the holiday season; shared totals so partners see the whole picture.",
            share_totals=True,
            skus=(
                services.SkuDraft(
                    sku="CNDL-PINE-L",
                    description="Pine candle, large",
                    forecast_quantity=Decimal(3000),
                    partner=_partner("SUP-003"),
                ),
                services.SkuDraft(
                    sku="THRW-WOOL-RD",
                    description="Wool throw, red",
                    forecast_quantity=Decimal(800),
                    partner=_partner("SUP-003"),
                ),
                services.SkuDraft(
                    sku="LIN-TBL-WHT",
                    description="Linen tablecloth, white",
                    forecast_quantity=Decimal(500),
                    partner=_partner("MKT-003"),
                ),
            ),
        ),
    )
    _tick(_person("MKT-003"), launch, "MKT-003", "inventory", "fulfilment")
    return launch


def seed() -> str:
    merchandiser = get_user_model().objects.get(email=MERCHANDISER_EMAIL)
    made = 0
    for name, build in (
        ("Spring Outdoor 2027", spring_outdoor),
        ("Holiday Home Collection", holiday_home),
    ):
        if not Launch.objects.filter(name=name).exists():
            build(merchandiser)
            made += 1
    constraints = Constraint.objects.filter(status="open").count()
    files = LaunchDocument.objects.count()
    return f"2 launches with partners' answers ({made} new; {constraints} open constraint, {files} shared file)"


register_seeder("launches", seed)
