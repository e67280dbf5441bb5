"""Template context shared by every page: the navigation the apps registered, organization, bell."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from .navigation import bell, nav_entries


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool
    badge: int | None = None


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "current_organization": None, "notifications_url": None}
    items = []
    for entry in nav_entries():
        if entry.roles is not None and user.role not in entry.roles:
            continue
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:
            continue  # the app that serves it is not installed
        badge = entry.badge(user) if entry.badge is not None else None
        items.append(NavItem(entry.label, url, request.path.startswith(url) and url != "/", badge))
    context = {"nav_items": items, "current_organization": user.organization, "notifications_url": None}
    notifications = bell()
    if notifications is not None:
        try:
            context["notifications_url"] = reverse(notifications.url_name)
        except NoReverseMatch:
            pass
        else:
            context["unread_notifications"] = notifications.unread(user)
    return context
