"""Writes of flow 2: plans, their lines (by hand or imported), publishing shares, answers, decisions.

Plans are the retailer's: every service here checks the actor through
`DemandPlan.objects.for_actor`, so a partner (or an agent) reaching one gets "no such plan".
Each partner's share is a case opened through the workspace's `case_create`; the partner's
answers are the share's answer step (`transition_take`), whatever the channel (page, CSV,
API, Trading Grid), and its effect copies them onto the plan lines.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import IO

from django.db import transaction
from django.utils import timezone

from apps.core.errors import Conflict, DomainError
from apps.orders import catalog
from apps.partners.models import Organization
from apps.partners.roles import OrganizationKind
from apps.workspace import services as workspace
from apps.workspace.choices import CaseKind, Priority, Visibility
from apps.workspace.models import Case, CaseLine, LineAnswer, SlaWait
from apps.workspace.models.lines import LineStatus
from apps.workspace.services import CaseDraft, LineDraft

from . import tabular
from .models import (
    AllocationShare,
    DemandPlan,
    LinePriority,
    PlanKind,
    PlanLine,
    PlanStatus,
    SubstitutionDecision,
)

MAX_ERRORS_SHOWN = 50
PLAN_COLUMNS = ("partner", "sku", "product_name", "location", "forecast_qty", "need_by", "priority")
PLAN_REQUIRED = ("partner", "sku", "forecast_qty", "need_by")
PLAN_ALIASES = {
    "supplier": "partner",
    "partner_code": "partner",
    "forecast": "forecast_qty",
    "quantity": "forecast_qty",
    "qty": "forecast_qty",
    "need_by_date": "need_by",
    "name": "product_name",
    "product": "product_name",
}
ANSWER_COLUMNS = (
    "line",
    "sku",
    "description",
    "requested",
    "need_by",
    "answer",
    "quantity",
    "date",
    "substitute_sku",
    "substitute_quantity",
    "reason",
    "note",
)
ANSWER_REQUIRED = ("line", "answer")
ANSWER_ALIASES = {
    "status": "answer",
    "confirmed_qty": "quantity",
    "backorder_date": "date",
    "reason_code": "reason",
}
ANSWER_WORDS = {
    "accept": LineStatus.ACCEPTED,
    "accepted": LineStatus.ACCEPTED,
    "confirm": LineStatus.ACCEPTED,
    "confirmed": LineStatus.ACCEPTED,
    "partial": LineStatus.ACCEPTED_WITH_CHANGES,
    "accepted_with_changes": LineStatus.ACCEPTED_WITH_CHANGES,
    "backorder": LineStatus.BACKORDERED,
    "backordered": LineStatus.BACKORDERED,
    "substitute": LineStatus.SUBSTITUTED,
    "substituted": LineStatus.SUBSTITUTED,
    "decline": LineStatus.REJECTED,
    "declined": LineStatus.REJECTED,
    "reject": LineStatus.REJECTED,
    "rejected": LineStatus.REJECTED,
}
PRIORITY_OF_LINE = {
    LinePriority.URGENT: Priority.URGENT,
    LinePriority.HIGH: Priority.HIGH,
    LinePriority.NORMAL: Priority.NORMAL,
    LinePriority.LOW: Priority.LOW,
}


class ImportRefused(DomainError):
    """A file refused as a whole; `errors` lists each row's problem ("Row 4, forecast_qty: …")."""

    code = "import_refused"

    def __init__(self, message: str, *, errors: list[str]):
        shown = errors[:MAX_ERRORS_SHOWN]
        more = len(errors) - len(shown)
        listed = shown + ([f"… and {more} more."] if more > 0 else [])
        super().__init__(message, fields={"file": listed})
        self.errors = errors


def _plan_for(actor, plan: DemandPlan, *, lock: bool = False) -> DemandPlan:
    query = DemandPlan.objects.for_actor(actor).filter(pk=plan.pk)
    found = (query.select_for_update() if lock else query).first()
    if found is None:
        raise DemandPlan.DoesNotExist("No such plan.")
    return found


