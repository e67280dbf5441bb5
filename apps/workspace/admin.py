"""Admin for the workspace: SLA targets are editable; the timeline is read-only."""

from django.contrib import admin

from apps.core.admin import ReadOnlyAdminMixin

from .models import Case, SlaTarget, SlaWait, Tag, TimelineEvent


@admin.register(SlaTarget)
class SlaTargetAdmin(admin.ModelAdmin):
    list_display = ["kind", "priority", "first_response_hours", "resolution_hours"]
    list_filter = ["kind", "priority"]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    search_fields = ["name"]


class TimelineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = TimelineEvent
    fields = ["created_at", "actor_label", "channel", "verb", "summary", "visibility"]
    readonly_fields = fields
    extra = 0


@admin.register(Case)
class CaseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Cases change only through the services (the pages, API and connectors); here you look."""

    list_display = ["id", "subject", "kind", "partner", "status", "priority", "turn", "due_at", "last_activity_at"]
    list_filter = ["kind", "status", "priority", "turn", "is_open"]
    search_fields = ["subject", "order_number", "sku"]
    raw_id_fields = ["partner", "owner", "assignee", "created_by"]
    inlines = [TimelineInline]


@admin.register(TimelineEvent)
class TimelineEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "case", "actor_label", "channel", "verb", "summary", "visibility"]
    list_filter = ["channel", "verb", "visibility"]
    search_fields = ["summary", "actor_label"]
    raw_id_fields = ["case", "actor"]


@admin.register(SlaWait)
class SlaWaitAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["case", "side", "started_at", "due_at", "ended_at", "breached_at"]
    list_filter = ["side"]
    raw_id_fields = ["case"]
