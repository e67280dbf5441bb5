"""Admin: exception rules and reason codes are edited here; the detail rows are read-only."""

from django.contrib import admin

from apps.core.admin import ReadOnlyAdminMixin

from . import codes
from .detection import rule_fields
from .models import Escalation, ExceptionDetail, ExceptionRule, ReasonCode


@admin.register(ExceptionRule)
class ExceptionRuleAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "field",
        "operator",
        "value",
        "exception_code",
        "exception_type",
        "party",
        "fallback_party",
        "case_priority",
        "rank",
        "is_active",
    ]
    list_filter = ["party", "is_active", "case_kind", "exception_type"]
    search_fields = ["name", "field", "value", "exception_code"]
    list_editable = ["rank", "is_active"]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A rule on a new c_ attribute must be kept by the next inbound reduction.
        rule_fields.forget()


@admin.register(ReasonCode)
class ReasonCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "list", "label", "is_active", "rank"]
    list_display_links = ["code"]
    list_filter = ["list", "is_active"]
    search_fields = ["code", "label"]
    list_editable = ["label", "is_active", "rank"]
    ordering = ["list", "rank", "label"]

    def get_readonly_fields(self, request, obj=None):
        # Cases keep the code: renaming it would orphan them. Change the label, or retire it.
        return ["list", "code"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        codes.forget()  # the forms and the inbox filters show the edit at once


@admin.register(ExceptionDetail)
class ExceptionDetailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "order_number",
        "code",
        "exception_type",
        "source",
        "partner",
        "case",
        "active",
        "detected_at",
        "cleared_at",
    ]
    list_filter = ["exception_type", "source", "active", "code"]
    search_fields = ["order_number", "partner__name", "code"]
    list_select_related = ["partner", "case"]
    readonly_fields = [f.name for f in ExceptionDetail._meta.fields]


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["order_number", "reason", "case", "root_cause_code", "plan_due", "created_at"]
    list_filter = ["reason", "root_cause_code"]
    search_fields = ["order_number", "tracking_number"]
    list_select_related = ["case"]
    readonly_fields = [f.name for f in Escalation._meta.fields]
