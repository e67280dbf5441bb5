"""The workspace API: tenancy on every route, the workflow table, internal notes, uploads, keys."""

import io

import pytest
from django.conf import settings as django_settings
from django.test.client import encode_multipart
from django.urls import URLPattern, reverse
from rest_framework.test import APIClient

from apps.partners.services import api_key_issue
from apps.workspace import services
from apps.workspace.api import urls as api_urls
from apps.workspace.choices import CaseKind, Channel, Priority, Side, Visibility
from apps.workspace.flows import flows
from apps.workspace.models import Attachment, Case, FileVersion, Message, TimelineEvent
from apps.workspace.states import workflow_for
from tests.factories import member
from tests.support.payloads import sample_payload

from .helpers import PDF_BYTES, open_case

pytestmark = pytest.mark.django_db

BOUNDARY = "BoUnDaRyCrossdockApi"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"


# --- builders -----------------------------------------------------------------------------------


def issue_key(admin, organization, *scopes: str) -> str:
    _key, secret = api_key_issue(
        actor=admin, organization=organization, name="ERP", scopes=list(scopes or ("cases:read", "cases:write"))
    )
    return secret


def key_client(secret: str, **kwargs) -> APIClient:
    client = APIClient(**kwargs)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def session_client(user, **kwargs) -> APIClient:
    client = APIClient(**kwargs)
    client.force_login(user)
    return client


def named(content: bytes, name: str) -> io.BytesIO:
    fh = io.BytesIO(content)
    fh.name = name
    return fh


def upload(client, case_pk: int, content: bytes = PDF_BYTES, name: str = "proof.pdf", **fields):
    return client.post(
        f"/api/v1/cases/{case_pk}/files/", {"file": named(content, name), **fields}, format="multipart"
    )


def error_of(response) -> dict:
    body = response.json()
    assert set(body) == {"error"}, body
    assert body["error"]["code"] and body["error"]["message"], body
    return body["error"]


def everything_of(case: Case) -> dict:
    """Counts that any write to the case would change."""
    return {
        "messages": Message.objects.filter(case=case).count(),
        "versions": FileVersion.objects.filter(attachment__case=case).count(),
        "timeline": TimelineEvent.objects.filter(case=case).count(),
        "case": Case.objects.filter(pk=case.pk).values_list("status", "priority", "owner", "assignee").get(),
    }


@pytest.fixture
def tenant_world(retail_admin, partner_a, partner_b, user_a, user_b):
    """Per partner: a case with a reply, an internal note with a file, and a shared file."""
    world = {}
    for key, partner, user in (("a", partner_a, user_a), ("b", partner_b, user_b)):
        case = open_case(retail_admin, partner, subject=f"Case of {partner.name}", body="Please check.")
        reply = services.message_post(actor=user, channel=Channel.WEB, case=case, body=f"Reply from {key}")
        note = services.message_post(
            actor=retail_admin, channel=Channel.WEB, case=case, body=f"SECRET-NOTE-{key}",
            visibility=Visibility.INTERNAL, files=[("internal-plan.pdf", named(PDF_BYTES, "internal-plan.pdf"))],
        )
        shared = services.file_upload(
            actor=user, channel=Channel.WEB, case=case, name="invoice.pdf", content=named(PDF_BYTES, "invoice.pdf")
        )
        world[key] = {
            "case": case,
            "message": reply,
            "note": note,
            "file": shared.attachment,
            "internal_file": Attachment.objects.get(message=note),
        }
    return world


# --- tenancy ------------------------------------------------------------------------------------

ACTORS = ["session", "apikey"]


def client_for(kind: str, *, user, admin, partner) -> APIClient:
    if kind == "session":
        return session_client(user)
    return key_client(issue_key(admin, partner))


