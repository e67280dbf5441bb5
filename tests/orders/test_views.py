"""The order pages: finding an order, and what an agent and a partner see on it."""

import pytest
from django.urls import reverse

from apps.orders.models import Order, OrderLine, Shipment
from apps.orders.privacy import email_hash
from apps.partners.roles import OrganizationKind
from apps.workspace.choices import CaseKind
from tests.factories import OrganizationFactory
from tests.orders.helpers import mirror_order
from tests.workspace.helpers import open_case

pytestmark = pytest.mark.django_db

LIST = reverse("orders:order_list")


def detail_url(order_no: str) -> str:
    return reverse("orders:order_detail", args=[order_no])


@pytest.fixture
def carrier(db):
    return OrganizationFactory(name="Swift Parcel", code="CAR-77", kind=OrganizationKind.CARRIER)


@pytest.fixture
def orders(partner_a, partner_b, carrier):
    """Three orders: A's, B's, and one with a line of each (the customers differ)."""
    return {
        "a": mirror_order(
            "00007001",
            lines=[{"productId": "TENT-2P", "productName": "Two-person tent", "quantity": 3,
                    "c_supplierId": partner_a.code}],
            shipments=[{"c_carrierId": carrier.code, "trackingNumber": "1Z-TENT-7001"}],
            customer={"email": "Ada.Lovelace@Example.com", "name": "Ada Lovelace"},
        ),
        "b": mirror_order(
            "00007002",
            lines=[{"productId": "STOVE-1", "productName": "Camp stove", "quantity": 1,
                    "c_supplierId": partner_b.code}],
            customer={"email": "grace@example.org", "name": "Grace Hopper"},
        ),
        "both": mirror_order(
            "00008003",
            lines=[
                {"productId": "MAT-1", "productName": "Sleeping mat", "quantity": 2, "c_supplierId": partner_a.code},
                {"productId": "LAMP-9", "productName": "Head lamp", "quantity": 1, "c_supplierId": partner_b.code},
            ],
            customer={"email": "alan@example.net", "name": "Alan Turing"},
        ),
    }


def found(response) -> list[str]:
    """The order numbers listed on a result page, in order."""
    return [o.order_no for o in response.context["orders"]]


# --- search ----------------------------------------------------------------------------------


def test_an_agent_finds_an_order_by_its_number_or_its_first_digits(client, agent, orders):
    client.force_login(agent)
    assert found(client.get(LIST, {"q": "00007001"})) == ["00007001"]
    assert sorted(found(client.get(LIST, {"q": "000070"}))) == ["00007001", "00007002"]
    assert found(client.get(LIST, {"q": "99"})) == []


def test_an_agent_finds_an_order_by_part_of_the_customers_name(client, agent, orders):
    client.force_login(agent)
    response = client.get(LIST, {"q": "lovelace"})
    assert found(response) == ["00007001"]
    assert "Ada Lovelace" in response.content.decode()
    assert found(client.get(LIST, {"q": "Hopp"})) == ["00007002"]


@pytest.mark.parametrize("typed", ["ada.lovelace@example.com", "  ADA.LOVELACE@EXAMPLE.COM ", "Ada.Lovelace@Example.com"])
def test_an_agent_finds_an_order_by_the_customers_email_however_it_is_typed(client, agent, orders, typed):
    client.force_login(agent)
    assert found(client.get(LIST, {"q": typed})) == ["00007001"]


def test_the_mirror_keeps_no_email_only_its_hash(orders):
    order = orders["a"]
    assert order.customer_email_hash == email_hash("ada.lovelace@example.com")
    for model in (Order, OrderLine, Shipment):
        stored = repr(list(model.objects.values()))
        assert "example.com" not in stored.lower() and "example.org" not in stored.lower()
        assert "4242" not in stored and "CREDIT_CARD" not in stored


def test_part_of_an_email_matches_nothing(client, agent, orders):
    client.force_login(agent)
    response = client.get(LIST, {"q": "ada.lovelace@example"})
    assert found(response) == []
    assert "No order matches" in response.content.decode()


def test_the_help_text_says_the_email_is_not_stored(client, agent):
    client.force_login(agent)
    page = client.get(LIST).content.decode()
    assert "never stores e-mail addresses" in page


