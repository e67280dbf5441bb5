"""Writes for organizations: invitations, memberships and API keys."""

import hashlib
import secrets
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from apps.core.errors import Conflict, DomainError, NotAllowed

from .models import ApiKey, Invitation, Membership, Organization
from .roles import INTERNAL_ROLES, PARTNER_ROLES, OrganizationKind, Role
from .tenancy import scope_of

INVITATION_SALT = "crossdock.invitation"
API_KEY_SCOPES = ("cases:read", "cases:write")


def can_invite(*, actor, organization: Organization, role: str) -> bool:
    """Administrators invite anyone; partner administrators invite colleagues of their own."""
    scope = scope_of(actor)
    if scope.internal and scope.role == Role.ADMIN:
        if organization.is_internal:
            return role in INTERNAL_ROLES
        return role in PARTNER_ROLES
    return (
        scope.role == Role.PARTNER_ADMIN
        and scope.partner_id == organization.pk
        and role in PARTNER_ROLES
    )


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=INVITATION_SALT)


def invitation_url(invitation: Invitation) -> str:
    path = reverse("partners:invitation_accept", kwargs={"token": invitation_token(invitation)})
    return f"{settings.SITE_URL}{path}"


def invitation_create(*, actor, organization: Organization, email: str, role: str) -> Invitation:
    if not can_invite(actor=actor, organization=organization, role=role):
        raise NotAllowed("You may not invite people with that role to this organization.")
    email = email.strip().lower()
    User = get_user_model()
    if User.objects.filter(email__iexact=email, is_active=True).exists():
        raise DomainError("Someone with that e-mail address already has an account.", fields={"email": ["Already a user."]})
    with transaction.atomic():
        Invitation.objects.filter(
            organization=organization, email=email, accepted_at__isnull=True, revoked_at__isnull=True
        ).update(revoked_at=timezone.now())
        invitation = Invitation.objects.create(
            organization=organization,
            email=email,
            role=role,
            invited_by=actor if getattr(actor, "pk", None) else None,
            expires_at=timezone.now() + timedelta(days=settings.INVITATION_MAX_AGE_DAYS),
        )
        url = invitation_url(invitation)
        transaction.on_commit(lambda: _send_invitation(invitation=invitation, url=url))
    return invitation


def _send_invitation(*, invitation: Invitation, url: str) -> None:
    context = {"invitation": invitation, "url": url}
    send_mail(
        subject=f"You're invited to {invitation.organization.name} on Crossdock",
        message=render_to_string("partners/email/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


def invitation_from_token(token: str) -> Invitation:
    """The pending invitation a link names; any tampering, expiry or reuse is refused."""
    max_age = timedelta(days=settings.INVITATION_MAX_AGE_DAYS)
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise DomainError("This invitation link has expired. Ask for a new one.") from exc
    except signing.BadSignature as exc:
        raise DomainError("This invitation link is not valid.") from exc
    invitation = (
        Invitation.objects.select_related("organization").filter(pk=data.get("i"), nonce=data.get("n")).first()
    )
    if invitation is None:
        raise DomainError("This invitation link is not valid.")
    if invitation.accepted_at is not None:
        raise Conflict("This invitation has already been used. Sign in instead.")
    if not invitation.is_pending:
        raise DomainError("This invitation is no longer valid. Ask for a new one.")
    if not invitation.organization.is_active:
        raise DomainError("This organization no longer uses the portal.")
    return invitation


def invitation_accept(*, token: str, full_name: str, password: str):
    """Create the account the invitation promised; the link works once."""
    with transaction.atomic():
        invitation = invitation_from_token(token)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise Conflict("This invitation has already been used. Sign in instead.")
        User = get_user_model()
        if User.objects.filter(email__iexact=invitation.email).exists():
            raise Conflict("An account with this e-mail address already exists. Sign in instead.")
        user = User.objects.create_user(invitation.email, password, full_name=full_name.strip())
        Membership.objects.create(user=user, organization=invitation.organization, role=invitation.role)
        # The link reached this address, which proves the person owns it.
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
        invitation.accepted_at = timezone.now()
        invitation.save(update_fields=["accepted_at"])
    return user


def invitation_revoke(*, actor, invitation: Invitation) -> None:
    if not can_invite(actor=actor, organization=invitation.organization, role=invitation.role):
        raise NotAllowed("You may not revoke this invitation.")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])


def membership_remove(*, actor, membership: Membership) -> None:
    """A partner administrator removes a colleague: the account is closed, its history kept."""
    scope = scope_of(actor)
    allowed = (scope.internal and scope.role == Role.ADMIN) or (
        scope.role == Role.PARTNER_ADMIN and scope.partner_id == membership.organization_id
    )
    if not allowed:
        raise NotAllowed("You may not remove members of this organization.")
    if membership.user_id == getattr(actor, "pk", None):
        raise DomainError("You cannot remove yourself. Ask another administrator.")
    with transaction.atomic():
        membership = Membership.objects.select_for_update().get(pk=membership.pk)
        membership.is_active = False
        membership.save(update_fields=["is_active"])
        user = membership.user
        user.is_active = False
        user.save(update_fields=["is_active"])


def _hash_secret(secret: str) -> str:
    # The secret is 32 random bytes, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(secret.encode()).hexdigest()


def api_key_issue(*, actor, organization: Organization, name: str, scopes: list[str]) -> tuple[ApiKey, str]:
    """Issue a key; the full secret is returned once and never stored."""
    scope = scope_of(actor)
    if not (scope.internal and scope.role == Role.ADMIN):
        raise NotAllowed("Only administrators issue API keys.")
    if organization.kind == OrganizationKind.INTERNAL:
        raise DomainError("API keys are for partner systems.")
    unknown = set(scopes) - set(API_KEY_SCOPES)
    if unknown or not scopes:
        raise DomainError("Choose at least one valid scope.", fields={"scopes": sorted(unknown)})
    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    key = ApiKey.objects.create(
        organization=organization,
        name=name,
        prefix=prefix,
        secret_hash=_hash_secret(secret),
        scopes=sorted(scopes),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    return key, f"cdk_{prefix}_{secret}"


def api_key_revoke(*, actor, api_key: ApiKey) -> None:
    scope = scope_of(actor)
    if not (scope.internal and scope.role == Role.ADMIN):
        raise NotAllowed("Only administrators revoke API keys.")
    api_key.revoked_at = timezone.now()
    api_key.save(update_fields=["revoked_at"])


def api_key_authenticate(raw: str) -> ApiKey | None:
    """The active key a raw `cdk_<prefix>_<secret>` string names, or None."""
    try:
        _, prefix, secret = raw.split("_", 2)
    except ValueError:
        return None
    key = ApiKey.objects.select_related("organization").active().filter(prefix=prefix).first()
    if key is None or not secrets.compare_digest(key.secret_hash, _hash_secret(secret)):
        return None
    if not key.organization.is_active:
        return None
    # Record use at most once a minute, so a busy partner system doesn't write on every call.
    now = timezone.now()
    if key.last_used_at is None or now - key.last_used_at > timedelta(minutes=1):
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
    return key