def body_for(basename: str, method: str, other: dict) -> tuple[dict, str]:
    """A request body that would succeed on one's own object: only scope may refuse it."""
    if basename == "api-case-file" and method == "post":
        return {"file": named(PDF_BYTES, "x.pdf")}, "multipart"
    bodies = {
        ("api-case", "post"): {"kind": CaseKind.ORDER_EXCEPTION, "partner": other["case"].partner_id, "subject": "x"},
        ("api-case", "patch"): {"assignee": None},
        ("api-case-message", "post"): {"body": "Hello"},
        ("api-case-transition", "post"): {"transition": "respond", "comment": "x"},
    }
    return bodies.get((basename, method), {}), "json"


def walk_routes():
    """Every workspace API route with its URL kwargs and the HTTP methods it answers."""
    for pattern in api_urls.router.urls:
        assert isinstance(pattern, URLPattern)
        yield pattern.name, set(pattern.pattern.regex.groupindex), sorted(pattern.callback.actions)


def foreign_kwargs(name: str, groups: set, *, own: dict, other: dict) -> list[dict]:
    """URL kwargs naming the other partner's objects: under its case, and under one's own."""
    if "pk" not in groups:
        return [{"case_pk": other["case"].pk}]
    if "case_pk" not in groups:
        return [{"pk": other["case"].pk}]
    if name.startswith("api-case-message"):
        objects = [other["message"].pk, other["note"].pk]
    else:
        objects = [other["file"].pk, other["internal_file"].pk]
    return [{"case_pk": parent["case"].pk, "pk": pk} for parent in (other, own) for pk in objects]


PAIRS = [("a", "b"), ("b", "a")]


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("viewer, owner", PAIRS)
def test_a_partner_gets_404_on_every_route_naming_another_partners_object(
    actor, viewer, owner, tenant_world, retail_admin, user_a, user_b
):
    own, other = tenant_world[viewer], tenant_world[owner]
    user = {"a": user_a, "b": user_b}[viewer]
    client = client_for(actor, user=user, admin=retail_admin, partner=own["case"].partner)
    other_name = other["case"].partner.name.encode()
    before = everything_of(other["case"])
    walked = set()
    for name, groups, methods in walk_routes():
        if not groups:
            continue  # the collection route: see the list and create tests below
        basename = name.rsplit("-", 1)[0]
        for kwargs in foreign_kwargs(name, groups, own=own, other=other):
            url = reverse(name, kwargs=kwargs)
            for method in methods:
                data, fmt = body_for(basename, method, other)
                response = client.get(url) if method == "get" else getattr(client, method)(url, data, format=fmt)
                assert response.status_code == 404, (method, url, response.content)
                if method != "head":
                    assert error_of(response)["code"] == "not_found"
                walked.add(name)
            options = client.options(url)
            assert options.status_code in (200, 404) and other_name not in options.content
    assert walked == {name for name, groups, _ in walk_routes() if groups}
    assert everything_of(other["case"]) == before


@pytest.mark.parametrize("actor", ACTORS)
@pytest.mark.parametrize("viewer, owner", PAIRS)
def test_lists_hold_nothing_of_another_partner(actor, viewer, owner, tenant_world, retail_admin, user_a, user_b):
    own, other = tenant_world[viewer], tenant_world[owner]
    user = {"a": user_a, "b": user_b}[viewer]
    client = client_for(actor, user=user, admin=retail_admin, partner=own["case"].partner)
    cases = client.get("/api/v1/cases/", {"open": "all"}).json()["results"]
    assert [c["id"] for c in cases] == [own["case"].pk]
    assert client.get("/api/v1/cases/", {"partner": other["case"].partner_id}).status_code == 400
    assert client.get("/api/v1/cases/", {"q": other["case"].partner.name}).json()["results"] == []
    for child in ("messages", "files", "timeline"):
        text = client.get(f"/api/v1/cases/{own['case'].pk}/{child}/").content.decode()
        assert other["case"].partner.name not in text and f"Reply from {owner}" not in text