# --- plans ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanDraft:
    title: str
    kind: str = PlanKind.PERIOD
    period_start: date | None = None
    period_end: date | None = None
    promotion_ref: str = ""
    answer_by: datetime | None = None
    default_location: str = ""
    share_totals: bool = False
    notes: str = ""


def plan_create(*, actor, draft: PlanDraft) -> DemandPlan:
    if not _plans_allowed(actor):
        raise DemandPlan.DoesNotExist("No such plan.")
    errors = {}
    if not draft.title.strip():
        errors["title"] = ["Give the plan a title."]
    if draft.kind not in PlanKind.values:
        errors["kind"] = ["Choose what the plan is for."]
    if draft.period_start and draft.period_end and draft.period_end < draft.period_start:
        errors["period_end"] = ["The period ends before it starts."]
    if draft.answer_by and draft.answer_by <= timezone.now():
        errors["answer_by"] = ["The answer deadline is in the past."]
    if errors:
        raise DomainError(next(iter(errors.values()))[0], fields=errors)
    return DemandPlan.objects.create(
        title=draft.title.strip()[:200],
        kind=draft.kind,
        period_start=draft.period_start,
        period_end=draft.period_end,
        promotion_ref=draft.promotion_ref.strip()[:100],
        answer_by=draft.answer_by,
        default_location=draft.default_location.strip()[:64],
        share_totals=draft.share_totals,
        notes=draft.notes.strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )


def _plans_allowed(actor) -> bool:
    """Whether the actor may hold plans at all (asked before the first plan exists)."""
    from apps.partners.tenancy import scope_of

    from .models import PLAN_ROLES

    scope = scope_of(actor)
    return scope.internal and scope.role in PLAN_ROLES


# --- lines: by hand or imported -----------------------------------------------------------------


@dataclass
class _Row:
    number: int
    partner: Organization | None = None
    sku: str = ""
    product_name: str = ""
    location: str = ""
    forecast_qty: Decimal | None = None
    need_by: date | None = None
    priority: str = LinePriority.NORMAL


def _partners_by_code() -> dict[str, Organization]:
    rows = Organization.objects.filter(is_active=True).exclude(kind=OrganizationKind.INTERNAL)
    return {o.code.upper(): o for o in rows}


def _check_row(
    row: _Row, cells: dict[str, tabular.Cell], partners: dict[str, Organization], errors: list[str]
) -> None:
    def error(column: str, text: str) -> None:
        errors.append(f"Row {row.number}, column {column}: {text}")

    for column, cell in cells.items():
        if cell.formula:
            error(column, f"a formula ({cell.text[:40]}) is not accepted; paste the value instead.")
    if any(c.formula for c in cells.values()):
        return
    code = cells.get("partner", tabular.Cell("")).text
    row.partner = partners.get(code.upper()) if code else None
    if not code:
        error("partner", "required (the partner's code, e.g. SUP-001).")
    elif row.partner is None:
        error("partner", f"no active partner has the code {code!r}.")
    row.sku = cells.get("sku", tabular.Cell("")).text
    if not row.sku:
        error("sku", "required.")
    elif len(row.sku) > 100:
        error("sku", "longer than 100 characters.")
    row.product_name = cells.get("product_name", tabular.Cell("")).text[:200]
    row.location = cells.get("location", tabular.Cell("")).text[:64]
    raw_qty = cells.get("forecast_qty", tabular.Cell("")).text
    try:
        row.forecast_qty = Decimal(raw_qty.replace(",", "")) if raw_qty else None
        if row.forecast_qty is not None and not row.forecast_qty.is_finite():
            raise InvalidOperation
    except InvalidOperation:
        error("forecast_qty", f"{raw_qty!r} is not a number.")
        row.forecast_qty = None
    else:
        if row.forecast_qty is None:
            error("forecast_qty", "required.")
        elif row.forecast_qty < 0:
            error("forecast_qty", f"must not be negative ({raw_qty}).")
        elif row.forecast_qty == 0:
            error("forecast_qty", "must be above zero.")
        elif row.forecast_qty >= Decimal("1e9") or row.forecast_qty != row.forecast_qty.quantize(
            Decimal("0.001")
        ):
            error("forecast_qty", "too large or more than three decimals.")
    raw_date = cells.get("need_by", tabular.Cell("")).text
    try:
        row.need_by = date.fromisoformat(raw_date[:10]) if raw_date else None
    except ValueError:
        error("need_by", f"{raw_date!r} is not a date (YYYY-MM-DD).")
    else:
        if row.need_by is None:
            error("need_by", "required (YYYY-MM-DD).")
    raw_priority = cells.get("priority", tabular.Cell("")).text.lower()
    if raw_priority:
        if raw_priority not in LinePriority.values:
            error("priority", f"{raw_priority!r} is not one of {', '.join(LinePriority.values)}.")
        else:
            row.priority = raw_priority


