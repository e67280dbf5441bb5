"""The go / no-go summary as a PDF to share (fpdf2), drawn from the same board as the page."""

from django.utils import timezone
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from .selectors import Board

RED, GREEN, GREY = (178, 34, 34), (34, 120, 60), (90, 90, 90)


def _text(value) -> str:
    """The core fonts are Latin-1: anything else becomes "?" rather than failing the export."""
    return (
        str(value)
        .replace("→", "->")
        .replace("—", "-")
        .replace("–", "-")
        .encode("latin-1", "replace")
        .decode("latin-1")
    )


def board_pdf(board: Board) -> bytes:
    launch, summary = board.launch, board.summary
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title(_text(f"{launch.reference} {launch.name}: go / no-go"))
    pdf.add_page()
    line = {"new_x": XPos.LMARGIN, "new_y": YPos.NEXT}
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 9, _text(f"{launch.name} ({launch.reference})"), **line)
    pdf.set_font("Helvetica", "", 10)
    go_live = timezone.localtime(launch.go_live_at)
    pdf.cell(
        0,
        6,
        _text(
            f"Go-live {go_live:%d %b %Y %H:%M}"
            + (f" - SFCC campaign {launch.campaign_id}" if launch.campaign_id else "")
        ),
        **line,
    )
    pdf.cell(
        0,
        6,
        _text(
            f"Launch status: {launch.get_status_display()} - printed {timezone.localtime():%d %b %Y %H:%M}"
        ),
        **line,
    )
    pdf.ln(3)
    pdf.set_font("Helvetica", "B", 20)
    pdf.set_text_color(*(GREEN if summary.is_go else RED))
    pdf.cell(0, 11, _text(f"{summary.label.upper()}  -  {board.percent}% ready"), **line)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("Helvetica", "", 10)
    for reason in summary.reasons or ["Every item is complete and no constraint is open."]:
        pdf.cell(0, 6, _text(f"- {reason}"), **line)
    if launch.override_reason:
        pdf.multi_cell(
            0,
            6,
            _text(f"Go taken over open blockers. Override reason: {launch.override_reason}"),
            **line,
        )
    pdf.ln(3)

    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 7, "Readiness by partner", **line)
    pdf.set_font("Helvetica", "B", 8)
    widths = [52, 14, *([max(12, 124 // max(1, len(board.columns)))] * len(board.columns))]
    headers = ["Partner", "Ready", *(title for _, title in board.columns)]
    for width, header in zip(widths, headers, strict=False):
        pdf.cell(width, 6, _text(header)[:22], border=1)
    pdf.ln()
    pdf.set_font("Helvetica", "", 8)
    for row in board.rows:
        pdf.cell(widths[0], 6, _text(row.share.partner.name)[:32], border=1)
        pdf.cell(widths[1], 6, f"{row.percent}%", border=1)
        for width, cell in zip(widths[2:], row.cells, strict=False):
            pdf.set_text_color(
                *(RED if cell.state in ("constrained", "overdue", "rejected") else GREY)
            )
            pdf.cell(width, 6, _text(cell.label)[:18], border=1)
            pdf.set_text_color(0, 0, 0)
        pdf.ln()
    if board.constraints:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 11)
        pdf.cell(0, 7, "Open supply constraints", **line)
        pdf.set_font("Helvetica", "", 9)
        for c in board.constraints:
            pdf.set_text_color(*RED)
            pdf.multi_cell(
                0,
                5,
                _text(
                    f"{c['share__partner__name']}: {c['sku']}, {c['quantity_at_risk'].normalize():f} at risk from "
                    f"{c['date']:%d %b %Y}" + (f" - {c['note']}" if c["note"] else "")
                ),
                **line,
            )
        pdf.set_text_color(0, 0, 0)
    return bytes(pdf.output())
