"""The order mirror (orders, lines, shipments) and the admin-editable routing rules.

The mirror keeps what the partner flows and the agents need and no more: statuses, lines,
shipments with the ship-to name and address (partners ship), selected `c_` attributes, and
for the agents' order search the customer's name and a keyed hash of the e-mail (see
`privacy.email_hash`). Billing address, the e-mail itself, phone and every payment field
are dropped by the connector before anything is stored, so no page, export or log shows them.
"""

from django.db import models
from django.utils import timezone

from apps.partners.tenancy import TenantQuerySet, scope_of
from apps.workspace.models import Case


class OrderQuerySet(models.QuerySet):
    """Orders have no single partner: a partner sees the orders it has a line or a case on."""

    def for_actor(self, actor):
        scope = scope_of(actor)
        if scope.internal:
            return self
        if scope.partner_id is not None:
            # A case names its order by number (the mirror rows are replaced on every apply).
            cases = Case.objects.filter(partner_id=scope.partner_id).values("order_number")
            return self.filter(
                models.Q(lines__partner_id=scope.partner_id) | models.Q(order_no__in=cases)
            ).distinct()
        return self.none()


class Order(models.Model):
    site_id = models.CharField(max_length=64)
    order_no = models.CharField(max_length=50)
    status = models.CharField(max_length=32, blank=True)
    # Internal only, like the total: partner pages never show payment state.
    payment_status = models.CharField(max_length=32, blank=True)
    shipping_status = models.CharField(max_length=32, blank=True)
    confirmation_status = models.CharField(max_length=32, blank=True)
    export_status = models.CharField(max_length=32, blank=True)
    external_status = models.CharField(max_length=256, blank=True)
    channel_type = models.CharField(max_length=40, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    total = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    creation_date = models.DateTimeField(null=True, blank=True)
    # Internal only: agents find an order by the customer's name or e-mail. The e-mail is
    # never stored, only its keyed hash, which matches what an agent types (privacy.py).
    customer_name = models.CharField(max_length=200, blank=True)
    customer_email_hash = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="HMAC-SHA256 of the trimmed, lower-cased e-mail; the e-mail is not kept.",
    )
    last_modified = models.DateTimeField(
        help_text="SFCC's lastModified of the version mirrored; older updates are ignored."
    )
    custom = models.JSONField(
        default=dict, blank=True, help_text="Selected c_ attributes of the order."
    )
    mirrored_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = OrderQuerySet.as_manager()

    class Meta:
        verbose_name = "order"
        ordering = ["-last_modified", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["site_id", "order_no"], name="orders_unique_order")
        ]
        indexes = [models.Index(fields=["order_no"], name="orders_order_no_idx")]

    def __str__(self) -> str:
        return f"{self.order_no} ({self.site_id})"


class Shipment(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="shipments")
    shipment_id = models.CharField(max_length=64)
    shipment_no = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=32, blank=True)
    method = models.CharField(max_length=100, blank=True)
    carrier_code = models.CharField(max_length=64, blank=True)
    fulfillment_location = models.CharField(max_length=64, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    # The ship-to: what a warehouse or carrier needs to deliver, nothing else (no phone).
    ship_to_name = models.CharField(max_length=200, blank=True)
    address1 = models.CharField(max_length=200, blank=True)
    address2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state_code = models.CharField(max_length=20, blank=True)
    postal_code = models.CharField(max_length=20, blank=True)
    country_code = models.CharField(max_length=2, blank=True)

    class Meta:
        ordering = ["order", "shipment_no", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "shipment_id"], name="orders_unique_shipment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order.order_no}/{self.shipment_id}"


class OrderLineQuerySet(TenantQuerySet):
    tenant_path = "partner"


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    item_id = models.CharField(max_length=64, blank=True)
    product_id = models.CharField(max_length=100)
    product_name = models.CharField(max_length=200, blank=True)
    quantity = models.DecimalField(max_digits=12, decimal_places=3, default=1)
    shipment_id = models.CharField(max_length=64, blank=True)
    supplier_code = models.CharField(max_length=64, blank=True)
    partner = models.ForeignKey(
        "partners.Organization",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="order_lines",
        help_text="The partner the routing rules gave this line to.",
    )

    objects = OrderLineQuerySet.as_manager()

    class Meta:
        ordering = ["order", "position", "id"]

    def __str__(self) -> str:
        return f"{self.order.order_no} #{self.position} {self.product_id}"


class MatchType(models.TextChoices):
    SUPPLIER = "supplier", "Supplier of the product (c_supplierId)"
    FULFILLMENT_LOCATION = "fulfillment_location", "Fulfilment location (c_fulfillmentLocation)"
    CARRIER = "carrier", "Carrier (c_carrierId / c_carrierCode)"
    MARKETPLACE_SELLER = "marketplace_seller", "Marketplace seller (c_marketplaceSellerId)"


class Party(models.TextChoices):
    """Who on an order a flow addresses; each resolves through the routing rules of its name."""

    SUPPLIER = "supplier", "Supplier"
    FULFILLMENT_LOCATION = "fulfillment_location", "Fulfilment location (warehouse)"
    CARRIER = "carrier", "Carrier"
    MARKETPLACE_SELLER = "marketplace_seller", "Marketplace seller"


class RoutingRuleQuerySet(TenantQuerySet):
    tenant_path = "partner"


class RoutingRule(models.Model):
    """Which partner gets an order or line whose SFCC id matches; unmatched ids fall back to
    the organization whose `code` equals the id."""

    match_type = models.CharField(max_length=30, choices=MatchType.choices)
    value = models.CharField(
        max_length=64, help_text="The id as SFCC writes it, e.g. SUP-001 or DHL (case-insensitive)."
    )
    partner = models.ForeignKey(
        "partners.Organization", on_delete=models.CASCADE, related_name="routing_rules"
    )
    priority = models.PositiveIntegerField(default=100, help_text="Lower wins.")
    is_active = models.BooleanField(default=True)
    note = models.CharField(max_length=200, blank=True)

    objects = RoutingRuleQuerySet.as_manager()

    class Meta:
        ordering = ["match_type", "priority", "id"]
        indexes = [
            models.Index(fields=["match_type", "value", "priority"], name="orders_routing_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_match_type_display()} = {self.value} → {self.partner}"
