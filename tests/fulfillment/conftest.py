"""Drop-ship fixtures: a supplier and a marketplace seller, and orders mirrored as SFCC sends them."""

from typing import Any

import pytest

from apps.partners.roles import OrganizationKind, Role
from apps.workspace.models import Case
from tests.factories import OrganizationFactory, member
from tests.orders.helpers import mirror_order
from tests.sfcc.conftest import launch, shared_sim, sim  # noqa: F401  (the SFCC simulator, for the browser test)

SHIP_TO = {
    "firstName": "Ada",
    "lastName": "Lovelace",
    "address1": "12 Main St.",
    "address2": "Apt 4",
    "city": "Austin",
    "stateCode": "TX",
    "postalCode": "78701",
    "countryCode": "US",
    "phone": "5125550100",
}


@pytest.fixture
def supplier(db):
    return OrganizationFactory(
        code="SUP-DS1", name="Northwind Drop-ship", kind=OrganizationKind.SUPPLIER
    )


@pytest.fixture
def seller(db):
    return OrganizationFactory(code="MKT-DS1", name="Urban Loom", kind=OrganizationKind.MARKETPLACE)


@pytest.fixture
def supplier_user(supplier):
    return member(supplier, Role.PARTNER_MEMBER)


def dropship_order(order_no: str, *lines: dict[str, Any], **spec: Any):
    """A new SFCC order whose lines are marked for drop-ship, with a customer's requirements."""
    spec.setdefault("c_deliveryInstructions", "Leave with the concierge")
    spec.setdefault("c_signatureRequired", True)
    shipment = {
        "shippingMethod": "Express",
        "c_serviceLevel": "NEXT_DAY",
        "shippingAddress": SHIP_TO,
    }
    return mirror_order(order_no, lines=list(lines), shipments=[shipment], **spec)


def line(sku: str, quantity: int = 1, supplier: str = "SUP-DS1", kind: str = "dropship", **extra):
    return {
        "productId": sku,
        "productName": f"{sku} name",
        "quantity": quantity,
        "c_supplierId": supplier,
        **({"c_fulfillmentType": kind} if kind else {}),
        **extra,
    }


def dispatch_case(order_no: str) -> Case:
    return Case.objects.get(order_number=order_no, kind="dropship")
