"""The inbox: every case the user may see, filtered, searched, sorted and paged by keyset.

One page for everyone; tenancy comes from `cases_for_actor` and nowhere else. The same filters
feed the CSV export, and bulk actions go case by case through the services. Filters live in
the query string, so every view is a bookmarkable URL; htmx swaps only `#case-list`.
"""

import csv
from dataclasses import dataclass
from html import escape

from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.timesince import timesince
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers
from django_htmx.http import push_url

from apps.core.errors import DomainError
from apps.core.pages import wants_partial
from apps.partners.models import Organization
from apps.partners.roles import INTERNAL_ROLES
from apps.partners.selectors import active_members

from .. import services
from ..choices import CaseKind, Channel, Priority, Side
from ..clock import sla_state
from ..filters import OPEN_CHOICES, CaseFilterSet, status_choices
from ..flows import flows, kind_choices, kinds_for_role, outcome_code_choices
from ..models import Case, SavedView, Tag
from ..pagination import SORT_CHOICES, count_upto, iterate_cases, paginate_cases, sort_for
from ..selectors import cases_for_actor
from ..sides import side_of
from ..states import workflow_for

FILTER_KEYS = (
    "q",
    "kind",
    "status",
    "partner",
    "priority",
    "owner",
    "assignee",
    "turn",
    "root_cause",
    "resolution",
    "overdue",
    "due_soon",
    "tag",
    "open",
)
QUERY_KEYS = (*FILTER_KEYS, "sort")
ANY = "any"  # an explicit "no filter" that still counts as a choice (beats the defaults)
BULK_LIMIT = 200
TURN_LABELS = {Side.PARTNER: "Partner", Side.RETAILER: "Retailer", Side.NONE: "Nobody"}
TURN_TONES = {Side.PARTNER: "warn", Side.RETAILER: "accent", Side.NONE: "muted"}
CASE_KIND_LABELS = dict(CaseKind.choices)


# --- the query string ----------------------------------------------------------------------


def clean_query(params: QueryDict) -> QueryDict:
    """The inbox's own keys with non-empty values: what URLs, exports and saved views keep."""
    query = QueryDict(mutable=True)
    for key in QUERY_KEYS:
        values = [v.strip() for v in params.getlist(key) if v.strip()]
        if values:
            query.setlist(key, values)
    return query


def defaults_for(actor) -> dict[str, str]:
    """What the bare inbox shows: a partner's home is what is waiting on them."""
    return {} if actor.is_internal else {"turn": Side.PARTNER}


def effective_filters(actor, query: QueryDict) -> QueryDict:
    """The FilterSet's data: defaults when no filter was chosen, explicit "any" dropped."""
    data = query.copy()
    if not any(key in query for key in FILTER_KEYS):
        for key, value in defaults_for(actor).items():
            data[key] = value
    for key in FILTER_KEYS:
        values = [v for v in data.getlist(key) if v != ANY]
        if values:
            data.setlist(key, values)
        elif key in data:
            del data[key]
    return data


def _with(query: QueryDict, **extra) -> QueryDict:
    """`query` with `extra` set (an empty value removes the key)."""
    query = query.copy()
    for key, value in extra.items():
        if value:
            query[key] = value
        else:
            query.pop(key, None)
    return query


def _url(query: QueryDict, **extra) -> str:
    encoded = _with(query, **extra).urlencode()
    return reverse("workspace:inbox") + (f"?{encoded}" if encoded else "")


# --- the page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tab:
    label: str
    url: str
    current: bool


def _tabs(actor, data: QueryDict) -> list[Tab]:
    if actor.is_internal:
        presets = [
            ("All open", {}),
            ("Waiting on us", {"turn": Side.RETAILER}),
            ("Mine", {"owner": "me"}),
            ("Overdue", {"overdue": "true"}),
            ("Closed", {"open": "false"}),
        ]
    else:
        presets = [
            ("Waiting on you", {}),
            ("Waiting on the retailer", {"turn": Side.RETAILER}),
            ("All open", {"turn": ANY}),
            ("Closed", {"open": "false", "turn": ANY}),
        ]
    current = {k: data.getlist(k) for k in FILTER_KEYS if k in data}
    sort = data.get("sort")
    tabs = []
    for label, params in presets:
        query = QueryDict(mutable=True)
        query.update(params)
        if sort:
            query["sort"] = sort
        effective = effective_filters(actor, query)
        wanted = {k: effective.getlist(k) for k in FILTER_KEYS if k in effective}
        tabs.append(Tab(label, _url(query), wanted == current))
    return tabs


