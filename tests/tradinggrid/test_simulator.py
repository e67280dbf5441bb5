"""The Trading Grid simulator as the portal meets it: routing, partner bots and fault switches."""

from __future__ import annotations

import json
import time
import urllib.error
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from apps.tradinggrid.transport import SftpTransport, TransportError, TransportUnavailable
from simulators.tradinggrid import collaboration
from simulators.tradinggrid.addressing import read_envelope
from simulators.tradinggrid.participants import Address
from simulators.tradinggrid.x12 import X12Error, read_interchange, read_segments
from tests.tradinggrid.conftest import Simulator, wait_for, x12_interchange

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "edi-samples"
SCHEMA = Path(__file__).resolve().parents[2] / "docs" / "tradinggrid-collaboration.schema.json"


def case_created(
    *,
    receiver: str = "WH001",
    public_id: str = "CX-1042",
    kind: str = "general",
    version: str = "1.0",
    **data,
) -> dict:
    """A collaboration document in the published schema's shape."""
    return {
        "schema": "crossdock.collaboration",
        "schema_version": version,
        "document_id": "6f1c2b8e-2f4d-4a51-9d3e-1b2c3d4e5f60",
        "sent_at": "2026-07-09T12:00:00Z",
        "sender": {"qualifier": "ZZ", "id": "CROSSDOCK"},
        "receiver": {"qualifier": "ZZ", "id": receiver},
        "control": {
            "interchange": "000000555",
            "group": "555",
            "transaction": "0001",
            "functional_id": "ZZ",
            "set_id": "CXD",
        },
        "case": {"public_id": public_id, "kind": kind},
        "event": {
            "type": "case.created",
            "occurred_at": "2026-07-09T12:00:00Z",
            "data": {
                "subject": "Order 1001 is short two units",
                "status": "waiting_on_partner",
                **data,
            },
        },
        "files": [],
    }


# A constant: the test compares what arrives with what was sent, byte for byte.
EDIFACT_TO_RETAILER = (
    b"UNA:+.? '\nUNB+UNOA:3+SUP003:ZZZ+CROSSDOCK:ZZZ+260709:1200+77'\n"
    b"UNH+1+ORDRSP:D:96A:UN'\nBGM+231+PO1001+29'\nUNT+3+1'\nUNZ+1+77'\n"
)


def segments_of(data: bytes) -> list[list[str]]:
    return read_segments(data.decode("latin-1"))[1]


def arrivals(transport: SftpTransport, count: int) -> dict[str, bytes]:
    """Wait for `count` documents in the retailer's inbound, then take them all."""
    documents = wait_for(
        lambda: (found := transport.list_new()) and len(found) >= count and found,
        what=f"{count} documents in the retailer's inbound",
    )
    taken = {}
    for document in documents:
        taken[document.name] = transport.fetch(document.name)
        transport.mark_taken(document.name)
    return taken


@pytest.fixture
def retailer(simulator: Simulator):
    with simulator.retailer_transport() as transport:
        yield transport


def test_the_router_moves_documents_between_partner_mailboxes(simulator: Simulator) -> None:
    simulator.inject(
        "WH-001", x12_interchange(sender="WH001", receiver="SUP002"), name="to-sup.x12"
    )

    entry = wait_for(lambda: simulator.log(status="delivered", file="to-sup.x12"), what="routing")[
        0
    ]

    assert (entry["sender"], entry["receiver"], entry["format"]) == ("WH-001", "SUP-002", "x12")
    assert entry["document_receiver"] == "ZZ:SUP002"
    # SUP-002's bot takes the document and acknowledges to WH-001, not to the retailer.
    wait_for(
        lambda: simulator.log(status="delivered", sender="SUP-002", receiver="WH-001"),
        what="SUP-002's 997 routed to WH-001",
    )


