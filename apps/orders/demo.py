"""The demo's mirrored SFCC orders: customers, lines routed to the demo partners, shipments.

Written through the mirror's own service, `order_upsert`, as the SFCC connector writes what it
reads: the documents are in SCAPI's shape (productItems with `c_supplierId`, shipments with
`c_fulfillmentLocation`, `c_carrierId` and tracking numbers), routing gives each line to its
partner, and the flows hear each order applied. The customer's e-mail is kept as its keyed
hash only, like every mirrored order's. An order already mirrored is left as it is, so a
second run changes nothing.

The numbers start with DEMO so they never meet the SFCC simulator's own (00001001 upwards).
"""

from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from apps.partners.demo import register_seeder
from apps.workspace.choices import Channel

from .models import Order
from .privacy import email_hash
from .services import LineFields, OrderFields, ShipmentFields, order_upsert

ACTOR_LABEL = "SFCC"


@dataclass(frozen=True)
class DemoLine:
    sku: str
    name: str
    quantity: int
    price: str
    supplier: str = ""  # c_supplierId; marketplace lines name no supplier
    attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoOrder:
    number: str
    customer: str
    email: str
    days_ago: int
    address: tuple[str, str, str, str, str]  # address1, city, state, postal code, country
    lines: tuple[DemoLine, ...]
    warehouse: str
    carrier: str
    tracking: str = ""
    shipping_status: str = "not_shipped"
    status: str = "new"  # SCAPI order statuses: created, new, completed, cancelled, failed
    seller: str = ""  # c_marketplaceSellerId
    attributes: dict[str, Any] = field(default_factory=dict)
    shipment_attributes: dict[str, Any] = field(default_factory=dict)


