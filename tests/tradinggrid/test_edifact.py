"""EDIFACT through pydifact: samples, UNA-aware round trips, envelope checks, wrapped errors."""

from __future__ import annotations

import io
import tracemalloc
from datetime import datetime
from pathlib import Path

import pytest
from pydifact.parser import Parser

from apps.tradinggrid.edi import (
    EdifactCharacters,
    EdiSyntaxError,
    EdiWriteError,
    MemoryControlNumberSource,
    OutboundMessage,
    Party,
    Segment,
    build_edifact_interchange,
    iter_edifact_messages,
    parse_edifact,
    segment,
    validate_edifact,
    write_edifact,
)
from apps.tradinggrid.edi.edifact import read_edifact_segments

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "edi-samples"
EDIFACT_SAMPLES = sorted((SAMPLES / "edifact").glob("*.edi"))
NOW = datetime(2026, 3, 1, 9, 30)
APERAK = (SAMPLES / "edifact" / "pydifact-aperak.edi").read_bytes()
# The public APERAK sample says UNT+8 for its 7 segments; this is it with the count fixed.
APERAK_FIXED = APERAK.replace(b"UNT+8+1'", b"UNT+7+1'")


def test_every_edifact_sample_is_present():
    assert {p.name for p in EDIFACT_SAMPLES} == {"pydifact-aperak.edi", "pydifact-orders.edi"}


@pytest.mark.parametrize("path", EDIFACT_SAMPLES, ids=lambda p: p.name)
def test_sample_reads_and_round_trips_its_segments(path: Path):
    segments, characters, has_una = read_edifact_segments(path)
    assert has_una
    assert segments[0].id == "UNB"
    data = path.read_bytes()
    assert all(data[s.offset : s.offset + 3] == s.id.encode() for s in segments)
    interchange = validate_edifact(path)
    again = validate_edifact(write_edifact(interchange))
    assert list(again.segments()) == list(interchange.segments()) == segments
    assert again.characters == interchange.characters == characters


def test_orders_sample_reads_its_una_and_composites():
    interchange = validate_edifact(SAMPLES / "edifact" / "pydifact-orders.edi")
    assert interchange.characters.decimal == ","
    assert interchange.sender == Party(qualifier="8", id="12345678")
    assert interchange.recipient == Party(qualifier="ZZ", id="WBDZDD")
    assert interchange.control_reference == "807"
    [message] = interchange.messages
    assert message.identifier == ("ORDERS", "D", "96A", "UN", "EAN008")
    assert message.body[0] == Segment("BGM", [("220", "", "9"), "801715918011", "9", "NA"])
    assert len(message.segments) == int(message.unt.text(1)) == 16


def test_public_samples_are_flawed_and_strict_parsing_says_where():
    # Both upstream files are real-world flawed: the APERAK miscounts, the ORDERS lacks UNZ.
    with pytest.raises(EdiSyntaxError) as caught:
        parse_edifact(APERAK)
    assert str(caught.value) == (
        "UNT01 says 8 segments but message 1 has 7 (segment 9, UNT, offset 197)"
    )
    with pytest.raises(
        EdiSyntaxError, match=r"file ends without UNZ for interchange 807 .*segment 18, UNT"
    ):
        parse_edifact(SAMPLES / "edifact" / "pydifact-orders.edi")


def test_corrected_aperak_parses_strictly():
    interchange = parse_edifact(APERAK_FIXED)
    assert interchange.unz is not None and interchange.unz.text(2) == "000000002"
    assert [m.message_type for m in interchange.messages] == ["APERAK"]


@pytest.mark.parametrize(
    ("old", "new", "message", "segment_id"),
    [
        (b"UNT+7+1'", b"UNT+7+2'", "UNT02 2 does not match UNH01 1", "UNT"),
        (
            b"UNZ+1+000000002'",
            b"UNZ+2+000000002'",
            "UNZ01 says 2 messages but interchange 000000002 has 1",
            "UNZ",
        ),
        (
            b"UNZ+1+000000002'",
            b"UNZ+1+000000003'",
            "UNZ02 000000003 does not match UNB05 000000002",
            "UNZ",
        ),
        (b"UNT+7+1'", b"", "message 1 has no UNT before UNZ", "UNZ"),
        (b"ERC+1'", b"ERC+1'UNH+2+APERAK:D:96A:UN'", "message 1 has no UNT before UNH", "UNH"),
    ],
)
def test_broken_envelopes_are_refused_with_their_location(old, new, message, segment_id):
    data = APERAK_FIXED.replace(old, new)
    with pytest.raises(EdiSyntaxError) as caught:
        parse_edifact(data)
    assert str(caught.value).startswith(message)
    assert caught.value.segment_id == segment_id
    assert data[caught.value.offset : caught.value.offset + 3] == segment_id.encode()


