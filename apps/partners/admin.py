"""Admin for organizations, contacts, memberships, invitations and API keys."""

from django.contrib import admin

from .models import ApiKey, Contact, Invitation, Membership, Organization


class ContactInline(admin.TabularInline):
    model = Contact
    extra = 0


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = [
        "name", "kind", "code", "tg_qualifier", "tg_id", "channel", "is_active", "require_mfa"
    ]
    list_filter = ["kind", "channel", "edi_standard", "is_active"]
    search_fields = ["name", "code", "tg_id"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [ContactInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__email", "organization__name"]
    raw_id_fields = ["user"]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organization", "role", "created_at", "expires_at", "accepted_at", "revoked_at"]
    list_filter = ["role"]
    search_fields = ["email", "organization__name"]
    readonly_fields = ["nonce", "accepted_at"]


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ["name", "organization", "prefix", "scopes", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["prefix", "secret_hash", "created_at", "last_used_at"]
    search_fields = ["name", "prefix", "organization__name"]

    def has_add_permission(self, request) -> bool:
        # Keys are issued on the organization page, which shows the secret once.
        return False
