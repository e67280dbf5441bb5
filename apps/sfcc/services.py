"""Writes of the SFCC connector: apply an order to the mirror and open, update or close its cases.

`order_apply` is the one way an SFCC order enters Crossdock, whether it was pushed or polled.
It runs inside the inbox's apply transaction: the mirror, the exception links, the cases and
the outbox rows they announce commit together with "applied", or not at all.
"""

import logging
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.partners.actors import SystemActor
from apps.sfcc.client import parse_sfcc_datetime
from apps.workspace.choices import Channel, Side, Visibility
from apps.workspace.models import Case
from apps.workspace.services import CaseDraft, case_create, case_transition, message_post
from apps.workspace.states import workflow_for

from . import conf, outbound, rules
from .models import (
    OrderException,
    OrderWriteback,
    SfccOrder,
    SfccOrderLine,
    SfccShipment,
)
from .routing import Router, line_partner

logger = logging.getLogger("apps.sfcc")

# SFCC acts on the retailer's side: it opens cases with partners and resolves them.
SFCC_ACTOR = SystemActor("SFCC")


class ApplyOutcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    STALE = "stale"  # not newer than the mirror: a replay, or overtaken by a later version
    OTHER_SITE = "other_site"


class OrderDocumentError(ValueError):
    """The document cannot be mirrored (no order number or no lastModified)."""


@dataclass
class ApplyResult:
    outcome: ApplyOutcome
    order: SfccOrder | None = None
    opened: list[Case] = field(default_factory=list)
    updated: list[Case] = field(default_factory=list)
    cleared: list[Case] = field(default_factory=list)


def _text(value: Any, limit: int) -> str:
    return "" if value is None else str(value).strip()[:limit]


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value is not None else None
    except InvalidOperation:
        return None


def _datetime(value: Any):
    try:
        return parse_sfcc_datetime(str(value)) if value else None
    except ValueError:
        return None


def _lock_order(*, site_id: str, order_no: str) -> SfccOrder | None:
    return SfccOrder.objects.select_for_update().filter(site_id=site_id, order_no=order_no).first()


def order_apply(*, document: dict[str, Any]) -> ApplyResult:
    """Mirror one SFCC order version and reconcile its exceptions; older versions change nothing."""
    order_no = _text(document.get("orderNo"), 50)
    if not order_no:
        raise OrderDocumentError("The order has no orderNo.")
    stamp = _datetime(document.get("lastModified"))
    if stamp is None:
        # Without a version stamp a replay could overwrite a newer state.
        raise OrderDocumentError(f"Order {order_no} has no readable lastModified.")
    site_id = _text(document.get("siteId"), 64) or conf.site_id()
    if site_id != conf.site_id():
        return ApplyResult(ApplyOutcome.OTHER_SITE)

    # No savepoint of our own: inside the inbox's apply an error rolls back the applier's
    # savepoint anyway, and outside it this is the transaction.
    with transaction.atomic(savepoint=False):
        order = _lock_order(site_id=site_id, order_no=order_no)
        created = order is None
        if created:
            try:
                with transaction.atomic():
                    order = _fill_order(
                        SfccOrder(site_id=site_id, order_no=order_no), document, stamp
                    )
                    OrderWriteback.objects.create(order=order)
            except IntegrityError:
                # A concurrent apply created it first (PostgreSQL made us wait for its
                # commit); take its row and judge our version against it.
                created = False
                order = _lock_order(site_id=site_id, order_no=order_no)
                assert order is not None
        if not created:
            if order.last_modified >= stamp:
                return ApplyResult(ApplyOutcome.STALE, order)
            _fill_order(order, document, stamp)
        router = Router()
        _replace_shipments(order, document, created=created)
        _replace_lines(order, document, router, created=created)
        result = ApplyResult(ApplyOutcome.CREATED if created else ApplyOutcome.UPDATED, order)
        _reconcile_exceptions(
            order=order, document=document, router=router, result=result, created=created
        )
    return result


def _fill_order(order: SfccOrder, document: dict[str, Any], stamp) -> SfccOrder:
    now = timezone.now()
    order.status = _text(document.get("status"), 32)
    order.payment_status = _text(document.get("paymentStatus"), 32)
    order.shipping_status = _text(document.get("shippingStatus"), 32)
    order.confirmation_status = _text(document.get("confirmationStatus"), 32)
    order.export_status = _text(document.get("exportStatus"), 32)
    order.external_status = _text(document.get("externalOrderStatus"), 256)
    order.channel_type = _text(document.get("channelType"), 40)
    order.currency = _text(document.get("currency"), 3)
    order.total = _decimal(document.get("orderTotal"))
    order.creation_date = _datetime(document.get("creationDate"))
    order.last_modified = stamp
    order.custom = {k: v for k, v in document.items() if k.startswith("c_")}
    order.updated_at = now
    order.save()
    return order