def _check_catalog(rows: list[_Row], errors: list[str]) -> bool:
    """SKUs must exist in SFCC's catalog, and a product name given must be SFCC's; fills names."""
    try:
        products = catalog.lookup_products(r.sku for r in rows if r.sku)
    except catalog.CatalogUnavailable as exc:
        raise DomainError(
            f"{exc} Nothing was imported; try again.", code="catalog_unavailable"
        ) from exc
    if products is None:
        return False  # no catalog connected: the lines are kept unchecked, and the plan says so
    for row in rows:
        if not row.sku:
            continue
        product = products.get(row.sku)
        if product is None:
            errors.append(f"Row {row.number}, column sku: {row.sku!r} is not in SFCC's catalog.")
        elif row.product_name and row.product_name.casefold() != product.name.casefold():
            errors.append(
                f"Row {row.number}, column product_name: {row.product_name!r} is not SFCC's name for "
                f"{row.sku} ({product.name!r})."
            )
        else:
            row.product_name = product.name
    return True


def _lines_add(*, actor, plan: DemandPlan, rows: list[_Row], errors: list[str]) -> list[PlanLine]:
    """Check rows against each other, the plan and the catalog; write all of them or none."""
    seen: dict[tuple, int] = {}
    existing = {
        (line.partner_id, line.sku, line.location): line.row
        for line in PlanLine.objects.filter(plan=plan).only("partner_id", "sku", "location", "row")
    }
    for row in rows:
        if row.partner is None or not row.sku:
            continue
        key = (row.partner.pk, row.sku, row.location or plan.default_location)
        if key in seen:
            errors.append(
                f"Row {row.number}: duplicate line: row {seen[key]} has the same partner, SKU and location."
            )
        elif key in existing:
            errors.append(
                f"Row {row.number}: duplicate line: line {existing[key]} of the plan has the same partner, SKU and location."
            )
        seen.setdefault(key, row.number)
    checked = _check_catalog(rows, errors)
    if errors:
        raise ImportRefused(
            f"Nothing was imported: {len(errors)} problem{'s' if len(errors) != 1 else ''} to fix.",
            errors=errors,
        )
    with transaction.atomic():
        plan = _plan_for(actor, plan, lock=True)
        if plan.status != PlanStatus.DRAFT:
            raise Conflict(
                "Lines are added while the plan is a draft; this one is published.",
                code="plan_published",
            )
        last = (
            PlanLine.objects.filter(plan=plan)
            .order_by("-row")
            .values_list("row", flat=True)
            .first()
            or 0
        )
        lines = [
            PlanLine(
                plan=plan,
                partner=row.partner,
                row=last + index,
                sku=row.sku,
                product_name=row.product_name,
                location=row.location or plan.default_location,
                forecast_qty=row.forecast_qty,
                need_by=row.need_by,
                priority=row.priority,
            )
            for index, row in enumerate(rows, start=1)
        ]
        PlanLine.objects.bulk_create(lines, batch_size=1000)
        fields = []
        if checked and not plan.catalog_checked and last == 0:
            plan.catalog_checked = True
            fields.append("catalog_checked")
        elif not checked and plan.catalog_checked:
            plan.catalog_checked = False
            fields.append("catalog_checked")
        if fields:
            plan.save(update_fields=fields)
    return lines


