"""Who sees which mirrored order: internal roles all, a partner those it has a line or a case on."""

from datetime import UTC, datetime

import pytest

from apps.orders.models import Order, OrderLine
from apps.orders.selectors import order_detail, order_list_for_actor
from tests.factories import OrganizationFactory, member
from tests.workspace.helpers import open_case

pytestmark = pytest.mark.django_db


def order(order_no: str) -> Order:
    return Order.objects.create(
        site_id="RefArch", order_no=order_no, last_modified=datetime(2026, 3, 1, tzinfo=UTC)
    )


def test_a_partner_sees_orders_it_has_a_line_or_a_case_on_and_only_its_lines(agent):
    mine, theirs = OrganizationFactory(), OrganizationFactory()
    with_line, _with_case, other = order("1"), order("2"), order("3")
    OrderLine.objects.create(order=with_line, product_id="A", partner=mine)
    OrderLine.objects.create(order=with_line, product_id="B", partner=theirs)
    OrderLine.objects.create(order=other, product_id="C", partner=theirs)
    case = open_case(agent, mine, order_number="2")
    user = member(mine)
    assert sorted(order_list_for_actor(actor=user).values_list("order_no", flat=True)) == ["1", "2"]
    assert order_list_for_actor(actor=agent).count() == 3
    assert not order_list_for_actor(actor=None).exists()
    detail = order_detail(actor=user, site_id="RefArch", order_no="1")
    assert [line.product_id for line in detail.lines.all()] == ["A"] and detail.cases == []
    assert order_detail(actor=user, site_id="RefArch", order_no="2").cases == [case]
    assert order_detail(actor=user, site_id="RefArch", order_no="3") is None
