"""Reads for the workspace, scoped to the actor and prefetched for the page that asks."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404

from .models import Attachment, Case, FileVersion, Message, Notification, TimelineEvent


def cases_for_actor(*, actor):
    """The base of every case list: scoped, with what a list row shows."""
    return Case.objects.for_actor(actor).select_related("partner", "owner", "assignee")


def case_detail(*, actor, pk: int) -> Case:
    return get_object_or_404(
        cases_for_actor(actor=actor).prefetch_related("tags", "watchers"), pk=pk
    )


def case_messages(*, actor, case: Case):
    return (
        Message.objects.for_actor(actor)
        .filter(case=case)
        .select_related("author", "author_organization")
        .prefetch_related(
            Prefetch(
                "attachments",
                queryset=Attachment.objects.for_actor(actor).select_related("current_version"),
            ),
        )
        .order_by("created_at", "id")
    )


def case_attachments(*, actor, case: Case):
    return (
        Attachment.objects.for_actor(actor)
        .filter(case=case)
        .select_related("current_version", "current_version__uploaded_by")
        .prefetch_related(Prefetch("versions", queryset=FileVersion.objects.select_related("uploaded_by").order_by("-number")))
    )


def case_timeline(*, actor, case: Case):
    return TimelineEvent.objects.for_actor(actor).filter(case=case).select_related("actor").order_by("-created_at", "-id")


def related_cases(*, actor, case: Case, limit: int = 10):
    if not case.order_number:
        return Case.objects.none()
    return (
        cases_for_actor(actor=actor)
        .filter(order_number=case.order_number)
        .exclude(pk=case.pk)
        .order_by("-last_activity_at")[:limit]
    )


def file_version_for_actor(*, actor, pk: int) -> FileVersion:
    return get_object_or_404(
        FileVersion.objects.for_actor(actor).select_related("attachment", "attachment__case"), pk=pk
    )


def notifications_for_actor(*, actor):
    qs = Notification.objects.for_actor(actor).select_related("case")
    # A notification names a case; it shows only while the case is still visible to its reader.
    return qs.filter(case__in=Case.objects.for_actor(actor).values("pk"))


def unread_notification_count(*, user) -> int:
    return notifications_for_actor(actor=user).unread().count()
