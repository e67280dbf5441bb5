"""Admin: routing and exception rules are edited here; the mirror and its links are read-only."""

from django.contrib import admin

from .documents import rule_fields
from .models import (
    ExceptionRule,
    OrderException,
    PollCursor,
    RoutingRule,
    SfccOrder,
    SfccOrderLine,
    SfccShipment,
)


class ReadOnlyMixin:
    # The mirror is SFCC's data and the links are the services' bookkeeping: an edit here
    # would be overwritten by the next apply, or would break "one case per exception".
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["match_type", "value", "partner", "priority", "is_active"]
    list_filter = ["match_type", "is_active"]
    search_fields = ["value", "partner__name", "partner__code", "note"]
    autocomplete_fields = ["partner"]
    list_editable = ["priority", "is_active"]


@admin.register(ExceptionRule)
class ExceptionRuleAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "field",
        "operator",
        "value",
        "exception_code",
        "party",
        "fallback_party",
        "case_priority",
        "rank",
        "is_active",
    ]
    list_filter = ["party", "is_active", "case_kind"]
    search_fields = ["name", "field", "value", "exception_code"]
    list_editable = ["rank", "is_active"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A rule on a new c_ attribute must be kept by the next inbound reduction.
        rule_fields.forget()


class ShipmentInline(ReadOnlyMixin, admin.TabularInline):
    model = SfccShipment
    extra = 0
    fields = [
        "shipment_id",
        "shipment_no",
        "status",
        "method",
        "carrier_code",
        "fulfillment_location",
        "tracking_number",
        "ship_to_name",
        "city",
        "postal_code",
        "country_code",
    ]
    readonly_fields = fields


class LineInline(ReadOnlyMixin, admin.TabularInline):
    model = SfccOrderLine
    extra = 0
    fields = [
        "position",
        "product_id",
        "product_name",
        "quantity",
        "shipment_id",
        "supplier_code",
        "partner",
    ]
    readonly_fields = fields


class ExceptionInline(ReadOnlyMixin, admin.TabularInline):
    model = OrderException
    extra = 0
    fields = ["code", "partner", "case", "active", "detail", "detected_at", "cleared_at"]
    readonly_fields = fields


@admin.register(SfccOrder)
class SfccOrderAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = [
        "order_no",
        "site_id",
        "status",
        "shipping_status",
        "payment_status",
        "external_status",
        "last_modified",
    ]
    list_filter = ["site_id", "status", "shipping_status", "payment_status"]
    search_fields = ["order_no"]
    inlines = [LineInline, ShipmentInline, ExceptionInline]
    readonly_fields = [f.name for f in SfccOrder._meta.fields]


@admin.register(OrderException)
class OrderExceptionAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["order", "code", "partner", "case", "active", "detected_at", "cleared_at"]
    list_filter = ["code", "active"]
    search_fields = ["order__order_no", "partner__name", "code"]
    readonly_fields = [f.name for f in OrderException._meta.fields]


@admin.register(PollCursor)
class PollCursorAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["site_id", "watermark", "last_run_at", "orders_seen", "last_error"]
    readonly_fields = [f.name for f in PollCursor._meta.fields]
