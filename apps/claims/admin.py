"""Admin: claims are read here; they change only through the workflow's steps."""

from django.contrib import admin

from apps.core.admin import ReadOnlyAdminMixin

from .models import Claim


@admin.register(Claim)
class ClaimAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "order_number",
        "claim_type",
        "reason_code",
        "partner",
        "case",
        "claimed_value",
        "currency",
        "decision",
        "credit_amount",
        "disputed_at",
        "created_at",
    ]
    list_filter = ["claim_type", "reason_code", "decision", "source"]
    search_fields = ["order_number", "partner__name", "external_ref"]
    list_select_related = ["partner", "case"]
    readonly_fields = [f.name for f in Claim._meta.fields]
