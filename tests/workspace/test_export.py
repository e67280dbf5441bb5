"""The inbox's CSV export: same scope and filters as the page, case fields only."""

import csv
import io

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse

from apps.workspace import services
from apps.workspace.choices import CaseKind, Channel, Visibility
from apps.workspace.views.inbox import EXPORT_COLUMNS

from .helpers import open_case
from .test_inbox import make_case

pytestmark = pytest.mark.django_db

EXPORT = reverse("workspace:inbox_export")


def export(client, **params) -> list[dict]:
    response = client.get(EXPORT, params)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="crossdock-cases-')
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == EXPORT_COLUMNS
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_export_columns_and_values(client, agent, partner_a):
    case = open_case(agent, partner_a, subject="Broken seal", order_number="SO-1001")
    client.force_login(agent)
    [row] = export(client)
    assert row["reference"] == case.reference
    assert row["subject"] == "Broken seal"
    assert row["kind"] == "General question"
    assert row["partner"] == partner_a.name
    assert row["status"] == "Open"
    assert row["priority"] == "Normal"
    assert row["turn"] == "Partner"
    assert row["due"] == case.due_at.isoformat()
    assert row["owner"] == agent.get_full_name()
    assert row["assignee"] == ""
    assert row["order number"] == "SO-1001"


def test_export_is_scoped_like_the_page(client, agent, partner_a, partner_b, user_a):
    mine = open_case(agent, partner_a, subject="Ours")
    open_case(agent, partner_b, subject="Theirs")
    client.force_login(user_a)
    assert [r["reference"] for r in export(client, turn="any")] == [mine.reference]
    # The partner's default (what waits on them) applies to the export as to the page.
    assert [r["reference"] for r in export(client)] == [mine.reference]
    assert export(client, q="Theirs", turn="any") == []


def test_export_applies_filters(client, agent, partner_a):
    make_case(partner_a, kind=CaseKind.CLAIM, subject="A claim")
    make_case(partner_a, kind=CaseKind.DROPSHIP, subject="An escalation")
    make_case(partner_a, status="closed", subject="Done")
    client.force_login(agent)
    assert [r["subject"] for r in export(client, kind="claim")] == ["A claim"]
    assert {r["subject"] for r in export(client, open="all")} == {
        "A claim",
        "An escalation",
        "Done",
    }


def test_export_has_no_message_text(client, agent, partner_a, user_a):
    case = open_case(agent, partner_a, subject="Dented cans", body="Opening message quokka")
    services.message_post(actor=agent, channel=Channel.WEB, case=case, body="Shared reply wombat")
    services.message_post(
        actor=agent,
        channel=Channel.WEB,
        case=case,
        body="Internal note platypus",
        visibility=Visibility.INTERNAL,
    )
    for user in (agent, user_a):
        client.force_login(user)
        response = client.get(EXPORT, {"turn": "any"})
        text = b"".join(response.streaming_content).decode()
        assert "Dented cans" in text
        for secret in ("quokka", "wombat", "platypus"):
            assert secret not in text


def test_export_defuses_spreadsheet_formulas(client, agent, partner_a):
    make_case(partner_a, subject='=HYPERLINK("http://evil")')
    client.force_login(agent)
    [row] = export(client)
    assert row["subject"].startswith("'=")
