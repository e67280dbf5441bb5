"""In-app notifications and each user's choice of delivery per event type."""

from django.conf import settings
from django.db import models

from .case import Case


class EventType(models.TextChoices):
    CASE_CREATED = "case_created", "New case for my organization"
    REPLY = "reply", "Reply on a case I watch"
    MENTION = "mention", "I was mentioned"
    ASSIGNED = "assigned", "Assigned to me"
    STATUS = "status", "Status change on a case I watch"
    SLA_DUE_SOON = "sla_due_soon", "SLA due soon"
    SLA_BREACHED = "sla_breached", "SLA breached"


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", "Immediately"
    DIGEST = "digest", "Daily digest"
    NEVER = "never", "Never"


class NotificationQuerySet(models.QuerySet):
    def for_actor(self, actor):
        if not getattr(actor, "is_authenticated", False) or getattr(actor, "pk", None) is None:
            return self.none()
        return self.filter(user=actor)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    event_type = models.CharField(max_length=20, choices=EventType.choices)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    in_digest = models.BooleanField(default=False, help_text="Waiting for the daily digest.")

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_unread_idx"),
            models.Index(fields=["in_digest", "user"], name="notification_digest_idx"),
        ]

    def __str__(self) -> str:
        return self.title


class NotificationPreference(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    event_type = models.CharField(max_length=20, choices=EventType.choices)
    delivery = models.CharField(max_length=10, choices=Delivery.choices, default=Delivery.IMMEDIATE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "event_type"], name="unique_notification_pref")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.event_type} → {self.delivery}"