def test_duplicate_message_references_are_refused():
    two = APERAK_FIXED.replace(b"UNZ+1", b"UNH+1+APERAK:D:96A:UN'BGM+27'UNT+3+1'UNZ+2")
    with pytest.raises(EdiSyntaxError, match="UNH01 1 is used twice"):
        parse_edifact(two)


def test_file_cut_inside_a_segment_is_refused():
    data = APERAK_FIXED[: APERAK_FIXED.index(b"UNT") + 5]
    with pytest.raises(EdiSyntaxError) as caught:
        parse_edifact(data)
    assert "file ends inside a segment: no terminator \"'\" after 'UNT+7'" in str(caught.value)
    assert (caught.value.position, caught.value.offset) == (9, APERAK_FIXED.index(b"UNT"))


def test_escaped_terminator_is_not_a_segment_end():
    data = APERAK_FIXED.replace(b"without errors", b"without ?'errors?'")
    [message] = parse_edifact(data).messages
    assert message.body[-1].text(4) == "Message accepted without 'errors'"


def test_pydifact_errors_become_located_syntax_errors():
    data = APERAK_FIXED.replace(b"ERC+1'", b"er+1'")
    with pytest.raises(EdiSyntaxError) as caught:
        parse_edifact(data)
    assert "unreadable segment" in str(caught.value)
    assert (caught.value.position, caught.value.offset) == (7, data.index(b"er+1"))


def test_not_an_interchange_is_refused():
    with pytest.raises(EdiSyntaxError, match="starts with UNB"):
        parse_edifact(b"UNH+1+ORDERS:D:96A:UN'UNT+2+1'")
    with pytest.raises(EdiSyntaxError, match="functional groups"):
        parse_edifact(APERAK_FIXED.replace(b"UNH+1", b"UNG+X'UNH+1"))


def test_validating_mode_collects_instead_of_raising():
    interchange = validate_edifact(APERAK)
    [message] = interchange.messages
    assert [(i.code, i.segment_id) for i in message.issues] == [("29", "UNT")]
    assert interchange.issues == []


def test_other_service_characters_round_trip_with_escapes():
    interchange = parse_edifact(APERAK_FIXED)
    interchange.messages[0].body.append(Segment("FTX", ["AAI", "", "", "a+b:c'd?e*f~"]))
    interchange.messages[0].unt = Segment("UNT", ["8", "1"])
    characters = EdifactCharacters(component="|", data="*", decimal=",", escape="#", segment="~")
    written = write_edifact(interchange, characters=characters)
    assert written.startswith(b"UNA|*,# ~UNB*UNOA|3*")
    assert b"a+b:c'd?e#*f#~" in written
    again = parse_edifact(written)
    assert again.characters == characters
    assert list(again.segments()) == list(interchange.segments())


def test_default_characters_need_no_una():
    interchange = parse_edifact(APERAK_FIXED)
    written = write_edifact(interchange, una=False)
    assert written.startswith(b"UNB+UNOA:3+")
    again = parse_edifact(written)
    assert not again.has_una
    assert list(again.segments()) == list(interchange.segments())
    with pytest.raises(EdiWriteError, match="need a UNA"):
        write_edifact(interchange, una=False, characters=EdifactCharacters(data="*"))


def test_built_interchange_has_counts_references_and_encoding():
    interchange = build_edifact_interchange(
        sender=Party(qualifier="14", id="4012345000009"),
        recipient=Party(qualifier="14", id="5412345000013"),
        messages=[
            OutboundMessage(
                identifier=("ORDRSP", "D", "96A", "UN"),
                body=[
                    segment("BGM", "231", "RSP-1", "29"),
                    segment("FTX", "AAI", None, None, "Müller"),
                ],
            ),
            OutboundMessage(
                identifier=("ORDRSP", "D", "96A", "UN"), body=[segment("BGM", "231", "RSP-2", "27")]
            ),
        ],
        control_numbers=MemoryControlNumberSource(start=41),
        now=NOW,
    )
    data = write_edifact(interchange)
    assert "Müller".encode("latin-1") in data
    again = parse_edifact(data)
    assert again.unb.elements[:5] == [
        ("UNOC", "3"), ("4012345000009", "14"), ("5412345000013", "14"), ("260301", "0930"), "41",
    ]  # fmt: skip
    assert [m.reference for m in again.messages] == ["41", "42"]
    assert [m.unt.text(1) for m in again.messages] == ["4", "3"]
    assert again.unz.elements == ["2", "41"]
    assert again.messages[0].body[1].text(4) == "Müller"


