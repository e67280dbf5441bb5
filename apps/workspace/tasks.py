"""Workspace tasks: notification e-mails, the daily digest, and the SLA sweep."""

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .choices import Side
from .clock import due_soon_threshold
from .models import Notification, SlaWait
from .models.notifications import EventType
from .notify import notify, partner_members, stakeholders

TASK_OPTIONS = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "ignore_result": True,
    "time_limit": 120,
    "soft_time_limit": 100,
}
NOTIFICATION_LINK_SALT = "crossdock.notification-link"


def notification_link(notification: Notification) -> str:
    """A signed link that opens the case after login. It names a case; it grants nothing."""
    token = signing.dumps(notification.pk, salt=NOTIFICATION_LINK_SALT)
    return f"{settings.SITE_URL}{reverse('workspace:notification_open', args=[token])}"


@shared_task(**TASK_OPTIONS)
def send_notification_emails(notification_ids: list[int]) -> int:
    sent = 0
    for notification in Notification.objects.filter(pk__in=notification_ids, emailed_at__isnull=True).select_related(
        "user", "case"
    ):
        if not notification.user.is_active:
            continue
        context = {"notification": notification, "url": notification_link(notification)}
        send_mail(
            subject=f"[Crossdock] {notification.title}",
            message=render_to_string("workspace/email/notification.txt", context),
            from_email=None,
            recipient_list=[notification.user.email],
        )
        # Marked one by one, so a retry after a crash re-sends at most one e-mail.
        Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
        sent += 1
    return sent


@shared_task(**TASK_OPTIONS)
def send_daily_digests() -> int:
    """One e-mail per user with everything they chose to hear of once a day."""
    users = Notification.objects.filter(in_digest=True).values_list("user_id", flat=True).distinct()
    sent = 0
    for user_id in list(users):
        with transaction.atomic():
            batch = list(
                Notification.objects.select_for_update()
                .filter(user_id=user_id, in_digest=True)
                .select_related("user", "case")
                .order_by("created_at")
            )
            if not batch or not batch[0].user.is_active:
                Notification.objects.filter(pk__in=[n.pk for n in batch]).update(in_digest=False)
                continue
            items = [{"notification": n, "url": notification_link(n)} for n in batch]
            send_mail(
                subject=f"[Crossdock] Your daily digest: {len(batch)} update{'s' if len(batch) != 1 else ''}",
                message=render_to_string("workspace/email/digest.txt", {"items": items, "user": batch[0].user}),
                from_email=None,
                recipient_list=[batch[0].user.email],
            )
            Notification.objects.filter(pk__in=[n.pk for n in batch]).update(in_digest=False, emailed_at=timezone.now())
            sent += 1
    return sent


@shared_task(**TASK_OPTIONS)
def sweep_sla(now_iso: str | None = None) -> dict:
    """Record breaches and warn before them; each wait is flagged once, so reruns are harmless."""
    now = timezone.datetime.fromisoformat(now_iso) if now_iso else timezone.now()
    breached = due_soon = 0
    open_waits = SlaWait.objects.filter(ended_at__isnull=True, case__is_open=True).select_related(
        "case", "case__partner", "case__owner", "case__assignee"
    )
    for wait in open_waits.filter(breached_at__isnull=True, due_at__lte=now).iterator(chunk_size=500):
        with transaction.atomic():
            if SlaWait.objects.filter(pk=wait.pk, breached_at__isnull=True).update(breached_at=wait.due_at) != 1:
                continue
            _sla_notify(wait, EventType.SLA_BREACHED, f"SLA breached on {wait.case.reference}")
            breached += 1
    horizon = now + timedelta(hours=2)
    for wait in open_waits.filter(breached_at__isnull=True, due_soon_notified=False, due_at__gt=now, due_at__lte=horizon):
        if now < due_soon_threshold(wait):
            continue
        with transaction.atomic():
            if SlaWait.objects.filter(pk=wait.pk, due_soon_notified=False).update(due_soon_notified=True) != 1:
                continue
            _sla_notify(wait, EventType.SLA_DUE_SOON, f"SLA due soon on {wait.case.reference}")
            due_soon += 1
    return {"breached": breached, "due_soon": due_soon}


def _sla_notify(wait: SlaWait, event_type: str, title: str) -> None:
    case = wait.case
    recipients = stakeholders(case)
    if wait.side == Side.PARTNER:
        recipients += list(partner_members(case)) if case.assignee is None else []
    notify(case=case, event_type=event_type, recipients=recipients, title=f"{title}: {case.subject}")