def test_edifact_is_routed_by_unb_and_json_by_its_receiver(simulator, retailer) -> None:
    simulator.inject("SUP-003", EDIFACT_TO_RETAILER, name="ordrsp.edi")
    document = case_created(receiver="CROSSDOCK") | {"sender": {"qualifier": "ZZ", "id": "MKT001"}}
    simulator.inject("MKT-001", json.dumps(document).encode(), name="note.json")

    taken = arrivals(retailer, 2)

    assert taken == {
        "ordrsp.edi": EDIFACT_TO_RETAILER,
        "note.json": json.dumps(document).encode(),
    }


def test_unroutable_documents_are_rejected_with_a_reason(simulator: Simulator) -> None:
    simulator.inject("SUP-001", x12_interchange(sender="SUP001", receiver="NOBODY"), name="a.x12")
    simulator.inject("SUP-001", b"hello, is this EDI?", name="b.txt")
    simulator.inject(
        "SUP-001", json.dumps({"schema": "crossdock.collaboration"}).encode(), name="c.json"
    )

    rejected = wait_for(
        lambda: len(found := simulator.call("GET", "/rejected")["entries"]) == 3 and found,
        what="three rejections",
    )

    reasons = {entry["file"]: entry["reason"] for entry in rejected}
    assert "ZZ:NOBODY" in reasons["a.x12"]
    assert "not an X12 interchange" in reasons["b.txt"]
    assert '"receiver"' in reasons["c.json"]
    stored = {entry["rejected_as"] for entry in rejected}
    files = {entry["name"] for entry in simulator.call("GET", "/rejected")["files"]}
    assert stored <= files


def test_a_partner_bot_acknowledges_an_x12_interchange_with_a_997(simulator, retailer) -> None:
    purchase_orders = x12_interchange(
        receiver="SUP001", control_number=4711, transaction_sets=("850", "850")
    )
    retailer.put(name="po-4711.x12", data=purchase_orders)

    [(name, ack)] = arrivals(retailer, 1).items()

    interchange = read_interchange(ack.decode("latin-1"))
    assert interchange.sender == Address("ZZ", "SUP001")
    assert interchange.receiver == Address("ZZ", "CROSSDOCK")
    assert [g.functional_id for g in interchange.groups] == ["FA"]
    body = [s for s in segments_of(ack) if s[0].startswith("AK")]
    assert body == [
        ["AK1", "PO", "4711"],
        ["AK2", "850", "0001"],
        ["AK5", "A"],
        ["AK2", "850", "0002"],
        ["AK5", "A"],
        ["AK9", "A", "2", "2", "2"],
    ]
    assert name.startswith("997-SUP-001-")


def test_a_partner_bot_acknowledges_and_answers_a_collaboration_document(
    simulator, retailer
) -> None:
    retailer.put(name="case-42.json", data=json.dumps(case_created()).encode())

    taken = arrivals(retailer, 2)

    [ack] = [data for name, data in taken.items() if name.startswith("997-")]
    assert [s for s in segments_of(ack) if s[0] in {"AK1", "AK2", "AK9"}] == [
        ["AK1", "ZZ", "555"],
        ["AK2", "CXD", "0001"],
        ["AK9", "A", "1", "1", "1"],
    ]
    [reply] = [json.loads(data) for name, data in taken.items() if name.endswith(".json")]
    assert reply["event"]["type"] == "message.posted"
    assert reply["sender"] == {"qualifier": "ZZ", "id": "WH001"}
    assert reply["receiver"] == {"qualifier": "ZZ", "id": "CROSSDOCK"}
    assert reply["case"] == {"public_id": "CX-1042", "kind": "general"}
    assert reply["in_reply_to"] == case_created()["document_id"]
    assert "Harbor Logistics Centre" in reply["event"]["data"]["body"]
    schema_valid(reply)


def schema_valid(document: dict) -> None:
    if SCHEMA.exists():  # the portal's published schema, which real partners build against
        Draft202012Validator(json.loads(SCHEMA.read_text())).validate(document)


