"""Reads of flow 6: the launch list and calendar, the readiness board, a partner's shares.

The board reads a launch in a fixed number of queries whatever its size (shares, items,
open constraints, SKU totals), and builds the partner-by-requirement grid in Python.
"""

from __future__ import annotations

import calendar
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from apps.workspace.states import workflow_for

from .checklists import TEMPLATES
from .models import (
    ChecklistItem,
    Constraint,
    ConstraintStatus,
    ItemStatus,
    Launch,
    LaunchShare,
    LaunchSku,
)

TEMPLATE_ORDER = {t.code: position for position, t in enumerate(TEMPLATES)}


def _count(model, *, path: str, **filters):
    """A correlated COUNT per launch or share, so lists stay one query however many rows."""
    rows = (
        model.objects.filter(**{path: OuterRef("pk")}, **filters)
        .order_by()
        .values(path)
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))


def launches_for_actor(*, actor, status: str | None = None):
    """Launches the actor may see, by go-live, with their readiness counts (for the retailer)."""
    launches = Launch.objects.for_actor(actor)
    if status:
        launches = launches.filter(status=status)
    working = {"share__case__is_open": True}
    return launches.annotate(
        partner_count=_count(LaunchShare, path="launch"),
        items_total=_count(ChecklistItem, path="share__launch", **working),
        items_complete=_count(ChecklistItem, path="share__launch", is_complete=True, **working),
        constraints_open=_count(
            Constraint, path="share__launch", status=ConstraintStatus.OPEN, **working
        ),
    ).order_by("go_live_at", "id")


def percent(done: int, total: int) -> int:
    return round(100 * done / total) if total else 0


def shares_for_partner(*, actor):
    """A partner's own shares (its readiness only, never the launch's totals)."""
    return (
        LaunchShare.objects.for_actor(actor)
        .select_related("launch", "case")
        .annotate(
            items_total=_count(ChecklistItem, path="share"),
            items_complete=_count(ChecklistItem, path="share", is_complete=True),
            constraints_open=_count(Constraint, path="share", status=ConstraintStatus.OPEN),
        )
        .order_by("launch__go_live_at", "launch_id")
    )


def launch_detail(*, actor, pk: int) -> Launch:
    return get_object_or_404(Launch.objects.for_actor(actor), pk=pk)


@dataclass(frozen=True)
class MonthCalendar:
    month: date
    weeks: list[list[tuple[date, list[Launch]]]]
    previous: date
    following: date


def month_calendar(*, launches, month: date) -> MonthCalendar:
    first = month.replace(day=1)
    weeks_of_dates = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    start, end = weeks_of_dates[0][0], weeks_of_dates[-1][-1]
    by_day: dict[date, list[Launch]] = defaultdict(list)
    for launch in launches:
        day = timezone.localtime(launch.go_live_at).date()
        if start <= day <= end:
            by_day[day].append(launch)
    previous = (first.replace(day=1) - timezone.timedelta(days=1)).replace(day=1)
    following = (first.replace(day=28) + timezone.timedelta(days=4)).replace(day=1)
    return MonthCalendar(
        first,
        [[(d, by_day.get(d, [])) for d in week] for week in weeks_of_dates],
        previous,
        following,
    )


# --- the board ---------------------------------------------------------------------------------

CELL_LOOK = {
    "open": ("Open", "muted"),
    "overdue": ("Overdue", "warn"),
    "done": ("Done", "success"),
    "review": ("Awaiting review", "accent"),
    "accepted": ("Accepted", "success"),
    "rejected": ("Rejected", "warn"),
    "constrained": ("Constraint", "danger"),
    "none": ("—", "neutral"),
}


@dataclass
class Cell:
    state: str
    item_id: int | None = None
    due_date: date | None = None
    note: str = ""

    @property
    def label(self) -> str:
        return CELL_LOOK[self.state][0]

    @property
    def tone(self) -> str:
        return CELL_LOOK[self.state][1]


NO_CONSTRAINT = '<span class="muted small">None</span>'


