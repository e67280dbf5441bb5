"""Flow 6's rows: the retailer-level launch, each partner's share of it, checklists and constraints.

A `Launch` belongs to the retailer. Each partner invited to it gets a `LaunchShare`: one
workspace `Case` (its own SLA clock and conversation) with its checklist items, its supply
constraints and its SKUs. Partners reach a launch only through their share, so a partner
never sees another partner's share; the launch's totals only when `share_totals` is set.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone

from apps.partners.tenancy import Scope, TenantQuerySet
from apps.workspace.choices import CaseKind
from apps.workspace.flows import kinds_for_role
from apps.workspace.models.case import CaseScopedQuerySet


def _works_launches(scope: Scope) -> bool:
    kinds = kinds_for_role(scope.role)
    return kinds is None or CaseKind.LAUNCH.value in kinds


class LaunchQuerySet(TenantQuerySet):
    """Internal roles that work launches see all; a partner those it has a share in."""

    tenant_path = "shares__partner"

    def for_internal(self, scope: Scope):
        return self if _works_launches(scope) else self.none()


class LaunchStatus(models.TextChoices):
    PLANNING = "planning", "Planning"
    GO = "go", "Go"
    NO_GO = "no_go", "No-go"
    LIVE = "live", "Live"
    CANCELLED = "cancelled", "Cancelled"


OPEN_LAUNCH_STATUSES = (LaunchStatus.PLANNING, LaunchStatus.GO, LaunchStatus.NO_GO)
STATUS_TONES = {
    "planning": "info",
    "go": "success",
    "no_go": "danger",
    "live": "muted",
    "cancelled": "muted",
}


class Launch(models.Model):
    name = models.CharField(max_length=200)
    campaign_id = models.CharField("SFCC campaign", max_length=256, blank=True, db_index=True)
    description = models.TextField(blank=True)
    go_live_at = models.DateTimeField("Go-live", db_index=True)
    ends_at = models.DateTimeField("Ends", null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=LaunchStatus.choices, default=LaunchStatus.PLANNING
    )
    share_totals = models.BooleanField(
        default=False,
        help_text="Partners see the launch's totals (forecast, readiness), not only their share.",
    )
    # Overdue items turn a launch at risk (set by the reminders task and by the services).
    at_risk_since = models.DateTimeField(null=True, blank=True)
    # A "go" taken over open blockers carries the reason and who took it.
    override_reason = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # SFCC's lastModified of the campaign when its dates were last read.
    campaign_modified_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = LaunchQuerySet.as_manager()

    class Meta:
        ordering = ["go_live_at", "id"]

    def __str__(self) -> str:
        return f"{self.reference} {self.name}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("launches:launch_detail", args=[self.pk])

    @property
    def reference(self) -> str:
        return f"LN-{self.pk:05d}" if self.pk else "LN-new"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_LAUNCH_STATUSES

    @property
    def status_tone(self) -> str:
        return STATUS_TONES.get(self.status, "neutral")


class LaunchShare(models.Model):
    """One partner's share of a launch: the detail row of its case."""

    launch = models.ForeignKey(Launch, on_delete=models.CASCADE, related_name="shares")
    case = models.OneToOneField(
        "workspace.Case", on_delete=models.PROTECT, related_name="launch_share"
    )
    partner = models.ForeignKey(
        "partners.Organization", on_delete=models.PROTECT, related_name="launch_shares"
    )
    invited_at = models.DateTimeField(default=timezone.now)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        ordering = ["launch_id", "partner__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["launch", "partner"], name="launches_one_share_per_partner"
            )
        ]

    def __str__(self) -> str:
        return f"{self.launch_id} → {self.partner_id}"


class LaunchSkuQuerySet(TenantQuerySet):
    """A partner sees the SKUs it supplies for the launch; unassigned SKUs are the retailer's."""

    def for_internal(self, scope: Scope):
        return self if _works_launches(scope) else self.none()


