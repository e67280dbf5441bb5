"""The order mirror, routing rules and exception rules: SFCC order data in, cases out."""

import importlib
from decimal import Decimal
from typing import Any

import pytest

from apps.partners.roles import OrganizationKind, Role
from apps.sfcc import services
from apps.sfcc.documents import reduce_order
from apps.sfcc.models import (
    ExceptionRule,
    MatchType,
    OrderException,
    RoutingRule,
    SfccOrder,
    SfccOrderLine,
)
from apps.sfcc.outbound import TOPIC_ATTRIBUTES, TOPIC_EXTERNAL_STATUS, TOPIC_NOTE
from apps.sfcc.routing import Router
from apps.sync.models import OutboxMessage
from apps.workspace.choices import CaseKind, Channel, Visibility
from apps.workspace.models import Case, Message
from apps.workspace.services import case_transition
from simulators.sfcc.orders import build_order, parse_iso_ms
from tests.factories import OrganizationFactory, member

pytestmark = pytest.mark.django_db

SITE = "RefArch"


def order_doc(
    order_no: str = "00001001", *, modified: str = "2026-03-01T10:00:00.000Z", **spec: Any
) -> dict[str, Any]:
    """A complete SCAPI order as SFCC answers it, billing, payment and e-mail included."""
    spec.setdefault(
        "lines",
        [
            {
                "productId": "SKU-0001",
                "productName": "Trail Runner",
                "quantity": 2,
                "price": 80,
                "c_supplierId": "SUP-001",
            }
        ],
    )
    spec.setdefault("shipments", [{"c_fulfillmentLocation": "WH-001", "c_carrierId": "CAR-001"}])
    spec.setdefault(
        "shippingAddress",
        {
            "firstName": "Ada",
            "lastName": "Lovelace",
            "fullName": "Ada Lovelace",
            "address1": "12 Main St.",
            "city": "Austin",
            "stateCode": "TX",
            "postalCode": "78701",
            "countryCode": "US",
            "phone": "5125550100",
        },
    )
    spec.setdefault(
        "billingAddress",
        {"firstName": "Bill", "lastName": "Payer", "address1": "1 Billing Rd.", "city": "Dallas"},
    )
    spec.setdefault("customer", {"email": "ada@example.com", "name": "Ada Lovelace"})
    spec.setdefault("payment", {"method": "CREDIT_CARD", "c_cardLast4": "4242"})
    return build_order(spec, order_no=order_no, site_id=SITE, now_ms=parse_iso_ms(modified))


def later(document: dict[str, Any], stamp: str, **changes: Any) -> dict[str, Any]:
    """The same order as SFCC would serve it after a change at `stamp`."""
    updated = {**document, **changes, "lastModified": stamp}
    return {k: v for k, v in updated.items() if v is not None}


def seed_default_rules() -> None:
    """The rules migration 0002 seeds, again: transactional tests flush them with everything else.

    (serialized_rollback would restore them, but not once Playwright's session fixture has
    started: the test database connection Django serialized is no longer the one it sees.)
    """
    from django.apps import apps as registry

    importlib.import_module("apps.sfcc.migrations.0002_seed_exception_rules").seed(registry, None)


@pytest.fixture
def default_rules(db) -> None:
    seed_default_rules()


def apply(document: dict[str, Any]) -> services.ApplyResult:
    return services.order_apply(document=reduce_order(document))


@pytest.fixture
def partners(default_rules) -> dict[str, Any]:
    kinds = {
        "SUP-001": OrganizationKind.SUPPLIER,
        "SUP-002": OrganizationKind.SUPPLIER,
        "WH-001": OrganizationKind.WAREHOUSE,
        "CAR-001": OrganizationKind.CARRIER,
        "MKT-001": OrganizationKind.MARKETPLACE,
    }
    return {
        code: OrganizationFactory(code=code, kind=kind, name=f"Org {code}")
        for code, kind in kinds.items()
    }


# --- the mirror -----------------------------------------------------------------------------


