"""Read-only admin for sync rows: changes go through the operations page and its services."""

from django.contrib import admin

from apps.core.admin import ReadOnlyAdminMixin

from .models import DeliveryAttempt, InboxEvent, OutboxMessage

# Read-only: editing a status here would skip the lease, the ordering and the timeline.


class DeliveryAttemptInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    fields = ["number", "started_at", "duration_ms", "outcome", "response_code", "error"]
    readonly_fields = fields


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "target",
        "topic",
        "key",
        "status",
        "attempts",
        "next_attempt_at",
        "created_at",
    ]
    list_filter = ["target", "status"]
    search_fields = ["key", "topic", "=idempotency_key"]
    raw_id_fields = ["case"]
    inlines = [DeliveryAttemptInline]


@admin.register(InboxEvent)
class InboxEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "source", "source_id", "status", "attempts", "received_at", "applied_at"]
    list_filter = ["source", "status"]
    search_fields = ["source_id"]
