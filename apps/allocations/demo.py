"""The demo's demand plan: a peak-season plan published to four suppliers, answered as they
would (in part, a backorder, a substitute, a decline), plus a priority request.

Everything goes through this app's services and the workspace's steps, by the people or
systems who would take them: suppliers' users in the portal, suppliers' systems over
Trading Grid. The seed asks nothing of SFCC (it runs whether or not SFCC is reachable), so
the plan says its SKUs were not checked and its reserved quantities are read on the first
"Refresh from SFCC". A second run changes nothing.
"""

from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.orders import catalog
from apps.partners.actors import PartnerSystemActor
from apps.partners.demo import register_seeder
from apps.partners.models import Membership, Organization
from apps.workspace import services as workspace
from apps.workspace.choices import Channel

from . import services
from .models import AllocationShare, DemandPlan, PlanLine

TITLE = "Holiday peak 2026: outdoor and audio"
MERCHANDISER_EMAIL = "merch@crossdock.test"
# partner code → [(sku, name, forecast)]
LINES = {
    "SUP-001": [("JKT-RAIN-M", "Stormline rain jacket, M", 300), ("JKT-RAIN-L", "Stormline rain jacket, L", 200),
                ("SCARF-WOOL", "Merino scarf, charcoal", 150)],
    "SUP-002": [("TENT-2P", "Trailhead two-person tent", 400), ("MAT-1", "Insulated sleeping mat", 250),
                ("PACK-40L", "Summit 40 L backpack", 120)],
    "SUP-003": [("DUVET-KING", "Down duvet, king", 80), ("KETTLE-GOOSE", "Gooseneck kettle", 60)],
    "SUP-004": [("HDPN-BT", "Over-ear Bluetooth headphones", 500), ("CBL-USBC", "USB-C cable, 2 m", 1000)],
}  # fmt: skip


def _day(days: int) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _partner_user(code: str):
    membership = (
        Membership.objects.filter(organization__code=code, is_active=True)
        .select_related("user")
        .order_by("id")
        .first()
    )
    return membership.user


def _answer(actor, case, channel, lines):
    workspace.case_transition(
        actor=actor, channel=channel, case=case, transition="answer", payload={"lines": lines}
    )


def seed() -> str:
    if DemandPlan.objects.filter(title=TITLE).exists():
        return "demand plans: the holiday peak plan and a priority request (0 new)"
    merch = get_user_model().objects.get(email=MERCHANDISER_EMAIL)
    partners = {o.code: o for o in Organization.objects.filter(code__in=list(LINES))}
    with catalog.offline():
        plan = services.plan_create(
            actor=merch,
            draft=services.PlanDraft(
                title=TITLE, kind="peak", period_start=timezone.localdate() + timedelta(days=20),
                period_end=timezone.localdate() + timedelta(days=50),
                answer_by=timezone.now() + timedelta(days=3), default_location="inventory_m",
                notes="Peak weeks 47–52. Tell us early where you cannot make the quantity.",
            ),
        )  # fmt: skip
        for code, rows in LINES.items():
            for sku, name, qty in rows:
                services.plan_line_add(
                    actor=merch, plan=plan,
                    line=services.LineInput(
                        partner=partners[code], sku=sku, product_name=name, forecast_qty=Decimal(qty),
                        need_by=timezone.localdate() + timedelta(days=18), priority="high" if qty >= 400 else "normal",
                    ),
                )  # fmt: skip
        services.plan_publish(actor=merch, channel=Channel.WEB, plan=plan)
        shares = {
            s.partner.code: s.case
            for s in AllocationShare.objects.filter(plan=plan).select_related("partner")
        }

        # Northwind's system answers over Trading Grid: short on the M jacket, the rest later.
        northwind = PartnerSystemActor(partners["SUP-001"], "Northwind Apparel ERP")
        _answer(northwind, shares["SUP-001"], Channel.TRADING_GRID, [
            {"line": 1, "status": "backordered", "quantity": "180", "date": _day(35),
             "note": "Fabric delayed; the rest ships with the second run."},
            {"line": 2, "status": "accepted"},
            {"line": 3, "status": "accepted"},
        ])  # fmt: skip
        # Alpine's planner answers in the portal: fewer tents, no backpacks; the merchandiser confirms.
        alpine = _partner_user("SUP-002")
        _answer(alpine, shares["SUP-002"], Channel.WEB, [
            {"line": 1, "status": "accepted_with_changes", "quantity": "320", "note": "Capacity for 320 by then."},
            {"line": 2, "status": "accepted"},
            {"line": 3, "status": "rejected", "reason_code": "capacity", "note": "Line booked for another customer."},
        ])  # fmt: skip
        workspace.case_transition(
            actor=merch,
            channel=Channel.WEB,
            case=shares["SUP-002"],
            transition="confirm",
        )
        # Kestrel's system offers the second-generation headphones instead.
        kestrel = PartnerSystemActor(partners["SUP-004"], "Kestrel Electronics EDI")
        _answer(kestrel, shares["SUP-004"], Channel.TRADING_GRID, [
            {"line": 1, "status": "substituted", "quantity": "0", "substitute_sku": "HDPN-BT2",
             "substitute_quantity": "500", "note": "HDPN-BT is end of life; gen 2 at the same price."},
            {"line": 2, "status": "accepted"},
        ])  # fmt: skip
        # Meridian has not answered yet (its Trading Grid system will, once the demo runs).

        services.priority_request_open(
            actor=merch, channel=Channel.WEB,
            request=services.PriorityRequest(
                partner=partners["SUP-002"], sku="TENT-4P", quantity=Decimal(60),
                deadline=timezone.now() + timedelta(hours=6), need_by=timezone.localdate() + timedelta(days=5),
                note="A retailer promotion sold through faster than planned.",
            ),
        )  # fmt: skip
    answered = PlanLine.objects.filter(plan=plan).exclude(answer_status="").count()
    return f"demand plans: the holiday peak plan ({answered} of {plan.lines.count()} lines answered) and a priority request (2 new)"


register_seeder("allocations", seed)
