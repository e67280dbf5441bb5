"""The evidence pack: every shared file with its checksum and every decision, no internal note,
nothing the downloader could not see, and names that cannot escape or run in a spreadsheet."""

import csv
import io
import json
import re
import zipfile

import pytest
from pypdf import PdfReader

from apps.claims.evidence import archive_name, csv_cell
from apps.workspace import services as workspace
from apps.workspace.choices import Channel, Visibility
from apps.workspace.models import FileVersion

from .helpers import DENIAL, open_claim, photo, step

pytestmark = pytest.mark.django_db

SECRET = "internal-only-7c1f"
ENTRY = re.compile(
    r"^(summary\.pdf|decisions\.json|timeline\.csv|conversation\.csv|files\.csv|files/\d{3}-[^/\\]+)$"
)


def _pack(client, user, case) -> zipfile.ZipFile:
    client.force_login(user)
    response = client.get(f"/claims/{case.pk}/evidence-pack/")
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


@pytest.fixture
def decided(agent, user_a, partner_a):
    """Denied, disputed with new evidence, then credited; with an internal note and file."""
    case = open_claim(agent, partner_a, photos=2)
    workspace.message_post(
        actor=agent,
        channel=Channel.WEB,
        case=case,
        body=f"Note {SECRET}",
        visibility=Visibility.INTERNAL,
    )
    workspace.file_upload(
        actor=agent,
        channel=Channel.WEB,
        case=case,
        name=f"{SECRET}.png",
        content=photo(),
        visibility=Visibility.INTERNAL,
    )
    step(user_a, case, "deny", payload=DENIAL)
    workspace.message_post(
        actor=user_a,
        channel=Channel.WEB,
        case=case,
        body="Our test lab report.",
        files=[("lab-report.png", photo())],
    )
    workspace.file_upload(
        actor=agent, channel=Channel.WEB, case=case, name="sleeve.png", content=photo()
    )
    step(
        agent,
        case,
        "dispute",
        payload={"dispute_statement": "The sleeve photo shows a factory fault."},
    )
    step(
        user_a,
        case,
        "approve_credit",
        payload={"credit": "partial", "amount": "120.50", "currency": "USD"},
    )
    return case


@pytest.mark.parametrize("who", ["agent", "user_a"])
def test_the_pack_holds_every_shared_file_and_decision_and_no_internal_note(
    client, decided, who, request
):
    pack = _pack(client, request.getfixturevalue(who), decided)
    names = pack.namelist()
    assert all(ENTRY.match(name) for name in names), names
    shared = FileVersion.objects.filter(
        attachment__case=decided, attachment__visibility=Visibility.PARTNER
    )
    files = [n for n in names if n.startswith("files/")]
    assert len(files) == shared.count() == 4  # two photos, the lab report, the new evidence
    import hashlib

    listed = {
        row["path"]: row["sha256"]
        for row in csv.DictReader(io.StringIO(pack.read("files.csv").decode()))
    }
    for name in files:
        assert hashlib.sha256(pack.read(name)).hexdigest() == listed[name]
    assert set(listed.values()) == set(shared.values_list("sha256", flat=True))

    decisions = json.loads(pack.read("decisions.json"))
    assert [d["step"].split(":")[0] for d in decisions] == [
        "Deny the claim",
        "Dispute the denial",
        "Approve a credit",
    ]
    assert decisions[-1]["data"]["amount"] == "120.50"

    everything = b"".join(pack.read(n) for n in names if not n.startswith("files/")).decode(
        "latin-1"
    )
    summary = "".join(
        page.extract_text() for page in PdfReader(io.BytesIO(pack.read("summary.pdf"))).pages
    )
    assert (
        SECRET not in everything and SECRET not in summary and not any(SECRET in n for n in names)
    )
    assert "Our test lab report." in pack.read("conversation.csv").decode()
    assert "Credit: 120.50 USD" in summary and "Claimed value: 557.00 USD" in summary
    assert "Dispute the denial" in summary and "Deny the claim" in summary
    for sha in listed.values():
        assert sha in summary.replace("\n", "")


def test_another_partner_or_a_plain_case_gets_no_pack(client, agent, partner_a, user_b):
    case = open_claim(agent, partner_a)
    client.force_login(user_b)
    assert client.get(f"/claims/{case.pk}/evidence-pack/").status_code == 404


def test_hostile_file_names_and_formulas_come_out_harmless(client, agent, user_a, partner_a):
    case = open_claim(agent, partner_a, photos=0)
    for name in (
        "../../../etc/cron.d/evil.png",
        "..\\..\\windows\\evil.png",
        "=cmd|' /C calc'!A0.png",
        "@SUM(1+1).png",
    ):
        workspace.file_upload(
            actor=agent, channel=Channel.WEB, case=case, name=name, content=photo()
        )
    workspace.message_post(
        actor=user_a, channel=Channel.WEB, case=case, body='=HYPERLINK("http://evil.test","click")'
    )
    workspace.message_post(actor=user_a, channel=Channel.WEB, case=case, body="+1-1")
    pack = _pack(client, agent, case)
    for name in pack.namelist():
        assert ENTRY.match(name) and ".." not in name and not name.startswith("/"), name
    for table in ("conversation.csv", "files.csv", "timeline.csv"):
        for row in csv.reader(io.StringIO(pack.read(table).decode())):
            assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row), (table, row)
    assert "'=HYPERLINK" in pack.read("conversation.csv").decode()


@pytest.mark.parametrize(
    "name",
    [
        "../../x.png",
        "/etc/passwd",
        "C:\\Windows\\x.png",
        "..",
        ".hidden",
        "a/../../b.png",
        "....//x.png",
        "",
    ],
)
def test_an_archive_name_never_leaves_the_files_folder(name):
    path = archive_name(3, name)
    assert (
        path.startswith("files/003-")
        and ".." not in path
        and "\\" not in path
        and path.count("/") == 1
    )


def test_a_formula_cell_is_quoted():
    assert [csv_cell(v) for v in ("=1+1", "+1", "-1", "@A1", "plain", None)] == [
        "'=1+1",
        "'+1",
        "'-1",
        "'@A1",
        "plain",
        "",
    ]