def test_a_partner_bot_answers_an_order_exception_with_a_proposal(simulator, retailer) -> None:
    lines = [
        {"position": 1, "sku": "SKU-1", "quantity": "10", "unit": "EA"},
        {"position": 2, "sku": "SKU-2", "quantity": "3", "data": {"quantity_short": 2}},
    ]
    opened = case_created(receiver="SUP001", kind="order_exception", version="1.1", lines=lines)
    retailer.put(name="case.json", data=json.dumps(opened).encode())

    taken = arrivals(retailer, 2)

    [proposal] = [json.loads(data) for name, data in taken.items() if name.endswith(".json")]
    schema_valid(proposal)
    assert proposal["schema_version"] == "1.1" and proposal["in_reply_to"] == opened["document_id"]
    event = proposal["event"]
    assert event["type"] == "case.transitioned"
    assert (event["data"]["transition"], event["data"]["to_status"]) == ("propose", "proposed")
    assert "Northwind Apparel here" in event["data"]["reason"]
    payload = event["data"]["payload"]
    assert payload["resolution"] == "partial_backorder" and payload["ship_date"]
    assert [(a["line"], a["status"], a["quantity"]) for a in payload["lines"]] == [
        (1, "accepted", "10"),
        (2, "backordered", "2"),
    ]
    backorder = date.fromisoformat(payload["lines"][1]["date"])
    assert backorder - datetime.now(UTC).date() == timedelta(days=14)


def test_a_partner_bot_acknowledges_an_escalation_then_sends_a_root_cause_and_plan(
    simulator, retailer
) -> None:
    opened = case_created(
        receiver="SUP001",
        kind="escalation",
        subject="Missing item on order 1001",
        description="Missing item. The customer says: the blue mug was not in the box.",
    )
    retailer.put(name="case.json", data=json.dumps(opened).encode())

    taken = arrivals(retailer, 3)

    steps = [json.loads(taken[name]) for name in sorted(taken) if name.endswith(".json")]
    for step in steps:
        schema_valid(step)
    assert [s["event"]["data"]["transition"] for s in steps] == ["acknowledge", "propose_plan"]
    plan = steps[1]["event"]["data"]["payload"]
    assert plan["root_cause_code"] == "picking_error" and plan["plan_type"] == "replacement"
    assert plan["root_cause_detail"] and plan["plan"]
    assert date.fromisoformat(plan["plan_due"]) > datetime.now(UTC).date()


def test_collaboration_control_numbers_are_read_from_any_known_dialect() -> None:
    expected = {
        "interchange_control_number": "000000555",
        "group_control_number": "555",
        "transaction_control_number": "0001",
        "functional_id": "ZZ",
        "transaction_set": "CXD",
    }
    envelope = {"event": "case.created", "envelope": dict(expected)}

    assert collaboration.control_numbers(case_created()) == expected
    assert collaboration.control_numbers(envelope) == expected
    assert collaboration.control_numbers({**expected, "event": "x"}) == expected
    assert collaboration.event_name(case_created()) == collaboration.event_name(envelope)


def test_refused_connections_then_recovery(simulator: Simulator, retailer) -> None:
    assert retailer.list_new() == []

    simulator.faults(refuse_connections=True)
    with pytest.raises(TransportUnavailable):
        retailer.list_new()
    assert simulator.call("GET", "/health")["sftp"]["listening"] is False

    simulator.faults(refuse_connections=False)
    assert retailer.list_new() == []  # the same transport reconnects

    simulator.faults(refuse_connections=1)
    with pytest.raises(TransportUnavailable):
        retailer.list_new()
    wait_for(lambda: _reachable(retailer), what="the outage to end by itself")


