"""Admin for the connector: the ledger read-only (it is a record), profiles editable."""

from django.contrib import admin

from apps.core.admin import ReadOnlyAdminMixin

from .models import Alert, ControlNumberSequence, Interchange, PartnerProfile

# Read-only: the ledger records what crossed the mailbox; editing it would rewrite history.


@admin.register(Interchange)
class InterchangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "id",
        "direction",
        "partner",
        "standard",
        "document_type",
        "event_type",
        "interchange_control",
        "group_control",
        "transaction_control",
        "status",
        "created_at",
    ]
    list_filter = ["direction", "standard", "status", "partner"]
    search_fields = [
        "interchange_control",
        "group_control",
        "transaction_control",
        "document_id",
        "file_name",
    ]
    raw_id_fields = ["case", "acknowledgement", "answers"]


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["id", "kind", "partner", "created_at", "resolved_at"]
    list_filter = ["kind", "resolved_at"]


@admin.register(ControlNumberSequence)
class ControlNumberSequenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["sender", "receiver", "kind", "last"]


@admin.register(PartnerProfile)
class PartnerProfileAdmin(admin.ModelAdmin):
    list_display = ["organization", "document_types", "ack_deadline_minutes", "updated_at"]
    raw_id_fields = ["organization"]