def test_characters_the_syntax_cannot_hold_are_refused():
    interchange = build_edifact_interchange(
        sender=Party(qualifier="", id="A"),
        recipient=Party(qualifier="", id="B"),
        messages=[
            OutboundMessage(
                identifier=("ORDRSP", "D", "96A", "UN"),
                body=[segment("FTX", "AAI", None, None, "€")],
            )
        ],
        control_numbers=MemoryControlNumberSource(),
        syntax=("UNOA", "3"),
        now=NOW,
    )
    with pytest.raises(EdiWriteError, match="cannot be written in UNOA"):
        write_edifact(interchange)


# Streaming reader --------------------------------------------------------------------


def big_orders(messages: int, *, escapes: bool = False) -> bytes:
    """An ORDERS interchange of `messages` messages, with released characters if asked."""
    name = "CAF?+E ?:M?'LLER??" if escapes else "CAFE MULLER"
    parts = ["UNA:+.? 'UNB+UNOC:3+SUP001:ZZ+CROSSDOCK:ZZ+260301:0930+77'\n"]
    for number in range(1, messages + 1):
        body = [
            f"UNH+{number}+ORDERS:D:96A:UN'",
            f"BGM+220+PO-{number:06d}+9'",
            "DTM+137:20260301:102'",
            f"NAD+BY+{name}::9'",
        ]
        for line in range(1, 6):
            body += [f"LIN+{line}++SKU-{line}:VN'", "QTY+21:8'", "PRI+AAA:9.99'"]
        body += ["UNS+S'", f"UNT+{len(body) + 2}+{number}'"]
        parts.append("\n".join(body) + "\n")
    parts.append(f"UNZ+{messages}+77'\n")
    return "".join(parts).encode("latin-1")


@pytest.mark.parametrize("chunk_size", [1, 2, 3, 7, 64, 1 << 20])
def test_segments_are_the_same_whatever_the_chunk_size(chunk_size: int):
    data = big_orders(3, escapes=True)
    whole = list(iter_edifact_messages(data))
    chunked = list(iter_edifact_messages(io.BytesIO(data), chunk_size=chunk_size))
    assert [m.segments for m in chunked] == [m.segments for m in whole]
    assert [[s.offset for s in m.segments] for m in chunked] == [
        [s.offset for s in m.segments] for m in whole
    ]


def test_released_characters_read_as_pydifact_reads_them():
    # pydifact is the oracle here: our tokenizer must give the same elements.
    data = big_orders(2, escapes=True)
    ours = [seg for m in iter_edifact_messages(data) for seg in m.segments]
    text = data.decode("latin-1")
    theirs = [seg for seg in Parser().parse(text) if seg.tag not in ("UNA", "UNB", "UNZ")]
    assert len(ours) == len(theirs)
    for mine, other in zip(ours, theirs, strict=True):
        assert mine.id == other.tag
        expected = [tuple(v) if isinstance(v, list) else v for v in other.elements]
        assert mine.elements == expected
    nad = next(s for s in ours if s.id == "NAD")
    assert nad.component(2, 1) == "CAF+E :M'LLER?"


def test_offsets_are_byte_offsets_of_each_segment():
    data = big_orders(2)
    for message in iter_edifact_messages(data):
        for seg in message.segments:
            assert data[seg.offset : seg.offset + 3] == seg.id.encode()


def test_streaming_memory_does_not_follow_file_size():
    def peak(messages: int) -> int:
        data = big_orders(messages)
        tracemalloc.start()
        count = sum(
            len(m.segments) for m in iter_edifact_messages(io.BytesIO(data), chunk_size=1 << 14)
        )
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert count == messages * 21
        return top

    small, large = peak(200), peak(4000)
    assert large < small * 1.5, (small, large)


def test_streaming_checks_the_envelopes():
    data = big_orders(3).replace(b"UNZ+3+77", b"UNZ+4+77")
    with pytest.raises(EdiSyntaxError, match="UNZ01 says 4 messages but interchange 77 has 3"):
        list(iter_edifact_messages(data))
