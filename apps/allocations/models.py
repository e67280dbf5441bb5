"""Flow 2: the retailer's demand plan, its lines, and each partner's share (a case) of it.

A plan belongs to the retailer: it has no partner and only the retailer's people reach it.
Each partner's share of a published plan is one `Case` (kind allocation) with its own lines,
SLA clock and conversation; `AllocationShare` is that case's detail row. A plan line names
its partner and, once published, the case line the partner answers; the partner's current
answer is copied onto the plan line by the answer step, so the allocation view reads one
table whatever the plan's size.
"""

from django.conf import settings
from django.db import models

from apps.partners.roles import Role
from apps.partners.tenancy import NO_SCOPE, TenantQuerySet, scope_of
from apps.workspace.models.case import CaseScopedQuerySet

# The internal roles that work demand plans (operations and administrators see everything).
PLAN_ROLES = frozenset({Role.MERCHANDISER, Role.OPERATIONS, Role.ADMIN})


class PlanKind(models.TextChoices):
    PERIOD = "period", "Period forecast"
    PROMOTION = "promotion", "Promotion"
    PEAK = "peak", "Peak season"
    PRIORITY = "priority", "Priority request"


class PlanStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    CLOSED = "closed", "Closed"


class LinePriority(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    URGENT = "urgent", "Urgent"


class SubstitutionDecision(models.TextChoices):
    NONE = "", "—"
    PENDING = "pending", "To decide"
    ACCEPTED = "accepted", "Accepted"
    REFUSED = "refused", "Refused"


class DemandPlanQuerySet(models.QuerySet):
    """Plans are the retailer's: its planning roles see them, partners and others nothing."""

    def for_actor(self, actor):
        scope = scope_of(actor)
        if scope is NO_SCOPE or not scope.internal or scope.role not in PLAN_ROLES:
            return self.none()
        return self


class DemandPlan(models.Model):
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=PlanKind.choices, default=PlanKind.PERIOD)
    status = models.CharField(max_length=20, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    promotion_ref = models.CharField("Promotion or campaign", max_length=100, blank=True)
    answer_by = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When partners must have answered: drives each share's SLA clock.",
    )
    default_location = models.CharField(
        max_length=64,
        blank=True,
        help_text="SFCC inventory list used when a line names no location.",
    )
    share_totals = models.BooleanField(
        default=False, help_text="Show partners the plan's totals next to their share."
    )
    notes = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    inventory_read_at = models.DateTimeField(null=True, blank=True)
    catalog_checked = models.BooleanField(default=False)

    objects = DemandPlanQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("allocations:plan_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"DP-{self.pk:05d}" if self.pk else "DP-new"


class PlanLineQuerySet(TenantQuerySet):
    """A partner reaches only its own lines (through its share); planners every line."""

    tenant_path = "partner"

    def for_internal(self, scope):
        return self if scope.role in PLAN_ROLES else self.none()


class PlanLine(models.Model):
    plan = models.ForeignKey(DemandPlan, on_delete=models.CASCADE, related_name="lines")
    partner = models.ForeignKey(
        "partners.Organization", on_delete=models.PROTECT, related_name="plan_lines"
    )
    row = models.PositiveIntegerField(help_text="The line's number in the plan (its import row).")
    sku = models.CharField("SKU", max_length=100)
    product_name = models.CharField(max_length=200, blank=True)
    location = models.CharField(max_length=64, blank=True)
    forecast_qty = models.DecimalField(max_digits=12, decimal_places=3)
    need_by = models.DateField()
    priority = models.CharField(
        max_length=10, choices=LinePriority.choices, default=LinePriority.NORMAL
    )
    # Read from SFCC's inventory record (OCAPI product_inventory_records).
    reserved_qty = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    stock_qty = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    ats_qty = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    # The partner's case line, once the plan is published.
    case_line = models.OneToOneField(
        "workspace.CaseLine",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plan_line",
    )
    # The partner's current answer, copied by the answer step (the LineAnswer rows hold the history).
    answer_status = models.CharField(max_length=30, blank=True)
    confirmed_qty = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    backorder_date = models.DateField(null=True, blank=True)
    substitute_sku = models.CharField(max_length=100, blank=True)
    substitute_qty = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    decline_reason = models.CharField(max_length=540, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    substitution = models.CharField(
        max_length=10,
        choices=SubstitutionDecision.choices,
        default=SubstitutionDecision.NONE,
        blank=True,
    )
    substitution_decided_at = models.DateTimeField(null=True, blank=True)
    substitution_decided_by = models.CharField(max_length=200, blank=True)

    objects = PlanLineQuerySet.as_manager()

    class Meta:
        ordering = ["plan", "row", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "partner", "sku", "location"], name="plan_line_unique"
            ),
            models.UniqueConstraint(fields=["plan", "row"], name="plan_line_unique_row"),
        ]
        indexes = [models.Index(fields=["plan", "partner"], name="plan_line_partner_idx")]

    def __str__(self) -> str:
        return f"{self.plan_id} #{self.row} {self.sku} × {self.forecast_qty}"


class AllocationShareQuerySet(CaseScopedQuerySet):
    pass


class AllocationShare(models.Model):
    """A partner's share of a plan: the allocation case's detail row."""

    case = models.OneToOneField(
        "workspace.Case", on_delete=models.CASCADE, related_name="allocation_share"
    )
    plan = models.ForeignKey(DemandPlan, on_delete=models.PROTECT, related_name="shares")
    partner = models.ForeignKey("partners.Organization", on_delete=models.PROTECT, related_name="+")

    objects = AllocationShareQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["plan", "partner"], name="allocation_share_unique")
        ]

    def __str__(self) -> str:
        return f"{self.plan_id} → {self.partner_id}"