def _kind_choices(actor) -> list[tuple[str, str]]:
    return kind_choices(kinds_for_role(actor.role) if actor.is_internal else None)


def _internal_people():
    return active_members(roles=INTERNAL_ROLES).only("pk", "full_name", "email")


def _bulk_transitions() -> list[tuple[str, str]]:
    """Transitions the retailer may take in any flow, by name (each case checks its own table)."""
    seen: dict[str, str] = {}
    for flow in flows():
        for t in flow.workflow.transitions:
            if Side.RETAILER in t.sides:
                seen.setdefault(t.name, t.label + (" (needs a comment)" if t.needs_comment else ""))
    return list(seen.items())


class _Components:
    """Component HTML for list rows, rendered from templates/components/ once per distinct input.

    Fifty rows would otherwise render ~150 component includes; pills and badges repeat, so they
    are memoized per request. The SLA clock differs per row and is rendered from its template.
    """

    def __init__(self):
        self._pill = get_template("components/pill.html")
        self._badge = get_template("components/badge.html")
        self._sla = get_template("components/sla_clock.html")
        self._memo: dict[tuple, str] = {}

    def pill(self, label: str, tone: str) -> str:
        key = ("pill", label, tone)
        if key not in self._memo:
            self._memo[key] = mark_safe(self._pill.render({"label": label, "tone": tone}).strip())  # noqa: S308 - our template
        return self._memo[key]

    def badge(self, label: str, tone: str, strong: bool) -> str:
        key = ("badge", label, tone, strong)
        if key not in self._memo:
            html = self._badge.render({"label": label, "tone": tone, "strong": strong})
            self._memo[key] = mark_safe(html.strip())  # noqa: S308 - our template
        return self._memo[key]

    def sla(self, state: str, due) -> str:
        return mark_safe(self._sla.render({"state": state, "due": due}).strip())  # noqa: S308 - our template


def _decorate(actor, rows: list[Case], now) -> None:
    """What each row shows, computed from the row's own fields: no query and no include per row."""
    side = side_of(actor, default=None)
    components = _Components()
    url_pattern = reverse("workspace:case_detail", args=[0])
    internal = actor.is_internal
    for case in rows:
        state = workflow_for(case.kind).state(case.status)
        mine = case.turn == side
        case.url = url_pattern.replace("/0/", f"/{case.pk}/")
        case.kind_label = CASE_KIND_LABELS.get(case.kind, case.kind)
        case.status_pill = components.pill(state.label, state.tone)
        case.turn_badge = components.badge(
            "Your turn" if mine else TURN_LABELS.get(case.turn, case.turn),
            "accent" if mine else TURN_TONES.get(case.turn, "neutral"),
            mine,
        )
        case.sla_clock = components.sla(sla_state(case, now=now), case.due_at)
        refs = [case.order_number] if case.order_number else []
        if internal:
            refs += [f"#{tag.name}" for tag in case.tags.all()]
        case.refs = " ".join(refs)
        local = timezone.localtime(case.last_activity_at)
        case.activity_iso = case.last_activity_at.isoformat()
        case.activity_title = f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"
        case.activity_text = f"{timesince(case.last_activity_at, now)} ago"


def _options(choices, selected) -> str:
    """<option> elements for a filter <select>, built in Python: a page lists 500 partners."""
    chosen = {str(v) for v in selected}
    return mark_safe(  # noqa: S308 - every value and label is escaped here
        "".join(
            f'<option value="{escape(str(value))}"{" selected" if str(value) in chosen else ""}>'
            f"{escape(str(label))}</option>"
            for value, label in choices
        )
    )


