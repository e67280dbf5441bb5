"""Template context shared by every page: navigation by role, organization, unread count."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from apps.partners.roles import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    active: bool
    badge: int | None = None


# (label, url name, roles that see it; None = everyone signed in)
NAVIGATION = [
    ("Inbox", "workspace:inbox", None),
    ("Launches", "launches:calendar", {Role.MERCHANDISER, Role.ADMIN, Role.PARTNER_ADMIN, Role.PARTNER_MEMBER}),
    ("Operations", "sync:operations", {Role.OPERATIONS, Role.ADMIN}),
    ("EDI ledger", "tradinggrid:ledger", {Role.OPERATIONS, Role.ADMIN}),
    ("Partners", "partners:organization_list", {Role.AGENT, Role.MERCHANDISER, Role.OPERATIONS, Role.ADMIN}),
    ("My organization", "partners:organization_list", {Role.PARTNER_ADMIN, Role.PARTNER_MEMBER}),
    ("API", "api_docs", {Role.ADMIN, Role.OPERATIONS, Role.PARTNER_ADMIN}),
]


def navigation(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "current_organization": None, "notifications_url": None}
    items = []
    for label, url_name, roles in NAVIGATION:
        if roles is not None and user.role not in roles:
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:
            continue  # the app that serves it is not installed
        items.append(NavItem(label, url, request.path.startswith(url) and url != "/"))
    context = {"nav_items": items, "current_organization": user.organization}
    try:
        context["notifications_url"] = reverse("workspace:notifications")
    except NoReverseMatch:
        context["notifications_url"] = None
    else:
        from apps.workspace.selectors import unread_notification_count

        context["unread_notifications"] = unread_notification_count(user=user)
    return context