def test_reduction_drops_billing_contact_and_payment_data_but_keeps_the_ship_to():
    document = order_doc(c_loyaltyEmail="ada@example.com", c_supplierId="SUP-001")
    reduced = reduce_order(document)
    flat = repr(reduced)
    for secret in ("Bill", "1 Billing Rd.", "ada@example.com", "5125550100", "4242", "CREDIT_CARD"):
        assert secret not in flat
    assert "billingAddress" not in reduced and "paymentInstruments" not in reduced
    assert "customerInfo" not in reduced and "c_loyaltyEmail" not in reduced
    address = reduced["shipments"][0]["shippingAddress"]
    assert address["fullName"] == "Ada Lovelace" and address["postalCode"] == "78701"
    assert "phone" not in address
    assert reduced["c_supplierId"] == "SUP-001"
    assert reduced["productItems"][0]["c_supplierId"] == "SUP-001"


def test_apply_mirrors_statuses_lines_and_shipments_with_routed_partners(partners):
    document = order_doc(
        lines=[
            {"productId": "SKU-0001", "productName": "Trail Runner", "quantity": 2, "c_supplierId": "SUP-001"},
            {"productId": "SKU-0002", "productName": "Wool Scarf", "quantity": 1, "c_supplierId": "SUP-002"},
            {"productId": "SKU-0003", "productName": "Tote", "quantity": 1, "c_supplierId": "NOBODY"},
        ],
        paymentStatus="part_paid",
        exportStatus="exported",
        externalOrderStatus="Picked",
        c_fulfillmentLocation="WH-001",
    )
    result = apply(document)
    assert result.outcome == services.ApplyOutcome.CREATED
    order = SfccOrder.objects.get(order_no="00001001")
    assert (order.status, order.payment_status, order.shipping_status) == ("new", "part_paid", "not_shipped")
    assert (order.export_status, order.confirmation_status, order.external_status) == ("exported", "confirmed", "Picked")
    assert order.currency == "USD" and order.total == Decimal(str(document["orderTotal"]))
    assert order.last_modified.isoformat().startswith("2026-03-01T10:00:00")
    assert order.custom == {"c_fulfillmentLocation": "WH-001"}
    lines = list(order.lines.order_by("position"))
    assert [(line.product_id, line.supplier_code, line.partner) for line in lines] == [
        ("SKU-0001", "SUP-001", partners["SUP-001"]),
        ("SKU-0002", "SUP-002", partners["SUP-002"]),
        ("SKU-0003", "NOBODY", None),
    ]
    assert lines[0].quantity == 2 and lines[0].shipment_id == "me"
    shipment = order.shipments.get()
    assert (shipment.carrier_code, shipment.fulfillment_location) == ("CAR-001", "WH-001")
    assert (shipment.ship_to_name, shipment.city, shipment.postal_code) == ("Ada Lovelace", "Austin", "78701")


def test_stale_and_replayed_versions_change_nothing(partners):
    first = order_doc(modified="2026-03-01T10:00:00.000Z")
    apply(later(first, "2026-03-01T10:05:00.000Z", shippingStatus="shipped"))
    assert apply(first).outcome == services.ApplyOutcome.STALE
    replay = later(first, "2026-03-01T10:05:00.000Z", shippingStatus="not_shipped")
    assert apply(replay).outcome == services.ApplyOutcome.STALE
    order = SfccOrder.objects.get()
    assert order.shipping_status == "shipped"
    newer = later(first, "2026-03-01T10:05:00.001Z", status="completed")
    assert apply(newer).outcome == services.ApplyOutcome.UPDATED
    order.refresh_from_db()
    assert order.status == "completed" and order.lines.count() == 1


def test_an_order_of_another_site_is_not_mirrored(partners):
    document = order_doc()
    document["siteId"] = "OtherSite"
    assert apply(document).outcome == services.ApplyOutcome.OTHER_SITE
    assert not SfccOrder.objects.exists()


def test_an_order_without_last_modified_is_refused(partners):
    document = order_doc()
    del document["lastModified"]
    with pytest.raises(services.OrderDocumentError):
        apply(document)


# --- routing --------------------------------------------------------------------------------


