"""The case: one row per partner-facing thread, whatever the flow."""

import uuid
from datetime import UTC, datetime

from django.conf import settings
from django.db import models

from apps.partners.tenancy import Scope, TenantQuerySet

from ..choices import CaseKind, Priority, Side
from ..flows import kinds_for_role

# Cases nobody is waiting on sort after every real deadline; a constant keeps the column
# non-null, so "due first" can use a plain index and keyset pagination.
NO_DEADLINE = datetime(2999, 12, 31, tzinfo=UTC)



class CaseQuerySet(TenantQuerySet):
    tenant_path = "partner"

    def for_internal(self, scope: Scope):
        kinds = kinds_for_role(scope.role)
        return self.filter(kind__in=kinds) if kinds is not None else self


class CaseScopedQuerySet(TenantQuerySet):
    """Rows that belong to a case inherit the case's scope: partner and, inside, kind."""

    case_path = "case"

    @property
    def tenant_path(self) -> str:  # type: ignore[override]
        return f"{self.case_path}__partner"

    def for_internal(self, scope: Scope):
        kinds = kinds_for_role(scope.role)
        return self.filter(**{f"{self.case_path}__kind__in": kinds}) if kinds is not None else self


class Tag(models.Model):
    name = models.SlugField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Case(models.Model):
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=30, choices=CaseKind.choices)
    partner = models.ForeignKey(
        "partners.Organization", on_delete=models.PROTECT, related_name="cases"
    )
    subject = models.CharField(max_length=200)
    order_number = models.CharField("SFCC order number", max_length=50, blank=True, db_index=True)
    sku = models.CharField("SKU", max_length=100, blank=True)
    shipment_ref = models.CharField("Shipment", max_length=100, blank=True)
    launch_ref = models.CharField("Launch", max_length=100, blank=True)
    status = models.CharField(max_length=40)
    priority = models.CharField(max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="owned_cases", help_text="The internal owner.",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="assigned_cases", help_text="The partner's assignee.",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="cases")
    watchers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Watch", blank=True, related_name="watched_cases"
    )

    # The SLA clock, kept on the row so the inbox sorts and filters without joins.
    turn = models.CharField(max_length=10, choices=Side.choices, default=Side.PARTNER)
    turn_started_at = models.DateTimeField(null=True, blank=True)
    due_at = models.DateTimeField(default=NO_DEADLINE)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    is_open = models.BooleanField(default=True)
    # Outcome codes from the flows' administrator-edited code lists, kept on the row so the
    # inbox filters by them without knowing any flow.
    root_cause_code = models.CharField(max_length=40, blank=True, db_index=True)
    resolution_code = models.CharField(max_length=40, blank=True, db_index=True)

    # Subject, references and shared message text, for search; written by the services.
    search_document = models.TextField(blank=True, default="")
    message_count = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField(auto_now_add=True)

    objects = CaseQuerySet.as_manager()

    class Meta:
        ordering = ["-last_activity_at", "-id"]
        indexes = [
            models.Index(fields=["-last_activity_at", "-id"], name="case_activity_idx"),
            models.Index(fields=["due_at", "id"], name="case_due_idx"),
            models.Index(fields=["partner", "-last_activity_at", "-id"], name="case_partner_activity_idx"),
            models.Index(fields=["partner", "due_at", "id"], name="case_partner_due_idx"),
            models.Index(fields=["kind", "status"], name="case_kind_status_idx"),
            models.Index(fields=["is_open", "due_at"], name="case_open_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("workspace:case_detail", kwargs={"pk": self.pk})

    @property
    def reference(self) -> str:
        return f"CX-{self.pk:06d}" if self.pk else "CX-new"

    @property
    def has_deadline(self) -> bool:
        return self.due_at < NO_DEADLINE


class Watch(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["case", "user"], name="unique_watch")]

    def __str__(self) -> str:
        return f"{self.user_id} watches {self.case_id}"
