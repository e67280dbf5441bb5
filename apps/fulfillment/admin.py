"""Admin: agreements are edited here (and on the agreements page); dispatches are read-only."""

from django.contrib import admin

from apps.core.admin import ReadOnlyAdminMixin

from .models import ChangeRequest, Dispatch, PartnerAgreement


@admin.register(PartnerAgreement)
class PartnerAgreementAdmin(admin.ModelAdmin):
    list_display = [
        "partner",
        "ack_hours",
        "reminder_hours",
        "ship_days",
        "dispatch_all_lines",
        "is_active",
    ]
    list_filter = ["is_active", "dispatch_all_lines"]
    search_fields = ["partner__name", "partner__code"]
    autocomplete_fields = ["partner"]

    def save_model(self, request, obj, form, change):
        # Through the service, which checks the reminder comes before the deadline.
        from .services import AGREEMENT_FIELDS, agreement_save

        saved = agreement_save(
            actor=request.user,
            partner=obj.partner,
            **{name: getattr(obj, name) for name in AGREEMENT_FIELDS},
        )
        obj.pk = saved.pk


@admin.register(Dispatch)
class DispatchAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "po_number",
        "order_number",
        "partner",
        "fulfillment_type",
        "answer",
        "ack_due_at",
        "ship_by",
    ]
    list_filter = ["fulfillment_type", "answer"]
    search_fields = ["po_number", "order_number", "partner__name"]


@admin.register(ChangeRequest)
class ChangeRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["dispatch", "number", "kind", "outcome", "requested_at"]
    list_filter = ["kind", "outcome"]
