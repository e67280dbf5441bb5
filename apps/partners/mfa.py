"""Account access policy: two-factor sign-in, and no session for a deactivated organization.

Two-factor sign-in by policy: who must have it, and a middleware that sends them to enrol.

allauth asks an enrolled user for a code at every sign-in but cannot require anyone to enrol.
Required: internal users, staff and superusers, and partner administrators always; partner
members when their organization asks for it (`Organization.require_mfa`). Until enrolled,
such a user reaches only enrolment, sign-out and static files; the API refuses their session.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .roles import INTERNAL_ROLES, Role

# Paths an unenrolled user may still reach: the enrolment itself (and allauth's steps around
# it, such as re-entering the password), signing out, and what pages need to render.
ALLOWED_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/accounts/reauthenticate/", "/static/")
ALWAYS_ALLOWED = ("/health/",)


def mfa_required(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if user.is_staff or user.is_superuser:
        return True
    membership = user.membership
    return membership is not None and mfa_required_for_role(
        membership.role, membership.organization
    )


def mfa_required_for_role(role: str, organization) -> bool:
    if role in INTERNAL_ROLES or role == Role.PARTNER_ADMIN:
        return True
    return bool(organization.require_mfa)


def mfa_enrolled(user) -> bool:
    return Authenticator.objects.filter(
        user=user, type__in=(Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)
    ).exists()


ENROLLED_KEY = "mfa_policy_enrolled"


def _enrolled(request, user) -> bool:
    """Asked once per session (a query per page otherwise); removing an authenticator clears it."""
    if not mfa_enrolled(user):
        return False
    request.session[ENROLLED_KEY] = user.pk
    return True


def forget_enrolment(sender=None, request=None, **kwargs) -> None:
    """allauth's authenticator_removed signal: check the policy again at the next request."""
    if request is not None:
        request.session.pop(ENROLLED_KEY, None)


class RequireMfaMiddleware:
    """Send a signed-in user whom policy requires to use two-factor sign-in to enrol first."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        path = request.path
        membership = user.membership if user is not None and user.is_authenticated else None
        if membership is not None and not membership.organization.is_active:
            # A deactivated organization's people keep no session (API keys stop already).
            logout(request)
            if path.startswith("/api/"):
                return JsonResponse(
                    {"error": {"code": "not_authenticated", "message": "Sign in again."}},
                    status=403,
                )
            return redirect(reverse("account_login"))
        if (
            user is not None
            and user.is_authenticated
            and not path.startswith(ALLOWED_PREFIXES + ALWAYS_ALLOWED)
            and request.session.get(ENROLLED_KEY) != user.pk
            and mfa_required(user)
            and not _enrolled(request, user)
        ):
            if path.startswith("/api/"):
                return JsonResponse(
                    {
                        "error": {
                            "code": "mfa_required",
                            "message": "Set up two-factor sign-in in the portal first.",
                        }
                    },
                    status=403,
                )
            query = urlencode({"next": request.get_full_path()})
            return redirect(f"{reverse('mfa_activate_totp')}?{query}")
        return self.get_response(request)
