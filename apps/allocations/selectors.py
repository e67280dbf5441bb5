"""Reads of flow 2: the allocation view of a plan, in a fixed number of queries whatever its size.

Every figure is computed by the database from the plan lines (which hold each partner's
current answer), so a plan of 2,000 lines across 200 partners costs the same queries as one
of ten: the plan, the per-partner summary (one GROUP BY), the shares' states, the totals and
one page of lines.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest

from .models import AllocationShare, DemandPlan, PlanLine, SubstitutionDecision

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=12, decimal_places=3))
QTY = DecimalField(max_digits=14, decimal_places=3)
LINES_PER_PAGE = 100
FILTERS = {
    "shortfall": "Shortfalls",
    "at_risk": "At risk of overselling",
    "substitutes": "Substitutes offered",
    "unanswered": "Not answered",
}


def plans_for_actor(*, actor) -> QuerySet[DemandPlan]:
    return DemandPlan.objects.for_actor(actor).annotate(
        line_count=Count("lines", distinct=True),
        partner_count=Count("lines__partner", distinct=True),
    )


def plan_get(*, actor, pk: int) -> DemandPlan | None:
    return DemandPlan.objects.for_actor(actor).filter(pk=pk).select_related("created_by").first()


def _cover():
    accepted_sub = Case(
        When(substitution=SubstitutionDecision.ACCEPTED, then=Coalesce(F("substitute_qty"), ZERO)),
        default=ZERO,
        output_field=QTY,
    )
    return ExpressionWrapper(Coalesce(F("confirmed_qty"), ZERO) + accepted_sub, output_field=QTY)


def lines_with_figures(queryset: QuerySet[PlanLine]) -> QuerySet[PlanLine]:
    """Plan lines with `cover` (confirmed + accepted substitute), `shortfall` and `at_risk`."""
    return queryset.annotate(cover=_cover()).annotate(
        shortfall=ExpressionWrapper(
            Greatest(F("forecast_qty") - F("cover"), ZERO), output_field=QTY
        ),
        # Reserved in SFCC beyond what partners confirmed plus what is in stock: orders SFCC
        # already took may not be fulfilled.
        at_risk=Case(
            When(
                Q(reserved_qty__isnull=False)
                & Q(
                    reserved_qty__gt=Coalesce(F("confirmed_qty"), ZERO)
                    + Coalesce(F("stock_qty"), ZERO)
                ),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        ),
    )


def lines_filtered(
    *, plan: DemandPlan, show: str = "", partner_id: int | None = None
) -> QuerySet[PlanLine]:
    lines = lines_with_figures(PlanLine.objects.filter(plan=plan))
    if partner_id:
        lines = lines.filter(partner_id=partner_id)
    if show == "shortfall":
        lines = lines.filter(shortfall__gt=0)
    elif show == "at_risk":
        lines = lines.filter(at_risk=True)
    elif show == "substitutes":
        lines = lines.exclude(substitute_sku="")
    elif show == "unanswered":
        lines = lines.filter(answer_status="")
    return lines.select_related("partner", "case_line").order_by("row")


PARTNERS_SHOWN = 25


def partner_summary(*, plan: DemandPlan, limit: int | None = None) -> list[dict]:
    """One row per partner (the `limit` with the largest shortfall first): requested,
    confirmed, reserved, shortfall, lines at risk, answered.

    The GROUP BY, its order and the limit run in the database: Python touches only the rows
    returned (at most `limit`) and their shares, whatever the plan's size."""
    rows = (
        lines_with_figures(PlanLine.objects.filter(plan=plan))
        .values("partner_id", "partner__name", "partner__code")
        .annotate(
            lines=Count("id"),
            answered=Count("id", filter=~Q(answer_status="")),
            requested=Sum("forecast_qty"),
            confirmed=Sum(Coalesce(F("confirmed_qty"), ZERO)),
            reserved=Sum(Coalesce(F("reserved_qty"), ZERO)),
            shortfall_sum=Sum("shortfall"),
            at_risk_count=Count("id", filter=Q(at_risk=True)),
            substitutes=Count("id", filter=~Q(substitute_sku="")),
        )
        .order_by("-shortfall_sum", "partner__name")
    )
    shares = AllocationShare.objects.filter(plan=plan)
    if limit is not None:
        # LIMIT in SQL: only the partners shown reach Python, and only their shares are read.
        rows = list(rows[:limit])
        shares = shares.filter(partner_id__in=[row["partner_id"] for row in rows])
    shares = {
        share.partner_id: share
        for share in shares.select_related("case").only(
            "partner_id",
            "case__id",
            "case__status",
            "case__kind",
            "case__due_at",
            "case__is_open",
            "case__turn",
            "case__turn_started_at",
            "case__created_at",
        )
    }
    from apps.workspace.states import workflow_for

    out = []
    for row in rows:
        row["shortfall"], row["at_risk"] = row.pop("shortfall_sum"), row.pop("at_risk_count")
        share = shares.get(row["partner_id"])
        row["case"] = share.case if share else None
        if share:
            state = workflow_for(share.case.kind).state(share.case.status)
            row["state_label"], row["state_tone"] = state.label, state.tone
        out.append(row)
    return out


@dataclass(frozen=True)
class Totals:
    lines: int
    requested: Decimal
    confirmed: Decimal
    reserved: Decimal
    shortfall: Decimal
    shortfall_lines: int
    at_risk: int
    substitutes_pending: int
    answered: int


def plan_totals(*, plan: DemandPlan) -> Totals:
    row = lines_with_figures(PlanLine.objects.filter(plan=plan)).aggregate(
        lines=Count("id"),
        requested=Coalesce(Sum("forecast_qty"), ZERO),
        confirmed=Coalesce(Sum(Coalesce(F("confirmed_qty"), ZERO)), ZERO),
        reserved=Coalesce(Sum(Coalesce(F("reserved_qty"), ZERO)), ZERO),
        shortfall_sum=Coalesce(Sum("shortfall"), ZERO),
        shortfall_lines=Count("id", filter=Q(shortfall__gt=0)),
        at_risk_count=Count("id", filter=Q(at_risk=True)),
        substitutes_pending=Count("id", filter=Q(substitution=SubstitutionDecision.PENDING)),
        answered=Count("id", filter=~Q(answer_status="")),
    )
    row["shortfall"], row["at_risk"] = row.pop("shortfall_sum"), row.pop("at_risk_count")
    return Totals(**row)


def share_for_case(*, case) -> AllocationShare | None:
    return AllocationShare.objects.filter(case_id=case.pk).select_related("plan").first()


def share_lines(*, case) -> list[PlanLine]:
    """A share's plan lines (its partner's only), with their figures, for its case page."""
    return list(
        lines_with_figures(PlanLine.objects.filter(case_line__case_id=case.pk))
        .select_related("case_line")
        .order_by("case_line__position")
    )