def plan_lines_import(*, actor, plan: DemandPlan, name: str, content: IO[bytes]) -> list[PlanLine]:
    """Add a CSV or XLSX file's lines to a draft plan: all of them, or none with every row's error."""
    plan = _plan_for(actor, plan)
    size = content.seek(0, 2)
    content.seek(0)
    if size > tabular.MAX_BYTES:
        raise ImportRefused(
            "Nothing was imported.",
            errors=[f"The file is larger than {tabular.MAX_BYTES // 2**20} MB."],
        )
    try:
        table = tabular.read_table(
            name=name,
            content=content,
            known=PLAN_COLUMNS,
            required=PLAN_REQUIRED,
            aliases=PLAN_ALIASES,
        )
    except tabular.TableRefused as exc:
        raise ImportRefused(f"Nothing was imported: {exc}", errors=[str(exc)]) from exc
    partners = _partners_by_code()
    errors: list[str] = []
    rows = []
    for number, cells in table.rows:
        row = _Row(number=number)
        _check_row(row, cells, partners, errors)
        rows.append(row)
    return _lines_add(actor=actor, plan=plan, rows=rows, errors=errors)


@dataclass(frozen=True)
class LineInput:
    partner: Organization
    sku: str
    forecast_qty: Decimal
    need_by: date
    location: str = ""
    priority: str = LinePriority.NORMAL
    product_name: str = ""


def plan_line_add(*, actor, plan: DemandPlan, line: LineInput) -> PlanLine:
    """One line entered in the page or the API, checked as an imported row is."""
    plan = _plan_for(actor, plan)
    cells = {
        "partner": tabular.Cell(line.partner.code),
        "sku": tabular.Cell(line.sku.strip()),
        "product_name": tabular.Cell(line.product_name.strip()),
        "location": tabular.Cell(line.location.strip()),
        "forecast_qty": tabular.Cell(str(line.forecast_qty)),
        "need_by": tabular.Cell(line.need_by.isoformat()),
        "priority": tabular.Cell(line.priority),
    }
    errors: list[str] = []
    row = _Row(number=PlanLine.objects.filter(plan=plan).count() + 1)
    _check_row(row, cells, _partners_by_code(), errors)
    return _lines_add(actor=actor, plan=plan, rows=[row], errors=errors)[0]


def plan_inventory_refresh(*, actor, plan: DemandPlan) -> int:
    """Read reserved, in-stock and available quantities from SFCC's inventory records."""
    plan = _plan_for(actor, plan)
    lines = list(PlanLine.objects.filter(plan=plan).only("id", "sku", "location"))
    by_location: dict[str, list[PlanLine]] = defaultdict(list)
    for line in lines:
        by_location[line.location].append(line)
    changed = []
    for location, group in by_location.items():
        try:
            records = catalog.inventory((line.sku for line in group), location)
        except catalog.CatalogUnavailable as exc:
            raise DomainError(
                f"{exc} The quantities were not refreshed.", code="catalog_unavailable"
            ) from exc
        if records is None:
            raise DomainError(
                "No SFCC inventory is connected: nothing to refresh.", code="catalog_unavailable"
            )
        for line in group:
            record = records.get(line.sku)
            line.reserved_qty = record.reserved if record else Decimal(0)
            line.stock_qty = record.stock_level if record else Decimal(0)
            line.ats_qty = record.ats if record else Decimal(0)
            changed.append(line)
    with transaction.atomic():
        plan = _plan_for(actor, plan, lock=True)
        PlanLine.objects.bulk_update(
            changed, ["reserved_qty", "stock_qty", "ats_qty"], batch_size=1000
        )
        plan.inventory_read_at = timezone.now()
        plan.save(update_fields=["inventory_read_at"])
    return len(changed)


# --- publishing: one share (case) per partner ---------------------------------------------------


