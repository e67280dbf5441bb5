"""Reads of the SFCC connector, scoped to the actor like every other read."""

from django.db.models import Prefetch, QuerySet

from .models import OrderException, SfccOrder, SfccOrderLine


def order_list_for_actor(*, actor) -> QuerySet[SfccOrder]:
    return SfccOrder.objects.for_actor(actor).order_by("-last_modified", "-id")


def order_detail(*, actor, site_id: str, order_no: str) -> SfccOrder | None:
    """One mirrored order with what a page needs; a partner sees only its own lines."""
    return (
        SfccOrder.objects.for_actor(actor)
        .filter(site_id=site_id, order_no=order_no)
        .prefetch_related(
            "shipments",
            Prefetch(
                "lines",
                queryset=SfccOrderLine.objects.for_actor(actor).select_related("partner"),
            ),
            Prefetch(
                "exceptions",
                queryset=OrderException.objects.for_actor(actor).select_related("case", "partner"),
            ),
        )
        .first()
    )


def exception_for_case(*, case) -> OrderException | None:
    return OrderException.objects.filter(case=case).select_related("order").first()