def _replace_shipments(order: SfccOrder, document: dict[str, Any], *, created: bool) -> None:
    if not created:
        SfccShipment.objects.filter(order=order).delete()
    rows = []
    for raw in document.get("shipments") or []:
        address = raw.get("shippingAddress") or {}
        name = address.get("fullName") or " ".join(
            p for p in (address.get("firstName"), address.get("lastName")) if p
        )
        rows.append(
            SfccShipment(
                order=order,
                shipment_id=_text(raw.get("shipmentId"), 64) or "me",
                shipment_no=_text(raw.get("shipmentNo"), 64),
                status=_text(raw.get("shippingStatus"), 32),
                method=_text((raw.get("shippingMethod") or {}).get("id"), 100),
                carrier_code=_text(raw.get("c_carrierId") or raw.get("c_carrierCode"), 64),
                fulfillment_location=_text(raw.get("c_fulfillmentLocation"), 64),
                tracking_number=_text(raw.get("trackingNumber"), 100),
                ship_to_name=_text(name, 200),
                address1=_text(address.get("address1"), 200),
                address2=_text(address.get("address2"), 200),
                city=_text(address.get("city"), 100),
                state_code=_text(address.get("stateCode"), 20),
                postal_code=_text(address.get("postalCode"), 20),
                country_code=_text(address.get("countryCode"), 2),
            )
        )
    # A malformed document naming one shipment twice keeps the first.
    unique = {row.shipment_id: row for row in reversed(rows)}
    SfccShipment.objects.bulk_create(list(reversed(unique.values())))


def _replace_lines(
    order: SfccOrder, document: dict[str, Any], router: Router, *, created: bool
) -> None:
    if not created:
        SfccOrderLine.objects.filter(order=order).delete()
    rows = []
    for position, item in enumerate(document.get("productItems") or [], start=1):
        partner = line_partner(router=router, order=document, item=item)
        rows.append(
            SfccOrderLine(
                order=order,
                position=int(item.get("position") or position),
                item_id=_text(item.get("itemId"), 64),
                product_id=_text(item.get("productId"), 100),
                product_name=_text(item.get("productName"), 200),
                quantity=_decimal(item.get("quantity")) or Decimal(1),
                shipment_id=_text(item.get("shipmentId"), 64),
                supplier_code=_text(item.get("c_supplierId") or document.get("c_supplierId"), 64),
                partner=partner,
            )
        )
    SfccOrderLine.objects.bulk_create(rows)


# --- exceptions -----------------------------------------------------------------------------


def _reconcile_exceptions(
    *,
    order: SfccOrder,
    document: dict[str, Any],
    router: Router,
    result: ApplyResult,
    created: bool,
) -> None:
    detections, _unrouted = rules.detect(order=document, router=router)
    if created and not detections:
        return  # the common case: a new order without exceptions has nothing to reconcile
    existing = {
        (link.code, link.partner_id): link
        for link in OrderException.objects.select_for_update()
        .filter(order=order)
        .select_related("case", "partner", "order")
    }
    for key, detection in detections.items():
        link = existing.get(key)
        if link is None:
            result.opened.append(
                _open(order=order, document=document, detection=detection, router=router)
            )
        elif not link.active:
            result.updated.append(_reactivate(link=link, detection=detection))
        elif detection.detail != link.detail:
            result.updated.append(_detail_changed(link=link, detection=detection))
    for key, link in existing.items():
        if link.active and key not in detections:
            result.cleared.append(_clear(link=link))


def _lines_text(document: dict[str, Any], *, partner_id: int, router: Router) -> str:
    """The partner's own lines (all lines when none is theirs, e.g. for a carrier); no prices."""
    items = document.get("productItems") or []
    mine = [
        item
        for item in items
        if (p := line_partner(router=router, order=document, item=item)) and p.pk == partner_id
    ]
    lines = []
    for item in mine or items:
        quantity = _decimal(item.get("quantity")) or Decimal(1)
        quantity_text = f"{quantity.normalize():f}"
        name = item.get("productName") or ""
        lines.append(f"- {item.get('productId', '')} {name} × {quantity_text}".rstrip())
    return "\n".join(lines)