def plan_publish(*, actor, channel: str, plan: DemandPlan, body: str = "") -> list[Case]:
    """Open each partner's share of the plan: a case with that partner's lines only."""
    plan = _plan_for(actor, plan)
    if plan.status != PlanStatus.DRAFT:
        raise Conflict("The plan is already published.", code="plan_published")
    if plan.inventory_read_at is None:
        # Published without SFCC's quantities if SFCC is away; the view says they were never read.
        with contextlib.suppress(DomainError):
            plan_inventory_refresh(actor=actor, plan=plan)
    lines = list(
        PlanLine.objects.filter(plan=plan).select_related("partner").order_by("partner_id", "row")
    )
    if not lines:
        raise DomainError(
            "Add lines before publishing the plan.", fields={"lines": ["The plan has no lines."]}
        )
    by_partner: dict[int, list[PlanLine]] = defaultdict(list)
    for line in lines:
        by_partner[line.partner_id].append(line)
    cases = []
    with transaction.atomic():
        plan = _plan_for(actor, plan, lock=True)
        if plan.status != PlanStatus.DRAFT:
            raise Conflict("The plan is already published.", code="plan_published")
        for partner_lines in by_partner.values():
            cases.append(
                _share_open(actor=actor, channel=channel, plan=plan, lines=partner_lines, body=body)
            )
        plan.status = PlanStatus.PUBLISHED
        plan.published_at = timezone.now()
        plan.save(update_fields=["status", "published_at"])
    return cases


def _share_open(*, actor, channel: str, plan: DemandPlan, lines: list[PlanLine], body: str) -> Case:
    partner = lines[0].partner
    top = min((PRIORITY_ORDER[line.priority] for line in lines), default=2)
    text = body.strip() or _share_body(plan, lines)
    case = workspace.case_create(
        actor=actor,
        channel=channel,
        draft=CaseDraft(
            kind=CaseKind.ALLOCATION.value,
            partner=partner,
            subject=f"{plan.get_kind_display()} {plan.reference}: {plan.title}"[:200],
            sku=lines[0].sku if len(lines) == 1 else "",
            launch_ref=plan.promotion_ref,
            priority=PRIORITIES[top],
            body=text,
            lines=tuple(
                LineDraft(
                    sku=line.sku,
                    quantity=line.forecast_qty,
                    description=line.product_name,
                    data={
                        "need_by": line.need_by.isoformat(),
                        "location": line.location,
                        "priority": line.priority,
                        "plan": plan.pk,
                        "plan_line": line.row,
                    },
                )
                for line in lines
            ),
        ),
    )
    AllocationShare.objects.create(case=case, plan=plan, partner=partner)
    case_lines = {cl.position: cl for cl in CaseLine.objects.filter(case=case)}
    for position, line in enumerate(lines, start=1):
        line.case_line = case_lines[position]
    PlanLine.objects.bulk_update(lines, ["case_line"], batch_size=1000)
    if plan.answer_by:
        _deadline_set(case, plan.answer_by)
    return case


PRIORITY_ORDER = {
    LinePriority.URGENT: 0,
    LinePriority.HIGH: 1,
    LinePriority.NORMAL: 2,
    LinePriority.LOW: 3,
}
PRIORITIES = [Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW]


def _share_body(plan: DemandPlan, lines: list[PlanLine]) -> str:
    total = sum((line.forecast_qty for line in lines), Decimal(0))
    parts = [
        f"{plan.title}: {len(lines)} line{'s' if len(lines) != 1 else ''}, {total.normalize():f} units requested.",
    ]
    if plan.period_start and plan.period_end:
        parts.append(f"Period {plan.period_start:%d %b %Y} to {plan.period_end:%d %b %Y}.")
    if plan.answer_by:
        parts.append(
            f"Please answer every line by {timezone.localtime(plan.answer_by):%d %b %Y %H:%M}."
        )
    parts.append(
        "Confirm a quantity, give a backorder date for the rest, offer a substitute, or decline with a reason."
    )
    if plan.notes:
        parts.append(plan.notes)
    return "\n\n".join(parts)


def _deadline_set(case: Case, deadline: datetime) -> None:
    """The request's deadline is the partner's: its first wait, and the case, fall due then."""
    Case.objects.filter(pk=case.pk).update(due_at=deadline, first_response_due_at=deadline)
    SlaWait.objects.filter(case=case, ended_at__isnull=True).update(due_at=deadline)
    case.due_at = case.first_response_due_at = deadline


# --- priority requests ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PriorityRequest:
    partner: Organization
    sku: str
    quantity: Decimal
    deadline: datetime
    need_by: date
    location: str = ""
    note: str = ""


