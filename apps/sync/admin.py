"""Read-only admin for sync rows: changes go through the operations page and its services."""

from django.contrib import admin

from .models import DeliveryAttempt, InboxEvent, OutboxMessage


class ReadOnlyAdmin(admin.ModelAdmin):
    # Editing a status here would skip the lease, the ordering and the timeline.
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeliveryAttemptInline(admin.TabularInline):
    model = DeliveryAttempt
    extra = 0
    can_delete = False
    fields = ["number", "started_at", "duration_ms", "outcome", "response_code", "error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(OutboxMessage)
class OutboxMessageAdmin(ReadOnlyAdmin):
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
class InboxEventAdmin(ReadOnlyAdmin):
    list_display = ["id", "source", "source_id", "status", "attempts", "received_at", "applied_at"]
    list_filter = ["source", "status"]
    search_fields = ["source_id"]
