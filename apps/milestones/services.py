"""Writes of flow 8: open an order's tracking with a partner, add shipments, record milestones.

Every channel (page, API, Trading Grid 856/214, demo) records a milestone through
`milestone_record`, which takes one of the workflow's reporting steps; the step's effect
(`milestone_recorded`) writes the shipment and the milestone in the step's transaction, so
the timeline, the case event (and so SFCC and the partner's documents) and the rows commit
together. The service picks the step from the news itself, so the same news lands in the
same state whichever channel brings it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import IO, Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from apps.core.errors import Conflict, DomainError
from apps.orders.models import Order
from apps.partners.models import Organization
from apps.partners.tenancy import scope_of
from apps.workspace import services as workspace
from apps.workspace.choices import CaseKind
from apps.workspace.models import Case
from apps.workspace.services import CaseDraft
from apps.workspace.states import workflow_for

from .models import STEP_ORDER, Milestone, ShipmentItem, Step, TrackedShipment

SHIP_BY_ATTRIBUTE = "c_shipByDate"
REPORT, REPORT_EXCEPTION, MARK_DELIVERED = "report", "report_exception", "mark_delivered"


def ship_by_days() -> int:
    return int(getattr(settings, "MILESTONES_SHIP_BY_DAYS", 2))


def ship_by_for(order_number: str) -> date | None:
    """The ship-by target: the order's `c_shipByDate` from SFCC, else its placing day plus
    MILESTONES_SHIP_BY_DAYS (partner agreements live in the drop-ship flow, which we cannot read)."""
    order = Order.objects.filter(order_no=order_number).only("custom", "creation_date").first()
    if order is None:
        return None
    given = (order.custom or {}).get(SHIP_BY_ATTRIBUTE)
    if given:
        parsed = parse_date(str(given)[:10])
        if parsed is not None:
            return parsed
    if order.creation_date is not None:
        return timezone.localdate(order.creation_date) + timedelta(days=ship_by_days())
    return None


def _references_for(order: Order | None, partner: Organization) -> list[str]:
    """The mirror's shipments that carry the partner's lines (all of them if none does)."""
    if order is None:
        return []
    mine = {
        line.shipment_id
        for line in order.lines.all()
        if line.partner_id == partner.pk and line.shipment_id
    }
    every = [s.shipment_id for s in order.shipments.all()]
    return [ref for ref in every if ref in mine] or every


def tracking_for(*, actor, order_number: str, partner: Organization) -> Case | None:
    """The order's milestone case with this partner, if there is one (cancelled ones aside)."""
    return (
        Case.objects.for_actor(actor)
        .filter(kind=CaseKind.MILESTONE, order_number=order_number, partner=partner)
        .exclude(status="cancelled")
        .order_by("-id")
        .first()
    )


def tracking_open(
    *,
    actor,
    channel: str,
    order_number: str,
    partner: Organization,
    references: Sequence[str] = (),
    body: str = "",
) -> Case:
    """Ask a partner for the milestones of its shipments of an order: one case per order and partner."""
    order_number = order_number.strip()
    if not order_number:
        raise DomainError("Which order?", fields={"order_number": ["Required."]})
    existing = tracking_for(actor=actor, order_number=order_number, partner=partner)
    if existing is not None:
        raise Conflict(
            f"Order {order_number} is already tracked with {partner} as {existing.reference}.",
            code="duplicate",
        )
    order = (
        Order.objects.for_actor(actor)
        .filter(order_no=order_number)
        .prefetch_related("lines", "shipments")
        .first()
    )
    if order is None and not scope_of(actor).internal:
        # The same words whether the order does not exist or is not routed to this partner.
        raise DomainError(
            f"Order {order_number} is not one of yours.",
            fields={"order_number": ["Unknown order."]},
        )
    refs = [r.strip() for r in references if r and r.strip()] or _references_for(order, partner)
    if not refs:
        raise DomainError(
            "Name at least one shipment: the order has none in the mirror.",
            fields={"references": ["Required."]},
        )
    with transaction.atomic():
        case = workspace.case_create(
            actor=actor,
            channel=channel,
            draft=CaseDraft(
                kind=CaseKind.MILESTONE,
                partner=partner,
                subject=f"Shipments of order {order_number}",
                order_number=order_number,
                shipment_ref=", ".join(refs)[:100],
                body=body
                or "Please report each shipment's milestones: accepted, packed, shipped, delivered.",
            ),
        )
        ship_by = ship_by_for(order_number)
        TrackedShipment.objects.bulk_create(
            [
                TrackedShipment(
                    case=case, order_number=order_number, reference=ref[:64], ship_by=ship_by
                )
                for ref in dict.fromkeys(refs)
            ]
        )
    return case


def shipment_add(*, actor, channel: str, case: Case, reference: str) -> TrackedShipment:
    """Add a shipment to an order's tracking (a split the partner announces, say)."""
    reference = reference.strip()[:64]
    if not reference:
        raise DomainError("Give the shipment's reference.", fields={"reference": ["Required."]})
    with transaction.atomic():
        case = workspace.case_lock(case=case, actor=actor)
        if workflow_for(case.kind).settled(case.status):
            raise Conflict(
                "The case is settled: reopen it to add a shipment.", code="invalid_transition"
            )
        shipment, created = _shipment(case, reference)
        if not created:
            raise Conflict(f"Shipment {reference} is already on the case.", code="duplicate")
        workspace.timeline_record(
            case=case,
            actor=actor,
            channel=channel,
            verb="updated",
            summary=f"Shipment {reference} added",
            changes=[("shipment", None, reference)],
        )
    return shipment