def test_routing_rules_win_over_the_code_fallback_by_priority(partners):
    router = Router()
    assert router.partner_for(match_type=MatchType.SUPPLIER, value="sup-001") == partners["SUP-001"]
    RoutingRule.objects.create(match_type=MatchType.SUPPLIER, value="SUP-001", partner=partners["SUP-002"], priority=50)
    RoutingRule.objects.create(match_type=MatchType.SUPPLIER, value="sup-001", partner=partners["MKT-001"], priority=10)
    RoutingRule.objects.create(
        match_type=MatchType.SUPPLIER, value="SUP-001", partner=partners["WH-001"], priority=1, is_active=False
    )
    assert Router().partner_for(match_type=MatchType.SUPPLIER, value="SUP-001") == partners["MKT-001"]
    # A rule of another match type does not apply.
    RoutingRule.objects.create(match_type=MatchType.CARRIER, value="DHL", partner=partners["CAR-001"])
    assert Router().partner_for(match_type=MatchType.SUPPLIER, value="DHL") is None
    assert Router().partner_for(match_type=MatchType.CARRIER, value="dhl") == partners["CAR-001"]


def test_inactive_and_internal_organizations_are_never_routed_to(partners):
    OrganizationFactory(code="RET-OPS", kind=OrganizationKind.INTERNAL)
    partners["SUP-002"].is_active = False
    partners["SUP-002"].save()
    router = Router()
    assert router.partner_for(match_type=MatchType.SUPPLIER, value="RET-OPS") is None
    assert router.partner_for(match_type=MatchType.SUPPLIER, value="SUP-002") is None


# --- exception rules ------------------------------------------------------------------------


def case_of(order_no: str, code: str) -> Case:
    return OrderException.objects.get(order__order_no=order_no, code=code).case


def test_seeded_rules_cover_the_codes_the_simulator_emits():
    from simulators.sfcc.scenario import EXCEPTIONS

    codes = set(ExceptionRule.objects.values_list("exception_code", flat=True))
    assert set(EXCEPTIONS) <= codes


def test_stock_shortage_opens_one_case_for_the_supplier_and_announces_it(partners):
    document = order_doc(c_supplierId="SUP-001", c_fulfillmentExceptionCode="STOCK_SHORTAGE")
    result = apply(document)
    assert len(result.opened) == 1
    case = case_of("00001001", "STOCK_SHORTAGE")
    assert case.partner == partners["SUP-001"] and case.kind == CaseKind.ORDER_EXCEPTION
    assert case.order_number == "00001001" and case.sku == "SKU-0001"
    assert case.subject == "Stock shortage on order 00001001" and case.priority == "high"
    opening = case.messages.get().body
    assert "SKU-0001 Trail Runner × 2" in opening
    assert "Ada" not in opening  # a supplier does not need the ship-to for a shortage
    assert case.timeline.filter(channel=Channel.SFCC, verb="created").exists()
    rows = list(OutboxMessage.objects.filter(target="sfcc").order_by("id"))
    assert [r.topic for r in rows] == [TOPIC_EXTERNAL_STATUS, TOPIC_ATTRIBUTES, TOPIC_NOTE]
    assert {r.key for r in rows} == {"sfcc:order:00001001"}
    assert rows[1].payload["attributes"]["c_crossdockCaseId"] == case.reference

    # The same exception in later versions, from the push or the poll, changes nothing.
    apply(later(document, "2026-03-01T10:01:00.000Z", shippingStatus="not_shipped"))
    apply(later(document, "2026-03-01T10:02:00.000Z", exportStatus="exported"))
    assert OrderException.objects.count() == 1 and Case.objects.count() == 1
    assert OutboxMessage.objects.count() == 3


@pytest.mark.parametrize(
    ("spec", "code", "partner_code"),
    [
        ({"c_fulfillmentExceptionCode": "ADDRESS_INVALID", "c_fulfillmentLocation": "WH-001"}, "ADDRESS_INVALID", "WH-001"),
        ({"c_fulfillmentExceptionCode": "CARRIER_EXCEPTION", "shippingStatus": "part_shipped"}, "CARRIER_EXCEPTION", "CAR-001"),
        (
            {"c_fulfillmentExceptionCode": "PAYMENT_FAILED", "paymentStatus": "not_paid",
             "channelType": "marketplace", "c_marketplaceSellerId": "MKT-001", "c_supplierId": "SUP-001"},
            "PAYMENT_FAILED", "MKT-001",
        ),
        ({"c_fulfillmentExceptionCode": "PAYMENT_FAILED", "c_supplierId": "SUP-002"}, "PAYMENT_FAILED", "SUP-002"),
        ({"c_fulfillmentExceptionCode": "LABEL_MISSING", "c_supplierId": "SUP-002"}, "LABEL_MISSING", "SUP-002"),
    ],
)
def test_each_exception_goes_to_the_partner_that_can_act(partners, spec, code, partner_code):
    apply(order_doc(**spec))
    link = OrderException.objects.get()
    assert (link.code, link.partner.code) == (code, partner_code)


