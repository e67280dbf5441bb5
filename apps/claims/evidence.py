"""The evidence pack: one streamed ZIP of a claim for finance and chargeback disputes.

It holds a PDF summary (the claim, its lines, every decision, the file list with checksums),
the timeline and the conversation as CSV, every decision as JSON, and every file version.
Only what is shared with the partner goes in, and only what the downloading user may see
(the workspace's scoped managers, as the file download view uses): no internal note or
file, whoever downloads. Files and rows are read in chunks while the ZIP streams, so a pack
of hundreds of files and messages never sits in memory; only the PDF is built up front.

Names inside the ZIP come from `archive_name` (no directories, no dots up front: no
ZIP-slip), and CSV cells that a spreadsheet would run as a formula are quoted (`csv_cell`).
"""

import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from datetime import datetime

from django.http import Http404, StreamingHttpResponse
from django.utils import timezone
from fpdf import FPDF
from zipstream import ZIP_DEFLATED, ZIP_STORED, ZipStream

from apps.workspace.choices import CaseKind, Visibility
from apps.workspace.models import Case, CaseLine, FileVersion, Message, TimelineEvent
from apps.workspace.states import workflow_for

from .models import Claim

CHUNK = 64 * 1024
ROWS = 500
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def archive_name(index: int, name: str) -> str:
    """`files/007-photo.jpg`: the base name only, no separators, no leading dots or drive."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = re.sub(r"[^\w.\- ()]+", "_", base).strip(" ._") or "file"
    base = re.sub(r"\.{2,}", ".", base)[:120]
    return f"files/{index:03d}-{base}"


def csv_cell(value) -> str:
    """A cell that a spreadsheet shows as text, never evaluates (OWASP CSV injection)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def _csv_rows(header: list[str], rows: Iterable[list]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
        if buffer.tell() > CHUNK:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def _when(value: datetime | None) -> str:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else ""


# --- what goes in, as the downloader may see it ------------------------------------------------


def pack_case(*, actor, case_id: int) -> Case:
    case = Case.objects.for_actor(actor).filter(pk=case_id, kind=CaseKind.CLAIM).first()
    if case is None:
        raise Http404("No such claim.")
    return case


def _timeline(actor, case: Case):
    return (
        TimelineEvent.objects.for_actor(actor)
        .filter(case=case, visibility=Visibility.PARTNER)
        .order_by("created_at", "id")
    )


def _messages(actor, case: Case):
    return (
        Message.objects.for_actor(actor)
        .filter(case=case, visibility=Visibility.PARTNER)
        .order_by("created_at", "id")
    )


def _versions(actor, case: Case):
    return (
        FileVersion.objects.for_actor(actor)
        .filter(attachment__case=case, attachment__visibility=Visibility.PARTNER)
        .select_related("attachment")
        .order_by("attachment__created_at", "attachment_id", "number")
    )


def decisions(actor, case: Case) -> list[dict]:
    """Every step that carried data (the decisions and the dispute), oldest first."""
    workflow = workflow_for(case.kind)
    rows = []
    for event in _timeline(actor, case).filter(verb="transitioned").exclude(data={}):
        rows.append(
            {
                "at": _when(event.created_at),
                "by": event.actor_label,
                "channel": event.channel,
                "step": event.summary,
                "data": event.data,
            }
        )
    state = workflow.state(case.status)
    return (
        rows
        if rows
        else [
            {
                "at": "",
                "by": "",
                "channel": "",
                "step": f"No decision yet ({state.label})",
                "data": {},
            }
        ]
    )


# --- the PDF summary ---------------------------------------------------------------------------


def _latin(text: str) -> str:
    """fpdf2's core fonts are Latin-1: arrows and signs become their ASCII forms."""
    text = (
        str(text)
        .replace("→", "->")
        .replace("×", "x")
        .replace("…", "...")
        .replace("—", "-")
        .replace("“", '"')
        .replace("”", '"')
        .replace("’", "'")
    )
    return text.encode("latin-1", "replace").decode("latin-1")


def summary_pdf(*, actor, case: Case, files: list[FileVersion]) -> bytes:
    claim = Claim.objects.filter(case=case).first()
    state = workflow_for(case.kind).state(case.status)
    pdf = FPDF()
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 15)
    pdf.cell(0, 9, _latin(f"Evidence pack {case.reference}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)

    def line(text: str, *, bold: bool = False) -> None:
        pdf.set_font("Helvetica", "B" if bold else "", 10)
        pdf.multi_cell(0, 5, _latin(text), new_x="LMARGIN", new_y="NEXT")

    line(f"{case.subject} - {case.partner} - status: {state.label}")
    line(f"Order {case.order_number}. Generated {_when(timezone.now())}.")
    if claim is not None:
        line(
            f"Claim: {claim.get_claim_type_display()}, {claim.get_reason_code_display()}", bold=True
        )
        line(f"Claimed value: {claim.claimed_value} {claim.currency}")
        line(f"The customer says: {claim.description}")
        if claim.decision:
            line(f"Current decision: {claim.get_decision_display()}", bold=True)
            if claim.credit_amount is not None:
                line(f"Credit: {claim.credit_amount} {claim.credit_currency}")
            for r in claim.replacement:
                line(f"Replacement: {r['sku']} x {r['quantity']}")
            if claim.denial_reason:
                line(f"Denial: {claim.get_denial_reason_code_display()}: {claim.denial_reason}")
        if claim.disputed_at:
            line(f"Disputed {_when(claim.disputed_at)}: {claim.dispute_statement}")
    pdf.ln(2)
    line("Claimed lines", bold=True)
    for row in CaseLine.objects.filter(case=case):
        line(
            f"{row.position}. {row.sku} {row.description} x {row.quantity.normalize()} at {row.data.get('unit_price', '?')}"
        )
    pdf.ln(2)
    line("Decisions", bold=True)
    for d in decisions(actor, case):
        details = ", ".join(
            f"{k}: {v}" for k, v in d["data"].items() if k != "lines" and v not in (None, "")
        )
        line(
            f"{d['at']} {d['by']} ({d['channel']}): {d['step']}"
            + (f" - {details}" if details else "")
        )
    pdf.ln(2)
    line(f"Files ({len(files)}), SHA-256", bold=True)
    for index, version in enumerate(files, start=1):
        line(
            f"{archive_name(index, version.original_name)} v{version.number} {version.size} B sha256 {version.sha256}"
        )
    return bytes(pdf.output())


# --- the ZIP -----------------------------------------------------------------------------------


def _file_chunks(version: FileVersion) -> Iterator[bytes]:
    with version.file.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def pack_stream(*, actor, case: Case) -> ZipStream:
    """The pack as a lazy ZIP: iterating it reads the rows and files as it goes."""
    files = list(_versions(actor, case))  # rows only (a few hundred); the bytes stream later
    zs = ZipStream(compress_type=ZIP_DEFLATED, sized=False)
    zs.add(summary_pdf(actor=actor, case=case, files=files), "summary.pdf")
    zs.add(json.dumps(decisions(actor, case), indent=2, default=str).encode(), "decisions.json")
    zs.add(
        _csv_rows(
            ["at", "by", "channel", "what", "summary"],
            (
                [_when(e.created_at), e.actor_label, e.channel, e.verb, e.summary]
                for e in _timeline(actor, case).iterator(chunk_size=ROWS)
            ),
        ),
        "timeline.csv",
    )
    zs.add(
        _csv_rows(
            ["at", "by", "channel", "message"],
            (
                [
                    _when(m.created_at),
                    m.author_label or (m.author.get_full_name() if m.author else ""),
                    m.channel,
                    m.body,
                ]
                for m in _messages(actor, case).select_related("author").iterator(chunk_size=ROWS)
            ),
        ),
        "conversation.csv",
    )
    zs.add(
        _csv_rows(
            ["path", "original name", "version", "size", "sha256", "uploaded by", "uploaded at"],
            (
                [
                    archive_name(i, v.original_name),
                    v.original_name,
                    v.number,
                    v.size,
                    v.sha256,
                    v.uploaded_label,
                    _when(v.created_at),
                ]
                for i, v in enumerate(files, start=1)
            ),
        ),
        "files.csv",
    )
    for index, version in enumerate(files, start=1):
        # Photos and PDFs are compressed already: stored, they stream at disk speed.
        zs.add(
            _file_chunks(version),
            archive_name(index, version.original_name),
            compress_type=ZIP_STORED,
        )
    return zs


def pack_response(*, actor, case: Case) -> StreamingHttpResponse:
    case = pack_case(actor=actor, case_id=case.pk)
    response = StreamingHttpResponse(
        pack_stream(actor=actor, case=case), content_type="application/zip"
    )
    response["Content-Disposition"] = f'attachment; filename="evidence-{case.reference}.zip"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
