"""Organizations, their contacts and members, invitations to join, and API keys."""

import secrets
from datetime import time

from django.conf import settings
from django.db import models
from django.utils import timezone

from .actors import PartnerSystemActor
from .roles import Channel, EdiStandard, OrganizationKind, Role
from .tenancy import TenantQuerySet, scope_of


class OrganizationQuerySet(models.QuerySet):
    def for_actor(self, actor):
        scope = scope_of(actor)
        if scope.internal:
            return self
        if scope.partner_id is not None:
            return self.filter(pk=scope.partner_id)
        return self.none()

    def partners(self):
        return self.exclude(kind=OrganizationKind.INTERNAL)


class Organization(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    kind = models.CharField(max_length=20, choices=OrganizationKind.choices)
    code = models.CharField(
        max_length=40,
        unique=True,
        help_text="The partner's id in SFCC order data (e.g. c_supplierId), used for routing.",
    )
    time_zone = models.CharField(max_length=64, default="UTC")
    business_day_start = models.TimeField(default=time(9))
    business_day_end = models.TimeField(default=time(17))
    business_weekdays = models.CharField(
        max_length=7, default="01234", help_text="Working weekdays, Monday = 0."
    )
    tg_qualifier = models.CharField("Trading Grid EDI qualifier", max_length=2, blank=True)
    tg_id = models.CharField("Trading Grid EDI ID", max_length=15, blank=True)
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.PORTAL)
    edi_standard = models.CharField(
        max_length=10, choices=EdiStandard.choices, default=EdiStandard.X12
    )
    edi_version = models.CharField(max_length=10, default="004010")
    is_active = models.BooleanField(default=True)
    require_mfa = models.BooleanField(
        "Require two-factor sign-in for all members",
        default=False,
        help_text="Partner administrators and internal users always need it; this extends it "
        "to every member.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["tg_qualifier", "tg_id"],
                condition=~models.Q(tg_id=""),
                name="unique_trading_grid_identity",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_internal(self) -> bool:
        return self.kind == OrganizationKind.INTERNAL

    @property
    def uses_trading_grid(self) -> bool:
        return bool(self.tg_id) and self.channel in (Channel.TRADING_GRID, Channel.BOTH)


class ContactQuerySet(TenantQuerySet):
    tenant_path = "organization"


class Contact(models.Model):
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=150)
    title = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)

    objects = ContactQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class MembershipQuerySet(TenantQuerySet):
    tenant_path = "organization"

    def for_actor(self, actor):
        scope = scope_of(actor)
        if scope.internal:
            return self
        if scope.partner_id is not None:
            return self.filter(organization_id=scope.partner_id)
        return self.none()


class Membership(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["organization__name", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()} at {self.organization}"


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


class InvitationQuerySet(TenantQuerySet):
    tenant_path = "organization"

    def pending(self):
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Part of the signed token: revoking or accepting rotates nothing, but a token minted for
    # an earlier invitation row can never match a later one.
    nonce = models.CharField(max_length=32, default=new_nonce, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email} to {self.organization}"

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None and self.revoked_at is None and self.expires_at > timezone.now()
        )


class ApiKeyQuerySet(TenantQuerySet):
    tenant_path = "organization"

    def active(self):
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """A partner system's credential. Only a SHA-256 of the secret is stored."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="api_keys"
    )
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    scopes = models.JSONField(default=list, help_text='e.g. ["cases:read", "cases:write"]')
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class ApiKeyActor(PartnerSystemActor):
    """The actor behind an API request signed with a partner's key."""

    def __init__(self, api_key: ApiKey):
        super().__init__(api_key.organization, f"{api_key.organization.name} system ({api_key.name})")
        self.api_key = api_key

    def has_scope(self, name: str) -> bool:
        return name in self.api_key.scopes
