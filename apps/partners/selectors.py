"""Reads for organizations, scoped to the actor, and the active members other apps choose from."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Count, Q

from .models import Invitation, Membership, Organization


def organization_list_for_actor(*, actor, search: str = "", kind: str = ""):
    qs = Organization.objects.for_actor(actor).annotate(
        member_count=Count("memberships", filter=Q(memberships__is_active=True))
    )
    if search:
        qs = qs.filter(Q(name__icontains=search) | Q(code__icontains=search) | Q(tg_id__icontains=search))
    if kind:
        qs = qs.filter(kind=kind)
    return qs


def organization_detail(*, actor, slug: str) -> Organization:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(Organization.objects.for_actor(actor), slug=slug)


def organization_members(*, actor, organization: Organization):
    return (
        Membership.objects.for_actor(actor)
        .filter(organization=organization, is_active=True)
        .select_related("user")
    )


def active_members(*, organization_id: int | None = None, roles: Iterable[str] | None = None):
    """Active users with an active membership: of one organization, in these roles, or both.

    Not scoped to an actor: callers fill in choices or recipients for a case or page the
    actor has already reached through its scope.
    """
    memberships = Membership.objects.filter(is_active=True)
    if organization_id is not None:
        memberships = memberships.filter(organization_id=organization_id)
    if roles is not None:
        memberships = memberships.filter(role__in=roles)
    return get_user_model().objects.filter(is_active=True, pk__in=memberships.values("user_id"))


def membership_of(user) -> Membership | None:
    """A user's active membership, with its organization: where their role and scope come from."""
    return Membership.objects.select_related("organization").filter(user=user, is_active=True).first()


def organization_pending_invitations(*, actor, organization: Organization):
    return Invitation.objects.for_actor(actor).filter(organization=organization).pending()