def priority_request_open(*, actor, channel: str, request: PriorityRequest) -> Case:
    """A high-priority product request on its own: a one-line plan published at once, whose
    deadline drives the partner's SLA clock."""
    if request.deadline <= timezone.now():
        raise DomainError(
            "The deadline is in the past.", fields={"deadline": ["Choose a time ahead."]}
        )
    with transaction.atomic():
        plan = plan_create(
            actor=actor,
            draft=PlanDraft(
                title=f"Priority request: {request.sku}",
                kind=PlanKind.PRIORITY,
                answer_by=request.deadline,
                notes=request.note,
            ),
        )
        plan_line_add(
            actor=actor,
            plan=plan,
            line=LineInput(
                partner=request.partner,
                sku=request.sku,
                forecast_qty=request.quantity,
                need_by=request.need_by,
                location=request.location,
                priority=LinePriority.URGENT,
            ),
        )
        return plan_publish(actor=actor, channel=channel, plan=plan)[0]


# --- answers --------------------------------------------------------------------------------------


def _share(case: Case) -> AllocationShare | None:
    return AllocationShare.objects.filter(case_id=case.pk).select_related("plan").first()


def answer_guard(case: Case, data: dict) -> str | None:
    share = _share(case)
    if share is not None and share.plan.status == PlanStatus.CLOSED:
        return "The plan is closed: answers are no longer taken."
    substitutes = {a["substitute_sku"] for a in data.get("lines", []) if a.get("substitute_sku")}
    if substitutes:
        try:
            known = catalog.lookup_products(substitutes)
        except catalog.CatalogUnavailable:
            known = None  # SFCC away: the merchandiser checks the substitute when deciding
        unknown = sorted(substitutes - set(known)) if known is not None else []
        if unknown:
            return f"Substitute {', '.join(unknown)} is not in the retailer's catalog."
    return None


def answers_recorded(*, case: Case, data: dict, actor, channel: str) -> None:
    """The answer step's effect: the lines' current answers, copied onto the plan lines."""
    positions = {int(a["line"]) for a in data.get("lines", [])}
    lines = list(
        PlanLine.objects.filter(
            case_line__case=case, case_line__position__in=positions
        ).select_related("case_line")
    )
    latest = {}
    for answer in LineAnswer.objects.filter(line__case=case, line__position__in=positions).order_by(
        "created_at", "id"
    ):
        latest[answer.line_id] = answer
    now = timezone.now()
    for line in lines:
        answer = latest.get(line.case_line_id)
        if answer is None:
            continue
        old_substitute = (line.substitute_sku, line.substitute_qty)
        line.answer_status = answer.status
        line.confirmed_qty = confirmed_quantity(answer, line.forecast_qty)
        line.backorder_date = answer.date if answer.status == LineStatus.BACKORDERED else None
        line.substitute_sku = (
            answer.substitute_sku if answer.status == LineStatus.SUBSTITUTED else ""
        )
        line.substitute_qty = answer.substitute_quantity if line.substitute_sku else None
        line.decline_reason = (
            " ".join(p for p in (answer.reason_code, answer.note) if p)[:540]
            if answer.status == LineStatus.REJECTED
            else ""
        )
        line.answered_at = now
        if not line.substitute_sku:
            line.substitution = SubstitutionDecision.NONE
        elif (line.substitute_sku, line.substitute_qty) != old_substitute or not line.substitution:
            line.substitution = SubstitutionDecision.PENDING  # a new offer is decided anew
    PlanLine.objects.bulk_update(
        lines,
        [
            "answer_status",
            "confirmed_qty",
            "backorder_date",
            "substitute_sku",
            "substitute_qty",
            "decline_reason",
            "answered_at",
            "substitution",
        ],
    )


def confirmed_quantity(answer: LineAnswer, requested: Decimal) -> Decimal:
    if answer.status == LineStatus.REJECTED:
        return Decimal(0)
    if answer.status == LineStatus.ACCEPTED:
        return answer.quantity if answer.quantity is not None else requested
    return answer.quantity if answer.quantity is not None else Decimal(0)


@dataclass(frozen=True)
class AnswerRow:
    number: int
    payload: dict