@pytest.mark.parametrize("actor", ACTORS)
def test_partner_cannot_open_a_case_for_another_partner(actor, retail_admin, user_a, partner_a, partner_b):
    client = client_for(actor, user=user_a, admin=retail_admin, partner=partner_a)
    response = client.post(
        "/api/v1/cases/", {"kind": CaseKind.GENERAL, "partner": partner_b.pk, "subject": "Mine now"}, format="json"
    )
    assert response.status_code == 400
    assert "partner" in error_of(response)["fields"]
    assert not Case.objects.filter(partner=partner_b).exists()


def test_upload_cannot_supersede_a_file_of_another_case(tenant_world, retail_admin, partner_a):
    client = key_client(issue_key(retail_admin, partner_a))
    response = upload(client, tenant_world["a"]["case"].pk, supersedes=tenant_world["b"]["file"].pk)
    assert response.status_code == 400
    assert error_of(response)["fields"] == {"supersedes": ["No such file on this case."]}
    assert tenant_world["b"]["file"].versions.count() == 1


def test_internal_users_see_both_partners(tenant_world, retail_admin):
    client = session_client(retail_admin)
    ids = {c["id"] for c in client.get("/api/v1/cases/").json()["results"]}
    assert ids == {tenant_world["a"]["case"].pk, tenant_world["b"]["case"].pk}


# --- internal notes -----------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ACTORS)
def test_internal_notes_never_reach_a_partner(actor, tenant_world, retail_admin, user_a, partner_a):
    client = client_for(actor, user=user_a, admin=retail_admin, partner=partner_a)
    a = tenant_world["a"]
    case = a["case"].pk
    texts = []
    messages = client.get(f"/api/v1/cases/{case}/messages/")
    assert messages.status_code == 200
    assert a["note"].pk not in [m["id"] for m in messages.json()["results"]]
    assert {m["visibility"] for m in messages.json()["results"]} == {Visibility.PARTNER}
    timeline = client.get(f"/api/v1/cases/{case}/timeline/")
    assert {e["visibility"] for e in timeline.json()["results"]} == {Visibility.PARTNER}
    files = client.get(f"/api/v1/cases/{case}/files/")
    assert [f["id"] for f in files.json()["results"]] == [a["file"].pk]
    for response in (messages, timeline, files, client.get(f"/api/v1/cases/{case}/")):
        texts.append(response.content.decode())
    for hidden in (
        f"/api/v1/cases/{case}/messages/{a['note'].pk}/",
        f"/api/v1/cases/{case}/files/{a['internal_file'].pk}/",
        f"/api/v1/cases/{case}/files/{a['internal_file'].pk}/content/",
    ):
        assert client.get(hidden).status_code == 404, hidden
    joined = "\n".join(texts)
    assert "SECRET-NOTE" not in joined
    assert "internal-plan" not in joined
    assert "Internal note" not in joined


def test_retailer_sees_internal_notes_and_their_files(tenant_world, retail_admin):
    client = session_client(retail_admin)
    a = tenant_world["a"]
    messages = client.get(f"/api/v1/cases/{a['case'].pk}/messages/").json()["results"]
    note = next(m for m in messages if m["id"] == a["note"].pk)
    assert note["visibility"] == Visibility.INTERNAL
    assert [f["name"] for f in note["attachments"]] == ["internal-plan.pdf"]


def test_partner_cannot_post_an_internal_note_or_file(retail_admin, partner_a):
    case = open_case(retail_admin, partner_a)
    client = key_client(issue_key(retail_admin, partner_a))
    response = client.post(
        f"/api/v1/cases/{case.pk}/messages/", {"body": "psst", "visibility": "internal"}, format="json"
    )
    assert response.status_code == 403
    assert error_of(response)["code"] == "forbidden"
    assert upload(client, case.pk, visibility="internal").status_code == 403
    assert not Message.objects.filter(case=case, body="psst").exists()


# --- the workflow table -------------------------------------------------------------------------


