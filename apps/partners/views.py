"""Pages for organizations: the directory, an organization's page, invitations, members."""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from apps.core.errors import DomainError
from apps.core.pages import template_for

from . import selectors, services
from .forms import AcceptInvitationForm, InvitationForm
from .models import Invitation, Membership
from .roles import OrganizationKind, Role


def organization_list(request):
    if not request.user.is_internal:
        if request.user.organization is None:
            raise PermissionDenied("Your account is not linked to an organization yet.")
        return redirect("partners:organization_detail", slug=request.user.organization.slug)
    search = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    organizations = selectors.organization_list_for_actor(actor=request.user, search=search, kind=kind)
    context = {
        "organizations": organizations,
        "search": search,
        "kind": kind,
        "kinds": OrganizationKind.choices,
    }
    return render(request, template_for(request, "partners/organization_list.html", "rows"), context)


def organization_detail(request, slug):
    organization = selectors.organization_detail(actor=request.user, slug=slug)
    may_invite = any(
        services.can_invite(actor=request.user, organization=organization, role=role)
        for role in Role
    )
    context = {
        "organization": organization,
        "members": selectors.organization_members(actor=request.user, organization=organization),
        "invitations": selectors.organization_pending_invitations(
            actor=request.user, organization=organization
        )
        if may_invite
        else [],
        "contacts": organization.contacts.all(),
        "may_invite": may_invite,
        "invite_form": InvitationForm(organization=organization) if may_invite else None,
    }
    return render(request, "partners/organization_detail.html", context)


@require_POST
def invitation_create(request, slug):
    organization = selectors.organization_detail(actor=request.user, slug=slug)
    form = InvitationForm(request.POST, organization=organization)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                actor=request.user, organization=organization, **form.cleaned_data
            )
        except DomainError as exc:
            if isinstance(exc, services.NotAllowed):
                raise PermissionDenied(str(exc)) from exc
            form.add_error("email", str(exc))
        else:
            messages.success(request, f"Invitation sent to {invitation.email}.")
            return redirect("partners:organization_detail", slug=slug)
    context = {
        "organization": organization,
        "members": selectors.organization_members(actor=request.user, organization=organization),
        "invitations": selectors.organization_pending_invitations(
            actor=request.user, organization=organization
        ),
        "contacts": organization.contacts.all(),
        "may_invite": True,
        "invite_form": form,
    }
    return render(request, "partners/organization_detail.html", context, status=400)


@require_POST
def invitation_revoke(request, pk):
    invitation = get_object_or_404(Invitation.objects.for_actor(request.user), pk=pk)
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except DomainError as exc:
        raise PermissionDenied(str(exc)) from exc
    messages.success(request, f"Invitation for {invitation.email} revoked.")
    return redirect("partners:organization_detail", slug=invitation.organization.slug)


@require_POST
def membership_remove(request, pk):
    membership = get_object_or_404(
        Membership.objects.for_actor(request.user).select_related("user", "organization"), pk=pk
    )
    try:
        services.membership_remove(actor=request.user, membership=membership)
    except services.NotAllowed as exc:
        raise PermissionDenied(str(exc)) from exc
    except DomainError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"{membership.user} no longer has access.")
    return redirect("partners:organization_detail", slug=membership.organization.slug)


@login_not_required
def invitation_accept(request, token):
    try:
        invitation = services.invitation_from_token(token)
    except DomainError as exc:
        return render(request, "partners/invitation_invalid.html", {"reason": str(exc)}, status=400)
    form = AcceptInvitationForm(request.POST or None, email=invitation.email)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.invitation_accept(
                token=token,
                full_name=form.cleaned_data["full_name"],
                password=form.cleaned_data["password1"],
            )
        except DomainError as exc:
            return render(request, "partners/invitation_invalid.html", {"reason": str(exc)}, status=400)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome to Crossdock, {user.get_short_name()}.")
        return redirect("home")
    return render(request, "partners/invitation_accept.html", {"invitation": invitation, "form": form})