ORDERS = (
    DemoOrder(
        "DEMO1001", "Ada Lovelace", "ada.lovelace@example.com", 9,
        ("12 Main St.", "Austin", "TX", "78701", "US"),
        (
            DemoLine("TENT-2P", "Trailhead two-person tent", 3, "249.00", "SUP-002"),
            DemoLine("MAT-1", "Insulated sleeping mat", 3, "59.00", "SUP-002"),
        ),
        "WH-001", "CAR-001", "SP1Z4471001", "part_shipped",
    ),
    DemoOrder(
        "DEMO1002", "Grace Hopper", "grace.hopper@example.com", 6,
        ("41 Harbor Rd.", "Arlington", "VA", "22201", "US"),
        (
            DemoLine("JKT-RAIN-M", "Stormline rain jacket, M", 2, "139.00", "SUP-001"),
            DemoLine("SCARF-WOOL", "Merino scarf, charcoal", 1, "45.00", "SUP-001"),
        ),
        "WH-001", "CAR-001", "SP1Z4471002", "part_shipped",
    ),
    DemoOrder(
        "DEMO1003", "Alan Turing", "alan.turing@example.co.uk", 8,
        ("7 Sackville St.", "Manchester", "", "M1 3HB", "GB"),
        (
            DemoLine("LAMP-ARC", "Arc floor lamp, matte black", 1, "189.00"),
            DemoLine("RUG-WOOL-160", "Wool rug 160 × 230", 1, "329.00"),
        ),
        "WH-002", "CAR-002", "BW70031003", "part_shipped", seller="MKT-003",
    ),
    DemoOrder(
        "DEMO1004", "Katherine Johnson", "katherine.johnson@example.com", 12,
        ("300 Langley Blvd.", "Hampton", "VA", "23666", "US"),
        (
            DemoLine("HDPN-BT", "Over-ear Bluetooth headphones", 2, "179.00", "SUP-004"),
            DemoLine("CBL-USBC", "USB-C cable, 2 m", 4, "15.00", "SUP-004"),
        ),
        "WH-003", "CAR-001", "SP1Z4471004", "shipped", "completed",
    ),
    DemoOrder(
        "DEMO1005", "Edsger Dijkstra", "e.dijkstra@example.nl", 3,
        ("12 Plantage Middenlaan", "Amsterdam", "", "1018 DD", "NL"),
        (DemoLine("DUVET-KING", "Down duvet, king", 1, "219.00", "SUP-003"),),
        "WH-002", "CAR-002",
    ),
    DemoOrder(
        "DEMO1006", "Barbara Liskov", "barbara.liskov@example.com", 2,
        ("545 Tech Sq.", "Cambridge", "MA", "02139", "US"),
        (
            DemoLine("THROW-LOOM", "Hand-loomed throw, indigo", 1, "120.00"),
            DemoLine("CUSH-LOOM", "Hand-loomed cushion cover", 2, "38.00"),
        ),
        "WH-003", "CAR-001", status="new", seller="MKT-001",
    ),
    DemoOrder(
        "DEMO1007", "Margaret Hamilton", "margaret.hamilton@example.com", 7,
        ("2101 NASA Pkwy.", "Houston", "TX", "77058", "US"),
        (DemoLine("PACK-40L", "Summit 40 L backpack", 1, "165.00", "SUP-002"),),
        "WH-001", "CAR-002", "BW70031007", "shipped",
    ),
    DemoOrder(
        "DEMO1008", "Tim Berners-Lee", "tim@example.org", 5,
        ("32 Vassar St.", "Boston", "MA", "02139", "US"),
        (DemoLine("KETTLE-GOOSE", "Gooseneck kettle", 1, "89.00", "SUP-003"),),
        "WH-003", "CAR-001", "SP1Z4471008", "shipped",
    ),
    DemoOrder(
        "DEMO1009", "Radia Perlman", "radia.perlman@example.com", 1,
        ("88 Bridge St.", "Seattle", "WA", "98101", "US"),
        (DemoLine("CANDLE-SET", "Beeswax candle set", 3, "24.00"),),
        "WH-003", "CAR-001", status="new", seller="MKT-002",
    ),
    DemoOrder(
        "DEMO1010", "John Backus", "john.backus@example.com", 10,
        ("1 Broadway", "New York", "NY", "10004", "US"),
        (DemoLine("BOOT-HIKE-42", "Ridge hiking boots, EU 42", 1, "159.00", "SUP-002"),),
        "WH-001", "CAR-002", "BW70031010", "shipped",
    ),
    DemoOrder(
        "DEMO1011", "Frances Allen", "frances.allen@example.com", 4,
        ("19 Elm St.", "Peekskill", "NY", "10566", "US"),
        (
            DemoLine("COOK-SET", "Camp cookware set", 1, "79.00", "SUP-002"),
            DemoLine("STOVE-MINI", "Mini gas stove", 1, "49.00", "SUP-002"),
        ),
        "WH-003", "CAR-001", "SP1Z4471011", "shipped",
    ),
    DemoOrder(
        # SFCC itself reports this one: the seeded rule opens the carrier's exception.
        "DEMO1012", "Hedy Lamarr", "hedy.lamarr@example.com", 4,
        ("9 Sunset Blvd.", "Los Angeles", "CA", "90028", "US"),
        (DemoLine("SPKR-SHELF", "Bookshelf speakers, pair", 1, "229.00", "SUP-004"),),
        "WH-003", "CAR-001", "SP1Z4471012", "shipped",
        attributes={
            "c_fulfillmentExceptionCode": "CARRIER_EXCEPTION",
            "c_carrierExceptionDetail": "Parcel damaged at the Ontario hub; held for inspection.",
        },
        shipment_attributes={"c_carrierExceptionCode": "DMG-HUB"},
    ),
    DemoOrder(
        "DEMO1013", "Annie Easley", "annie.easley@example.com", 11,
        ("21000 Brookpark Rd.", "Cleveland", "OH", "44135", "US"),
        (DemoLine("POLE-TREK", "Trekking poles, pair", 1, "89.00", "SUP-002"),),
        "WH-001", "CAR-001", "SP1Z4471013", "shipped", "completed",
    ),
)


def site_id() -> str:
    # The storefront site the SFCC connector mirrors, so cases on these orders are linked to
    # them (and written back) like any mirrored order's.
    return getattr(settings, "SFCC_SITE_ID", "RefArch")