def _empty_state(actor, query: QueryDict, data: QueryDict) -> dict:
    if data.get("q"):
        return {
            "icon": "search",
            "title": f"No cases match “{data['q']}”",
            "body": "Search looks in subjects, order numbers, references and shared messages. "
            "Check the spelling, or clear the search to see the list again.",
            "action_url": _url(query.copy(), q=""),
            "action_label": "Clear the search",
        }
    if any(k in query for k in FILTER_KEYS if k not in ("turn",)) or (
        actor.is_internal and "turn" in query
    ):
        return {
            "icon": "search",
            "title": "No cases match these filters",
            "body": "Closed and cancelled cases are hidden unless you ask for them. "
            "Loosen a filter, or start again from the whole inbox.",
            "action_url": reverse("workspace:inbox"),
            "action_label": "Clear all filters",
        }
    if not actor.is_internal and data.get("turn") == Side.PARTNER:
        return {
            "icon": "done",
            "title": "Nothing is waiting on you",
            "body": "When the retailer asks you something, the case appears here, the one due "
            "first at the top. Cases waiting on the retailer are under “All open”.",
            "action_url": _url(QueryDict(mutable=True), turn=ANY),
            "action_label": "See all open cases",
        }
    if actor.is_internal:
        return {
            "icon": "inbox",
            "title": "No open cases",
            "body": "Cases from partners, SFCC and Trading Grid appear here as they arrive. "
            "You can also open one with a partner yourself.",
            "action_url": reverse("workspace:case_create"),
            "action_label": "Open a case",
        }
    return {
        "icon": "inbox",
        "title": "No cases here",
        "body": "Cases the retailer opens with your organization appear here.",
    }


def inbox_context(request, params: QueryDict) -> dict:
    actor = request.user
    now = timezone.now()
    query = clean_query(params)
    data = effective_filters(actor, query)
    filterset = CaseFilterSet(data, queryset=cases_for_actor(actor=actor), actor=actor, now=now)
    # The search document can be long and no row shows it.
    queryset = filterset.qs.defer("search_document")
    if actor.is_internal:
        queryset = queryset.prefetch_related("tags")
    sort = sort_for(data.get("sort"))
    page = paginate_cases(
        queryset, sort=sort.name, cursor=params.get("cursor"), size=settings.INBOX_PAGE_SIZE
    )
    _decorate(actor, page.items, now)
    if page.first and not page.has_next:
        total, more = len(page.items), False
    elif data.get("q"):
        # A capped count of a broad search still reads hundreds of documents: not worth it.
        total, more = None, False
    else:
        total, more = count_upto(filterset.qs)
    filters = {k: data.getlist(k) for k in FILTER_KEYS}
    position = {"cursor": params["cursor"]} if params.get("cursor") else {}
    side = side_of(actor, default=None)
    turns = [
        (value, f"Yours ({label.lower()})" if value == side else label)
        for value, label in (
            (Side.PARTNER, "Partner"),
            (Side.RETAILER, "Retailer"),
            (Side.NONE, "Nobody (paused)"),
        )
    ]
    codes = outcome_code_choices(kinds_for_role(actor.role) if actor.is_internal else None)
    context = {
        "page": page,
        "cases": page.items,
        "total": total,
        "total_more": more,
        "query": query,
        "query_string": query.urlencode(),
        "data": data,
        "filters": filters,
        "filter_errors": filterset.errors,
        "sort": sort,
        "options": {
            "kind": _options(_kind_choices(actor), filters["kind"]),
            "status": _options(status_choices(), filters["status"]),
            "priority": _options(Priority.choices, filters["priority"]),
            "turn": _options(turns, filters["turn"]),
            "open": _options(OPEN_CHOICES, filters["open"] or ["true"]),
            "sort": _options(SORT_CHOICES, [sort.name]),
            "assignee": _options([("me", "Me"), ("none", "Nobody")], filters["assignee"]),
            "root_cause": _options(codes["root_cause"], filters["root_cause"]) if codes["root_cause"] else "",
            "resolution": _options(codes["resolution"], filters["resolution"]) if codes["resolution"] else "",
        },
        "is_internal": actor.is_internal,
        "tabs": _tabs(actor, data),
        "saved_views": list(SavedView.objects.for_actor(actor)),
        "export_url": reverse("workspace:inbox_export")
        + (f"?{query.urlencode()}" if query else ""),
        "next_url": _url(query, cursor=page.next_cursor) if page.next_cursor else "",
        "prev_url": _url(query, cursor=page.prev_cursor) if page.prev_cursor else "",
        "self_url": _url(query, **position),
        # Where a bulk action comes back to: the same filters, on the same page.
        "self_query": _with(query, **position).urlencode(),
        "empty": None if page.items else _empty_state(actor, query, data),
        "filtered": any(k in query for k in FILTER_KEYS),
    }
    if actor.is_internal:
        people = [(p.pk, str(p)) for p in _internal_people()]
        partners = Organization.objects.for_actor(actor).partners().values_list("pk", "name")
        context["options"].update(
            partner=_options(partners, filters["partner"]),
            owner=_options([("me", "Me"), ("none", "Nobody"), *people], filters["owner"]),
            bulk_owner=_options([("none", "Nobody"), *people], []),
            bulk_transition=_options(_bulk_transitions(), []),
            tags=_options(
                ((name, name) for name in Tag.objects.values_list("name", flat=True)), []
            ),
        )
    return context


