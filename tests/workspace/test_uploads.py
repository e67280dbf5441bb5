"""Upload rules: size limit while streaming, type by content, safe downloads."""

import io

import pytest
from django.db import connection
from django.test import override_settings
from django.test.client import encode_multipart
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from apps.workspace import services
from apps.workspace.choices import Channel
from apps.workspace.models import FileVersion
from apps.workspace.uploads import UploadRefused, detect_type

from .helpers import PDF_BYTES, PNG_BYTES, open_case, pdf

pytestmark = pytest.mark.django_db


class CountingStream(io.BytesIO):
    """A request body that remembers how much of it the server read."""

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


@pytest.mark.parametrize(
    "content, expected",
    [
        (PDF_BYTES, "application/pdf"),
        (PNG_BYTES, "image/png"),
        (b"sku,qty\nA1,3\nB2,4\n", "text/csv"),
        (b"ISA*00*          *00*          *ZZ*A*ZZ*B*...", "application/edi-x12"),
        (b"<?xml version='1.0'?><order/>", "application/xml"),
    ],
)
def test_allowed_types_are_detected_by_content(content, expected):
    assert detect_type(io.BytesIO(content)).content_type == expected


@pytest.mark.parametrize(
    "content",
    [
        b"<html><body><script>alert(1)</script></body></html>",
        b"<!DOCTYPE html><p>hi</p>",
        b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b"<?xml version='1.0'?><svg xmlns='http://www.w3.org/2000/svg'><script>x</script></svg>",
        b"MZ\x90\x00\x03\x00\x00\x00\x04\x00",  # a Windows executable
    ],
)
def test_active_or_unknown_content_is_refused_whatever_the_name(content, agent, partner_a):
    case = open_case(agent, partner_a)
    with pytest.raises(UploadRefused):
        services.file_upload(actor=agent, channel=Channel.WEB, case=case, name="invoice.pdf", content=io.BytesIO(content))
    assert not FileVersion.objects.exists()


def test_page_refuses_html_named_pdf_with_a_clear_error(client, agent, partner_a):
    case = open_case(agent, partner_a)
    client.force_login(agent)
    fake = io.BytesIO(b"<html><script>alert(document.cookie)</script></html>")
    fake.name = "report.pdf"
    response = client.post(reverse("workspace:case_upload", args=[case.pk]), {"file": fake}, HTTP_HX_REQUEST="true")
    assert response.status_code == 400
    assert "HTML and SVG files are not accepted." in response.text
    assert not FileVersion.objects.exists()