def test_address_problems_share_the_ship_to_with_the_warehouse(partners):
    apply(order_doc(c_fulfillmentExceptionCode="ADDRESS_INVALID", c_fulfillmentLocation="WH-001"))
    body = case_of("00001001", "ADDRESS_INVALID").messages.get().body
    assert "Ada Lovelace, 12 Main St., Austin, TX 78701, US" in body
    assert "5125550100" not in body and "Billing" not in body


def test_without_an_order_level_supplier_every_supplier_on_the_order_gets_a_case(partners):
    apply(
        order_doc(
            lines=[
                {"productId": "A", "c_supplierId": "SUP-001"},
                {"productId": "B", "c_supplierId": "SUP-002"},
            ],
            c_fulfillmentExceptionCode="STOCK_SHORTAGE",
        )
    )
    links = OrderException.objects.order_by("partner__code")
    assert [link.partner.code for link in links] == ["SUP-001", "SUP-002"]
    # Each supplier reads only about its own lines.
    assert "- B" not in links[0].case.messages.get().body
    assert "- A" not in links[1].case.messages.get().body


def test_an_exception_nobody_can_take_opens_nothing(partners):
    apply(order_doc(c_fulfillmentExceptionCode="CARRIER_EXCEPTION", shipments=[{}]))
    assert not OrderException.objects.exists() and not Case.objects.exists()


def test_cleared_exception_resolves_the_case_with_a_system_message(partners):
    document = order_doc(c_supplierId="SUP-001", c_fulfillmentExceptionCode="STOCK_SHORTAGE")
    apply(document)
    result = apply(later(document, "2026-03-01T11:00:00.000Z", c_fulfillmentExceptionCode=None))
    case = case_of("00001001", "STOCK_SHORTAGE")
    assert result.cleared == [case] and case.status == "resolved"
    link = OrderException.objects.get()
    assert not link.active and link.cleared_at is not None
    message = case.messages.order_by("-id").first()
    assert message.visibility == Visibility.PARTNER and message.channel == Channel.SFCC
    assert "no longer reports STOCK_SHORTAGE" in message.body
    last = OutboxMessage.objects.filter(topic=TOPIC_ATTRIBUTES).order_by("-id").first()
    assert last.payload["attributes"]["c_crossdockCaseStatus"] == "Resolved"
    assert "no longer reports" in last.payload["attributes"]["c_crossdockResolution"]


def test_exception_that_returns_reopens_the_same_case(partners):
    document = order_doc(c_supplierId="SUP-001", c_fulfillmentExceptionCode="STOCK_SHORTAGE")
    apply(document)
    apply(later(document, "2026-03-01T11:00:00.000Z", c_fulfillmentExceptionCode=None))
    apply(later(document, "2026-03-01T12:00:00.000Z", c_fulfillmentExceptionDetail="Short again"))
    case = case_of("00001001", "STOCK_SHORTAGE")
    assert case.status == "awaiting_partner" and Case.objects.count() == 1
    assert OrderException.objects.get().active
    assert "Short again" in case.messages.order_by("-id").first().body


def test_cleared_exception_on_a_case_the_partner_resolved_stays_resolved(partners):
    document = order_doc(c_supplierId="SUP-001", c_fulfillmentExceptionCode="STOCK_SHORTAGE")
    apply(document)
    supplier = member(partners["SUP-001"], Role.PARTNER_MEMBER)
    case = case_of("00001001", "STOCK_SHORTAGE")
    case_transition(actor=supplier, channel=Channel.WEB, case=case, transition="resolve", comment="Ships Friday.")
    apply(later(document, "2026-03-01T11:00:00.000Z", c_fulfillmentExceptionCode=None))
    case.refresh_from_db()
    assert case.status == "resolved"
    note = Message.objects.filter(case=case).order_by("-id").first()
    # Shared, it would hand a resolved case back to the partner: it stays an internal note.
    assert note.visibility == Visibility.INTERNAL and "no longer reports" in note.body