def test_a_partner_finds_its_orders_by_number_only(client, user_a, orders):
    client.force_login(user_a)
    assert sorted(found(client.get(LIST))) == ["00007001", "00008003"]
    assert found(client.get(LIST, {"q": "0000700"})) == ["00007001"]
    # The customer is the retailer's: a partner cannot search by it.
    assert found(client.get(LIST, {"q": "Lovelace"})) == []
    assert found(client.get(LIST, {"q": "ada.lovelace@example.com"})) == []
    assert "Ada Lovelace" not in client.get(LIST).content.decode()


def test_results_are_paged_and_htmx_gets_the_list_alone(client, agent, orders, monkeypatch):
    monkeypatch.setattr("apps.orders.views.PAGE_SIZE", 2)
    client.force_login(agent)
    first = client.get(LIST)
    assert len(found(first)) == 2 and first.context["next_url"] == f"{LIST}?page=2"
    second = client.get(first.context["next_url"])
    assert len(found(second)) == 1 and not second.context["next_url"] and second.context["prev_url"] == LIST
    partial = client.get(LIST, {"q": "0000"}, HTTP_HX_REQUEST="true").content.decode()
    assert partial.lstrip().startswith('<section id="order-list"') and "<html" not in partial


# --- the order page -----------------------------------------------------------------------------


def test_the_order_page_shows_lines_shipments_and_cases(client, agent, partner_a, carrier, orders):
    case = open_case(agent, partner_a, kind=CaseKind.ESCALATION, subject="Tent never arrived", order_number="00007001")
    other = open_case(agent, partner_a, kind=CaseKind.ESCALATION, subject="Another order", order_number="00007002")
    client.force_login(agent)
    response = client.get(detail_url("00007001"))
    assert response.status_code == 200
    page = response.content.decode()
    for shown in ("TENT-2P", "Two-person tent", "1Z-TENT-7001", carrier.code, "Austin, US", "Ada Lovelace",
                  partner_a.name, case.reference, case.get_absolute_url(), "Tent never arrived"):
        assert shown in page, shown
    assert other.reference not in page
    # The escalation and exception pages for this partner's lines, two clicks from here.
    escalate = f"{reverse('exceptions:escalate')}?order=00007001&amp;partner={partner_a.pk}"
    assert escalate in page and "Post an exception…" in page
    assert "CREDIT_CARD" not in page and "4242" not in page


def test_a_partner_sees_only_its_own_lines_and_no_customer_or_money(client, user_a, partner_a, orders):
    client.force_login(user_a)
    page = client.get(detail_url("00008003")).content.decode()
    assert "MAT-1" in page and "LAMP-9" not in page and "Head lamp" not in page
    assert "Alan Turing" not in page and "Total" not in page and "Payment" not in page
    assert "Escalate…" not in page and "Post an exception…" not in page


def test_another_partners_order_is_404(client, user_a, orders):
    client.force_login(user_a)
    assert client.get(detail_url("00007002")).status_code == 404
    assert client.get(detail_url("00000000")).status_code == 404


def test_a_partner_reaches_an_order_it_has_a_case_on(client, agent, partner_b, user_b, orders):
    case = open_case(agent, partner_b, subject="Question about order 00007001", order_number="00007001")
    client.force_login(user_b)
    page = client.get(detail_url("00007001")).content.decode()
    assert case.reference in page and "TENT-2P" not in page and "1Z-TENT-7001" not in page


def test_the_order_page_query_count_does_not_grow_with_lines_or_cases(
    client, agent, partner_a, partner_b, carrier, django_assert_max_num_queries
):
    small = mirror_order("00009001", lines=[{"productId": "A-1", "c_supplierId": partner_a.code}],
                         shipments=[{"c_carrierId": carrier.code}])
    big = mirror_order(
        "00009002",
        lines=[{"productId": f"B-{i}", "c_supplierId": (partner_a if i % 2 else partner_b).code} for i in range(12)],
        shipments=[{"c_carrierId": carrier.code}, {"shipmentId": "s2"}],
    )
    for _ in range(4):
        open_case(agent, partner_a, kind=CaseKind.ESCALATION, order_number=big.order_no)
    client.force_login(agent)
    client.get(detail_url(small.order_no))  # warm the session and caches
    with django_assert_max_num_queries(10) as few:
        assert client.get(detail_url(small.order_no)).status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(detail_url(big.order_no)).status_code == 200


def test_agents_have_an_orders_entry_in_the_navigation_and_partners_do_not(client, agent, user_a):
    client.force_login(agent)
    assert any(item.label == "Orders" for item in client.get(LIST).context["nav_items"])
    client.force_login(user_a)
    assert not any(item.label == "Orders" for item in client.get(LIST).context["nav_items"])
