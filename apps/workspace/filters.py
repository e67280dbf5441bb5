"""The case filters: one FilterSet for the inbox, its CSV export and `/api/v1/cases/`.

    filterset = CaseFilterSet(request.GET, queryset=cases_for_actor(actor=user), actor=user)
    filterset.qs          # scoped and filtered, not ordered: order with pagination.py
    filterset.errors      # invalid values (the page ignores them, the API answers 400)

Choices that name other rows (partners) are scoped to the actor. Tags are the retailer's
own labels, so the tag filter applies to internal actors only: a partner cannot probe which
of its cases carry a tag. No filter joins a to-many relation, so none needs DISTINCT (which
would defeat the sort indexes). `sort` is declared so that forms and the API schema show it, but
ordering and paging belong to `pagination.paginate_cases`.
"""

from datetime import datetime, timedelta

import django_filters
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db.models import F, FloatField, Func, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone

from apps.partners.models import Organization
from apps.partners.tenancy import scope_of

from .choices import CaseKind, Priority, Side
from .flows import flows
from .models import Case
from .models.case import NO_DEADLINE
from .pagination import SORT_CHOICES
from .search import search_cases

# Matches clock.sla_state: due soon is the last two hours, or the last quarter of a short wait.
DUE_SOON_WINDOW = timedelta(hours=2)
OPEN_CHOICES = [("true", "Open"), ("false", "Closed"), ("all", "Open and closed")]
PERSON = RegexValidator(r"^(me|none|\d{1,18})$", "Use “me”, “none” or a user id.")


def status_choices() -> list[tuple[str, str]]:
    """Every state of every registered workflow, once (flow apps may add their own)."""
    seen: dict[str, str] = {}
    for flow in flows():
        for state in flow.workflow.states:
            seen.setdefault(state.name, state.label)
    return list(seen.items())


def closed_statuses() -> set[str]:
    return {s.name for f in flows() for s in f.workflow.states if not s.open}


class Epoch(Func):
    """Seconds since 1970 of a datetime expression, on PostgreSQL and SQLite."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra):
        template = "((julianday(%(expressions)s) - 2440587.5) * 86400.0)"
        return self.as_sql(compiler, connection, template=template, **extra)


class CharInFilter(django_filters.BaseInFilter, django_filters.CharFilter):
    """Comma-separated values: ?tag=damaged,urgent-fix."""


class IdChoiceField(django_filters.fields.ModelMultipleChoiceField):
    """Ids checked as ids before the database sees them: 9223372036854775808 overflows it."""

    def _check_values(self, value):
        for pk in value:
            if not str(pk).isdigit() or not 0 < int(pk) < 2**63:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super()._check_values(value)


class IdMultipleChoiceFilter(django_filters.ModelMultipleChoiceFilter):
    field_class = IdChoiceField


class CaseFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="filter_q", label="Search", max_length=200)
    kind = django_filters.MultipleChoiceFilter(choices=CaseKind.choices, distinct=False)
    status = django_filters.MultipleChoiceFilter(choices=status_choices, distinct=False)
    partner = IdMultipleChoiceFilter(queryset=Organization.objects.none(), distinct=False)
    priority = django_filters.MultipleChoiceFilter(choices=Priority.choices, distinct=False)
    owner = django_filters.CharFilter(
        method="filter_person", validators=[PERSON], help_text="me, none or a user id."
    )
    assignee = django_filters.CharFilter(
        method="filter_person", validators=[PERSON], help_text="me, none or a user id."
    )
    turn = django_filters.ChoiceFilter(choices=Side.choices, label="Whose turn")
    overdue = django_filters.BooleanFilter(method="filter_overdue")
    due_soon = django_filters.BooleanFilter(method="filter_due_soon")
    tag = CharInFilter(method="filter_tag", help_text="Tag names, comma-separated (any of).")
    root_cause = CharInFilter(
        field_name="root_cause_code",
        lookup_expr="in",
        help_text="Root cause codes, comma-separated.",
    )
    resolution = CharInFilter(
        field_name="resolution_code",
        lookup_expr="in",
        help_text="Resolution codes, comma-separated.",
    )
    open = django_filters.ChoiceFilter(
        choices=OPEN_CHOICES,
        method="filter_open",
        help_text="Default: open cases only (unless a status is given).",
    )
    sort = django_filters.ChoiceFilter(
        choices=SORT_CHOICES, method="filter_sort", help_text="Applied by the paginator."
    )

    class Meta:
        model = Case
        fields: list[str] = []

    def __init__(
        self, data=None, queryset=None, *, request=None, prefix=None, actor=None, now=None
    ):
        self.actor = actor if actor is not None else getattr(request, "user", None)
        self.now = now or timezone.now()
        if queryset is None:
            queryset = Case.objects.for_actor(self.actor)
        super().__init__(data, queryset, request=request, prefix=prefix)
        self.internal = scope_of(self.actor).internal
        self.filters["partner"].queryset = Organization.objects.for_actor(self.actor).partners()

    # The default: closed and cancelled cases stay out unless asked for (open=false|all or a
    # status, which names what is wanted).
    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        data = self.form.cleaned_data
        if not data.get("open") and not data.get("status"):
            queryset = queryset.filter(is_open=True)
        return queryset

    def filter_open(self, queryset, name, value):
        if value == "true":
            return queryset.filter(is_open=True)
        if value == "false":
            return queryset.filter(is_open=False)
        return queryset

    def filter_q(self, queryset, name, value):
        return search_cases(queryset, value)

    def filter_person(self, queryset, name, value):
        if value == "none":
            return queryset.filter(**{f"{name}__isnull": True})
        if value == "me":
            pk = getattr(self.actor, "pk", None)
            return queryset.filter(**{f"{name}_id": pk}) if pk else queryset.none()
        return queryset.filter(**{f"{name}_id": int(value)})

    def filter_overdue(self, queryset, name, value):
        overdue = Q(is_open=True, due_at__lte=self.now)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_due_soon(self, queryset, name, value):
        due_soon = self.due_soon_q(self.now)
        return queryset.filter(due_soon) if value else queryset.exclude(due_soon)

    @staticmethod
    def due_soon_q(now: datetime) -> Q:
        """The rows `clock.sla_state` calls due soon at `now`, as SQL.

        due − now ≤ min(2 h, (due − start) / 4) with now < due; the quarter condition is
        3·due + start ≤ 4·now in seconds. The due_at range comes first so the index narrows.
        """
        start = Coalesce(F("turn_started_at"), F("created_at"))
        quarter = LessThanOrEqual(
            Epoch(F("due_at")) * 3.0 + Epoch(start), Value(4 * now.timestamp())
        )
        window = Q(
            is_open=True, due_at__gt=now, due_at__lte=min(now + DUE_SOON_WINDOW, NO_DEADLINE)
        )
        return window & ~Q(turn=Side.NONE) & Q(quarter)

    def filter_tag(self, queryset, name, value):
        names = [v.strip() for v in value if v.strip()]
        if not names or not self.internal:
            return queryset
        tagged = Case.tags.through.objects.filter(tag__name__in=names).values("case_id")
        return queryset.filter(pk__in=tagged)

    def filter_sort(self, queryset, name, value):
        return queryset
