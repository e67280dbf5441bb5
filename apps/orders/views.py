"""The order pages: find a mirrored order, and see its lines, shipments and cases.

Everything goes through the selectors, so a partner finds only the orders it has a line or a
case on, and sees only its own lines there. The flows' pages (escalate, post an exception)
are reached by URL name: the orders app imports no flow, and without the flow app installed
its buttons are simply not drawn.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from apps.core.pages import template_for
from apps.partners.models import Organization
from apps.workspace.choices import CaseKind
from apps.workspace.flows import kinds_for_role
from apps.workspace.states import workflow_for

from . import selectors
from .forms import PAGE_SIZE, OrderSearchForm
from .models import Order, OrderLine, Shipment
from .sections import order_sections

# Pill tones of SFCC's order and shipping statuses; any other value is drawn neutral.
STATUS_TONES = {
    "created": "info",
    "new": "info",
    "open": "info",
    "replaced": "muted",
    "completed": "success",
    "cancelled": "danger",
    "failed": "danger",
    "not_shipped": "neutral",
    "part_shipped": "warn",
    "shipped": "success",
}


# What a result row shows: no total, no payment state.
ROW_FIELDS = (
    "site_id", "order_no", "status", "shipping_status", "channel_type", "creation_date",
    "customer_name", "last_modified",
)


def _status(value: str) -> dict:
    label = value.replace("_", " ").capitalize() if value else "—"
    return {"label": label, "tone": STATUS_TONES.get(value, "neutral")}


def _page_url(query: str, page: int) -> str:
    params = {"q": query, "page": page if page > 1 else None}
    params = {key: value for key, value in params.items() if value}
    return reverse("orders:order_list") + (f"?{urlencode(params)}" if params else "")


@require_GET
@vary_on_headers("HX-Request")
def order_list(request: HttpRequest) -> HttpResponse:
    actor = request.user
    internal = actor.is_internal
    form = OrderSearchForm(request.GET, internal=internal)
    query, page = form.query, form.page_number
    if query:
        orders = selectors.order_search(actor=actor, query=query)
    else:
        orders = selectors.order_list_for_actor(actor=actor)
    start = (page - 1) * PAGE_SIZE
    # One row more than the page says whether there is a next page, without a count.
    rows = list(orders.only(*ROW_FIELDS)[start : start + PAGE_SIZE + 1])
    has_next = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    for order in rows:
        order.status_view = _status(order.status)
        order.shipping_view = _status(order.shipping_status)
    context = {
        "form": form,
        "query": query,
        "orders": rows,
        "is_internal": internal,
        "prev_url": _page_url(query, page - 1) if page > 1 else "",
        "next_url": _page_url(query, page + 1) if has_next else "",
        "summary": f"{start + 1}–{start + len(rows)}" if rows else "",
        "clear_url": reverse("orders:order_list"),
    }
    return render(request, template_for(request, "orders/order_list.html", "results"), context)


@dataclass
class LineGroup:
    """The order's lines of one partner (or of none), with the flows' actions for them."""

    partner: Organization | None
    lines: list[OrderLine] = field(default_factory=list)
    actions: list[tuple[str, str]] = field(default_factory=list)


def _flow_url(url_name: str, **params) -> str | None:
    try:
        url = reverse(url_name)
    except NoReverseMatch:
        return None  # the flow app is not installed
    return f"{url}?{urlencode({k: v for k, v in params.items() if v not in (None, '')})}"


def _may_open(actor, kind: str) -> bool:
    """The agent may open a case of `kind` when its role works that kind (as the inbox shows)."""
    if not actor.is_internal:
        return False
    kinds = kinds_for_role(actor.role)
    return kinds is None or kind in kinds


def _line_groups(request: HttpRequest, order: Order, site: str | None) -> list[LineGroup]:
    actor = request.user
    escalate = _may_open(actor, CaseKind.ESCALATION)
    post_exception = _may_open(actor, CaseKind.ORDER_EXCEPTION)
    open_claim = _may_open(actor, CaseKind.CLAIM)
    groups: dict[int | None, LineGroup] = {}
    for line in order.lines.all():
        group = groups.setdefault(line.partner_id, LineGroup(partner=line.partner))
        group.lines.append(line)
    for partner_id, group in groups.items():
        params = {"order": order.order_no, "partner": partner_id, "site": site}
        if escalate and (url := _flow_url("exceptions:escalate", **params)):
            group.actions.append(("Escalate…", url))
        if post_exception and (url := _flow_url("exceptions:exception_open", **params)):
            group.actions.append(("Post an exception…", url))
        if open_claim and (url := _flow_url("claims:claim_open", **params)):
            group.actions.append(("Open a claim…", url))
    # Routed partners by name first; lines the routing gave to nobody last.
    return sorted(groups.values(), key=lambda g: (g.partner is None, g.partner.name if g.partner else ""))


def _visible_shipments(actor, order: Order) -> list[Shipment]:
    """Internal users see every shipment; a partner those that carry one of its lines."""
    shipments = list(order.shipments.all())
    if not actor.is_internal:
        mine = {line.shipment_id for line in order.lines.all()}
        shipments = [shipment for shipment in shipments if shipment.shipment_id in mine]
    for shipment in shipments:
        shipment.status_label = _status(shipment.status)["label"]
    return shipments


def _decorate_cases(cases) -> None:
    for case in cases:
        state = workflow_for(case.kind).state(case.status)
        case.state_label, case.state_tone = state.label, state.tone


@require_GET
def order_detail(request: HttpRequest, order_no: str) -> HttpResponse:
    actor = request.user
    site = request.GET.get("site") or None
    order = selectors.order_detail(actor=actor, order_no=order_no, site_id=site)
    if order is None:
        raise Http404("No such order.")
    _decorate_cases(order.cases)
    context = {
        "order": order,
        # Not "status": the pill component reads a `status` of its own from the context.
        "order_status": _status(order.status),
        "shipping_status": _status(order.shipping_status),
        "groups": _line_groups(request, order, site),
        "shipments": _visible_shipments(actor, order),
        "cases": order.cases,
        "is_internal": actor.is_internal,
        # The milestones flow's progress line, when that app is installed.
        "progress_url": _flow_url("milestones:order_progress", order=order.order_no, site=site),
        # What the flows add (a document checklist…), through apps.orders.sections.
        "sections": order_sections(request=request, order=order),
    }
    return render(request, "orders/order_detail.html", context)