@override_settings(FILE_UPLOAD_MAX_BYTES=100 * 1024)
def test_oversized_upload_is_refused_before_the_body_is_read_whole(client, agent, partner_a):
    case = open_case(agent, partner_a)
    client.force_login(agent)
    big = io.BytesIO(b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024))
    big.name = "huge.pdf"
    body = encode_multipart("BoUnDaRy", {"file": big})
    stream = CountingStream(body)
    response = client.generic(
        "POST",
        reverse("workspace:case_upload", args=[case.pk]),
        data=b"",
        **{"wsgi.input": stream, "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "multipart/form-data; boundary=BoUnDaRy"},
    )
    assert response.status_code in (400, 413)
    assert stream.consumed < len(body) / 2
    assert not FileVersion.objects.exists()


def test_reupload_supersedes_without_overwriting(agent, partner_a, user_a):
    case = open_case(agent, partner_a)
    first = services.file_upload(actor=user_a, channel=Channel.WEB, case=case, name="packing list.pdf", content=pdf())
    second = services.file_upload(
        actor=user_a, channel=Channel.WEB, case=case, name="packing list v2.pdf",
        content=pdf(content=PDF_BYTES + b"% corrected\n"), supersedes=first.attachment,
    )
    assert second.number == 2 and first.attachment_id == second.attachment_id
    first.refresh_from_db()
    assert first.file.name != second.file.name
    assert first.file.open("rb").read() == PDF_BYTES
    assert first.sha256 != second.sha256
    assert second.attachment.current_version == second


def test_a_long_unicode_name_keeps_its_emoji_and_its_extension(client, agent, partner_a, user_a):
    case = open_case(agent, partner_a)
    long_name = "Rapport d'été 📦 " + "x" * 200 + ".pdf"
    version = services.file_upload(actor=user_a, channel=Channel.WEB, case=case, name=long_name, content=pdf())
    assert version.original_name.startswith("Rapport d'été 📦 ") and version.original_name.endswith("x.pdf")
    assert len(version.original_name) == 150
    client.force_login(user_a)
    response = client.get(reverse("workspace:file_download", args=[version.pk]))
    disposition = response["Content-Disposition"]
    assert "filename*=utf-8''Rapport%20d%27%C3%A9t%C3%A9%20%F0%9F%93%A6" in disposition
    assert disposition.endswith(".pdf")


def test_a_name_that_reorders_text_loses_the_override(agent, partner_a, user_a):
    case = open_case(agent, partner_a)
    version = services.file_upload(
        actor=user_a, channel=Channel.WEB, case=case, name="invoice\u202efdp.pdf", content=pdf()
    )
    assert version.original_name == "invoicefdp.pdf"


def test_download_is_an_attachment_with_nosniff_and_scoped(client, agent, partner_a, user_a, user_b):
    case = open_case(agent, partner_a)
    version = services.file_upload(actor=user_a, channel=Channel.WEB, case=case, name='../../evil"name.pdf', content=pdf())
    client.force_login(user_a)
    response = client.get(reverse("workspace:file_download", args=[version.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "evil_name.pdf" in response["Content-Disposition"] and "/" not in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF_BYTES
    client.force_login(user_b)
    assert client.get(reverse("workspace:file_download", args=[version.pk])).status_code == 404
    assert client.get(reverse("workspace:file_preview", args=[version.pk])).status_code == 404


def test_internal_files_are_hidden_from_partners(client, agent, partner_a, user_a):
    case = open_case(agent, partner_a)
    version = services.file_upload(
        actor=agent, channel=Channel.WEB, case=case, name="margin.pdf", content=pdf(), visibility="internal"
    )
    client.force_login(user_a)
    assert client.get(reverse("workspace:file_download", args=[version.pk])).status_code == 404
    assert "margin.pdf" not in client.get(case.get_absolute_url()).text


def test_preview_only_for_images_and_pdfs(client, agent, partner_a):
    case = open_case(agent, partner_a)
    csv = io.BytesIO(b"a,b\n1,2\n")
    version = services.file_upload(actor=agent, channel=Channel.WEB, case=case, name="x.csv", content=csv)
    image = services.file_upload(actor=agent, channel=Channel.WEB, case=case, name="dent.png", content=io.BytesIO(PNG_BYTES))
    client.force_login(agent)
    assert client.get(reverse("workspace:file_preview", args=[version.pk])).status_code == 404
    response = client.get(reverse("workspace:file_preview", args=[image.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert "sandbox" in response["Content-Security-Policy"]


@override_settings(FILE_UPLOAD_MAX_BYTES=100 * 1024)
def test_upload_past_the_limit_is_stopped_mid_stream(client, agent, partner_a):
    """A body whose declared length slips under the cut-off is still stopped while streaming."""
    case = open_case(agent, partner_a)
    client.force_login(agent)
    big = io.BytesIO(b"%PDF-1.4\n" + b"0" * (150 * 1024))
    big.name = "big.pdf"
    body = encode_multipart("BoUnDaRy", {"file": big})
    stream = CountingStream(body)
    response = client.generic(
        "POST",
        reverse("workspace:case_upload", args=[case.pk]),
        data=b"",
        **{"wsgi.input": stream, "CONTENT_LENGTH": str(len(body)), "CONTENT_TYPE": "multipart/form-data; boundary=BoUnDaRy"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 400
    assert "larger than the" in response.text
    assert stream.consumed < len(body)
    assert not FileVersion.objects.exists()


def test_a_reply_carries_its_files_and_a_refused_one_stores_nothing(agent, partner_a, user_a):
    case = open_case(agent, partner_a)
    message = services.message_post(
        actor=user_a, channel=Channel.WEB, case=case, body="Packing list and proof attached.",
        files=[("packing.pdf", pdf()), ("photo.png", io.BytesIO(PNG_BYTES))],
    )
    attached = {a.name: a.current_version.content_type for a in message.attachments.all()}
    assert attached == {"packing.pdf": "application/pdf", "photo.png": "image/png"}
    assert case.timeline.filter(verb="file").count() == 2

    with pytest.raises(UploadRefused):
        services.message_post(
            actor=user_a, channel=Channel.WEB, case=case, body="Second try",
            files=[("ok.pdf", pdf()), ("evil.pdf", io.BytesIO(b"<html><script>x</script></html>"))],
        )
    assert not case.messages.filter(body__contains="Second try").exists()
    assert FileVersion.objects.count() == 2


def test_a_reply_with_files_locks_the_case_once(agent, partner_a, user_a):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no row locks to count")
    case = open_case(agent, partner_a)
    with CaptureQueriesContext(connection) as queries:
        services.message_post(
            actor=user_a, channel=Channel.WEB, case=case, body="Three documents",
            files=[(f"doc-{n}.pdf", pdf()) for n in range(3)],
        )
    case_locks = [
        q["sql"] for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and 'FROM "workspace_case"' in q["sql"] and "FOR UPDATE" in q["sql"]
    ]
    assert len(case_locks) == 1
