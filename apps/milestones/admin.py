"""Admin: shipments and milestones are read here; they change only through the services."""

from django.contrib import admin

from apps.core.admin import ReadOnlyAdminMixin

from .models import Milestone, TrackedShipment


@admin.register(TrackedShipment)
class TrackedShipmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "order_number",
        "reference",
        "case",
        "status",
        "carrier",
        "tracking_number",
        "ship_by",
        "exception_open",
    ]
    list_filter = ["status", "exception_open"]
    search_fields = ["order_number", "reference", "tracking_number", "bill_of_lading"]


@admin.register(Milestone)
class MilestoneAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "shipment",
        "step",
        "occurred_at",
        "reported_label",
        "channel",
        "exception_code",
    ]
    list_filter = ["step", "channel", "exception_code"]
    search_fields = [
        "shipment__order_number",
        "shipment__reference",
        "tracking_number",
        "document_ref",
    ]
