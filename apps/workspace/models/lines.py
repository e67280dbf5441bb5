"""Structured line items on a case and the partner's append-only answers to them.

A line names what the case is about (an order line, a forecast row, a claimed item) by
natural keys: the SFCC order number and line item id, never a foreign key to the mirror's
rows, which every order apply replaces. Answers use the X12 855 line vocabulary, so an
answer from the page, the API or an 855 over Trading Grid lands in the same rows.
"""

from django.conf import settings
from django.db import models

from ..choices import Channel
from .case import Case, CaseScopedQuerySet


class LineStatus(models.TextChoices):
    # The X12 855 ACK01 codes each status is written and read as.
    ACCEPTED = "accepted", "Accepted"  # IA
    ACCEPTED_WITH_CHANGES = "accepted_with_changes", "Accepted with changes"  # IC
    BACKORDERED = "backordered", "Backordered"  # IB
    SUBSTITUTED = "substituted", "Substituted"  # IS
    REJECTED = "rejected", "Rejected"  # IR


class CaseLine(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=1)
    sku = models.CharField("SKU", max_length=100)
    description = models.CharField(max_length=200, blank=True)
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    unit = models.CharField(max_length=10, default="EA")
    order_number = models.CharField(max_length=50, blank=True)
    line_ref = models.CharField("Order line", max_length=64, blank=True, help_text="SFCC's itemId.")
    # Flow-specific facts about the line (quantity short, earliest date, unit price…).
    data = models.JSONField(default=dict, blank=True)

    objects = CaseScopedQuerySet.as_manager()

    class Meta:
        ordering = ["case", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["case", "position"], name="case_line_unique_position")
        ]

    def __str__(self) -> str:
        return f"{self.case_id} #{self.position} {self.sku} × {self.quantity}"


class LineAnswerQuerySet(CaseScopedQuerySet):
    case_path = "line__case"

    def update(self, **kwargs):
        raise TypeError("Line answers are append-only.")

    def delete(self):
        raise TypeError("Line answers are append-only.")


class LineAnswer(models.Model):
    line = models.ForeignKey(CaseLine, on_delete=models.CASCADE, related_name="answers")
    status = models.CharField(max_length=30, choices=LineStatus.choices)
    quantity = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    date = models.DateField(null=True, blank=True, help_text="Ship, backorder or delivery date.")
    substitute_sku = models.CharField(max_length=100, blank=True)
    substitute_quantity = models.DecimalField(max_digits=12, decimal_places=3, null=True, blank=True)
    reason_code = models.CharField(max_length=40, blank=True)
    note = models.CharField(max_length=500, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_label = models.CharField(max_length=200)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = LineAnswerQuerySet.as_manager()

    class Meta:
        ordering = ["line", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.line} {self.status}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("Line answers are append-only.")
        super().save(*args, **kwargs)
