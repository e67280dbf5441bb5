"""The SFCC order mirror, the admin-editable routing and exception rules, and their case links.

The mirror keeps what the partner flows need and no more: statuses, lines, shipments with the
ship-to name and address (partners ship), and selected `c_` attributes. Billing address,
e-mail, phone and every payment field are dropped before anything is stored (see
`documents.reduce_order`), so no page, export or log can show them to anyone.
"""

from django.db import models
from django.utils import timezone

from apps.partners.tenancy import TenantQuerySet, scope_of
from apps.workspace.choices import CaseKind, Priority


class SfccOrderQuerySet(models.QuerySet):
    """Orders have no single partner: a partner sees the orders it has a line or an exception on."""

    def for_actor(self, actor):
        scope = scope_of(actor)
        if scope.internal:
            return self
        if scope.partner_id is not None:
            return self.filter(
                models.Q(lines__partner_id=scope.partner_id)
                | models.Q(exceptions__partner_id=scope.partner_id)
            ).distinct()
        return self.none()


class SfccOrder(models.Model):
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
    last_modified = models.DateTimeField(
        help_text="SFCC's lastModified of the version mirrored; older updates are ignored."
    )
    custom = models.JSONField(
        default=dict, blank=True, help_text="Selected c_ attributes of the order."
    )
    mirrored_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = SfccOrderQuerySet.as_manager()

    class Meta:
        verbose_name = "SFCC order"
        ordering = ["-last_modified", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["site_id", "order_no"], name="sfcc_unique_order")
        ]
        indexes = [models.Index(fields=["order_no"], name="sfcc_order_no_idx")]

    def __str__(self) -> str:
        return f"{self.order_no} ({self.site_id})"


class SfccShipment(models.Model):
    order = models.ForeignKey(SfccOrder, on_delete=models.CASCADE, related_name="shipments")
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
            models.UniqueConstraint(fields=["order", "shipment_id"], name="sfcc_unique_shipment")
        ]

    def __str__(self) -> str:
        return f"{self.order.order_no}/{self.shipment_id}"


class SfccOrderLineQuerySet(TenantQuerySet):
    tenant_path = "partner"


class SfccOrderLine(models.Model):
    order = models.ForeignKey(SfccOrder, on_delete=models.CASCADE, related_name="lines")
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
        related_name="sfcc_order_lines",
        help_text="The partner the routing rules gave this line to.",
    )

    objects = SfccOrderLineQuerySet.as_manager()

    class Meta:
        ordering = ["order", "position", "id"]

    def __str__(self) -> str:
        return f"{self.order.order_no} #{self.position} {self.product_id}"


