"""Admin views of flow 6, for operations (writes go through the pages and the services)."""

from django.contrib import admin

from .models import ChecklistItem, Constraint, Launch, LaunchEvent, LaunchShare, LaunchSku


@admin.register(Launch)
class LaunchAdmin(admin.ModelAdmin):
    list_display = ("name", "campaign_id", "go_live_at", "status", "at_risk_since")
    list_filter = ("status",)
    search_fields = ("name", "campaign_id")
    readonly_fields = [f.name for f in Launch._meta.fields]


@admin.register(LaunchShare)
class LaunchShareAdmin(admin.ModelAdmin):
    list_display = ("launch", "partner", "case", "invited_at")
    list_select_related = ("launch", "partner", "case")
    readonly_fields = ("launch", "partner", "case", "invited_at")


admin.site.register(LaunchSku, list_display=("launch", "sku", "partner", "forecast_quantity"))
admin.site.register(
    ChecklistItem, list_display=("share", "code", "status", "is_complete", "due_date")
)
admin.site.register(Constraint, list_display=("share", "sku", "quantity_at_risk", "date", "status"))
admin.site.register(LaunchEvent, list_display=("launch", "verb", "summary", "created_at"))