def distinct_workflow_kinds() -> list[str]:
    """One kind per distinct table (flow apps may register their own)."""
    kinds, seen = [], []
    for kind, workflow in ((f.kind, f.workflow) for f in flows()):
        signature = (workflow.states, workflow.transitions)
        if signature not in seen:
            seen.append(signature)
            kinds.append(kind)
    return kinds


@pytest.mark.parametrize("kind", distinct_workflow_kinds())
def test_no_transition_outside_the_table(kind, retail_admin, partner_a):
    workflow = workflow_for(kind)
    case = open_case(retail_admin, partner_a, kind=kind)
    clients = {
        Side.RETAILER: session_client(retail_admin),
        Side.PARTNER: key_client(issue_key(retail_admin, partner_a)),
    }
    names = [t.name for t in workflow.transitions] + ["teleport"]
    for state in workflow.states:
        for side, client in clients.items():
            Case.objects.filter(pk=case.pk).update(status=state.name, is_open=state.open)
            offered = client.get(f"/api/v1/cases/{case.pk}/transitions/").json()
            assert [t["name"] for t in offered] == [
                t.name for t in workflow.available(status=state.name, side=side)
            ]
            for name in names:
                Case.objects.filter(pk=case.pk).update(status=state.name, is_open=state.open)
                step = workflow.transition(name)
                body = {"transition": name, "comment": "Because."}
                if step is not None and step.payload_form is not None:
                    body["payload"] = sample_payload(step)
                response = client.post(f"/api/v1/cases/{case.pk}/transitions/", body, format="json")
                now = Case.objects.get(pk=case.pk).status
                where = (state.name, side, name, response.content)
                if step is None:
                    assert (response.status_code, error_of(response)["code"]) == (400, "unknown_transition"), where
                    assert now == state.name
                elif side not in step.sides:
                    assert response.status_code == 403, where
                    assert now == state.name
                elif state.name not in step.sources:
                    assert (response.status_code, error_of(response)["code"]) == (409, "invalid_transition"), where
                    assert now == state.name
                else:
                    assert response.status_code == 200, where
                    assert response.json()["status"] == step.target == now


def test_transition_needing_a_comment_says_so(retail_admin, partner_a):
    case = open_case(retail_admin, partner_a)
    response = session_client(retail_admin).post(
        f"/api/v1/cases/{case.pk}/transitions/", {"transition": "cancel"}, format="json"
    )
    assert response.status_code == 400
    assert error_of(response)["fields"] == {"comment": ["A comment is required."]}


# --- cases --------------------------------------------------------------------------------------