def share_answers_import(
    *, actor, channel: str, case: Case, name: str, content: IO[bytes], note: str = ""
) -> Case:
    """A partner's answers as a CSV or XLSX file: checked row by row, then one answer step."""
    size = content.seek(0, 2)
    content.seek(0)
    if size > tabular.MAX_BYTES:
        raise ImportRefused(
            "Nothing was recorded.",
            errors=[f"The file is larger than {tabular.MAX_BYTES // 2**20} MB."],
        )
    try:
        table = tabular.read_table(
            name=name,
            content=content,
            known=ANSWER_COLUMNS,
            required=ANSWER_REQUIRED,
            aliases=ANSWER_ALIASES,
        )
    except tabular.TableRefused as exc:
        raise ImportRefused(f"Nothing was recorded: {exc}", errors=[str(exc)]) from exc
    visible = Case.objects.for_actor(actor).filter(pk=case.pk).first()
    if visible is None:
        raise Case.DoesNotExist("No such case.")
    lines = {line.position: line for line in CaseLine.objects.filter(case=visible)}
    errors: list[str] = []
    answers = []
    seen: dict[int, int] = {}
    for number, cells in table.rows:

        def error(column: str, text: str, number=number) -> None:
            errors.append(f"Row {number}, column {column}: {text}")

        formulas = [col for col, cell in cells.items() if cell.formula]
        for column in formulas:
            error(column, "a formula is not accepted; paste the value instead.")
        if formulas:
            continue
        text = {col: cell.text for col, cell in cells.items()}
        position = text.get("line", "")
        if not position.isdigit() or int(position) not in lines:
            error("line", f"{position!r} is not a line of this request (1–{len(lines)}).")
            continue
        line = lines[int(position)]
        if text.get("sku") and text["sku"] != line.sku:
            error("sku", f"line {position} is {line.sku}, not {text['sku']}.")
            continue
        if int(position) in seen:
            errors.append(
                f"Row {number}: line {position} is answered twice (row {seen[int(position)]})."
            )
            continue
        seen[int(position)] = number
        status = ANSWER_WORDS.get(text.get("answer", "").strip().lower())
        if status is None:
            error(
                "answer",
                f"{text.get('answer')!r} is not one of confirm, partial, backorder, substitute, decline.",
            )
            continue
        item = {"line": int(position), "status": status.value}
        for column, field in (
            ("quantity", "quantity"),
            ("date", "date"),
            ("substitute_sku", "substitute_sku"),
            ("substitute_quantity", "substitute_quantity"),
            ("reason", "reason_code"),
            ("note", "note"),
        ):
            if text.get(column):
                item[field] = text[column]
        from apps.workspace.payloads import LineAnswerForm

        form = LineAnswerForm(item, lines=lines)
        if not form.is_valid():
            for field, messages in form.errors.items():
                column = {"reason_code": "reason", "line": "line"}.get(field, field)
                error(column, " ".join(messages))
            continue
        answers.append(item)
    missing = sorted(set(lines) - set(seen))
    if missing and not errors:
        errors.append(
            "Every line needs an answer; the file has none for line "
            + ", ".join(map(str, missing))
            + "."
        )
    if errors:
        raise ImportRefused(
            f"Nothing was recorded: {len(errors)} problem{'s' if len(errors) != 1 else ''} to fix.",
            errors=errors,
        )
    payload = {"lines": answers}
    if note.strip():
        payload["note"] = note.strip()
    return workspace.case_transition(
        actor=actor, channel=channel, case=visible, transition="answer", payload=payload
    )


# --- the merchandiser's decisions ---------------------------------------------------------------


