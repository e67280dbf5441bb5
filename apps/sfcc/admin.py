"""Admin: the connector's own bookkeeping, read-only (the mirror is in apps.orders)."""

from django.contrib import admin

from apps.core.admin import ReadOnlyAdminMixin

from .models import OrderWriteback, PollCursor


@admin.register(PollCursor)
class PollCursorAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["site_id", "watermark", "last_run_at", "orders_seen", "last_error"]
    readonly_fields = [f.name for f in PollCursor._meta.fields]


@admin.register(OrderWriteback)
class OrderWritebackAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["order", "external_status", "updated_at"]
    search_fields = ["order__order_no"]
    list_select_related = ["order"]
    readonly_fields = [f.name for f in OrderWriteback._meta.fields]
