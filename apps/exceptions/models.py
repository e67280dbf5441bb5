"""The detail rows of flows 1 and 7, the SFCC exception rules, and the reason-code lists.

`ExceptionDetail` and `Escalation` are one-to-one with their case. Both name the SFCC order
by its natural key (order number, site), never by a foreign key to the mirror, whose rows
every apply replaces. Both are scoped like their case, kinds included, so an agent sees the
details of the kinds its role works, and a partner those of its own cases.
"""

from django.db import models
from django.utils import timezone

from apps.orders.models import Party
from apps.workspace.choices import CaseKind, Priority
from apps.workspace.models.case import CaseScopedQuerySet


class Operator(models.TextChoices):
    EQUALS = "equals", "equals"
    IN = "in", "is one of (comma-separated)"
    PRESENT = "present", "is present (any value)"


class ExceptionType(models.TextChoices):
    STOCK_SHORTAGE = "stock_shortage", "Stock shortage"
    ADDRESS_ISSUE = "address_issue", "Address issue"
    PAYMENT_FAILURE = "payment_failure", "Payment failure"
    CARRIER_EXCEPTION = "carrier_exception", "Carrier exception"
    OTHER = "other", "Other"


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
    exception_type = models.CharField(
        max_length=30,
        choices=ExceptionType.choices,
        default=ExceptionType.OTHER,
        help_text="Which structured fields the case gets (short lines, address, carrier…).",
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


class DetailSource(models.TextChoices):
    RULE = "rule", "Detected from SFCC"
    MANUAL = "manual", "Opened by an agent"


class ExceptionDetail(models.Model):
    """Flow 1's detail row: what the exception is, and the outcome the retailer accepted.

    A detected exception is unique per (order, code, partner): a replayed or re-polled order
    finds the row and changes nothing, so each exception opens exactly one case for each
    partner it concerns. Agents' own exceptions are not bound by it: they are not SFCC's.
    """

    case = models.OneToOneField(
        "workspace.Case", on_delete=models.PROTECT, related_name="exception_detail"
    )
    partner = models.ForeignKey(
        "partners.Organization", on_delete=models.PROTECT, related_name="exception_details"
    )
    order_number = models.CharField(max_length=50, db_index=True)
    site_id = models.CharField(max_length=64, blank=True)
    code = models.CharField(max_length=64)
    rule = models.ForeignKey(
        ExceptionRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    source = models.CharField(max_length=10, choices=DetailSource.choices, default=DetailSource.RULE)
    exception_type = models.CharField(
        max_length=30, choices=ExceptionType.choices, default=ExceptionType.OTHER
    )
    active = models.BooleanField(default=True, help_text="Still reported by SFCC.")
    detail = models.TextField(blank=True)
    detected_at = models.DateTimeField(default=timezone.now)
    cleared_at = models.DateTimeField(null=True, blank=True)

    # Address issue: what failed, and the correction proposed.
    address_problem = models.CharField(max_length=300, blank=True)
    address_correction = models.TextField(blank=True)
    # Payment failure: only what the partner must do or know, never payment data.
    payment_note = models.CharField(max_length=300, blank=True)
    # Carrier exception (carrier and tracking are filled for every exception with a shipment).
    carrier = models.CharField(max_length=64, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    carrier_exception_code = models.CharField(max_length=40, blank=True)
    carrier_notes = models.TextField(blank=True)
    # Stock shortage: the short lines are the case's lines (workspace CaseLine).

    accepted_resolution = models.JSONField(default=dict, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-detected_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["order_number", "code", "partner"],
                condition=models.Q(source="rule"),
                name="exceptions_unique_detected",
            )
        ]

    def __str__(self) -> str:
        return f"{self.order_number} {self.code} → {self.partner_id}"


class EscalationReason(models.TextChoices):
    DELIVERY_DELAY = "delivery_delay", "Delivery delay"
    MISSING_ITEM = "missing_item", "Missing item"
    PRODUCT_DEFECT = "product_defect", "Product defect"


class Escalation(models.Model):
    """Flow 7's detail row: what the customer reported, and the partner's root cause and plan."""

    case = models.OneToOneField(
        "workspace.Case", on_delete=models.PROTECT, related_name="escalation"
    )
    order_number = models.CharField(max_length=50, db_index=True)
    reason = models.CharField(max_length=30, choices=EscalationReason.choices)
    customer_words = models.TextField(blank=True)
    shipment_id = models.CharField(max_length=64, blank=True)
    carrier = models.CharField(max_length=64, blank=True)
    tracking_number = models.CharField(max_length=100, blank=True)
    root_cause_code = models.CharField(max_length=40, blank=True)
    root_cause_detail = models.TextField(blank=True)
    plan_type = models.CharField(max_length=30, blank=True)
    plan = models.TextField(blank=True)
    plan_due = models.DateField(null=True, blank=True)
    customer_update_due = models.DateTimeField(
        null=True, blank=True, help_text="When the agent owes the customer the next update."
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.order_number} {self.get_reason_display()}"


class ReasonList(models.TextChoices):
    EXCEPTION_RESOLUTION = "exception_resolution", "Exception resolution"
    EXCEPTION_ROOT_CAUSE = "exception_root_cause", "Exception root cause"
    ESCALATION_ROOT_CAUSE = "escalation_root_cause", "Escalation root cause"


class ReasonCode(models.Model):
    """A code list entry an administrator edits; cases keep the code, pages show the label."""

    list = models.CharField(max_length=30, choices=ReasonList.choices)
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=100)
    is_active = models.BooleanField(default=True)
    rank = models.PositiveIntegerField(default=100, help_text="Lower comes first.")

    class Meta:
        ordering = ["list", "rank", "label"]
        constraints = [
            models.UniqueConstraint(fields=["list", "code"], name="exceptions_unique_reason_code")
        ]

    def __str__(self) -> str:
        return f"{self.get_list_display()}: {self.label}"
