"""Benchmark of the claim evidence pack: a big claim streamed as one ZIP without holding it.

Usage: .venv/bin/python bench/evidence_pack.py [--files 200 --file-kb 256 --messages 500]

Builds, in its own SQLite file and media folder under a temporary directory (never the dev
ones), one claim with --files evidence files of --file-kb KB each (random bytes, so nothing
compresses them away), --messages shared messages, 20 internal notes, and every decision of a
disputed claim, all through the services. Then downloads the pack through the portal's view
(Django's test client, the streamed response read chunk by chunk) twice: once timed, writing
it to a file and checking it (every file, no internal note), once under tracemalloc for the
peak of Python memory. Prints a summary and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PDF_HEAD = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
NOTE = "internal-note-do-not-share"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--file-kb", type=int, default=256)
    parser.add_argument("--messages", type=int, default=500)
    return parser.parse_args()


def evidence(kb: int, seed: int) -> io.BytesIO:
    body = os.urandom(kb * 1024 - len(PDF_HEAD) - 6)
    handle = io.BytesIO(PDF_HEAD + body + b"%%EOF\n")
    handle.name = f"evidence-{seed:03d}.pdf"
    return handle


def seed(args) -> tuple:
    from decimal import Decimal

    from django.core.management import call_command

    from apps.claims import services as claims
    from apps.partners.roles import OrganizationKind, Role
    from apps.workspace import services as workspace
    from apps.workspace.choices import Channel, Visibility
    from tests.factories import OrganizationFactory, internal_user, member

    call_command("migrate", verbosity=0, interactive=False)
    partner = OrganizationFactory(name="Bench Supplier", kind=OrganizationKind.SUPPLIER)
    agent, supplier = internal_user(Role.AGENT), member(partner, Role.PARTNER_MEMBER)
    case = claims.claim_open(
        actor=agent,
        channel=Channel.WEB,
        draft=claims.ClaimDraft(
            partner=partner,
            order_number="BENCH0001",
            claim_type="damage",
            reason_code="damaged_in_transit",
            description="Forty cartons arrived crushed.",
            currency="USD",
            lines=(
                claims.ClaimLineDraft(
                    sku="PALLET-1", quantity=Decimal(40), unit_price=Decimal("25.00")
                ),
            ),
        ),
    )
    for number in range(args.files):
        actor = agent if number % 2 else supplier
        workspace.file_upload(
            actor=actor,
            channel=Channel.WEB,
            case=case,
            name=f"photo-{number}.pdf",
            content=evidence(args.file_kb, number),
        )
    for number in range(args.messages):
        actor = agent if number % 2 else supplier
        workspace.message_post(
            actor=actor,
            channel=Channel.WEB,
            case=case,
            body=f"Message {number}: carton {number % 40} checked, photo attached to the claim.",
        )
    for number in range(20):
        workspace.message_post(
            actor=agent,
            channel=Channel.WEB,
            case=case,
            body=f"{NOTE} {number}",
            visibility=Visibility.INTERNAL,
        )
    step = lambda actor, name, payload: workspace.case_transition(  # noqa: E731
        actor=actor, channel=Channel.WEB, case=case, transition=name, payload=payload
    )
    step(
        supplier,
        "deny",
        {"denial_reason_code": "carrier_liable", "denial_reason": "Crushed by the carrier."},
    )
    workspace.file_upload(
        actor=agent,
        channel=Channel.WEB,
        case=case,
        name="carrier-report.pdf",
        content=evidence(64, 999),
    )
    step(
        agent,
        "dispute",
        {"dispute_statement": "The carrier report shows it left the dock crushed."},
    )
    step(supplier, "approve_credit", {"credit": "partial", "amount": "600.00", "currency": "USD"})
    return case, agent


def download(client, url: str, sink) -> int:
    response = client.get(url)
    assert response.status_code == 200 and response.streaming
    size = 0
    for chunk in response.streaming_content:
        size += len(chunk)
        if sink is not None:
            sink.write(chunk)
    return size


def main() -> int:
    args = parse_args()
    work = Path(tempfile.mkdtemp(prefix="crossdock-bench-pack-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(work / "media")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    import logging

    logging.getLogger("celery").setLevel(logging.WARNING)  # one INFO line per e-mail task
    from django.conf import settings
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    started = time.perf_counter()
    case, agent = seed(args)
    seeded = time.perf_counter() - started
    data_bytes = sum(p.stat().st_size for p in (work / "media").rglob("*") if p.is_file())
    client = Client()
    client.force_login(agent)
    url = f"/claims/{case.pk}/evidence-pack/"
    download(client, url, None)  # warm-up: templates, fonts, imports

    target = work / "pack.zip"
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with open(target, "wb") as sink:
        size = download(client, url, sink)
    seconds = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    with zipfile.ZipFile(target) as pack:
        names = pack.namelist()
        files = [n for n in names if n.startswith("files/")]
        assert len(files) == args.files + 1, len(files)
        assert NOTE.encode() not in pack.read("conversation.csv")
        assert pack.testzip() is None

    tracemalloc.start()
    download(client, url, None)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    result = {
        "files": args.files,
        "file_kb": args.file_kb,
        "messages": args.messages,
        "media_mb": round(data_bytes / 1e6, 1),
        "zip_mb": round(size / 1e6, 1),
        "seconds": round(seconds, 2),
        "mb_per_second": round(size / 1e6 / seconds, 1),
        "python_peak_mb": round(peak / 1e6, 1),
        "rss_growth_mb": round((rss_after - rss_before) / 1024, 1),
        "seed_seconds": round(seeded, 1),
        "python": platform.python_version(),
    }
    print(
        f"Claim with {args.files} files of {args.file_kb} KB ({result['media_mb']} MB) and {args.messages} messages"
    )
    print(
        f"  pack: {result['zip_mb']} MB in {result['seconds']} s ({result['mb_per_second']} MB/s)"
    )
    print(
        f"  peak Python memory while streaming: {result['python_peak_mb']} MB; RSS growth {result['rss_growth_mb']} MB"
    )
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
