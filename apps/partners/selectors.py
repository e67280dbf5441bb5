"""Reads for organizations, scoped to the actor."""

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


def organization_pending_invitations(*, actor, organization: Organization):
    return Invitation.objects.for_actor(actor).filter(organization=organization).pending()
