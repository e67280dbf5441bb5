"""Tenancy matrix: every page and API route, walked as a user of another partner, leaks nothing.

Partner A's case carries a marker in its subject, message and file. A user of partner B asks
every route there is (with A's object ids filled in where a route takes one) by GET and POST;
no answer may contain the marker, and no write may change A's case.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from apps.partners import services as partner_services
from apps.workspace import services
from apps.workspace.choices import Channel
from apps.workspace.models import Case
from tests.orders.helpers import mirror_order
from tests.workspace.helpers import open_case, pdf

MARKER = "zebra-marker-7731"
SKIPPED_PREFIXES = ("admin/", "accounts/", "static/", "health/", "api/schema", "api/docs", "__")
# Pages that name their object in the query string (url name → query, filled from `ids`).
QUERIES = {
    "order_list": "?q={order_no}",
    "escalate": "?order={order_no}&partner={partner_a}",
    "exception_open": "?order={order_no}&partner={partner_a}",
}
PARAM = re.compile(r"<(?:(?P<conv>\w+):)?(?P<name>\w+)>|\(\?P<(?P<rname>\w+)>[^)]*\)")


def walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name or ""


def fill(route: str, ids: dict) -> str | None:
    path = route.lstrip("^").rstrip("$").replace("\\.", ".")
    path = re.sub(r"\(\?P<format>[^)]*\)", "", path)
    path = path.replace("\\Z", "").replace("/?", "/")

    def value(match):
        name = match.group("name") or match.group("rname")
        return str(ids.get(name, ids["pk"]))

    filled = PARAM.sub(value, path)
    if any(ch in filled for ch in "()[]^$?*+\\"):
        return None
    return "/" + filled


@pytest.mark.django_db
def test_no_route_leaks_partner_a_to_partner_b(client, api_client, agent, partner_a, user_a, partner_b, user_b, retail_admin):
    case = open_case(agent, partner_a, subject=f"Shortage {MARKER}", body=f"body {MARKER}")
    services.file_upload(actor=user_a, channel=Channel.WEB, case=case, name=f"{MARKER}.pdf", content=pdf())
    key, secret = partner_services.api_key_issue(
        actor=retail_admin, organization=partner_b, name="B ERP", scopes=["cases:read", "cases:write"]
    )
    version = case.attachments.get().current_version
    order = mirror_order(
        "00077310",
        lines=[{"productId": "SKU-A", "productName": f"Tent {MARKER}", "c_supplierId": partner_a.code}],
        customer={"email": f"{MARKER}@example.com", "name": f"Customer {MARKER}"},
    )
    ids = {
        "pk": case.pk, "id": case.pk, "case_pk": case.pk, "case_id": case.pk,
        "slug": partner_a.slug, "token": "x", "version_pk": version.pk,
        "order_no": order.order_no, "partner_a": partner_a.pk,
    }
    before = Case.objects.get(pk=case.pk)
    routes = [(route, name) for route, name in walk(get_resolver().url_patterns)
              if not route.startswith(SKIPPED_PREFIXES)]
    assert len(routes) > 15
    client.force_login(user_b)
    checked = 0
    for route, name in routes:
        url = fill(route, ids)
        if url is None:
            continue
        file_url = fill(route, {**ids, "pk": version.pk}) if "file" in name else None
        query_url = url + QUERIES[name].format(**ids) if name in QUERIES else None
        for target in filter(None, {url, file_url, query_url}):
            for response in (
                client.get(target),
                client.post(target, {"body": "x", "transition": "respond", "watch": "1"}),
                api_client.get(target, HTTP_AUTHORIZATION=f"Bearer {secret}"),
                api_client.post(target, {"body": "x", "transition": "respond"}, format="json", HTTP_AUTHORIZATION=f"Bearer {secret}"),
            ):
                body = b"".join(response.streaming_content) if response.streaming else response.content
                assert MARKER.encode() not in body, f"{target} ({name}) leaked to partner B"
                checked += 1
    assert checked > 40
    after = Case.objects.get(pk=case.pk)
    assert (after.status, after.message_count, after.owner_id) == (before.status, before.message_count, before.owner_id)
