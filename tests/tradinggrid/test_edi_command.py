"""``manage.py edi``: format detection, inspect and ack, through the plain function and Django."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from apps.tradinggrid.edi import (
    CollabCase,
    EdiError,
    MemoryControlNumberSource,
    Party,
    build_document,
)
from apps.tradinggrid.edi.cli import detect_format, run

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "edi-samples"
X12_850 = SAMPLES / "x12" / "node-x12-850.edi"
APERAK = SAMPLES / "edifact" / "pydifact-aperak.edi"


def collab_file(tmp_path: Path) -> Path:
    document = build_document(
        event_type="message.posted",
        event_data={"message_id": "m-1", "body": "Hello"},
        case=CollabCase(public_id="CX-1", kind="claim"),
        sender=Party(qualifier="ZZ", id="ACME"),
        receiver=Party(qualifier="ZZ", id="CROSSDOCK"),
        control_numbers=MemoryControlNumberSource(start=12),
        sent_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    path = tmp_path / "collab.json"
    path.write_bytes(document.to_bytes())
    return path


def invoke(action: str, path: Path, **kwargs) -> tuple[str, str | None]:
    out = io.StringIO()
    failure = run(action=action, path=path, out=out, **kwargs)
    return out.getvalue(), failure


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"ISA*00*", "x12"),
        (b"\xef\xbb\xbf\r\nISA*00*", "x12"),
        (b"UNA:+.? 'UNB", "edifact"),
        (b"UNB+UNOC:3", "edifact"),
        (b'  {"schema": "crossdock.collaboration"}', "collab"),
    ],
)
def test_format_is_detected_by_content(head: bytes, expected: str):
    assert detect_format(head) == expected


def test_unknown_content_is_refused():
    with pytest.raises(EdiError, match="not X12 .* starts 'PDF-1.7'"):
        detect_format(b"PDF-1.7")


def test_inspect_prints_named_segments_and_control_numbers():
    output, failure = invoke("inspect", X12_850)
    assert failure is None
    report = json.loads(output)
    [interchange] = report["interchanges"]
    assert interchange["control_number"] == "000003438"
    [group] = interchange["groups"]
    assert (group["functional_id"], group["control_number"]) == ("PO", "1421")
    [transaction] = group["transactions"]
    assert (transaction["set_id"], transaction["control_number"]) == ("850", "000000010")
    beg = transaction["segments"][1]
    assert beg == {
        "id": "BEG",
        "name": "Beginning Segment for Purchase Order",
        "position": 4,
        "offset": X12_850.read_bytes().index(b"BEG"),
        "elements": ["00", "SA", "08292233294", "", "20101127", "610385385"],
    }
    assert report["issues"] == []


def test_inspect_reports_errors_and_fails_with_one_line(tmp_path: Path):
    broken = tmp_path / "broken.edi"
    broken.write_bytes(X12_850.read_bytes().replace(b"SE*33*", b"SE*30*"))
    output, failure = invoke("inspect", broken)
    report = json.loads(output)
    assert report["issues"][0]["code"] == "4"
    assert failure is not None and "\n" not in failure
    assert failure.startswith(
        "SE01 says 30 segments but transaction 000000010 has 33 (segment 35, SE"
    )


def test_inspect_of_an_unreadable_file_prints_nothing_and_fails(tmp_path: Path):
    cut = tmp_path / "cut.edi"
    cut.write_bytes(X12_850.read_bytes()[:60])
    output, failure = invoke("inspect", cut)
    assert output == ""
    assert failure == (
        "file ends inside the ISA segment after 60 characters; ISA is 106 characters "
        "(truncated file?) (segment 1, ISA, offset 0)"
    )
    missing, failure = invoke("inspect", tmp_path / "nope.edi")
    assert missing == "" and failure.endswith("nope.edi: no such file")


def test_inspect_edifact_and_collab(tmp_path: Path):
    output, failure = invoke("inspect", APERAK)
    report = json.loads(output)
    assert report["interchange"]["una"] == "UNA:+.? '"
    assert report["interchange"]["messages"][0]["segments"][1]["name"] == "Beginning of Message"
    assert failure.startswith("UNT01 says 8 segments but message 1 has 7")
    output, failure = invoke("inspect", collab_file(tmp_path))
    assert failure is None
    assert json.loads(output)["document"]["control"]["group"] == "12"


def test_ack_prints_997_and_contrl(tmp_path: Path):
    output, failure = invoke("ack", X12_850)
    assert failure is None
    assert "AK1*PO*1421~" in output and "AK9*A*1*1*1~" in output
    output, failure = invoke("ack", APERAK)
    assert failure is None
    assert "UCM+1+APERAK:D:96A:UN+4+29+UNT'" in output
    output, failure = invoke("ack", collab_file(tmp_path))
    assert "AK1*ZZ*12~AK2*CXD*0012~AK5*A~" in output


def test_ack_draws_control_numbers_from_counter_files(tmp_path: Path):
    first, _ = invoke("ack", X12_850, control_dir=tmp_path / "seq")
    second, _ = invoke("ack", X12_850, control_dir=tmp_path / "seq")
    assert "*000000001*0*P*" in first and "*000000002*0*P*" in second


def test_manage_py_edi_inspect():
    # Runs under pytest-django once portal.settings installs the app (apps.tradinggrid).
    from django.conf import settings

    if not settings.configured:
        pytest.skip("Django settings are not configured (pytest-django is off)")
    from django.apps import apps
    from django.core.management import CommandError, call_command

    if not apps.ready or not apps.is_installed("apps.tradinggrid"):
        pytest.skip("apps.tradinggrid is not in INSTALLED_APPS yet")
    out = io.StringIO()
    call_command("edi", "inspect", str(X12_850), stdout=out)
    report = json.loads(out.getvalue())
    assert report["interchanges"][0]["groups"][0]["transactions"][0]["set_id"] == "850"
    with pytest.raises(CommandError, match="UNT01 says 8 segments"):
        call_command("edi", "inspect", str(APERAK), stdout=io.StringIO())