@require_GET
@vary_on_headers("HX-Request")
def inbox(request):
    context = inbox_context(request, request.GET)
    if wants_partial(request):
        context["oob_views"] = True
        response = render(request, "workspace/inbox.html#results", context)
        # The clean URL, not the form's every empty field, goes into the address bar; once:
        # a search box fires both "input" and "change", and Back must not stop on a twin.
        if request.htmx.current_url_abs_path == context["self_url"]:
            return push_url(response, False)
        return push_url(response, context["self_url"])
    return render(request, "workspace/inbox.html", context)


# --- export --------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    "reference",
    "subject",
    "kind",
    "partner",
    "status",
    "priority",
    "turn",
    "due",
    "owner",
    "assignee",
    "order number",
    "last activity",
]


class _Echo:
    def write(self, value: str) -> str:
        return value


def _cell(value) -> str:
    """Text a spreadsheet will not run: a leading = + - @ (formula) is defused with a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _export_rows(actor, queryset, sort: str):
    writer = csv.writer(_Echo())
    yield writer.writerow(EXPORT_COLUMNS)
    for case in iterate_cases(queryset, sort=sort):
        state = workflow_for(case.kind).state(case.status)
        yield writer.writerow(
            [
                _cell(v)
                for v in (
                    case.reference,
                    case.subject,
                    case.get_kind_display(),
                    case.partner.name,
                    state.label,
                    case.get_priority_display(),
                    TURN_LABELS.get(case.turn, case.turn),
                    case.due_at.isoformat() if case.has_deadline else "",
                    case.owner.get_full_name() if case.owner else "",
                    case.assignee.get_full_name() if case.assignee else "",
                    case.order_number,
                    case.last_activity_at.isoformat(),
                )
            ]
        )


@require_GET
def inbox_export(request):
    """The filtered list as CSV, under the same scope; case fields only, never message text."""
    actor = request.user
    query = clean_query(request.GET)
    data = effective_filters(actor, query)
    filterset = CaseFilterSet(data, queryset=cases_for_actor(actor=actor), actor=actor)
    # Only the columns the file shows: the search document (message text) never leaves.
    queryset = filterset.qs.only(
        "pk",
        "subject",
        "kind",
        "status",
        "priority",
        "turn",
        "due_at",
        "order_number",
        "last_activity_at",
        "partner__name",
        "owner__full_name",
        "owner__email",
        "assignee__full_name",
        "assignee__email",
    )
    response = StreamingHttpResponse(
        _export_rows(actor, queryset, sort_for(data.get("sort")).name),
        content_type="text/csv; charset=utf-8",
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="crossdock-cases-{stamp}.csv"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- bulk actions --------------------------------------------------------------------------


def _ids(values: list[str]) -> list[int]:
    return [int(v) for v in values if v.isdigit()][:BULK_LIMIT]


def _bulk_apply(request) -> tuple[str, bool]:
    """Apply one action to each selected case through the services; say what happened."""
    actor = request.user
    post = request.POST
    ids = _ids(post.getlist("page_ids") if post.get("all_on_page") else post.getlist("ids"))
    action = post.get("action", "")
    if not ids:
        raise DomainError("Select at least one case.")

    if action == "assign":
        choice = post.get("owner", "")
        if choice == "none":
            owner = None
        elif choice.isdigit():
            owner = _internal_people().filter(pk=int(choice)).first()
            if owner is None:
                raise DomainError("Choose one of the retailer's people as the owner.")
        else:
            raise DomainError("Choose an owner to assign.")

        def apply(case):
            services.case_update(actor=actor, channel=Channel.WEB, case=case, owner=owner)

        done = "assigned to " + (owner.get_full_name() if owner else "nobody")
    elif action == "transition":
        name = post.get("transition", "")
        comment = post.get("comment", "")
        if name not in dict(_bulk_transitions()):
            raise DomainError("Choose a status change.")

        def apply(case):
            services.case_transition(
                actor=actor, channel=Channel.WEB, case=case, transition=name, comment=comment
            )

        done = "updated"
    elif action == "request_update":
        note = post.get("comment", "")

        def apply(case):
            services.case_request_update(actor=actor, channel=Channel.WEB, case=case, note=note)

        done = "asked for an update"
    elif action in ("tag_add", "tag_remove"):
        tag = services.tag_name(post.get("tag", ""))
        adding = action == "tag_add"

        def apply(case):
            services.case_set_tags(
                actor=actor,
                channel=Channel.WEB,
                case=case,
                add=[tag] if adding else [],
                remove=[] if adding else [tag],
            )

        done = f"tagged “{tag}”" if adding else f"untagged “{tag}”"
    else:
        raise DomainError("Choose an action.")

    cases = list(cases_for_actor(actor=actor).filter(pk__in=ids).order_by("pk"))
    applied, refused = 0, {}
    for case in cases:
        try:
            apply(case)
        except (DomainError, Case.DoesNotExist) as exc:
            refused.setdefault(str(exc).rstrip(".") or "Not found", []).append(case.reference)
        else:
            applied += 1
    reasons = [f"{reason} ({', '.join(refs)})" for reason, refs in refused.items()]
    skipped = len(cases) - applied
    missing = len(set(ids)) - len(cases)
    if missing:
        reasons.append(f"{missing} not found")
        skipped += missing
    summary = f"{applied} {done}"
    if skipped:
        summary += f", {skipped} skipped: " + "; ".join(reasons)
    return summary + ".", bool(skipped)


@require_POST
def inbox_bulk(request):
    if not request.user.is_internal:
        raise Http404("Bulk actions are for the retailer's people.")
    params = QueryDict(request.POST.get("next", ""), mutable=False)
    try:
        summary, skipped = _bulk_apply(request)
        level = messages.WARNING if skipped else messages.SUCCESS
    except DomainError as exc:
        summary, level = str(exc), messages.ERROR
    if wants_partial(request):
        context = inbox_context(request, params)
        context["oob_views"] = True
        context["toast"] = {"message": summary, "level": messages.DEFAULT_TAGS[level]}
        return render(request, "workspace/inbox.html#results", context)
    messages.add_message(request, level, summary)
    position = {"cursor": params["cursor"]} if params.get("cursor") else {}
    return redirect(_url(clean_query(params), **position))


# --- saved views ---------------------------------------------------------------------------


@require_POST
def saved_view_create(request):
    name = request.POST.get("name", "").strip()[:80]
    query = clean_query(QueryDict(request.POST.get("query", ""))).urlencode()[:1000]
    if not name:
        messages.error(request, "Give the view a name.")
        return redirect(_url(QueryDict(query)))
    existing = SavedView.objects.for_actor(request.user).filter(name=name).first()
    if existing is not None and request.POST.get("replace") != "1":
        # Same name: ask before the older filters are lost.
        context = {"name": name, "query": query, "existing": existing, "back": _url(QueryDict(query))}
        return render(request, "workspace/saved_view_replace.html", context, status=409)
    try:
        with transaction.atomic():
            SavedView.objects.update_or_create(
                user=request.user, name=name, defaults={"query": query}
            )
    except IntegrityError:
        messages.error(request, "That view could not be saved.")
    else:
        messages.success(request, f"Saved the view “{name}”.")
    return redirect(_url(QueryDict(query)))


@require_POST
def saved_view_delete(request, pk: int):
    view = get_object_or_404(SavedView.objects.for_actor(request.user), pk=pk)
    view.delete()
    messages.success(request, f"Deleted the view “{view.name}”.")
    return redirect("workspace:inbox")