def document(spec: DemoOrder, *, at) -> dict[str, Any]:
    """The order as the connector hands it on after reducing it: no e-mail, no payment."""
    first, _, last = spec.customer.partition(" ")
    address1, city, state, postal, country = spec.address
    items = [
        {
            "itemId": f"{spec.number}-li{position}",
            "position": position,
            "productId": line.sku,
            "productName": line.name,
            "quantity": line.quantity,
            "shipmentId": "me",
            **({"c_supplierId": line.supplier} if line.supplier else {}),
            **line.attributes,
        }
        for position, line in enumerate(spec.lines, start=1)
    ]
    return {
        "orderNo": spec.number,
        "siteId": site_id(),
        "status": spec.status,
        "shippingStatus": spec.shipping_status,
        "paymentStatus": "paid",
        "confirmationStatus": "confirmed",
        "exportStatus": "exported",
        "channelType": "marketplace" if spec.seller else "storefront",
        "currency": "USD",
        "creationDate": at.isoformat(),
        "customerInfo": {"customerName": spec.customer},
        **({"c_marketplaceSellerId": spec.seller} if spec.seller else {}),
        **spec.attributes,
        "productItems": items,
        "shipments": [
            {
                "shipmentId": "me",
                "shipmentNo": f"{spec.number}-1",
                "shippingStatus": spec.shipping_status,
                "shippingMethod": {"id": "Ground"},
                "c_fulfillmentLocation": spec.warehouse,
                "c_carrierId": spec.carrier,
                **({"trackingNumber": spec.tracking} if spec.tracking else {}),
                **spec.shipment_attributes,
                "shippingAddress": {
                    "firstName": first, "lastName": last, "address1": address1, "city": city,
                    "stateCode": state, "postalCode": postal, "countryCode": country,
                },
            }
        ],
    }


def order_mirror(spec: DemoOrder) -> bool:
    """Mirror one demo order unless it is there; True when it was created."""
    if Order.objects.filter(site_id=site_id(), order_no=spec.number).exists():
        return False
    at = timezone.now().replace(microsecond=0) - timedelta(days=spec.days_ago)
    doc = document(spec, at=at)
    shipment = doc["shipments"][0]
    address = shipment["shippingAddress"]
    total = sum(Decimal(line.price) * line.quantity for line in spec.lines) + Decimal("5.99")
    order_upsert(
        site_id=site_id(),
        order_no=spec.number,
        last_modified=at + timedelta(hours=2),
        fields=OrderFields(
            status=spec.status,
            payment_status=doc["paymentStatus"],
            shipping_status=spec.shipping_status,
            confirmation_status=doc["confirmationStatus"],
            export_status=doc["exportStatus"],
            channel_type=doc["channelType"],
            currency=doc["currency"],
            total=total,
            creation_date=at,
            customer_name=spec.customer,
            customer_email_hash=email_hash(spec.email),
            custom={k: v for k, v in doc.items() if k.startswith("c_")},
        ),
        lines=[
            LineFields(
                position=item["position"],
                product_id=item["productId"],
                quantity=Decimal(item["quantity"]),
                item_id=item["itemId"],
                product_name=item["productName"],
                shipment_id="me",
                supplier_code=item.get("c_supplierId", ""),
                attributes=item,
            )
            for item in doc["productItems"]
        ],
        shipments=[
            ShipmentFields(
                shipment_id="me",
                shipment_no=shipment["shipmentNo"],
                status=spec.shipping_status,
                method="Ground",
                carrier_code=spec.carrier,
                fulfillment_location=spec.warehouse,
                tracking_number=spec.tracking,
                ship_to_name=spec.customer,
                address1=address["address1"],
                city=address["city"],
                state_code=address["stateCode"],
                postal_code=address["postalCode"],
                country_code=address["countryCode"],
            )
        ],
        attributes=doc,
        channel=Channel.SFCC,
        actor_label=ACTOR_LABEL,
    )
    return True


def seed() -> str:
    created = sum(order_mirror(spec) for spec in ORDERS)
    return f"{len(ORDERS)} mirrored orders ({created} new): {ORDERS[0].number}…{ORDERS[-1].number}"


register_seeder("orders", seed)