def test_a_changed_detail_is_posted_to_the_open_case(partners):
    document = order_doc(c_fulfillmentExceptionCode="CARRIER_EXCEPTION", shippingStatus="part_shipped")
    apply(document)
    apply(later(document, "2026-03-01T10:30:00.000Z", c_carrierExceptionDetail="Parcel damaged at hub"))
    case = case_of("00001001", "CARRIER_EXCEPTION")
    last = case.messages.order_by("-id").first()
    assert "Parcel damaged at hub" in last.body and last.visibility == Visibility.PARTNER
    assert OrderException.objects.get().detail == "Parcel damaged at hub"


def test_an_admin_rule_on_another_attribute_opens_cases_too(partners):
    from apps.sfcc.documents import rule_fields

    ExceptionRule.objects.create(
        name="Backorder", field="c_backorderFlag", value="yes", exception_code="BACKORDER",
        party="supplier", subject="Backorder on {order_no}", rank=5,
    )
    rule_fields.forget()
    apply(order_doc(c_supplierId="SUP-002", c_backorderFlag="YES"))
    link = OrderException.objects.get()
    assert (link.code, link.partner.code) == ("BACKORDER", "SUP-002")
    assert link.case.subject == "Backorder on 00001001"


# --- tenancy --------------------------------------------------------------------------------


def test_partners_see_only_their_own_lines_exceptions_and_orders(partners):
    apply(
        order_doc(
            lines=[
                {"productId": "A", "c_supplierId": "SUP-001"},
                {"productId": "B", "c_supplierId": "SUP-002"},
            ],
            c_supplierId="SUP-001",
            c_fulfillmentExceptionCode="STOCK_SHORTAGE",
        )
    )
    apply(order_doc("00001002", lines=[{"productId": "C", "c_supplierId": "SUP-002"}]))
    one, two = member(partners["SUP-001"]), member(partners["SUP-002"])
    outsider = member(partners["CAR-001"])
    assert list(SfccOrderLine.objects.for_actor(one).values_list("product_id", flat=True)) == ["A"]
    assert sorted(SfccOrderLine.objects.for_actor(two).values_list("product_id", flat=True)) == ["B", "C"]
    assert OrderException.objects.for_actor(one).count() == 1
    assert OrderException.objects.for_actor(two).count() == 0
    assert list(SfccOrder.objects.for_actor(one).values_list("order_no", flat=True)) == ["00001001"]
    assert sorted(SfccOrder.objects.for_actor(two).values_list("order_no", flat=True)) == ["00001001", "00001002"]
    assert not SfccOrder.objects.for_actor(outsider).exists()
    assert not RoutingRule.objects.for_actor(outsider).exists()


# --- admin ------------------------------------------------------------------------------------


def test_rules_are_edited_in_the_admin_and_the_mirror_is_read_only(retail_admin, partners):
    from django.test import Client

    retail_admin.is_staff = retail_admin.is_superuser = True
    retail_admin.save()
    apply(order_doc(c_supplierId="SUP-001", c_fulfillmentExceptionCode="STOCK_SHORTAGE"))
    web = Client()
    web.force_login(retail_admin)
    order = SfccOrder.objects.get()
    for url in (
        "/admin/sfcc/routingrule/",
        "/admin/sfcc/routingrule/add/",
        "/admin/sfcc/exceptionrule/",
        f"/admin/sfcc/exceptionrule/{ExceptionRule.objects.first().pk}/change/",
        "/admin/sfcc/sfccorder/",
        f"/admin/sfcc/sfccorder/{order.pk}/change/",
        "/admin/sfcc/orderexception/",
        "/admin/sfcc/pollcursor/",
    ):
        assert web.get(url).status_code == 200, url
    page = web.get(f"/admin/sfcc/sfccorder/{order.pk}/change/").text
    assert "SKU-0001" in page and "STOCK_SHORTAGE" in page
    assert "ada@example.com" not in page and "Bill" not in page
    assert web.post(f"/admin/sfcc/sfccorder/{order.pk}/change/", {"status": "x"}).status_code == 403
    response = web.post(
        "/admin/sfcc/routingrule/add/",
        {"match_type": "carrier", "value": "DHL", "partner": partners["CAR-001"].pk, "priority": 10, "is_active": "on"},
    )
    assert response.status_code == 302
    assert Router().partner_for(match_type=MatchType.CARRIER, value="dhl") == partners["CAR-001"]
