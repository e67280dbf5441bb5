"""SLA targets per kind and priority, and the history of waits on either side."""

from django.db import models

from ..choices import CaseKind, Priority, Side
from .case import Case, CaseScopedQuerySet


class SlaTarget(models.Model):
    """Business hours to first response and to resolution; editable in the admin."""

    kind = models.CharField(max_length=30, choices=CaseKind.choices)
    priority = models.CharField(max_length=10, choices=Priority.choices)
    first_response_hours = models.DecimalField(max_digits=6, decimal_places=2)
    resolution_hours = models.DecimalField(max_digits=7, decimal_places=2)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["kind", "priority"], name="unique_sla_target")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} / {self.get_priority_display()}"


class SlaWait(models.Model):
    """One stretch of a case waiting on one side; breaches are what scorecards count."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="sla_waits")
    side = models.CharField(max_length=10, choices=Side.choices)
    started_at = models.DateTimeField()
    due_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    breached_at = models.DateTimeField(null=True, blank=True)
    due_soon_notified = models.BooleanField(default=False)
    is_first_response = models.BooleanField(default=False)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [
            models.Index(fields=["ended_at", "due_at"], name="slawait_open_due_idx"),
            models.Index(fields=["case", "started_at"], name="slawait_case_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} waiting on {self.side} since {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def breached(self) -> bool:
        return self.breached_at is not None