def test_drop_acks_keeps_997s_back_but_not_replies(simulator, retailer) -> None:
    simulator.faults(drop_acks=True)
    retailer.put(name="po.x12", data=x12_interchange(receiver="SUP001"))
    retailer.put(name="case.json", data=json.dumps(case_created()).encode())

    # The reply comes after the reply delay, so any 997 would have arrived by then.
    taken = arrivals(retailer, 1)

    assert [name.split("-")[0] for name in taken] == ["message"]
    assert len(simulator.log(status="bot", action="ack dropped")) == 2


def test_malformed_next_breaks_exactly_one_reply(simulator, retailer) -> None:
    simulator.faults(malformed_next=True)
    retailer.put(name="po-1.x12", data=x12_interchange(receiver="SUP001", control_number=1))
    [(broken_name, broken)] = arrivals(retailer, 1).items()

    retailer.put(name="po-2.x12", data=x12_interchange(receiver="SUP001", control_number=2))
    [(good_name, good)] = arrivals(retailer, 1).items()

    assert broken_name.startswith("malformed-")
    assert read_envelope(broken).receiver == Address("ZZ", "CROSSDOCK")  # still routable
    with pytest.raises(X12Error):
        read_interchange(broken.decode("latin-1"))
    assert read_interchange(good.decode("latin-1")).groups[0].functional_id == "FA"
    assert good_name.startswith("997-")


def test_slow_operations_trip_the_operation_timeout(simulator: Simulator) -> None:
    simulator.faults(slow_ms=1500)
    with (
        simulator.retailer_transport(operation_timeout=0.5) as impatient,
        pytest.raises(TransportUnavailable),
    ):
        impatient.list_new()

    simulator.call("POST", "/faults", {"reset": True})
    assert simulator.call("GET", "/faults")["slow_ms"] == 0


def test_partners_log_in_with_passwords_and_keep_to_their_folders(simulator) -> None:
    partner = {"username": "sup-001", "password": "sup-001", "private_key": None}
    with simulator.retailer_transport(**partner, outbound_dir="/inbound") as wrong_folder:
        with pytest.raises(TransportError) as raised:
            wrong_folder.put(name="x.x12", data=b"ISA")
        assert not isinstance(raised.value, TransportUnavailable)

    with simulator.retailer_transport(**partner) as supplier:
        supplier.put(name="asn.x12", data=x12_interchange(sender="SUP001", receiver="CROSSDOCK"))
    wait_for(lambda: "asn.x12" in simulator.files("RETAILER", "inbound"), what="delivery")


def test_control_api_lists_mailboxes_and_rejects_unknown_switches(simulator) -> None:
    mailboxes = {box["id"]: box for box in simulator.call("GET", "/mailboxes")["mailboxes"]}

    assert len(mailboxes) == 13
    assert mailboxes["RETAILER"]["address"] == "ZZ:CROSSDOCK"
    assert {"inbound", "outbound"} <= set(mailboxes["SUP-001"])
    with pytest.raises(urllib.error.HTTPError) as raised:
        simulator.faults(explode=True)
    assert raised.value.code == 400


@pytest.mark.parametrize("sample", sorted(p.name for p in (SAMPLES / "x12").glob("*.edi")))
def test_the_bots_read_real_world_x12(sample: str) -> None:
    interchange = read_interchange((SAMPLES / "x12" / sample).read_text(encoding="latin-1"))

    assert interchange.groups and all(g.transactions for g in interchange.groups)
    assert all(not t.errors() for g in interchange.groups for t in g.transactions)


def test_edifact_addresses_are_read_from_unb() -> None:
    envelope = read_envelope((SAMPLES / "edifact" / "pydifact-orders.edi").read_bytes())

    assert (envelope.sender, envelope.receiver) == (
        Address("8", "12345678"),
        Address("ZZ", "WBDZDD"),
    )
    assert envelope.reference == "807"


def _reachable(transport: SftpTransport) -> bool:
    try:
        transport.list_new()
    except TransportUnavailable:
        time.sleep(0.1)
        return False
    return True
