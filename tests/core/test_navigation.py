"""The navigation comes from the apps' registrations: each role sees its entries, the bell its count."""

import pytest

from apps.core import navigation
from apps.partners.roles import Role
from apps.workspace.models import Notification
from tests.factories import internal_user
from tests.workspace.helpers import open_case

pytestmark = pytest.mark.django_db
# "Launches": apps/launches; "Drop-ship agreements": apps/fulfillment.
OPERATIONS_NAV = [
    "Inbox",
    "Orders",
    "Launches",
    "Operations",
    "EDI ledger",
    "Drop-ship agreements",
    "Partners",
    "API",
]


def nav_labels(client, user) -> list[str]:
    client.force_login(user)
    response = client.get("/", follow=True)
    assert response.status_code == 200
    return [item.label for item in response.context["nav_items"]]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Role.AGENT, ["Inbox", "Orders", "Partners"]),
        (Role.OPERATIONS, OPERATIONS_NAV),
        (Role.ADMIN, OPERATIONS_NAV),
        (Role.MERCHANDISER, ["Inbox", "Demand plans", "Launches", "Partners"]),
    ],
)
def test_internal_roles_see_what_their_role_opens(client, role, expected):
    assert nav_labels(client, internal_user(role)) == expected


def test_partners_see_their_organization_and_the_api_only_as_admins(client, user_a, admin_a):
    assert nav_labels(client, user_a) == ["Inbox", "My organization"]
    assert nav_labels(client, admin_a) == ["Inbox", "My organization", "API"]


def test_an_entry_whose_app_is_missing_is_left_out(client, user_a, monkeypatch):
    monkeypatch.setattr(navigation, "_ENTRIES", dict(navigation._ENTRIES))
    navigation.register_nav("Launches", "launches:calendar", order=20)
    assert "Launches" not in nav_labels(client, user_a)


def test_the_bell_counts_unread_notifications(client, user_a, agent, partner_a):
    open_case(agent, partner_a)
    client.force_login(user_a)
    response = client.get("/", follow=True)
    unread = Notification.objects.filter(user=user_a, read_at__isnull=True).count()
    assert response.context["notifications_url"] == "/notifications/"
    assert response.context["unread_notifications"] == unread > 0
