"""Requirements are defined here, in Django's admin (the retailer's administrators' tool);
requests and their versions are shown read-only: they change only through the review."""

from django.contrib import admin

from .models import DocumentRequest, DocumentRequirement, DocumentSubmission


@admin.register(DocumentRequirement)
class DocumentRequirementAdmin(admin.ModelAdmin):
    list_display = [
        "document_type",
        "custom_label",
        "partner",
        "origin_country",
        "destination_country",
        "order_type",
        "needed_before_shipping",
        "per_shipment",
        "dated",
        "is_active",
    ]
    list_filter = ["document_type", "needed_before_shipping", "is_active", "partner"]
    search_fields = ["partner__name", "document_type", "custom_label", "order_type"]
    list_editable = ["needed_before_shipping", "is_active"]
    fieldsets = [
        (None, {"fields": ["partner", "document_type", "custom_label", "instructions"]}),
        (
            "Which orders",
            {
                "fields": ["origin_country", "destination_country", "order_type"],
                "description": "Empty means any. Countries are ISO codes (CN, US, DE).",
            },
        ),
        (
            "Rules",
            {
                "fields": [
                    "needed_before_shipping",
                    "per_shipment",
                    "dated",
                    "due_days",
                    "is_active",
                ]
            },
        ),
    ]


class SubmissionInline(admin.TabularInline):
    model = DocumentSubmission
    extra = 0
    can_delete = False
    fields = [
        "number",
        "file_version",
        "submitted_label",
        "submitted_at",
        "outcome",
        "reviewed_label",
        "reviewed_at",
        "rejection_reason",
        "issue_date",
        "expiry_date",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DocumentRequest)
class DocumentRequestAdmin(admin.ModelAdmin):
    list_display = [
        "request_id",
        "document_type",
        "order_number",
        "shipment_ref",
        "partner",
        "needed_before_shipping",
        "expiry_date",
    ]
    list_filter = ["document_type", "needed_before_shipping"]
    search_fields = ["request_id", "order_number", "partner__name"]
    inlines = [SubmissionInline]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