class LaunchSku(models.Model):
    launch = models.ForeignKey(Launch, on_delete=models.CASCADE, related_name="skus")
    partner = models.ForeignKey(
        "partners.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="launch_skus",
    )
    sku = models.CharField("SKU", max_length=100)
    description = models.CharField(max_length=200, blank=True)
    forecast_quantity = models.DecimalField(max_digits=12, decimal_places=3)
    unit = models.CharField(max_length=10, default="EA")

    objects = LaunchSkuQuerySet.as_manager()

    class Meta:
        ordering = ["launch_id", "sku"]
        constraints = [
            models.UniqueConstraint(fields=["launch", "sku"], name="launches_unique_sku")
        ]

    def __str__(self) -> str:
        return self.sku


class ShareScopedQuerySet(CaseScopedQuerySet):
    case_path = "share__case"


class ItemStatus(models.TextChoices):
    OPEN = "open", "Open"
    DONE = "done", "Done"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"


class ChecklistItem(models.Model):
    """One requirement a partner meets; items that need review are done when the retailer accepts."""

    share = models.ForeignKey(LaunchShare, on_delete=models.CASCADE, related_name="items")
    code = models.SlugField(max_length=60)
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)
    requires_review = models.BooleanField(default=False)
    due_date = models.DateField(null=True, blank=True)
    status = models.CharField(max_length=10, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    is_complete = models.BooleanField(default=False)
    note = models.CharField(max_length=1000, blank=True)
    attachment = models.ForeignKey(
        "workspace.Attachment", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_label = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(max_length=1000, blank=True)

    objects = ShareScopedQuerySet.as_manager()

    class Meta:
        ordering = ["share_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["share", "code"], name="launches_unique_item")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def awaiting_review(self) -> bool:
        return self.requires_review and self.status == ItemStatus.DONE


class ConstraintStatus(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"


class Constraint(models.Model):
    """A supply constraint a partner flagged: which SKU, how much is at risk, from when."""

    share = models.ForeignKey(LaunchShare, on_delete=models.CASCADE, related_name="constraints")
    sku = models.CharField("SKU", max_length=100)
    quantity_at_risk = models.DecimalField(max_digits=12, decimal_places=3)
    date = models.DateField(help_text="When the shortfall bites (or when supply recovers).")
    item_code = models.SlugField(
        max_length=60, default="inventory", help_text="The requirement it blocks."
    )
    note = models.CharField(max_length=1000, blank=True)
    status = models.CharField(
        max_length=10, choices=ConstraintStatus.choices, default=ConstraintStatus.OPEN
    )
    raised_label = models.CharField(max_length=200, blank=True)
    channel = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.CharField(max_length=1000, blank=True)

    objects = ShareScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.sku}: {self.quantity_at_risk} at risk"


class LaunchDocumentQuerySet(LaunchQuerySet):
    tenant_path = "launch__shares__partner"


class DocumentKind(models.TextChoices):
    REQUIREMENTS = "requirements", "Product requirements"
    PACKAGING = "packaging", "Packaging spec"
    OTHER = "other", "Other"


class LaunchDocument(models.Model):
    """A file of the launch (requirements, packaging specs); each share's case gets a copy."""

    launch = models.ForeignKey(Launch, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices, default=DocumentKind.OTHER)
    name = models.CharField(max_length=255)
    file = models.FileField(upload_to="launches/%Y/%m/")
    sha256 = models.CharField(max_length=64)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    uploaded_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    objects = LaunchDocumentQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name", "id"]

    def __str__(self) -> str:
        return self.name


class LaunchEvent(models.Model):
    """The launch's own history (the retailer's): decisions, moves, invitations, risk."""

    launch = models.ForeignKey(Launch, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    channel = models.CharField(max_length=20)
    verb = models.CharField(max_length=40)
    summary = models.CharField(max_length=300)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.summary


class ReminderSent(models.Model):
    """One reminder per share and window, so a rerun of the beat task sends nothing twice."""

    share = models.ForeignKey(LaunchShare, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveIntegerField()
    open_items = models.PositiveIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    objects = ShareScopedQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["share", "days_before"], name="launches_one_reminder_per_window"
            )
        ]

    def __str__(self) -> str:
        return f"{self.share_id} {self.days_before}d"
