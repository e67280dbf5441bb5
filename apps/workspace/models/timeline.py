"""The append-only activity log of a case: who, when, what changed, through which channel."""

from django.conf import settings
from django.db import models

from ..choices import Channel, Visibility
from .case import Case, CaseScopedQuerySet


class TimelineQuerySet(CaseScopedQuerySet):
    def for_actor(self, actor):
        from apps.partners.tenancy import scope_of

        qs = super().for_actor(actor)
        return qs if scope_of(actor).internal else qs.filter(visibility=Visibility.PARTNER)

    def update(self, **kwargs):
        raise TypeError("The timeline is append-only.")

    def delete(self):
        raise TypeError("The timeline is append-only.")


class TimelineEvent(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="timeline")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    verb = models.CharField(max_length=40)
    summary = models.CharField(max_length=300)
    changes = models.JSONField(default=list, blank=True, help_text='[{"field", "from", "to"}]')
    # The structured data a transition carried (a proposal, line answers), as validated.
    data = models.JSONField(default=dict, blank=True)
    visibility = models.CharField(max_length=10, choices=Visibility.choices, default=Visibility.PARTNER)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = TimelineQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["case", "created_at", "id"], name="timeline_case_idx")]

    def __str__(self) -> str:
        return f"{self.case_id} {self.verb} by {self.actor_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("The timeline is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("The timeline is append-only.")

    @property
    def change_rows(self) -> list[tuple]:
        """The changes as (field, old, new) triples, the shape the timeline component draws."""
        return [(c.get("field"), c.get("from"), c.get("to")) for c in self.changes]

    @property
    def is_internal(self) -> bool:
        return self.visibility == Visibility.INTERNAL