@dataclass
class BoardRow:
    share: LaunchShare
    cells: list[Cell]
    complete: int
    total: int
    constraints: list[dict]
    sku_count: int
    forecast: Decimal
    state_label: str
    state_tone: str
    working: bool

    @property
    def percent(self) -> int:
        return percent(self.complete, self.total)

    def html(self) -> str:
        """The row as markup (pills as in components/pill.html). At 200 partners a template
        lookup per cell costs more than reading the whole board, so the grid is built here."""
        share, partner = self.share, self.share.partner
        skus = (
            f'<br><span class="xsmall muted">{self.sku_count} SKUs · {self.forecast.normalize():f}</span>'
            if self.sku_count
            else ""
        )
        parts = [
            f'<tr data-partner="{escape(partner.name)}"><th scope="row">{escape(partner.name)}{skus}</th>',
            f'<td><a class="mono small" href="{reverse("workspace:case_detail", args=[share.case_id])}">'
            f'{share.case.reference}</a><br><span class="pill" data-tone="{self.state_tone}">'
            f"{escape(self.state_label)}</span></td>",
            f'<td class="nowrap">{self.percent}%</td>',
        ]
        for cell in self.cells:
            title = f' title="{escape(cell.note)}"' if cell.note else ""
            due = ""
            if cell.due_date and cell.state in ("open", "overdue"):
                due = f'<br><span class="xsmall muted">by {cell.due_date.day} {cell.due_date:%b}</span>'
            parts.append(
                f'<td data-state="{cell.state}"{title}><span class="pill" data-tone="{cell.tone}">'
                f"{escape(cell.label)}</span>{due}</td>"
            )
        constraints = "".join(
            f'<div class="small"><span class="pill" data-tone="danger">Constraint</span> '
            f'<span class="mono">{escape(c["sku"])}</span> {c["quantity_at_risk"].normalize():f} '
            f"from {c['date'].day} {c['date']:%b}</div>"
            for c in self.constraints
        )
        parts.append("<td>" + (constraints or NO_CONSTRAINT) + "</td></tr>")
        return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or our own


@dataclass
class Summary:
    verdict: str  # "go" or "no_go"
    reasons: list[str]
    open_items: int
    overdue_items: int
    open_constraints: int
    in_review: int

    @property
    def is_go(self) -> bool:
        return self.verdict == "go"

    @property
    def label(self) -> str:
        return "Go" if self.is_go else "No-go"


@dataclass
class Board:
    launch: Launch
    columns: list[tuple[str, str]]
    rows: list[BoardRow]
    summary: Summary
    complete: int = 0
    total: int = 0
    sku_count: int = 0
    forecast: Decimal = Decimal(0)
    constraints: list[dict] = field(default_factory=list)

    @property
    def percent(self) -> int:
        return percent(self.complete, self.total)


def _cell(item: dict, constrained: set[str], today: date) -> Cell:
    if item["code"] in constrained:
        state = "constrained"
    elif item["status"] == ItemStatus.ACCEPTED:
        state = "accepted"
    elif item["status"] == ItemStatus.DONE:
        state = "review" if item["requires_review"] else "done"
    elif item["status"] == ItemStatus.REJECTED:
        state = "rejected"
    elif item["due_date"] and item["due_date"] < today:
        state = "overdue"
    else:
        state = "open"
    return Cell(state, item["id"], item["due_date"], item["note"])


