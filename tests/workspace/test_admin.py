"""The admin shows the timeline but cannot change it."""

import pytest

from .helpers import open_case

pytestmark = pytest.mark.django_db


def test_timeline_is_read_only_in_the_admin(client, retail_admin, agent, partner_a):
    retail_admin.is_staff = retail_admin.is_superuser = True
    retail_admin.save()
    case = open_case(agent, partner_a)
    event = case.timeline.first()
    client.force_login(retail_admin)
    url = f"/admin/workspace/timelineevent/{event.pk}/change/"
    response = client.get(url)
    assert response.status_code == 200
    assert 'name="summary"' not in response.text
    assert client.post(url, {"summary": "rewritten"}).status_code == 403
    assert client.post(f"/admin/workspace/timelineevent/{event.pk}/delete/", {"post": "yes"}).status_code == 403
    event.refresh_from_db()
    assert event.summary.startswith("Opened")
