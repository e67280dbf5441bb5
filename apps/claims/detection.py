"""Claims SFCC reports: a storefront sets claim attributes on the order, and the supplier of
each claimed line gets one claim.

The orders app announces every applied order (apps.orders.events); `on_order_applied` is
subscribed from this app's `AppConfig.ready()` and names the attributes it reads, so the
connector keeps them when it reduces the order. It acts as the source the announcement
names (SFCC, on the retailer's side) and never imports a connector.

The storefront's contract (docs/sfcc-integration.md):
- order: `c_returnClaimId` (its own id; the rule fires when present), `c_returnClaimType`
  (return, damage, warranty), `c_returnClaimReason` (a reason code, see ClaimReason),
  `c_returnClaimDescription` (the customer's words);
- each claimed product item: `c_returnClaimQuantity`, and `c_returnClaimUnitPrice` (the
  unit price paid: the connector keeps no SCAPI price fields, so the storefront names it).

A claim id already known for (order, supplier) opens nothing again: a re-polled order is a no-op.
"""

import logging
from decimal import Decimal, InvalidOperation
from typing import Any

from apps.orders.events import OrderApplied
from apps.orders.routing import line_partner
from apps.partners.actors import SystemActor

from .models import Claim, ClaimReason, ClaimSource, ClaimType
from .services import ClaimDraft, ClaimLineDraft, claim_open

logger = logging.getLogger("apps.claims")

CLAIM_ID = "c_returnClaimId"
CLAIM_TYPE = "c_returnClaimType"
CLAIM_REASON = "c_returnClaimReason"
CLAIM_DESCRIPTION = "c_returnClaimDescription"
LINE_QUANTITY = "c_returnClaimQuantity"
LINE_UNIT_PRICE = "c_returnClaimUnitPrice"
READ_ATTRIBUTES = frozenset(
    {CLAIM_ID, CLAIM_TYPE, CLAIM_REASON, CLAIM_DESCRIPTION, LINE_QUANTITY, LINE_UNIT_PRICE}
)


def read_attributes() -> frozenset[str]:
    return READ_ATTRIBUTES


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value)) if value not in (None, "") else None
    except InvalidOperation:
        return None


def _text(value: Any, limit: int) -> str:
    return "" if value is None else str(value).strip()[:limit]


def on_order_applied(applied: OrderApplied) -> None:
    document = applied.attributes
    claim_id = _text(document.get(CLAIM_ID), 64)
    if not claim_id:
        return
    order = applied.order
    claim_type = _text(document.get(CLAIM_TYPE), 20).lower()
    reason = _text(document.get(CLAIM_REASON), 30).lower()
    if claim_type not in ClaimType.values:
        logger.warning(
            "Order %s: claim %s has no known type (%r)", order.order_no, claim_id, claim_type
        )
        return
    if reason not in ClaimReason.values:
        reason = ClaimReason.OTHER
    by_partner: dict[int, tuple[Any, list[ClaimLineDraft]]] = {}
    for item in document.get("productItems") or []:
        if not isinstance(item, dict) or _decimal(item.get(LINE_QUANTITY)) is None:
            continue
        partner = line_partner(router=applied.router, order=document, item=item)
        if partner is None:
            logger.warning(
                "Order %s: claimed item %s has no supplier", order.order_no, item.get("productId")
            )
            continue
        draft = ClaimLineDraft(
            sku=_text(item.get("productId"), 100),
            quantity=_decimal(item.get(LINE_QUANTITY)),
            unit_price=_decimal(item.get(LINE_UNIT_PRICE)) or Decimal(0),
            description=_text(item.get("productName"), 200),
            line_ref=_text(item.get("itemId"), 64),
        )
        by_partner.setdefault(partner.pk, (partner, []))[1].append(draft)
    known = set(
        Claim.objects.filter(
            order_number=order.order_no, external_ref=claim_id, source=ClaimSource.SFCC
        ).values_list("partner_id", flat=True)
    )
    actor = SystemActor(applied.actor_label)
    for partner_id, (partner, lines) in by_partner.items():
        if partner_id in known:
            continue
        case = claim_open(
            actor=actor,
            channel=applied.channel,
            source=ClaimSource.SFCC,
            draft=ClaimDraft(
                partner=partner,
                order_number=order.order_no,
                site_id=order.site_id,
                external_ref=claim_id,
                claim_type=claim_type,
                reason_code=reason,
                description=_text(document.get(CLAIM_DESCRIPTION), 5000)
                or "(No description from the storefront.)",
                currency=(order.currency or "USD").upper(),
                lines=tuple(lines),
            ),
        )
        applied.opened.append(case)
