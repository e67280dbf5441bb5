"""Flow 8's rows: the shipments an order's milestone case holds, their milestones and contents.

Shipments name their order and SFCC shipment by natural key (order number, shipment
reference), never by a foreign key to the mirror, whose shipment rows every apply replaces.
Every row hangs off a MILESTONE case (one per order and partner, see docs/milestones.md) and
inherits its scope: a partner sees its own cases' shipments, an internal role the kinds it works.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.workspace.models.case import CaseScopedQuerySet


class Step(models.TextChoices):
    """The milestones of a shipment, in the order they happen."""

    ACCEPTED = "accepted", "Accepted"
    PACKED = "packed", "Packed"
    SHIPPED = "shipped", "Shipped"
    DELIVERED = "delivered", "Delivered"


STEP_ORDER = {step: rank for rank, step in enumerate(Step.values, start=1)}


class ExceptionCode(models.TextChoices):
    DELAYED = "delayed", "Delayed"
    SHORT = "short", "Short shipped"
    DAMAGED = "damaged", "Damaged"
    REFUSED = "refused", "Refused by the consignee"
    ADDRESS = "address", "Address problem"
    LOST = "lost", "Lost or missing"
    OTHER = "other", "Other"


class ShipmentQuerySet(CaseScopedQuerySet):
    pass


class TrackedShipment(models.Model):
    """One shipment of an order, as far as its milestones have taken it."""

    case = models.ForeignKey(
        "workspace.Case", on_delete=models.PROTECT, related_name="tracked_shipments"
    )
    order_number = models.CharField(max_length=50, db_index=True)
    reference = models.CharField(
        max_length=64, help_text="SFCC's shipment id, or the partner's shipment number for a split."
    )
    status = models.CharField(
        max_length=20,
        choices=Step.choices,
        blank=True,
        help_text="The latest milestone; empty before the first.",
    )
    carrier = models.CharField(max_length=64, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    bill_of_lading = models.CharField(max_length=64, blank=True)
    ship_by = models.DateField(
        null=True, blank=True, help_text="The ship-by target: late when not shipped by its end."
    )
    shipped_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    exception_open = models.BooleanField(
        default=False,
        help_text="The latest milestone noted an exception the retailer has not handled.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    objects = ShipmentQuerySet.as_manager()

    class Meta:
        ordering = ["case", "reference", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "reference"], name="milestones_unique_shipment")
        ]
        indexes = [
            models.Index(fields=["order_number", "reference"], name="milestones_natural_key")
        ]

    def __str__(self) -> str:
        return f"{self.order_number}/{self.reference}"

    @property
    def rank(self) -> int:
        return STEP_ORDER.get(self.status, 0)

    @property
    def is_late(self) -> bool:
        """Not shipped by the end of its ship-by day, or shipped after it."""
        if self.ship_by is None:
            return False
        if self.shipped_at is not None:
            return timezone.localdate(self.shipped_at) > self.ship_by
        return timezone.localdate() > self.ship_by and self.rank < STEP_ORDER[Step.SHIPPED]


class MilestoneQuerySet(CaseScopedQuerySet):
    case_path = "shipment__case"


class Milestone(models.Model):
    """One reported step of a shipment: when, who through which channel, with what proof."""

    shipment = models.ForeignKey(
        TrackedShipment, on_delete=models.PROTECT, related_name="milestones"
    )
    step = models.CharField(max_length=20, choices=Step.choices)
    occurred_at = models.DateTimeField(help_text="When it happened, as reported.")
    recorded_at = models.DateTimeField(default=timezone.now)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_label = models.CharField(
        max_length=200, help_text="The person or system that reported it."
    )
    reporter_organization = models.ForeignKey(
        "partners.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    channel = models.CharField(max_length=20)
    carrier = models.CharField(max_length=64, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    bill_of_lading = models.CharField(max_length=64, blank=True)
    exception_code = models.CharField(max_length=20, choices=ExceptionCode.choices, blank=True)
    exception_note = models.TextField(blank=True)
    note = models.TextField(blank=True)
    document_ref = models.CharField(
        max_length=80,
        blank=True,
        help_text="The ship notice or status message it came in (e.g. 856 BSN02).",
    )
    proofs = models.ManyToManyField("workspace.FileVersion", blank=True, related_name="+")

    objects = MilestoneQuerySet.as_manager()

    class Meta:
        ordering = ["shipment", "occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.shipment} {self.step}"


class ItemQuerySet(CaseScopedQuerySet):
    case_path = "shipment__case"


class ShipmentItem(models.Model):
    """What a ship notice says is in the shipment: each item, in its pack where there is one."""

    shipment = models.ForeignKey(TrackedShipment, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveIntegerField()
    pack = models.CharField(
        max_length=64, blank=True, help_text="The pack's marks (SSCC or carton number)."
    )
    pack_tracking = models.CharField(max_length=100, blank=True)
    sku = models.CharField(max_length=100)
    product_ids = models.JSONField(default=list, blank=True)
    description = models.CharField(max_length=200, blank=True)
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    unit = models.CharField(max_length=10, default="EA")

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["shipment", "position"]

    def __str__(self) -> str:
        return f"{self.shipment} {self.sku} × {self.quantity}"
