"""New SFCC orders with drop-ship or marketplace lines, dispatched to the partners they belong to.

Subscribed to the mirror's announcement (apps.orders.events) from this app's `ready()`, like
order exceptions: it runs inside the apply's transaction, so a dispatch and the outbox rows
it announces (the 850, the partner's document, SFCC's write-back) commit with the mirror.
Only a new order dispatches: a later version of it changes nothing here (a change goes
through the retailer's change request), and a replay finds the dispatch and opens nothing.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from apps.orders.events import OrderApplied
from apps.orders.routing import (
    DISPATCH_ATTRIBUTES,
    SERVICE_LEVEL,
    delivery_requirements,
    line_fulfillment_type,
    line_partner,
)
from apps.partners.actors import SystemActor
from apps.partners.models import Organization
from apps.partners.roles import OrganizationKind
from apps.workspace.services import LineDraft

from .models import Dispatch, PartnerAgreement
from .services import DispatchDraft, dispatch_open

SKIPPED_STATUSES = frozenset({"cancelled", "failed"})


def read_attributes() -> frozenset[str]:
    """The order and line attributes a dispatch reads, for the connector to keep."""
    return DISPATCH_ATTRIBUTES


def on_order_applied(applied: OrderApplied) -> None:
    if not applied.created:
        return
    document = applied.attributes
    if str(document.get("status") or "").lower() in SKIPPED_STATUSES:
        return
    groups = dispatch_groups(document, router=applied.router)
    if not groups:
        return
    order = applied.order
    actor = SystemActor(applied.actor_label)
    existing = set(
        Dispatch.objects.filter(order_number=order.order_no, site_id=order.site_id).values_list(
            "partner_id", flat=True
        )
    )
    for partner, fulfillment_type, items in groups:
        if partner.pk in existing:
            continue
        applied.opened.append(
            dispatch_open(
                actor=actor,
                channel=applied.channel,
                draft=draft_for(
                    document,
                    partner=partner,
                    fulfillment_type=fulfillment_type,
                    items=items,
                    order_no=order.order_no,
                    site_id=order.site_id,
                ),
            )
        )


def dispatch_groups(
    document: dict[str, Any], *, router
) -> list[tuple[Organization, str, list[dict]]]:
    """(partner, fulfilment type, its lines) for each partner with dispatched lines, in line order."""
    groups: dict[int, tuple[Organization, str, list[dict]]] = {}
    wide: dict[int, bool] = {}
    for item in document.get("productItems") or []:
        if not isinstance(item, dict) or not item.get("productId"):
            continue
        partner = line_partner(router=router, order=document, item=item)
        if partner is None:
            continue
        kind = line_fulfillment_type(order=document, item=item)
        if not kind:
            if partner.pk not in wide:
                wide[partner.pk] = PartnerAgreement.objects.filter(
                    partner=partner, is_active=True, dispatch_all_lines=True
                ).exists()
            if not wide[partner.pk]:
                continue
            kind = "marketplace" if partner.kind == OrganizationKind.MARKETPLACE else "dropship"
        groups.setdefault(partner.pk, (partner, kind, []))[2].append(item)
    return list(groups.values())


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _text(value: Any, limit: int) -> str:
    return "" if value is None else str(value).strip()[:limit]


def ship_to_of(shipment: dict[str, Any]) -> dict[str, str]:
    """The ship-to as the mirror keeps it: the name and the address, nothing else."""
    address = shipment.get("shippingAddress") or {}
    name = address.get("fullName") or " ".join(
        p for p in (address.get("firstName"), address.get("lastName")) if p
    )
    values = {
        "name": _text(name, 200),
        "company": _text(address.get("companyName"), 200),
        "address1": _text(address.get("address1"), 200),
        "address2": _text(address.get("address2"), 200),
        "city": _text(address.get("city"), 100),
        "state_code": _text(address.get("stateCode"), 20),
        "postal_code": _text(address.get("postalCode"), 20),
        "country_code": _text(address.get("countryCode"), 2),
    }
    return {k: v for k, v in values.items() if v}


def draft_for(
    document: dict[str, Any],
    *,
    partner: Organization,
    fulfillment_type: str,
    items: list[dict],
    order_no: str,
    site_id: str,
) -> DispatchDraft:
    shipments = {
        s.get("shipmentId"): s for s in document.get("shipments") or [] if isinstance(s, dict)
    }
    first = items[0]
    shipment = shipments.get(first.get("shipmentId")) or next(iter(shipments.values()), {})
    method = shipment.get("shippingMethod") or {}
    requirements = {**delivery_requirements(document), **delivery_requirements(shipment)}
    lines = []
    for item in items:
        quantity = _decimal(item.get("quantity")) or Decimal(1)
        if quantity <= 0:
            continue
        lines.append(
            LineDraft(
                sku=_text(item.get("productId"), 100),
                quantity=quantity,
                description=_text(item.get("productName"), 200),
                unit="EA",
                order_number=order_no,
                line_ref=_text(item.get("itemId"), 64),
                data={"fulfillment_type": fulfillment_type},
            )
        )
    return DispatchDraft(
        partner=partner,
        order_number=order_no,
        site_id=site_id,
        fulfillment_type=fulfillment_type,
        lines=tuple(lines),
        ship_to=ship_to_of(shipment),
        shipping_method=_text(method.get("id") if isinstance(method, dict) else method, 100),
        service_level=_text(shipment.get(SERVICE_LEVEL) or document.get(SERVICE_LEVEL), 100),
        delivery_requirements=requirements,
    )