def _shipment(case: Case, reference: str) -> tuple[TrackedShipment, bool]:
    return TrackedShipment.objects.get_or_create(
        case=case,
        reference=reference,
        defaults={"order_number": case.order_number, "ship_by": ship_by_for(case.order_number)},
    )


def milestone_record(
    *,
    actor,
    channel: str,
    case: Case,
    data: dict[str, Any],
    files: Iterable[tuple[str, IO[bytes]]] = (),
    items: Sequence[dict[str, Any]] | None = None,
    comment: str = "",
) -> Milestone:
    """Record one milestone of one shipment, with proof files and (from a ship notice) contents.

    Files are stored on the case first and named in the step's data, so a refused milestone
    leaves no file behind. When the news leaves every shipment delivered, the case moves on.
    """
    data = dict(data)
    with transaction.atomic():
        case = workspace.case_lock(case=case, actor=actor)
        proofs = list(data.get("proofs") or [])
        for name, content in files:
            version = workspace.file_upload(
                actor=actor,
                channel=channel,
                case=case,
                name=name,
                content=content,
                note=f"Proof: {data.get('step', '')} of shipment {data.get('shipment', '')}".strip(),
            )
            proofs.append(version.pk)
        if proofs:
            data["proofs"] = proofs
        has_exception = bool(
            data.get("exception_code") or str(data.get("exception_note") or "").strip()
        )
        step = REPORT_EXCEPTION if has_exception else REPORT
        stored = workspace.transition_take(
            case=case, actor=actor, channel=channel, transition=step, payload=data, comment=comment
        )
        shipment = TrackedShipment.objects.get(case=case, reference=stored["shipment"])
        if items is not None:
            items_replace(shipment=shipment, items=items)
        milestone = shipment.milestones.order_by("-id").first()
        workflow = workflow_for(case.kind)
        finishing = workflow.transition(MARK_DELIVERED)
        if case.status in finishing.sources and finishing.guard(case, {}) is None:
            workspace.transition_take(
                case=case, actor=actor, channel=channel, transition=MARK_DELIVERED
            )
    return milestone


def items_replace(*, shipment: TrackedShipment, items: Sequence[dict[str, Any]]) -> None:
    """The latest ship notice's contents replace the earlier ones (a corrected ASN says it all)."""
    shipment.items.all().delete()
    ShipmentItem.objects.bulk_create(
        [
            ShipmentItem(
                shipment=shipment,
                position=position,
                pack=str(item.get("pack") or "")[:64],
                pack_tracking=str(item.get("pack_tracking") or "")[:100],
                sku=str(item.get("sku") or "")[:100],
                product_ids=item.get("product_ids") or [],
                description=str(item.get("description") or "")[:200],
                quantity=Decimal(str(item.get("quantity") or 0)),
                unit=str(item.get("unit") or "EA")[:10],
            )
            for position, item in enumerate(items, start=1)
        ]
    )


# --- transition effects (run by the workspace inside the step's transaction) -----------------


def _when(value) -> datetime:
    if isinstance(value, datetime):
        return value
    parsed = parse_datetime(str(value)) if value else None
    if parsed is None:
        return timezone.now()
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def milestone_recorded(*, case: Case, data: dict, actor, channel: str) -> None:
    shipment, _ = _shipment(case, data["shipment"])
    step = data["step"]
    occurred = _when(data.get("occurred_at"))
    person = actor if getattr(actor, "pk", None) else None
    organization = getattr(actor, "organization", None)
    milestone = Milestone.objects.create(
        shipment=shipment,
        step=step,
        occurred_at=occurred,
        reported_by=person,
        reported_label=workspace.actor_label(actor)[:200],
        reporter_organization=organization,
        channel=channel,
        carrier=data.get("carrier") or "",
        tracking_number=data.get("tracking_number") or "",
        bill_of_lading=data.get("bill_of_lading") or "",
        exception_code=data.get("exception_code") or "",
        exception_note=data.get("exception_note") or "",
        note=data.get("note") or "",
        document_ref=data.get("document_ref") or "",
    )
    if data.get("proofs"):
        milestone.proofs.set(data["proofs"])
    if STEP_ORDER[step] >= shipment.rank:
        shipment.status = step
    for name in ("carrier", "tracking_number", "bill_of_lading"):
        if data.get(name):
            setattr(shipment, name, data[name])
    if STEP_ORDER[step] >= STEP_ORDER[Step.SHIPPED] and shipment.shipped_at is None:
        shipment.shipped_at = occurred
    if step == Step.DELIVERED and shipment.delivered_at is None:
        shipment.delivered_at = occurred
    shipment.exception_open = bool(milestone.exception_code)
    shipment.updated_at = timezone.now()
    shipment.save()


def exceptions_handled(*, case: Case, data: dict, actor, channel: str) -> None:
    TrackedShipment.objects.filter(case=case, exception_open=True).update(
        exception_open=False, updated_at=timezone.now()
    )


def ship_by_refresh(*, order_number: str) -> int:
    """A new ship-by date from SFCC reaches the shipments of the order not yet shipped."""
    ship_by = ship_by_for(order_number)
    if ship_by is None:
        return 0
    return (
        TrackedShipment.objects.filter(order_number=order_number, shipped_at__isnull=True)
        .exclude(ship_by=ship_by)
        .update(ship_by=ship_by, updated_at=timezone.now())
    )
