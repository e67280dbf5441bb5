"""Collaboration documents: schema, control numbers, embedded files and their checks."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from apps.tradinggrid.edi import (
    PARTNER_EVENT_TYPES,
    CollabCase,
    CollabDocumentError,
    CollabFile,
    MemoryControlNumberSource,
    Party,
    build_document,
    parse_document,
)
from apps.tradinggrid.edi.collab import EVENT_TYPES, SCHEMA_PATH, load_schema

REPO = Path(__file__).resolve().parents[2]
US = Party(qualifier="ZZ", id="CROSSDOCK")
PARTNER = Party(qualifier="01", id="123456789")
CASE = CollabCase(public_id="CX-2026-000123", kind="order_exception", partner_reference="RMA-7")
SENT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
PDF = CollabFile(name="certificate.pdf", content_type="application/pdf", content=b"%PDF-1.7 proof")

EVENTS = {
    "case.created": {
        "subject": "Order 1001 ships late",
        "status": "open",
        "priority": "high",
        "references": {"order_number": "1001", "sku": "SKU-1"},
    },
    "message.posted": {"message_id": "m-1", "body": "Can you ship Friday?"},
    "case.transitioned": {"from_status": "open", "to_status": "waiting_on_partner"},
    "file.attached": {"file_names": ["certificate.pdf"], "description": "origin"},
    "document.requested": {
        "request_id": "r-1",
        "document_type": "certificate_of_origin",
        "due_at": "2026-03-05T17:00:00Z",
    },
    "checklist.updated": {
        "checklist_id": "launch-42",
        "items": [{"key": "samples", "label": "Samples received", "done": True}],
    },
}


def build(event_type: str, **overrides) -> bytes:
    arguments = {
        "event_type": event_type,
        "event_data": EVENTS[event_type],
        "case": CASE,
        "sender": US,
        "receiver": PARTNER,
        "control_numbers": MemoryControlNumberSource(start=5),
        "files": [PDF] if event_type == "file.attached" else [],
        "actor": {"name": "Dana Ops", "organization": "Retailer"},
        "sent_at": SENT,
        **overrides,
    }
    return build_document(**arguments).to_bytes()


def edited(data: bytes, change) -> bytes:
    raw = json.loads(data)
    change(raw)
    return json.dumps(raw).encode()


def test_published_schema_is_valid_draft_2020_12():
    assert SCHEMA_PATH == REPO / "docs" / "tradinggrid-collaboration.schema.json"
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$defs"]["event"]["properties"]["type"]["enum"] == list(EVENT_TYPES)


@pytest.mark.parametrize("event_type", EVENT_TYPES)
def test_every_event_type_round_trips(event_type: str):
    data = build(event_type)
    document = parse_document(data)
    assert document.event_type == event_type
    assert document.event_data == EVENTS[event_type]
    assert document.case == CASE
    assert (document.sender, document.receiver) == (US, PARTNER)
    assert document.sent_at == SENT
    assert document.to_bytes() == data
    assert b'"sent_at":"2026-03-01T09:30:00Z"' in data


def test_control_numbers_come_from_the_shared_sequences():
    source = MemoryControlNumberSource(start=5)
    first = build_document(
        event_type="message.posted",
        event_data=EVENTS["message.posted"],
        case=CASE,
        sender=US,
        receiver=PARTNER,
        control_numbers=source,
    )
    assert first.control.key == ("000000005", "5", "0005")
    assert (first.control.functional_id, first.control.set_id) == ("ZZ", "CXD")
    # An X12 document to the same partner afterwards continues the same sequences.
    assert source.next(sender=US.key, receiver=PARTNER.key, kind="group") == 6


def test_files_are_embedded_with_size_and_sha256():
    document = parse_document(build("file.attached"))
    [attached] = document.files
    assert attached.content == b"%PDF-1.7 proof"
    entry = json.loads(document.to_bytes())["files"][0]
    assert entry["size"] == 14
    assert entry["sha256"] == hashlib.sha256(b"%PDF-1.7 proof").hexdigest()
    assert base64.b64decode(entry["content_base64"]) == b"%PDF-1.7 proof"


def test_checksum_mismatch_is_refused():
    data = edited(build("file.attached"), lambda raw: raw["files"][0].update(sha256="0" * 64))
    with pytest.raises(
        CollabDocumentError, match="certificate.pdf has sha256 .* document says 0000"
    ) as caught:
        parse_document(data)
    assert caught.value.path == "files/0"


def test_size_mismatch_is_refused():
    data = edited(build("file.attached"), lambda raw: raw["files"][0].update(size=15))
    with pytest.raises(CollabDocumentError, match="certificate.pdf is 14 bytes but size says 15"):
        parse_document(data)


def test_tampered_content_is_refused():
    tampered = base64.b64encode(b"%PDF-1.7 fake!").decode()
    data = edited(
        build("file.attached"), lambda raw: raw["files"][0].update(content_base64=tampered)
    )
    with pytest.raises(CollabDocumentError, match="has sha256"):
        parse_document(data)


def test_bad_base64_is_refused():
    data = edited(build("file.attached"), lambda raw: raw["files"][0].update(content_base64="abc"))
    with pytest.raises(CollabDocumentError, match="not base64"):
        parse_document(data)


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda raw: raw.pop("control"), "(document)"),
        (lambda raw: raw["control"].update(set_id="850"), "control/set_id"),
        (lambda raw: raw["control"].update(interchange="12"), "control/interchange"),
        (lambda raw: raw["event"].update(type="case.deleted"), "event/type"),
        (lambda raw: raw["event"]["data"].pop("body"), "event/data"),
        (lambda raw: raw["event"]["data"].update(colour="red"), "event/data"),
        (lambda raw: raw.update(sent_at="yesterday"), "sent_at"),
        (lambda raw: raw["sender"].update(id=""), "sender/id"),
        (lambda raw: raw.update(schema_version="2.0"), "schema_version"),
    ],
)
def test_schema_violations_are_refused_with_their_path(change, path):
    data = edited(build("message.posted"), change)
    with pytest.raises(CollabDocumentError, match="schema violation") as caught:
        parse_document(data)
    assert caught.value.path == path


def test_file_attached_needs_the_files_it_names():
    without = edited(build("file.attached"), lambda raw: raw.update(files=[]))
    with pytest.raises(CollabDocumentError, match="schema violation") as caught:
        parse_document(without)
    assert caught.value.path == "files"
    other_name = edited(
        build("file.attached"), lambda raw: raw["event"]["data"].update(file_names=["other.pdf"])
    )
    with pytest.raises(CollabDocumentError, match="file_names lists other.pdf"):
        parse_document(other_name)


def test_file_names_cannot_climb_directories():
    data = edited(build("file.attached"), lambda raw: raw["files"][0].update(name="../etc/passwd"))
    with pytest.raises(CollabDocumentError, match="schema violation"):
        parse_document(data)


def test_partners_may_only_reply_transition_or_attach():
    assert (
        frozenset({"message.posted", "case.transitioned", "file.attached"}) == PARTNER_EVENT_TYPES
    )
    parse_document(build("case.transitioned"), allowed_event_types=PARTNER_EVENT_TYPES)
    with pytest.raises(CollabDocumentError, match="case.created is not accepted here"):
        parse_document(build("case.created"), allowed_event_types=PARTNER_EVENT_TYPES)


def test_reply_points_at_the_document_it_answers():
    question = parse_document(build("message.posted"))
    answer = parse_document(
        build(
            "message.posted",
            sender=PARTNER,
            receiver=US,
            in_reply_to=question.document_id,
            event_data={"message_id": "m-2", "body": "Yes", "in_reply_to_message_id": "m-1"},
        )
    )
    assert answer.in_reply_to == question.document_id
    assert answer.document_id != question.document_id


def test_building_an_invalid_event_fails_before_sending():
    with pytest.raises(CollabDocumentError, match="schema violation"):
        build("case.transitioned", event_data={"to_status": "Not A Status"})
    with pytest.raises(CollabDocumentError, match="time zone"):
        build("message.posted", sent_at=datetime(2026, 3, 1, 9, 30))


def test_offsets_other_than_utc_are_kept():
    plus_two = datetime(2026, 3, 1, 11, 30, tzinfo=timezone(timedelta(hours=2)))
    document = parse_document(build("message.posted", sent_at=plus_two))
    assert document.sent_at == SENT
    assert b'"sent_at":"2026-03-01T11:30:00+02:00"' in document.to_bytes()


def test_not_json_is_refused():
    with pytest.raises(CollabDocumentError, match="not JSON"):
        parse_document(b"ISA*00*")
    with pytest.raises(CollabDocumentError, match="JSON object"):
        parse_document(b"[]")


# --- Schema 1.1: structured fields ----------------------------------------------------------

PROPOSAL = {
    "resolution": "partial_backorder",
    "ship_date": "2026-03-02",
    "address_correction": "",
    "root_cause_code": None,
    "lines": [
        {"line": 1, "status": "accepted", "quantity": "6", "date": None},
        {
            "line": 2,
            "status": "backordered",
            "quantity": "4",
            "date": "2026-03-20",
            "substitute_sku": "",
            "substitute_quantity": None,
            "reason_code": "",
            "note": "",
        },
    ],
}
LINES = [
    {"position": 1, "sku": "SKU-1", "quantity": "10", "unit": "EA", "order_number": "1001"},
    {
        "position": 2,
        "sku": "SKU-2",
        "description": "Blue widget",
        "quantity": "2.5",
        "unit": "KG",
        "line_ref": "item-7",
        "data": {"quantity_short": 2, "earliest_date": "2026-03-20"},
    },
]


def test_we_write_1_1_and_read_1_0():
    assert json.loads(build("message.posted"))["schema_version"] == "1.1"
    old = parse_document(build("case.transitioned", schema_version="1.0"))
    assert old.schema_version == "1.0" and old.event_data == EVENTS["case.transitioned"]


def test_a_transition_carries_its_payload_and_a_new_case_its_lines_and_detail():
    transitioned = parse_document(
        build(
            "case.transitioned",
            event_data={"transition": "propose", "to_status": "proposed", "payload": PROPOSAL},
        )
    )
    assert transitioned.event_data["payload"] == PROPOSAL
    created = parse_document(
        build(
            "case.created",
            event_data={
                **EVENTS["case.created"],
                "lines": LINES,
                "detail": {"exception_type": "stock_shortage", "short_lines": [{"sku": "SKU-2"}]},
            },
        )
    )
    assert created.event_data["lines"] == LINES
    assert created.event_data["detail"]["exception_type"] == "stock_shortage"


def test_a_1_0_document_may_not_use_1_1_fields():
    data = build(
        "case.transitioned",
        event_data={"to_status": "proposed", "payload": {"resolution": "reship"}},
    )
    with pytest.raises(CollabDocumentError, match="payload came with schema 1.1") as caught:
        parse_document(edited(data, lambda raw: raw.update(schema_version="1.0")))
    assert caught.value.path == "event/data/payload"


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda payload: payload["lines"][0].update(status="maybe"), "status"),
        (lambda payload: payload["lines"][0].update(line=0), "line"),
        (lambda payload: payload["lines"][0].update(colour="red"), "lines/0"),
        (lambda payload: payload["lines"][1].update(date="20 March"), "date"),
        (lambda payload: payload["lines"][1].update(quantity="-4"), "quantity"),
        (lambda payload: payload.update({"Bad Key": 1}), "payload"),
    ],
)
def test_line_answers_have_the_shape_of_the_855_vocabulary(change, path):
    payload = json.loads(json.dumps(PROPOSAL))
    change(payload)
    with pytest.raises(CollabDocumentError, match="schema violation") as caught:
        build(
            "case.transitioned",
            event_data={"transition": "propose", "to_status": "proposed", "payload": payload},
        )
    assert path in caught.value.path


def test_case_lines_need_a_position_a_sku_and_a_quantity_as_text():
    for line in ({"sku": "A", "quantity": "1"}, {"position": 1, "sku": "A", "quantity": 1}):
        with pytest.raises(CollabDocumentError, match="schema violation"):
            build("case.created", event_data={**EVENTS["case.created"], "lines": [line]})


def test_the_examples_in_the_published_documentation_are_valid():
    text = (REPO / "docs" / "tradinggrid-collaboration.md").read_text()
    blocks = text.split("```json\n")[1:]
    examples = [block.split("\n```", 1)[0] for block in blocks]
    assert len(examples) == 2
    event = json.loads("{" + examples[0] + "}")["event"]
    schema = load_schema()
    validator = Draft202012Validator({"$defs": schema["$defs"], "$ref": "#/$defs/event"})
    validator.validate(event)
    assert event["data"]["payload"]["lines"][1]["status"] == "backordered"
    document = parse_document(examples[1])
    assert document.schema_version == "1.1" and document.files[0].name == "packing-list.pdf"
