"""Reads of the order mirror, scoped to the actor like every other read."""

from django.db.models import Prefetch, Q, QuerySet

from apps.partners.tenancy import scope_of
from apps.workspace.models import Case

from .models import Order, OrderLine
from .privacy import email_hash


def order_list_for_actor(*, actor) -> QuerySet[Order]:
    return Order.objects.for_actor(actor).order_by("-last_modified", "-id")


def order_search(*, actor, query: str) -> QuerySet[Order]:
    """Orders by number; for the retailer's people also by customer name or e-mail.

    The e-mail is matched by its keyed hash (privacy.py); the customer is internal only, so a
    partner finds its orders by number alone.
    """
    text = query.strip()
    orders = order_list_for_actor(actor=actor)
    if not text:
        return orders.none()
    match = Q(order_no__iexact=text)
    if scope_of(actor).internal:
        match |= Q(customer_name__icontains=text)
        if "@" in text:
            match |= Q(customer_email_hash=email_hash(text))
    return orders.filter(match)


def order_detail(*, actor, site_id: str, order_no: str) -> Order | None:
    """One mirrored order with what a page needs; a partner sees only its own lines and cases.

    `order.cases` holds the cases about the order (by its number) the actor may see.
    """
    order = (
        Order.objects.for_actor(actor)
        .filter(site_id=site_id, order_no=order_no)
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
