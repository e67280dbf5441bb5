"""997 and CONTRL: built for inbound documents (accepted, with errors, rejected) and read back."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from apps.tradinggrid.edi import (
    CollabCase,
    CollabDocumentError,
    CollabFile,
    MemoryControlNumberSource,
    Party,
    X12Writer,
    build_997,
    build_997_for_collab,
    build_contrl,
    build_document,
    read_997,
    read_acknowledgement,
    read_contrl,
    segment,
    validate_edifact,
    validate_interchanges,
    validate_x12_transaction,
    write_edifact,
    write_interchange,
)

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "edi-samples"
NOW = datetime(2026, 3, 1, 9, 30)
PARTNER = Party(qualifier="ZZ", id="ACMEWHSE")
US = Party(qualifier="ZZ", id="CROSSDOCK")
APERAK = (SAMPLES / "edifact" / "pydifact-aperak.edi").read_bytes()
APERAK_FIXED = APERAK.replace(b"UNT+8+1'", b"UNT+7+1'")


def inbound_855s(*bodies: list, group: int = 77) -> bytes:
    """An interchange from the partner with one 855 per body."""
    out = io.BytesIO()
    writer = X12Writer(out)
    writer.start_interchange(sender=PARTNER, receiver=US, control_number=900, timestamp=NOW)
    writer.start_group(
        functional_id="PR",
        application_sender="ACME",
        application_receiver="XDOCK",
        control_number=group,
        timestamp=NOW,
    )
    for number, body in enumerate(bodies, start=1):
        writer.start_transaction(set_id="855", control_number=number)
        for seg in body:
            writer.write(seg)
        writer.end_transaction()
    writer.end_group()
    writer.end_interchange()
    return out.getvalue()


GOOD = [
    segment("BAK", "00", "AC", "PO-1", "20260227"),
    segment("PO1", "1", "10", "EA", "9.25", None, "VN", "SKU-1"),
    segment("ACK", "IA", "10", "EA", "079", "20260305"),
]
UNKNOWN_SEGMENT = [*GOOD[:2], segment("ZZZ", "1"), GOOD[2]]
BAD_CODE = [*GOOD[:2], segment("ACK", "XX", "10", "EA")]


def ack_for(data: bytes) -> tuple[str, object]:
    [interchange] = validate_interchanges(data, validate=validate_x12_transaction)
    ack = build_997(interchange=interchange, control_numbers=MemoryControlNumberSource(), now=NOW)
    return write_interchange(ack).decode(), ack


def body_of(text: str) -> list[str]:
    lines = [s.strip() for s in text.split("~") if s.strip()]
    return [s for s in lines if s.startswith("AK")]


def test_997_accepts_a_clean_group_and_is_addressed_back():
    text, ack = ack_for(inbound_855s(GOOD, GOOD))
    assert body_of(text) == [
        "AK1*PR*77",
        "AK2*855*0001",
        "AK5*A",
        "AK2*855*0002",
        "AK5*A",
        "AK9*A*2*2*2",
    ]
    assert ack.sender == US and ack.receiver == PARTNER
    group = ack.groups[0]
    assert (group.functional_id, group.application_sender, group.application_receiver) == (
        "FA", "XDOCK", "ACME",
    )  # fmt: skip
    assert next(ack.transactions).set_id == "997"


def test_997_accepts_with_errors_when_only_warnings():
    text, _ = ack_for(inbound_855s(UNKNOWN_SEGMENT))
    assert body_of(text) == ["AK1*PR*77", "AK2*855*0001", "AK3*ZZZ*4**6", "AK5*E*5", "AK9*E*1*1*1"]


def test_997_rejects_element_errors_with_ak3_and_ak4():
    text, _ = ack_for(inbound_855s(BAD_CODE))
    assert body_of(text) == [
        "AK1*PR*77", "AK2*855*0001", "AK3*ACK*4**8", "AK4*1*668*7*XX", "AK5*R*5", "AK9*R*1*1*0",
    ]  # fmt: skip


def test_997_partially_accepts_a_group_with_one_bad_set():
    text, _ = ack_for(inbound_855s(GOOD, BAD_CODE, UNKNOWN_SEGMENT))
    assert body_of(text)[-1] == "AK9*P*3*3*2"
    assert [line for line in body_of(text) if line.startswith("AK5")] == [
        "AK5*A",
        "AK5*R*5",
        "AK5*E*5",
    ]


def test_997_rejects_envelope_errors_with_their_codes():
    data = inbound_855s(GOOD, GOOD).replace(b"SE*5*0002", b"SE*9*0002")
    text, _ = ack_for(data)
    assert [line for line in body_of(text) if line.startswith(("AK5", "AK9"))] == [
        "AK5*A", "AK5*R*4", "AK9*P*2*2*1",
    ]  # fmt: skip
    group_error = inbound_855s(GOOD).replace(b"GE*1*77", b"GE*1*78")
    text, _ = ack_for(group_error)
    assert body_of(text)[-1] == "AK9*R*1*1*0*4"
    count_error = inbound_855s(GOOD).replace(b"GE*1*77", b"GE*3*77")
    text, _ = ack_for(count_error)
    assert body_of(text)[-1] == "AK9*R*3*1*0*5"


def test_997_rejects_a_group_with_a_stray_segment_without_inventing_a_code():
    data = inbound_855s(GOOD).replace(b"SE*5*0001~", b"SE*5*0001~REF*ZZ*1~")
    text, _ = ack_for(data)
    assert body_of(text) == ["AK1*PR*77", "AK2*855*0001", "AK5*A", "AK9*R*1*1*0"]


def test_997_for_a_public_sample_is_accepted():
    text, ack = ack_for((SAMPLES / "x12" / "node-x12-850.edi").read_bytes())
    assert body_of(text) == ["AK1*PO*1421", "AK2*850*000000010", "AK5*A", "AK9*A*1*1*1"]
    # The 997 mirrors the partner's delimiters, line breaks and versions.
    assert ack.delimiters.suffix == "\n" and "~\nGS*FA*" in text
    assert (ack.version, ack.groups[0].version) == ("00400", "004010VICS")


def test_built_997_reads_back_for_the_ledger():
    _, ack = ack_for(inbound_855s(GOOD, BAD_CODE))
    result = read_997(ack)
    [group] = result.groups
    assert (group.control_number, group.status, group.included, group.received, group.accepted) == (
        "77", "P", 2, 2, 1,
    )  # fmt: skip
    rejected = group.transactions[1]
    assert (rejected.control_number, rejected.status, rejected.error_codes) == ("0002", "R", ("5",))
    [seg_error] = rejected.segment_errors
    assert (seg_error.segment_id, seg_error.index, seg_error.elements[0].code) == ("ACK", 4, "7")
    assert result.status_of(group="77", transaction="0001") == "A"
    assert result.status_of(group="77", transaction="0002") == "R"
    assert result.status_of(group="78", transaction="0001") is None
    rows = {(r.group, r.transaction): r.status for r in result.references}
    assert rows == {("77", None): "P", ("77", "0001"): "A", ("77", "0002"): "R"}
    assert result.sender == US


def test_inbound_997_sample_is_read():
    result = read_acknowledgement(SAMPLES / "x12" / "stupidedi-997.edi")
    assert result.standard == "x12"
    [group] = result.groups
    assert (group.functional_id, group.control_number, group.status) == ("AG", "160", "A")
    [transaction] = group.transactions
    assert (transaction.set_id, transaction.control_number, transaction.status) == (
        "824",
        "0160",
        "A",
    )


def test_group_status_applies_when_the_997_lists_no_sets():
    data = inbound_855s(GOOD)
    [interchange] = validate_interchanges(data)
    ack = build_997(interchange=interchange, control_numbers=MemoryControlNumberSource(), now=NOW)
    text = write_interchange(ack).replace(b"AK2*855*0001~AK5*A~", b"").replace(b"SE*6*", b"SE*4*")
    result = read_acknowledgement(text)
    assert result.status_of(group="77", transaction="0001") == "A"


def test_contrl_acknowledges_a_clean_interchange():
    interchange = validate_edifact(APERAK_FIXED)
    contrl = build_contrl(
        interchange=interchange, control_numbers=MemoryControlNumberSource(), now=NOW
    )
    data = write_edifact(contrl)
    assert b"UCI+000000002+RECEIVERID+SENDERID+7'" in data
    assert b"UCM+1+APERAK:D:96A:UN+7'" in data
    assert contrl.sender == interchange.recipient and contrl.recipient == interchange.sender
    result = read_acknowledgement(data)
    assert (result.acknowledged_interchange, result.interchange_status) == ("000000002", "A")
    assert [(m.control_number, m.status) for m in result.messages] == [("1", "A")]


def test_contrl_rejects_a_message_with_a_wrong_count():
    contrl = build_contrl(
        interchange=validate_edifact(APERAK), control_numbers=MemoryControlNumberSource(), now=NOW
    )
    data = write_edifact(contrl)
    assert b"UCM+1+APERAK:D:96A:UN+4+29+UNT'" in data
    result = read_contrl(validate_edifact(data))
    assert result.messages[0].status == "R"
    assert result.messages[0].error_codes == ("29",)


def test_contrl_rejects_an_interchange_without_unz():
    interchange = validate_edifact(SAMPLES / "edifact" / "pydifact-orders.edi")
    contrl = build_contrl(
        interchange=interchange, control_numbers=MemoryControlNumberSource(), now=NOW
    )
    data = write_edifact(contrl)
    assert b"UCI+807+12345678:8+WBDZDD:ZZ+4+13+UNZ'" in data
    result = read_acknowledgement(data)
    assert (result.interchange_status, result.interchange_error_codes) == ("R", ("13",))
    assert result.references[0].interchange == "807"


def collab_document() -> bytes:
    return build_document(
        event_type="file.attached",
        event_data={"file_names": ["packing-list.pdf"]},
        case=CollabCase(public_id="CX-1", kind="document_request"),
        sender=PARTNER,
        receiver=US,
        control_numbers=MemoryControlNumberSource(start=31),
        files=[
            CollabFile(name="packing-list.pdf", content_type="application/pdf", content=b"%PDF-1.7")
        ],
        sent_at=datetime(2026, 3, 1, 9, 30, tzinfo=UTC),
    ).to_bytes()


def test_997_acknowledges_a_collab_document_by_its_control_numbers():
    ack = build_997_for_collab(
        data=collab_document(), control_numbers=MemoryControlNumberSource(), now=NOW
    )
    text = write_interchange(ack).decode()
    assert body_of(text) == ["AK1*ZZ*31", "AK2*CXD*0031", "AK5*A", "AK9*A*1*1*1"]
    assert ack.receiver == PARTNER
    assert read_acknowledgement(text.encode()).status_of(group="31", transaction="0031") == "A"


def test_997_rejects_a_collab_document_with_a_bad_checksum():
    data = collab_document().replace(b'"size":8', b'"size":9')
    ack = build_997_for_collab(data=data, control_numbers=MemoryControlNumberSource(), now=NOW)
    assert body_of(write_interchange(ack).decode()) == [
        "AK1*ZZ*31", "AK2*CXD*0031", "AK5*R*5", "AK9*R*1*1*0",
    ]  # fmt: skip
    with pytest.raises(CollabDocumentError, match="cannot acknowledge"):
        build_997_for_collab(data=b'{"files": []}', control_numbers=MemoryControlNumberSource())
