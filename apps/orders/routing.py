"""Which partner an order or line belongs to: admin rules first, then the organization with that code.

The ids are read from the order document as SFCC shapes it (`c_supplierId`, the shipments'
`c_fulfillmentLocation` and `c_carrierId`, `c_marketplaceSellerId`): the mirror routes its
lines with it, and the flows route what they detect on an applied order.
"""

from collections.abc import Iterable
from typing import Any

from apps.partners.models import Organization
from apps.partners.roles import OrganizationKind

from .models import MatchType, Party, RoutingRule


class Router:
    """Resolves (match type, SFCC id) to a partner; memoised for the length of one apply."""

    def __init__(self) -> None:
        self._memo: dict[tuple[str, str], Organization | None] = {}

    def partner_for(self, *, match_type: str, value: Any) -> Organization | None:
        text = str(value or "").strip()
        if not text:
            return None
        key = (match_type, text.upper())
        if key not in self._memo:
            self._memo[key] = self._lookup(match_type=match_type, value=text)
        return self._memo[key]

    @staticmethod
    def _lookup(*, match_type: str, value: str) -> Organization | None:
        rule = (
            RoutingRule.objects.filter(
                match_type=match_type,
                value__iexact=value,
                is_active=True,
                partner__is_active=True,
            )
            .exclude(partner__kind=OrganizationKind.INTERNAL)
            .select_related("partner")
            .order_by("priority", "id")
            .first()
        )
        if rule is not None:
            return rule.partner
        # The fallback: the simulator and the demo use the organization codes as SFCC ids.
        return (
            Organization.objects.partners()
            .filter(code__iexact=value, is_active=True)
            .order_by("id")
            .first()
        )

    def partners_for(self, *, match_type: str, values: Iterable[Any]) -> list[Organization]:
        found: dict[int, Organization] = {}
        for value in values:
            partner = self.partner_for(match_type=match_type, value=value)
            if partner is not None:
                found.setdefault(partner.pk, partner)
        return list(found.values())


def _shipment_values(order: dict[str, Any], *names: str) -> list[Any]:
    return [
        shipment.get(name)
        for shipment in order.get("shipments") or []
        for name in names
        if shipment.get(name)
    ]


def party_ids(order: dict[str, Any], party: str) -> list[Any]:
    """The SFCC ids that name a party of the order, most specific first."""
    if party == Party.SUPPLIER:
        # The order-level supplier is the one SFCC holds responsible; without it, every
        # supplier with a line on the order is concerned.
        if order.get("c_supplierId"):
            return [order["c_supplierId"]]
        return [
            i.get("c_supplierId") for i in order.get("productItems") or [] if i.get("c_supplierId")
        ]
    if party == Party.FULFILLMENT_LOCATION:
        if order.get("c_fulfillmentLocation"):
            return [order["c_fulfillmentLocation"]]
        return _shipment_values(order, "c_fulfillmentLocation")
    if party == Party.CARRIER:
        values = _shipment_values(order, "c_carrierId", "c_carrierCode")
        return values or [v for v in (order.get("c_carrierId"), order.get("c_carrierCode")) if v]
    if party == Party.MARKETPLACE_SELLER:
        return [order["c_marketplaceSellerId"]] if order.get("c_marketplaceSellerId") else []
    return []


# A party and the routing rules that resolve its ids share a name.
MATCH_TYPE_FOR_PARTY = {
    Party.SUPPLIER: MatchType.SUPPLIER,
    Party.FULFILLMENT_LOCATION: MatchType.FULFILLMENT_LOCATION,
    Party.CARRIER: MatchType.CARRIER,
    Party.MARKETPLACE_SELLER: MatchType.MARKETPLACE_SELLER,
}


def partners_for_party(*, router: Router, order: dict[str, Any], party: str) -> list[Organization]:
    return router.partners_for(
        match_type=MATCH_TYPE_FOR_PARTY[party], values=party_ids(order, party)
    )


def line_partner(
    *, router: Router, order: dict[str, Any], item: dict[str, Any]
) -> Organization | None:
    """A line goes to its product's supplier; a marketplace line without one to the seller."""
    supplier = item.get("c_supplierId")
    if supplier:
        return router.partner_for(match_type=MatchType.SUPPLIER, value=supplier)
    seller = item.get("c_marketplaceSellerId") or order.get("c_marketplaceSellerId")
    if seller:
        return router.partner_for(match_type=MatchType.MARKETPLACE_SELLER, value=seller)
    return router.partner_for(match_type=MatchType.SUPPLIER, value=order.get("c_supplierId"))


# --- Drop-ship and marketplace lines (flow 4) ------------------------------------------------
# A line is dispatched to its partner when SFCC marks it (or the whole order) with a
# fulfilment type of drop-ship or marketplace; a supplier line without the mark is fulfilled
# from the retailer's own stock. The flow may widen this per partner (its agreements).

FULFILLMENT_TYPE = "c_fulfillmentType"
DISPATCHED_TYPES = frozenset({"dropship", "marketplace"})
SERVICE_LEVEL = "c_serviceLevel"
# The customer's delivery requirements the dispatch carries: attribute → what the partner reads.
DELIVERY_REQUIREMENTS = {
    "c_deliveryInstructions": "Delivery instructions",
    "c_requestedDeliveryDate": "Requested delivery date",
    "c_deliveryWindow": "Delivery window",
    "c_signatureRequired": "Signature required",
    "c_giftMessage": "Gift message",
    "c_giftWrap": "Gift wrap",
}
DISPATCH_ATTRIBUTES = frozenset({FULFILLMENT_TYPE, SERVICE_LEVEL, *DELIVERY_REQUIREMENTS})


def line_fulfillment_type(*, order: dict[str, Any], item: dict[str, Any]) -> str:
    """ "dropship", "marketplace" or "" (the retailer's stock), the line's mark before the order's."""
    value = str(item.get(FULFILLMENT_TYPE) or order.get(FULFILLMENT_TYPE) or "").strip().lower()
    if value in DISPATCHED_TYPES:
        return value
    return ""


def delivery_requirements(order: dict[str, Any]) -> dict[str, str]:
    """The customer's delivery requirements named above, as label → text, in that order."""
    found = {}
    for name, label in DELIVERY_REQUIREMENTS.items():
        value = order.get(name)
        if value not in (None, "", False):
            found[label] = "yes" if value is True else str(value).strip()[:500]
    return found