class MatchType(models.TextChoices):
    SUPPLIER = "supplier", "Supplier of the product (c_supplierId)"
    FULFILLMENT_LOCATION = "fulfillment_location", "Fulfilment location (c_fulfillmentLocation)"
    CARRIER = "carrier", "Carrier (c_carrierId / c_carrierCode)"
    MARKETPLACE_SELLER = "marketplace_seller", "Marketplace seller (c_marketplaceSellerId)"


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
        "partners.Organization", on_delete=models.CASCADE, related_name="sfcc_routing_rules"
    )
    priority = models.PositiveIntegerField(default=100, help_text="Lower wins.")
    is_active = models.BooleanField(default=True)
    note = models.CharField(max_length=200, blank=True)

    objects = RoutingRuleQuerySet.as_manager()

    class Meta:
        ordering = ["match_type", "priority", "id"]
        indexes = [
            models.Index(fields=["match_type", "value", "priority"], name="sfcc_routing_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_match_type_display()} = {self.value} → {self.partner}"


class Operator(models.TextChoices):
    EQUALS = "equals", "equals"
    IN = "in", "is one of (comma-separated)"
    PRESENT = "present", "is present (any value)"


class Party(models.TextChoices):
    SUPPLIER = "supplier", "Supplier"
    FULFILLMENT_LOCATION = "fulfillment_location", "Fulfilment location (warehouse)"
    CARRIER = "carrier", "Carrier"
    MARKETPLACE_SELLER = "marketplace_seller", "Marketplace seller"


class ExceptionRule(models.Model):
    """Turns SFCC order data into an exception for a partner: one case per (order, code, partner)."""

    name = models.CharField(max_length=100)
    field = models.CharField(
        max_length=100,
        help_text="An order field (status, paymentStatus, shippingStatus, exportStatus, "
        "confirmationStatus) or a c_ attribute of the order, e.g. c_fulfillmentExceptionCode.",
    )
    operator = models.CharField(max_length=10, choices=Operator.choices, default=Operator.EQUALS)
    value = models.CharField(max_length=200, blank=True)
    exception_code = models.CharField(
        max_length=64,
        blank=True,
        help_text="The exception's key; empty means the field's value (for 'is present').",
    )
    party = models.CharField(max_length=30, choices=Party.choices)
    fallback_party = models.CharField(
        max_length=30,
        choices=Party.choices,
        blank=True,
        help_text="Who gets it when the order names no partner of the first kind.",
    )
    case_kind = models.CharField(
        max_length=30, choices=CaseKind.choices, default=CaseKind.ORDER_EXCEPTION
    )
    case_priority = models.CharField(
        max_length=10, choices=Priority.choices, default=Priority.NORMAL
    )
    subject = models.CharField(
        max_length=150, help_text="Case subject; {order_no} and {code} are filled in."
    )
    instructions = models.TextField(
        blank=True, help_text="What the partner should do; opens the case's conversation."
    )
    detail_fields = models.CharField(
        max_length=300,
        blank=True,
        default="c_fulfillmentExceptionDetail",
        help_text="Comma-separated c_ attributes whose text describes the exception; a change "
        "is posted to the case.",
    )
    share_address = models.BooleanField(
        default=False, help_text="Show the ship-to address in the case (address problems)."
    )
    rank = models.PositiveIntegerField(
        default=100, help_text="Lower is tried first; per field, the first matching rule wins."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["rank", "id"]

    def __str__(self) -> str:
        return self.name

    def matches(self, value) -> bool:
        if value in (None, ""):
            return False
        text = str(value).strip()
        if self.operator == Operator.PRESENT:
            return True
        if self.operator == Operator.IN:
            return text.upper() in {v.strip().upper() for v in self.value.split(",") if v.strip()}
        return text.upper() == self.value.strip().upper()

    def code_for(self, value) -> str:
        return (self.exception_code or str(value)).strip().upper()[:64]

    @property
    def detail_field_names(self) -> list[str]:
        return [f.strip() for f in self.detail_fields.split(",") if f.strip()]


class OrderExceptionQuerySet(TenantQuerySet):
    tenant_path = "partner"


class OrderException(models.Model):
    """The link between an SFCC order's exception, the partner it concerns and its case.

    Unique per (order, code, partner): a replayed or re-polled order finds the row and changes
    nothing, so each exception opens exactly one case for each partner it concerns.
    """

    order = models.ForeignKey(SfccOrder, on_delete=models.CASCADE, related_name="exceptions")
    code = models.CharField(max_length=64)
    partner = models.ForeignKey(
        "partners.Organization", on_delete=models.PROTECT, related_name="sfcc_exceptions"
    )
    case = models.OneToOneField(
        "workspace.Case", on_delete=models.PROTECT, related_name="sfcc_exception"
    )
    rule = models.ForeignKey(
        ExceptionRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    active = models.BooleanField(default=True, help_text="Still reported by SFCC.")
    detail = models.TextField(blank=True)
    detected_at = models.DateTimeField(default=timezone.now)
    cleared_at = models.DateTimeField(null=True, blank=True)

    objects = OrderExceptionQuerySet.as_manager()

    class Meta:
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order", "code", "partner"], name="sfcc_unique_order_exception"
            )
        ]

    def __str__(self) -> str:
        return f"{self.order.order_no} {self.code} → {self.partner}"


class OrderWriteback(models.Model):
    """What the portal last told SFCC about an order, and the row writers lock.

    Every transaction that writes outbox rows for an order locks this row first, so for the
    order's key the outbox id order is the commit order, even when two of its cases change at
    once. It is not the mirror row: inbound applies lock that one before the cases, outbound
    writers hold a case before this one, and separate rows keep the lock order acyclic.
    """

    order = models.OneToOneField(
        SfccOrder, on_delete=models.CASCADE, primary_key=True, related_name="writeback"
    )
    external_status = models.CharField(max_length=256, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"write-back of {self.order_id}"


class PollCursor(models.Model):
    """The reconciliation poll's watermark, moved only after a page of orders is applied."""

    site_id = models.CharField(max_length=64, unique=True)
    watermark = models.DateTimeField(null=True, blank=True)
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    orders_seen = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.site_id} @ {self.watermark}"