def test_partner_system_opens_a_case_with_its_own_organization(retail_admin, partner_a):
    client = key_client(issue_key(retail_admin, partner_a))
    response = client.post(
        "/api/v1/cases/",
        {"kind": CaseKind.GENERAL, "subject": "Damaged pallet", "order_number": "00001234", "body": "Photos follow."},
        format="json",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["partner"]["id"] == partner_a.pk
    assert data["status"] == "awaiting_retailer"
    assert data["sla"]["turn"] == Side.RETAILER and data["sla"]["your_turn"] is False
    assert data["sla"]["due_at"] is not None and data["sla"]["state"] in {"ok", "due_soon", "breached"}
    assert {t["name"] for t in data["transitions"]} == {"resolve"}
    assert data["tags"] == []
    case = Case.objects.get(pk=data["id"])
    assert case.timeline.get(verb="created").channel == Channel.API
    assert Message.objects.get(case=case).speaker == f"{partner_a.name} system (ERP)"


def test_partner_cannot_set_priority_or_owner(retail_admin, partner_a, agent):
    client = key_client(issue_key(retail_admin, partner_a))
    response = client.post(
        "/api/v1/cases/", {"kind": CaseKind.GENERAL, "subject": "x", "priority": Priority.URGENT}, format="json"
    )
    assert response.status_code == 403
    case = open_case(retail_admin, partner_a)
    for change in ({"owner": agent.pk}, {"priority": Priority.HIGH}):
        assert client.patch(f"/api/v1/cases/{case.pk}/", change, format="json").status_code == 403
    case.refresh_from_db()
    assert case.priority == Priority.NORMAL and case.owner == retail_admin


def test_internal_user_must_name_the_partner(agent):
    response = session_client(agent).post(
        "/api/v1/cases/", {"kind": CaseKind.ORDER_EXCEPTION, "subject": "x"}, format="json"
    )
    assert response.status_code == 400
    assert error_of(response)["fields"] == {"partner": ["Choose a partner."]}


def test_partial_update_assigns_and_reprioritises(retail_admin, agent, partner_a, partner_b, user_a, user_b):
    case = open_case(retail_admin, partner_a)
    staff = session_client(retail_admin)
    response = staff.patch(
        f"/api/v1/cases/{case.pk}/", {"owner": agent.pk, "priority": Priority.HIGH}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["owner"]["id"] == agent.pk and response.json()["priority"] == Priority.HIGH
    # The assignee must be one of the case's partner's people: B's user is not a choice.
    response = session_client(user_a).patch(f"/api/v1/cases/{case.pk}/", {"assignee": user_b.pk}, format="json")
    assert response.status_code == 400 and "assignee" in error_of(response)["fields"]
    colleague = member(partner_a)
    response = session_client(user_a).patch(f"/api/v1/cases/{case.pk}/", {"assignee": colleague.pk}, format="json")
    assert response.status_code == 200 and response.json()["assignee"]["id"] == colleague.pk
    assert case.timeline.filter(verb="updated", channel=Channel.API).count() == 2


def test_case_list_filters_and_walks_pages_by_cursor(retail_admin, partner_a):
    cases = [open_case(retail_admin, partner_a, subject=f"Case {i}") for i in range(5)]
    services.case_transition(actor=retail_admin, channel=Channel.WEB, case=cases[0], transition="cancel", comment="x")
    client = key_client(issue_key(retail_admin, partner_a, "cases:read"))
    seen, url = [], "/api/v1/cases/?page_size=2&sort=created"
    while url:
        page = client.get(url).json()
        assert len(page["results"]) <= 2
        seen += [c["id"] for c in page["results"]]
        url = page["next"]
    assert seen == sorted((c.pk for c in cases[1:]), reverse=True)  # open only by default
    closed = client.get("/api/v1/cases/", {"status": "cancelled"}).json()["results"]
    assert [c["id"] for c in closed] == [cases[0].pk]
    # The list's "open only" default is not a lookup rule: a closed case is still there.
    assert client.get(f"/api/v1/cases/{cases[0].pk}/").json()["status"] == "cancelled"
    assert client.get("/api/v1/cases/", {"sort": "sideways"}).status_code == 400


def test_list_query_count_does_not_grow_with_rows(retail_admin, partner_a, django_assert_max_num_queries):
    client = session_client(retail_admin)
    case = open_case(retail_admin, partner_a, body="First message.")
    services.file_upload(actor=retail_admin, channel=Channel.WEB, case=case, name="a.pdf", content=named(PDF_BYTES, "a.pdf"))
    urls = ["/api/v1/cases/", f"/api/v1/cases/{case.pk}/messages/", f"/api/v1/cases/{case.pk}/files/",
            f"/api/v1/cases/{case.pk}/timeline/"]
    baseline = {}
    for url in urls:
        with django_assert_max_num_queries(50) as captured:
            client.get(url)
        baseline[url] = len(captured)
    for i in range(4):
        extra = open_case(retail_admin, partner_a, subject=f"More {i}")
        services.message_post(actor=retail_admin, channel=Channel.WEB, case=case, body=f"more {i}")
        services.file_upload(
            actor=retail_admin, channel=Channel.WEB, case=case, name=f"{i}.pdf", content=named(PDF_BYTES, f"{i}.pdf")
        )
        assert extra.pk
    for url in urls:
        with django_assert_max_num_queries(baseline[url]):
            client.get(url)


# --- messages, files ----------------------------------------------------------------------------


def test_partner_reply_hands_the_turn_to_the_retailer(retail_admin, partner_a):
    case = open_case(retail_admin, partner_a)
    client = key_client(issue_key(retail_admin, partner_a))
    response = client.post(f"/api/v1/cases/{case.pk}/messages/", {"body": "Shipped today."}, format="json")
    assert response.status_code == 201
    assert response.json()["channel"] == Channel.API
    case = client.get(f"/api/v1/cases/{case.pk}/").json()
    assert case["status"] == "awaiting_retailer" and case["sla"]["turn"] == Side.RETAILER


def test_upload_lists_versions_and_downloads_by_api_key(retail_admin, partner_a):
    case = open_case(retail_admin, partner_a)
    client = key_client(issue_key(retail_admin, partner_a))
    first = upload(client, case.pk, note="first")
    assert first.status_code == 201, first.content
    file_id = first.json()["id"]
    second_bytes = PDF_BYTES.replace(b"Catalog", b"Catalog /V2")
    second = upload(client, case.pk, content=second_bytes, name="proof-v2.pdf", supersedes=file_id, note="fixed")
    assert second.status_code == 201, second.content
    listed = client.get(f"/api/v1/cases/{case.pk}/files/").json()["results"]
    assert [f["id"] for f in listed] == [file_id]
    versions = listed[0]["versions"]
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[0]["content_type"] == "application/pdf" and versions[0]["size"] == len(second_bytes)
    assert len(versions[0]["sha256"]) == 64 and versions[0]["channel"] == Channel.API
    assert versions[1]["download_url"].endswith(reverse("workspace:file_download", args=[versions[1]["id"]]))
    content = client.get(versions[1]["content_url"])
    assert content.status_code == 200 and b"".join(content.streaming_content) == PDF_BYTES
    latest = client.get(f"/api/v1/cases/{case.pk}/files/{file_id}/content/", HTTP_ACCEPT="application/pdf")
    assert latest.status_code == 200 and b"".join(latest.streaming_content) == second_bytes
    assert latest["Content-Type"] == "application/pdf"


@pytest.mark.parametrize(
    "content, name",
    [
        (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "invoice.pdf"),
        (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "invoice.pdf"),
    ],
)
def test_markup_named_pdf_is_refused_with_a_reason(content, name, retail_admin, partner_a):
    case = open_case(retail_admin, partner_a)
    response = upload(key_client(issue_key(retail_admin, partner_a)), case.pk, content=content, name=name)
    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "upload_refused" and "HTML and SVG" in error["message"]
    assert not Attachment.objects.filter(case=case).exists()


class CountingInput(io.BytesIO):
    """A wsgi.input that records how many bytes the server read from it."""

    def __init__(self, data: bytes):
        super().__init__(data)
        self.consumed = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.consumed += len(chunk)
        return chunk

    def readline(self, size=-1):
        line = super().readline(size)
        self.consumed += len(line)
        return line


def multipart_body(file_size: int) -> bytes:
    return encode_multipart(BOUNDARY, {"file": named(b"%PDF-1.4\n" + b"0" * file_size, "big.pdf")})


@pytest.mark.parametrize("actor", ["apikey", "session-with-csrf"])
def test_oversized_upload_is_refused_before_the_body_is_read(actor, settings, retail_admin, user_a, partner_a):
    settings.FILE_UPLOAD_MAX_BYTES = 256 * 1024
    case = open_case(retail_admin, partner_a)
    if actor == "apikey":
        client = key_client(issue_key(retail_admin, partner_a))
    else:
        # A browser session: with a CSRF cookie, DRF's CSRF check reads request.POST (looking
        # for the form's token) before any parser runs.
        client = session_client(user_a, enforce_csrf_checks=True)
        client.cookies[django_settings.CSRF_COOKIE_NAME] = "c" * 32
    body = CountingInput(multipart_body(2 * 1024 * 1024))
    response = client.generic(
        "POST", f"/api/v1/cases/{case.pk}/files/", b"", content_type=MULTIPART,
        **{"wsgi.input": body, "CONTENT_LENGTH": str(len(body.getvalue()))},
    )
    assert response.status_code == 413, response.content
    assert error_of(response)["code"] == "too_large"
    assert body.consumed == 0
    assert not Attachment.objects.filter(case=case).exists()


def test_upload_over_the_limit_is_stopped_while_streaming(settings, retail_admin, partner_a):
    # The declared length is inside the multipart allowance, so only the streaming count catches it.
    settings.FILE_UPLOAD_MAX_BYTES = 256 * 1024
    case = open_case(retail_admin, partner_a)
    body = CountingInput(multipart_body(256 * 1024 + 16 * 1024))
    response = key_client(issue_key(retail_admin, partner_a)).generic(
        "POST", f"/api/v1/cases/{case.pk}/files/", b"", content_type=MULTIPART,
        **{"wsgi.input": body, "CONTENT_LENGTH": str(len(body.getvalue()))},
    )
    assert response.status_code == 413, response.content
    assert error_of(response)["code"] == "too_large"
    assert not Attachment.objects.filter(case=case).exists()


# --- keys, errors -------------------------------------------------------------------------------


def test_read_only_key_cannot_write_and_write_only_key_cannot_read(retail_admin, partner_a):
    case = open_case(retail_admin, partner_a)
    reader = key_client(issue_key(retail_admin, partner_a, "cases:read"))
    assert reader.get(f"/api/v1/cases/{case.pk}/").status_code == 200
    refused = [
        reader.post("/api/v1/cases/", {"kind": CaseKind.GENERAL, "subject": "x"}, format="json"),
        reader.patch(f"/api/v1/cases/{case.pk}/", {"assignee": None}, format="json"),
        reader.post(f"/api/v1/cases/{case.pk}/messages/", {"body": "x"}, format="json"),
        reader.post(f"/api/v1/cases/{case.pk}/transitions/", {"transition": "respond"}, format="json"),
        upload(reader, case.pk),
    ]
    for response in refused:
        assert response.status_code == 403
        assert error_of(response)["message"] == "This API key lacks the scope for this request."
    writer = key_client(issue_key(retail_admin, partner_a, "cases:write"))
    assert writer.get(f"/api/v1/cases/{case.pk}/").status_code == 403
    assert everything_of(case)["messages"] == 0


def test_errors_come_back_as_json_with_a_reason(api_client, retail_admin, partner_a, settings):
    case = open_case(retail_admin, partner_a)
    response = api_client.get("/api/v1/cases/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == "Bearer"
    error_of(response)
    client = key_client(issue_key(retail_admin, partner_a))
    cases = [
        (client.get("/api/v1/nowhere/"), 404),
        (client.post("/api/v1/cases"), 404),  # no trailing slash: no redirect that drops the body
        (client.get("/api/v1/cases/abc/"), 404),
        (client.delete(f"/api/v1/cases/{case.pk}/"), 405),
        (client.put(f"/api/v1/cases/{case.pk}/", {}, format="json"), 405),
        (client.post("/api/v1/cases/", {"kind": "claim"}, format="multipart"), 415),
        (client.post(f"/api/v1/cases/{case.pk}/files/", {"note": "x"}, format="json"), 415),
        (client.post("/api/v1/cases/", b"{not json", content_type="application/json"), 400),
    ]
    for response, expected in cases:
        assert response.status_code == expected, response.content
        error_of(response)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    body = CountingInput(b'{"body": "' + b"x" * 4096 + b'"}')
    response = client.generic(
        "POST", f"/api/v1/cases/{case.pk}/messages/", b"", content_type="application/json",
        **{"wsgi.input": body, "CONTENT_LENGTH": str(len(body.getvalue()))},
    )
    assert response.status_code == 413 and error_of(response)["code"] == "too_large"
    assert body.consumed == 0