def launch_board(*, launch: Launch) -> Board:
    """The partner-by-requirement grid, percentages and the go / no-go summary, in 4 queries."""
    today = timezone.localdate()
    shares = list(
        LaunchShare.objects.filter(launch=launch)
        .select_related("partner", "case")
        .order_by("partner__name", "id")
    )
    items_by_share: dict[int, list[dict]] = defaultdict(list)
    titles: dict[str, str] = {}
    for item in (
        ChecklistItem.objects.filter(share__launch=launch)
        .order_by("position", "id")
        .values(
            "id",
            "share_id",
            "code",
            "title",
            "status",
            "is_complete",
            "requires_review",
            "due_date",
            "note",
        )
    ):
        items_by_share[item["share_id"]].append(item)
        titles.setdefault(item["code"], item["title"])
    constraints = list(
        Constraint.objects.filter(share__launch=launch, status=ConstraintStatus.OPEN)
        .order_by("date", "id")
        .values(
            "id",
            "share_id",
            "share__partner__name",
            "sku",
            "quantity_at_risk",
            "date",
            "item_code",
            "note",
        )
    )
    constraints_by_share: dict[int, list[dict]] = defaultdict(list)
    for constraint in constraints:
        constraints_by_share[constraint["share_id"]].append(constraint)
    skus = {
        row["partner_id"]: row
        for row in LaunchSku.objects.filter(launch=launch)
        .values("partner_id")
        .annotate(n=Count("id"), forecast=Sum("forecast_quantity"))
        .order_by()
    }
    columns = sorted(
        titles.items(), key=lambda kv: (TEMPLATE_ORDER.get(kv[0], len(TEMPLATE_ORDER)), kv[1])
    )
    workflow = workflow_for(shares[0].case.kind) if shares else None
    rows, complete, total = [], 0, 0
    open_items = overdue = in_review = open_constraints = 0
    for share in shares:
        own = {item["code"]: item for item in items_by_share.get(share.pk, [])}
        mine = constraints_by_share.get(share.pk, [])
        constrained = {c["item_code"] for c in mine}
        cells = [
            _cell(own[code], constrained, today) if code in own else Cell("none")
            for code, _ in columns
        ]
        done = sum(1 for item in own.values() if item["is_complete"])
        state = workflow.state(share.case.status)
        working = share.case.is_open
        sku_row = skus.get(share.partner_id, {})
        rows.append(
            BoardRow(
                share=share,
                cells=cells,
                complete=done,
                total=len(own),
                constraints=mine,
                sku_count=sku_row.get("n", 0),
                forecast=sku_row.get("forecast") or Decimal(0),
                state_label=state.label,
                state_tone=state.tone,
                working=working,
            )
        )
        if not working:
            continue
        complete, total = complete + done, total + len(own)
        open_items += len(own) - done
        overdue += sum(1 for cell in cells if cell.state == "overdue")
        in_review += sum(1 for cell in cells if cell.state == "review")
        open_constraints += len(mine)
    reasons = []
    if open_constraints:
        reasons.append(
            f"{open_constraints} open supply constraint{'s' if open_constraints != 1 else ''}"
        )
    if overdue:
        reasons.append(f"{overdue} overdue item{'s' if overdue != 1 else ''}")
    if open_items:
        reasons.append(
            f"{open_items} item{'s' if open_items != 1 else ''} not complete ({in_review} awaiting review)"
        )
    if not shares:
        reasons.append("no partner is invited")
    summary = Summary(
        verdict="no_go" if reasons else "go",
        reasons=reasons,
        open_items=open_items,
        overdue_items=overdue,
        open_constraints=open_constraints,
        in_review=in_review,
    )
    all_skus = sum((row["n"] for row in skus.values()), 0)
    all_forecast = sum((row["forecast"] or Decimal(0) for row in skus.values()), Decimal(0))
    return Board(
        launch=launch,
        columns=columns,
        rows=rows,
        summary=summary,
        complete=complete,
        total=total,
        sku_count=all_skus,
        forecast=all_forecast,
        constraints=constraints,
    )


def share_panel(*, share: LaunchShare) -> dict:
    """What a share's case page shows: its checklist, constraints and (if shared) launch totals."""
    today = timezone.localdate()
    items = list(
        ChecklistItem.objects.filter(share=share)
        .select_related("attachment")
        .order_by("position", "id")
    )
    constraints = list(
        Constraint.objects.filter(share=share).order_by("status", "-created_at", "-id")
    )
    constrained = {c.item_code for c in constraints if c.status == ConstraintStatus.OPEN}
    for item in items:
        item.cell = _cell(
            {
                "id": item.pk,
                "code": item.code,
                "status": item.status,
                "requires_review": item.requires_review,
                "due_date": item.due_date,
                "note": item.note,
            },
            constrained,
            today,
        )
    totals = None
    if share.launch.share_totals:
        board = launch_board(launch=share.launch)
        totals = {
            "percent": board.percent,
            "partners": len(board.rows),
            "summary": board.summary,
            "forecast": board.forecast,
            "skus": board.sku_count,
        }
    done = sum(1 for item in items if item.is_complete)
    return {
        "share": share,
        "launch": share.launch,
        "items": items,
        "constraints": constraints,
        "open_constraints": [c for c in constraints if c.status == ConstraintStatus.OPEN],
        "percent": percent(done, len(items)),
        "complete": done,
        "totals": totals,
    }


def open_launch_count(user) -> int | None:
    """The nav badge: open launches with open constraints (for the retailer's roles that work them)."""
    if not getattr(user, "is_internal", False):
        return None
    return (
        Launch.objects.for_actor(user)
        .filter(
            status__in=("planning", "go", "no_go"),
            shares__constraints__status=ConstraintStatus.OPEN,
            shares__case__is_open=True,
        )
        .distinct()
        .count()
        or None
    )
