"""Admin: routing rules are edited here; the mirror is read-only."""

from django.contrib import admin
from django.utils.html import format_html_join

from apps.core.admin import ReadOnlyAdminMixin
from apps.workspace.models import Case

from .models import Order, OrderLine, RoutingRule, Shipment


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["match_type", "value", "partner", "priority", "is_active"]
    list_filter = ["match_type", "is_active"]
    search_fields = ["value", "partner__name", "partner__code", "note"]
    autocomplete_fields = ["partner"]
    list_editable = ["priority", "is_active"]


class ShipmentInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Shipment
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


class LineInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OrderLine
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


@admin.register(Order)
class OrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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
    search_fields = ["order_no", "customer_name"]
    inlines = [LineInline, ShipmentInline]
    readonly_fields = [f.name for f in Order._meta.fields] + ["cases"]

    @admin.display(description="Cases about this order")
    def cases(self, obj: Order) -> str:
        rows = Case.objects.filter(order_number=obj.order_no).select_related("partner")
        return format_html_join(
            ", ",
            '<a href="{}">{}</a> {} · {} · {}',
            (
                (c.get_absolute_url(), c.reference, c.get_kind_display(), c.partner, c.status)
                for c in rows.order_by("id")
            ),
        ) or "—"
