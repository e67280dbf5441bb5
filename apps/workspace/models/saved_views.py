"""Saved inbox views: a name for a set of filters, per user."""

from django.conf import settings
from django.db import models


class SavedViewQuerySet(models.QuerySet):
    def for_actor(self, actor):
        if getattr(actor, "pk", None) is None:
            return self.none()
        return self.filter(user=actor)


class SavedView(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=1000, help_text="The inbox's query string.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SavedViewQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="unique_saved_view")]

    def __str__(self) -> str:
        return self.name