def substitution_decide(*, actor, channel: str, line: PlanLine, accept: bool) -> PlanLine:
    """Accept or refuse a partner's offered substitute; an accepted one reaches SFCC where configured."""
    line = (
        PlanLine.objects.for_actor(actor)
        .select_related("case_line", "plan")
        .filter(pk=line.pk)
        .first()
    )
    if line is None or not DemandPlan.objects.for_actor(actor).filter(pk=line.plan_id).exists():
        raise PlanLine.DoesNotExist("No such line.")
    if line.case_line is None:
        raise Conflict("The line has not been sent to its partner.", code="not_published")
    with transaction.atomic():
        case = workspace.case_lock(case=line.case_line.case, actor=actor)
        line = PlanLine.objects.select_for_update().get(pk=line.pk)
        if not line.substitute_sku:
            raise Conflict("The partner offered no substitute on this line.", code="no_substitute")
        decision = SubstitutionDecision.ACCEPTED if accept else SubstitutionDecision.REFUSED
        if line.substitution == decision:
            return line
        old = line.get_substitution_display()
        line.substitution = decision
        line.substitution_decided_at = timezone.now()
        line.substitution_decided_by = workspace.actor_label(actor)[:200]
        line.save(
            update_fields=["substitution", "substitution_decided_at", "substitution_decided_by"]
        )
        verb = "accepted" if accept else "refused"
        workspace.timeline_record(
            case=case,
            actor=actor,
            channel=channel,
            verb=f"substitution_{verb}",
            summary=f"Substitute {verb}: line {line.case_line.position} {line.sku} → "
            f"{line.substitute_sku} × {line.substitute_qty.normalize():f}",
            changes=[("substitution", old, line.get_substitution_display())],
            visibility=Visibility.PARTNER,
            data={
                "line": line.case_line.position,
                "substitute_sku": line.substitute_sku,
                "decision": verb,
            },
        )
        product_attributes_write(plan=line.plan, skus={line.sku}, case=case)
    return line


def share_confirmed(*, case: Case, data: dict, actor, channel: str) -> None:
    """The confirm step's effect: the share's confirmed quantities go to SFCC's products."""
    share = _share(case)
    if share is None:
        return
    skus = set(PlanLine.objects.filter(case_line__case=case).values_list("sku", flat=True))
    product_attributes_write(plan=share.plan, skus=skus, case=case)


def product_attributes_write(*, plan: DemandPlan, skus: set[str], case: Case | None = None) -> int:
    """Queue each product's allocation of the plan as `c_` attributes: confirmed quantities of
    the shares the merchandiser confirmed, and the substitutes accepted. Recomputed per SKU over
    the whole plan, so each write says the plan's whole truth for that product."""
    if not catalog.writes_product_attributes() or not skus:
        return 0
    lines = PlanLine.objects.filter(plan=plan, sku__in=skus).select_related("case_line__case")
    totals: dict[str, dict] = {}
    for line in lines:
        entry = totals.setdefault(
            line.sku, {"confirmed": Decimal(0), "backorder": None, "subs": []}
        )
        share_case = line.case_line.case if line.case_line else None
        if (
            share_case is not None
            and share_case.resolved_at is not None
            and line.confirmed_qty is not None
        ):
            entry["confirmed"] += line.confirmed_qty
            if line.backorder_date and (
                entry["backorder"] is None or line.backorder_date < entry["backorder"]
            ):
                entry["backorder"] = line.backorder_date
        if line.substitution == SubstitutionDecision.ACCEPTED:
            entry["subs"].append(f"{line.substitute_sku}:{line.substitute_qty.normalize():f}")
    for sku, entry in sorted(totals.items()):
        catalog.write_product_attributes(
            sku=sku,
            key=f"catalog:product:{sku}",
            case=case,
            attributes={
                "c_crossdockAllocationPlan": plan.reference,
                "c_crossdockAllocatedQty": float(entry["confirmed"]),
                "c_crossdockBackorderDate": entry["backorder"].isoformat()
                if entry["backorder"]
                else None,
                "c_crossdockSubstitutes": ",".join(sorted(entry["subs"])) or None,
                "c_crossdockAllocationUpdated": timezone.now().isoformat(timespec="seconds"),
            },
        )
    return len(totals)


def plan_close(*, actor, plan: DemandPlan) -> DemandPlan:
    with transaction.atomic():
        plan = _plan_for(actor, plan, lock=True)
        if plan.status != PlanStatus.PUBLISHED:
            raise Conflict("Only a published plan is closed.", code="invalid_transition")
        plan.status = PlanStatus.CLOSED
        plan.save(update_fields=["status"])
    return plan


def deadline_from_date(day: date) -> datetime:
    """A date typed in a form, as the end of that business day in the retailer's time zone."""
    return timezone.make_aware(datetime.combine(day, time(17, 0)))
