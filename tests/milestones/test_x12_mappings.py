"""The 856 and 214 mappings on real files: the public node-x12 856 (S-O-I) and our own samples."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from apps.tradinggrid.edi import MappingError, get_mapping
from apps.tradinggrid.edi.mappings import validate_x12_transaction
from apps.tradinggrid.edi.segments import Segment
from apps.tradinggrid.edi.x12_envelopes import parse_interchange, validate_interchanges

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "edi-samples" / "x12"


def read(name: str, set_id: str) -> dict:
    transaction = next(parse_interchange(SAMPLES / name).transactions)
    return get_mapping(standard="x12", set_id=set_id).to_domain(transaction)


def test_the_public_node_x12_856_reads_as_one_order_of_two_items():
    notice = read("node-x12-856.edi", "856")
    assert (notice["asn_number"], notice["asn_date"], notice["hierarchy"]) == (
        "829716",
        date(2011, 12, 6),
        "0002",
    )
    shipment = notice["shipment"]
    assert shipment["carrier"] == "XXXX" and shipment["packages"] == 2
    assert shipment["weight"] == Decimal("60.310") and shipment["weight_unit"] == "LB"
    assert shipment["bill_of_lading"] == "999999-001"
    assert (
        shipment["tracking_number"] == "5787970539"
    )  # the carrier's reference, no REF*2I in the file
    assert shipment["shipped_date"] == date(2011, 12, 6)
    assert [p["role"] for p in shipment["parties"]] == ["SH", "OB", "SF"]
    [order] = notice["orders"]
    assert (order["po_number"], order["po_date"], order["packs"]) == (
        "99999817",
        date(2011, 12, 5),
        [],
    )
    assert [
        (i["line_number"], i["quantity"], i["unit"], i["description"]) for i in order["items"]
    ] == [
        ("1", Decimal("24"), "EA", "BLUE WIDGET"),
        ("2", Decimal("6"), "EA", "RED WIDGET"),
    ]
    assert order["items"][0]["product_ids"] == [
        {"qualifier": "VP", "id": "87787D"},
        {"qualifier": "UP", "id": "999999310145"},
    ]
    assert notice["item_count"] == 4


def test_a_pick_and_pack_856_puts_each_item_in_its_pack():
    notice = read("crossdock-856-sopi.edi", "856")
    assert notice["hierarchy"] == "0001"
    shipment = notice["shipment"]
    assert (shipment["carrier"], shipment["reference"], shipment["bill_of_lading"]) == (
        "UPSN",
        "SHP-88001-1",
        "BOL-4471",
    )
    [order] = notice["orders"]
    assert order["po_number"] == "00088001" and order["items"] == []
    packs = [
        (
            p["marks"],
            p["tracking_number"],
            [(i["product_ids"][0]["id"], i["quantity"]) for i in p["items"]],
        )
        for p in order["packs"]
    ]
    assert packs == [
        ("00061414100000000017", None, [("SKU-TENT-2P", Decimal("2"))]),
        (
            "00061414100000000024",
            "1Z999AA10123456791",
            [("SKU-POLE-SET", Decimal("4")), ("SKU-STAKES", Decimal("12"))],
        ),
    ]
    assert order["packs"][0]["items"][0]["ordered_quantity"] == Decimal("2")


def test_a_standard_pack_856_reads_two_orders_and_an_item_level_carton_mark():
    notice = read("crossdock-856-soi.edi", "856")
    assert notice["hierarchy"] == "0002" and notice["shipment"]["reference"] is None
    chairs, coolers = notice["orders"]
    assert chairs["po_number"] == "00088002" and [i["quantity"] for i in chairs["items"]] == [
        Decimal("10")
    ]
    assert coolers["po_number"] == "00088003" and coolers["items"] == []
    assert [(p["marks"], len(p["items"])) for p in coolers["packs"]] == [
        ("00061414100000000031", 1)
    ]


@pytest.mark.parametrize(
    "name",
    ["node-x12-856.edi", "crossdock-856-sopi.edi", "crossdock-856-soi.edi", "crossdock-214.edi"],
)
def test_the_samples_pass_the_content_checks(name):
    [interchange] = validate_interchanges(SAMPLES / name, validate=validate_x12_transaction)
    [transaction] = [t for g in interchange.groups for t in g.transactions]
    assert [i for i in transaction.errors if i.severity == "error"] == []


@pytest.mark.parametrize(
    "name", ["crossdock-856-sopi.edi", "crossdock-856-soi.edi", "node-x12-856.edi"]
)
def test_written_856_reads_back_the_same(name):
    mapping = get_mapping(standard="x12", set_id="856")
    notice = read(name, "856")
    body = mapping.from_domain(notice)
    again = mapping.to_domain(
        _Transaction([Segment("ST", ["856", "0001"]), *body, Segment("SE", ["0", "0001"])])
    )
    for key in ("asn_number", "asn_date", "hierarchy"):
        assert again[key] == notice[key]
    for key in ("carrier", "bill_of_lading", "tracking_number", "reference", "shipped_date"):
        assert again["shipment"][key] == notice["shipment"][key]

    def flat(n):
        return [
            (
                o["po_number"],
                [(p["marks"], [i["quantity"] for i in p["items"]]) for p in o["packs"]],
                [i["quantity"] for i in o["items"]],
            )
            for o in n["orders"]
        ]

    assert flat(again) == flat(notice)


class _Transaction:
    def __init__(self, segments):
        self.segments = segments


def test_the_214_reads_each_status_with_its_place_and_the_order():
    message = read("crossdock-214.edi", "214")
    assert (message["carrier_reference"], message["shipment_id"], message["scac"]) == (
        "1Z999AA10123456784",
        "SHP-88001-1",
        "UPSN",
    )
    assert {"qualifier": "PO", "value": "00088001"} in message["references"]
    assert [
        (s["code"], s["status"], s["date"], s["time"], s["city"]) for s in message["statuses"]
    ] == [
        ("X6", "en_route", date(2026, 11, 25), "0800", "SALT LAKE CITY"),
        ("D1", "delivered", date(2026, 11, 26), "1412", "DENVER"),
    ]


def test_an_856_whose_item_has_no_order_is_refused():
    mapping = get_mapping(standard="x12", set_id="856")
    body = [
        Segment("ST", ["856", "1"]),
        Segment("BSN", ["00", "X1", "20261204"]),
        Segment("HL", ["1", "", "S"]),
        Segment("HL", ["2", "1", "I"]),
        Segment("LIN", ["", "SK", "A"]),
        Segment("SE", ["6", "1"]),
    ]
    with pytest.raises(MappingError, match="under no order"):
        mapping.to_domain(_Transaction(body))
    body[3] = Segment("HL", ["2", "9", "O"])
    with pytest.raises(MappingError, match="parent '9'"):
        mapping.to_domain(_Transaction(body))
