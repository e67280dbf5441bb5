"""Reads of the order mirror, scoped to the actor like every other read."""

from django.db.models import Prefetch, Q, QuerySet

from apps.partners.tenancy import scope_of
from apps.workspace.models import Case

from .models import Order, OrderLine
from .privacy import email_hash


def order_list_for_actor(*, actor) -> QuerySet[Order]:
    return Order.objects.for_actor(actor).order_by("-last_modified", "-id")


def order_search(*, actor, query: str) -> QuerySet[Order]:
    """Orders whose number starts with the text; for the retailer's people also by customer
    name (any part of it) or by e-mail.

    An e-mail is matched by its keyed hash (privacy.py), whatever its case or surrounding
    space: the mirror never stores the address, so only a whole address can match. The
    customer is internal only, so a partner finds its orders by number alone.
    """
    text = query.strip()
    orders = order_list_for_actor(actor=actor)
    if not text:
        return orders.none()
    internal = scope_of(actor).internal
    if "@" in text:
        return orders.filter(customer_email_hash=email_hash(text)) if internal else orders.none()
    match = Q(order_no__istartswith=text)
    if internal:
        match |= Q(customer_name__icontains=text)
    return orders.filter(match)


def order_detail(*, actor, order_no: str, site_id: str | None = None) -> Order | None:
    """One mirrored order with what a page needs; a partner sees only its own lines and cases.

    Without `site_id`, the most recently changed order with that number (a number is unique
    per site; pages name an order by number and add the site only when it is ambiguous).
    `order.cases` holds the cases about the order (by its number) the actor may see.
    """
    orders = Order.objects.for_actor(actor).filter(order_no=order_no)
    if site_id is not None:
        orders = orders.filter(site_id=site_id)
    order = (
        orders.order_by("-last_modified", "-id")
        .prefetch_related(
            "shipments",
            Prefetch(
                "lines",
                queryset=OrderLine.objects.for_actor(actor).select_related("partner"),
            ),
        )
        .first()
    )
    if order is not None:
        order.cases = list(cases_for_order(actor=actor, order_no=order.order_no))
    return order


def cases_for_order(*, actor, order_no: str) -> QuerySet[Case]:
    return (
        Case.objects.for_actor(actor)
        .filter(order_number=order_no)
        .select_related("partner")
        .order_by("-created_at", "-id")
    )