def _address_text(document: dict[str, Any]) -> str:
    shipments = document.get("shipments") or []
    address = (shipments[0].get("shippingAddress") if shipments else None) or {}
    name = address.get("fullName") or " ".join(
        p for p in (address.get("firstName"), address.get("lastName")) if p
    )
    place = " ".join(p for p in (address.get("stateCode"), address.get("postalCode")) if p)
    parts = [
        name,
        address.get("address1"),
        address.get("address2"),
        address.get("city"),
        place,
        address.get("countryCode"),
    ]
    return ", ".join(p for p in parts if p)


def _open(
    *, order: SfccOrder, document: dict[str, Any], detection: rules.Detection, router: Router
) -> Case:
    rule = detection.rule
    subject = rule.subject.replace("{order_no}", order.order_no).replace("{code}", detection.code)
    paragraphs = [f"SFCC reports {rule.name.lower()} ({detection.code}) on order {order.order_no}."]
    if rule.instructions.strip():
        paragraphs.append(rule.instructions.strip())
    if detection.detail:
        paragraphs.append(f"Detail from SFCC: {detection.detail}")
    lines = _lines_text(document, partner_id=detection.partner.pk, router=router)
    if lines:
        paragraphs.append(f"Lines:\n{lines}")
    if rule.share_address:
        address = _address_text(document)
        if address:
            paragraphs.append(f"Ship to: {address}")
    first_item = (document.get("productItems") or [{}])[0]
    first_shipment = (document.get("shipments") or [{}])[0]
    case = case_create(
        actor=SFCC_ACTOR,
        channel=Channel.SFCC,
        draft=CaseDraft(
            kind=rule.case_kind,
            partner=detection.partner,
            subject=subject[:200],
            order_number=order.order_no,
            sku=_text(first_item.get("productId"), 100),
            shipment_ref=_text(first_shipment.get("shipmentNo"), 100),
            priority=rule.case_priority,
            body="\n\n".join(paragraphs),
        ),
    )
    link = OrderException.objects.create(
        order=order,
        code=detection.code,
        partner=detection.partner,
        case=case,
        rule=rule,
        detail=detection.detail,
    )
    # The case existed before its link, so the case.created event could not find the order;
    # announce it now, in the same transaction.
    outbound.case_state_enqueue(
        link=link,
        case=case,
        event_type="case.created",
        actor_label=SFCC_ACTOR.full_name,
        payload={},
    )
    return case


def _settled(case: Case) -> bool:
    """Resolved or closed: new information should not hand the turn back by itself."""
    return workflow_for(case.kind).settled(case.status)


def _say(*, case: Case, text: str, hand_over: bool) -> None:
    """A system message; shared with the partner unless it would move a settled case."""
    reply = workflow_for(case.kind).reply_transition(status=case.status, side=Side.RETAILER)
    visibility = Visibility.PARTNER if hand_over or reply is None else Visibility.INTERNAL
    message_post(
        actor=SFCC_ACTOR, channel=Channel.SFCC, case=case, body=text, visibility=visibility
    )


def _reactivate(*, link: OrderException, detection: rules.Detection) -> Case:
    link.active = True
    link.cleared_at = None
    link.detail = detection.detail
    link.detected_at = timezone.now()
    link.save(update_fields=["active", "cleared_at", "detail", "detected_at"])
    case = link.case
    text = f"SFCC reports {link.code} on order {link.order.order_no} again."
    if detection.detail:
        text += f" Detail: {detection.detail}"
    reopen = workflow_for(case.kind).reopening(status=case.status, side=Side.RETAILER)
    if reopen is not None:
        return case_transition(
            actor=SFCC_ACTOR, channel=Channel.SFCC, case=case, transition=reopen.name, comment=text
        )
    _say(case=case, text=text, hand_over=True)
    return case


def _detail_changed(*, link: OrderException, detection: rules.Detection) -> Case:
    link.detail = detection.detail
    link.save(update_fields=["detail"])
    text = (
        f"SFCC updated {link.code} on order {link.order.order_no}: {detection.detail}"
        if detection.detail
        else f"SFCC no longer gives a detail for {link.code} on order {link.order.order_no}."
    )
    _say(case=link.case, text=text, hand_over=not _settled(link.case))
    return link.case


def _clear(*, link: OrderException) -> Case:
    link.active = False
    link.cleared_at = timezone.now()
    link.save(update_fields=["active", "cleared_at"])
    case = link.case
    text = f"SFCC no longer reports {link.code} on order {link.order.order_no}."
    resolve = workflow_for(case.kind).resolving(status=case.status, side=Side.RETAILER)
    if resolve is not None and resolve.payload_form is None:
        return case_transition(
            actor=SFCC_ACTOR,
            channel=Channel.SFCC,
            case=case,
            transition=resolve.name,
            comment=f"{text} Resolved automatically.",
        )
    _say(case=case, text=text, hand_over=False)
    return case
