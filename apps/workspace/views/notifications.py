"""The notifications page, preferences, and the signed link in notification e-mails."""

from django.contrib import messages
from django.core import signing
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .. import selectors
from ..models import Notification, NotificationPreference
from ..models.notifications import Delivery, EventType
from ..tasks import NOTIFICATION_LINK_SALT


def notification_list(request):
    notifications = selectors.notifications_for_actor(actor=request.user)
    show = request.GET.get("show", "unread")
    if show == "unread":
        notifications = notifications.unread()
    context = {"notifications": notifications[:200], "show": show}
    return render(request, "workspace/notifications.html", context)


@require_POST
def notifications_mark_read(request):
    qs = selectors.notifications_for_actor(actor=request.user).unread()
    ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()]
    if ids:
        qs = qs.filter(pk__in=ids)
    count = qs.update(read_at=timezone.now())
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    return redirect("workspace:notifications")


def notification_preferences(request):
    current = dict(
        NotificationPreference.objects.filter(user=request.user).values_list("event_type", "delivery")
    )
    if request.method == "POST":
        for event_type in EventType:
            choice = request.POST.get(event_type.value)
            if choice in Delivery.values:
                NotificationPreference.objects.update_or_create(
                    user=request.user, event_type=event_type, defaults={"delivery": choice}
                )
        messages.success(request, "Your notification preferences are saved.")
        return redirect("workspace:notification_preferences")
    rows = [(event, current.get(event.value, Delivery.IMMEDIATE)) for event in EventType]
    return render(request, "workspace/notification_preferences.html", {"rows": rows, "deliveries": Delivery.choices})


def notification_open(request, token: str):
    """Open the case a notification names. The link only points; the case page checks access."""
    try:
        pk = signing.loads(token, salt=NOTIFICATION_LINK_SALT)
    except signing.BadSignature:
        messages.error(request, "That link is not valid.")
        return redirect("workspace:inbox")
    notification = Notification.objects.for_actor(request.user).filter(pk=pk).select_related("case").first()
    if notification is None:
        messages.error(request, "That notification is not yours.")
        return redirect("workspace:inbox")
    if notification.read_at is None:
        Notification.objects.filter(pk=notification.pk).update(read_at=timezone.now())
    return redirect(notification.case.get_absolute_url())
