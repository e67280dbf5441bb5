"""Read-mostly admin of demand plans: the plan pages are where plans are worked."""

from django.contrib import admin

from .models import AllocationShare, DemandPlan


@admin.register(DemandPlan)
class DemandPlanAdmin(admin.ModelAdmin):
    list_display = ["__str__", "kind", "status", "answer_by", "created_at"]
    list_filter = ["kind", "status"]
    search_fields = ["title"]
    readonly_fields = [
        "status",
        "published_at",
        "inventory_read_at",
        "catalog_checked",
        "created_by",
    ]


@admin.register(AllocationShare)
class AllocationShareAdmin(admin.ModelAdmin):
    list_display = ["case", "plan", "partner"]
    readonly_fields = ["case", "plan", "partner"]
