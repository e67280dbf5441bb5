"""Small builders for workspace tests: cases made through the services, as users make them."""

import io

from apps.workspace import services
from apps.workspace.choices import CaseKind, Channel

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
    b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7V\xbd\xfa\x00\x00\x00\x00IEND\xaeB`\x82"
)


# The core's tests speak the default conversation (respond, resolve, reopen…): a kind that is
# still a plain conversation (apps/conversations). Move it when that kind gets its flow app.
PLAIN_KIND = CaseKind.GENERAL


def open_case(actor, partner, *, kind=PLAIN_KIND, subject="Stock shortage on 00001234", **extra):
    return services.case_create(
        actor=actor,
        channel=Channel.WEB,
        draft=services.CaseDraft(kind=kind, partner=partner, subject=subject, **extra),
    )


def pdf(name="proof.pdf", content=PDF_BYTES):
    fh = io.BytesIO(content)
    fh.name = name
    return fh
