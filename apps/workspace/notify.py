"""Who hears of what: notifications are rows first, e-mails after commit."""

from collections.abc import Iterable

from django.db import transaction

from apps.partners.selectors import active_members
from apps.partners.tenancy import Scope

from .choices import Visibility
from .flows import kinds_for_role
from .models import Case, Notification, NotificationPreference
from .models.notifications import Delivery, EventType


def can_see(user, case: Case, visibility: str = Visibility.PARTNER) -> bool:
    """The same rule as `for_actor`, for one user and one case, without a query per user."""
    scope: Scope = user.scope
    if scope.internal:
        kinds = kinds_for_role(scope.role)
        return kinds is None or case.kind in kinds
    return scope.partner_id == case.partner_id and visibility == Visibility.PARTNER


def partner_members(case: Case):
    return active_members(organization_id=case.partner_id)


def stakeholders(case: Case) -> list:
    """Watchers, the owner and the assignee: the people a case's news is for."""
    people = {u.pk: u for u in case.watchers.filter(is_active=True)}
    for user in (case.owner, case.assignee):
        if user is not None and user.is_active:
            people[user.pk] = user
    return list(people.values())


def notify(
    *,
    case: Case,
    event_type: EventType,
    recipients: Iterable,
    title: str,
    body: str = "",
    actor=None,
    visibility: str = Visibility.PARTNER,
) -> list[Notification]:
    """Create notifications for those recipients who may see the case; e-mail after commit."""
    actor_pk = getattr(actor, "pk", None)
    chosen = {}
    for user in recipients:
        if user.pk == actor_pk or user.pk in chosen or not user.is_active:
            continue
        if can_see(user, case, visibility):
            chosen[user.pk] = user
    if not chosen:
        return []
    prefs = dict(
        NotificationPreference.objects.filter(user_id__in=chosen, event_type=event_type).values_list(
            "user_id", "delivery"
        )
    )
    rows = []
    for user_pk in chosen:
        delivery = prefs.get(user_pk, Delivery.IMMEDIATE)
        rows.append(
            Notification(
                user_id=user_pk,
                case=case,
                event_type=event_type,
                title=title[:300],
                body=body,
                in_digest=delivery == Delivery.DIGEST,
            )
        )
    created = Notification.objects.bulk_create(rows)
    immediate = [n.pk for n in created if prefs.get(n.user_id, Delivery.IMMEDIATE) == Delivery.IMMEDIATE]
    if immediate:
        from .tasks import send_notification_emails

        transaction.on_commit(lambda: send_notification_emails.delay(immediate))
    return created
