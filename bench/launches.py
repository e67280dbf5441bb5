"""Benchmark of the launch readiness board at 200 partners x 2,000 SKU lines.

Usage: .venv/bin/python bench/launches.py [--partners 200 --lines 2000 --requests 20]

Builds a fresh SQLite file under var/bench/ (never the dev database), makes the launch through
the flow's own services (one case, checklist and SKU lines per partner), answers part of the
checklists and flags constraints, then measures in-process with Django's Client: the board
page, the board API and the go / no-go PDF, median and p95 server time over --requests
requests after warm-up (and the process's CPU time, which a loaded machine disturbs less),
and SQL queries per request (the same at any size). Prints a table,
then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--partners", type=int, default=200)
    parser.add_argument("--lines", type=int, default=2000, help="SKU lines over all partners")
    parser.add_argument("--requests", type=int, default=20)
    return parser.parse_args()


def use_own_database(args) -> Path:
    folder = ROOT / "var" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"launches-{args.partners}p-{args.lines}l.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    return path


def seed(args, rng: random.Random):
    from django.core.management import call_command
    from django.utils import timezone

    from apps.launches import services
    from apps.launches.models import ChecklistItem
    from apps.partners.models import Membership, Organization
    from apps.partners.roles import OrganizationKind, Role
    from apps.workspace.choices import Channel
    from apps.workspace.services import case_transition
    from tests.factories import member

    call_command("migrate", verbosity=0, interactive=False)
    team = Organization.objects.create(
        name="Merchandising", slug="merch", code="RET-M", kind=OrganizationKind.INTERNAL
    )
    merchandiser = member(team, Role.MERCHANDISER)
    partners = Organization.objects.bulk_create(
        Organization(
            name=f"Partner {n:03d}",
            slug=f"partner-{n:03d}",
            code=f"P{n:03d}",
            kind=OrganizationKind.SUPPLIER,
        )
        for n in range(args.partners)
    )
    per_partner = max(1, args.lines // args.partners)
    skus = tuple(
        services.SkuDraft(
            sku=f"SKU-{p.code}-{i:03d}", forecast_quantity=Decimal(rng.randint(50, 5000)), partner=p
        )
        for p in partners
        for i in range(per_partner)
    )
    started = time.perf_counter()
    launch = services.launch_create(
        actor=merchandiser,
        channel=Channel.WEB,
        draft=services.LaunchDraft(
            name="Bench launch", go_live_at=timezone.now() + timedelta(days=10), skus=skus
        ),
    )
    # Answers as the real steps take them, for a tenth of the partners; the rest in bulk.
    shares = list(launch.shares.select_related("case", "partner"))
    for share in shares[: max(1, len(shares) // 10)]:
        person = Membership.objects.filter(organization=share.partner).first()
        actor = person.user if person else member(share.partner)
        case_transition(
            actor=actor,
            channel=Channel.WEB,
            case=share.case,
            transition="update_checklist",
            payload={"item": "inventory", "status": "done"},
        )
        if rng.random() < 0.3:
            case_transition(
                actor=actor,
                channel=Channel.WEB,
                case=share.case,
                transition="flag_constraint",
                payload={
                    "sku": f"SKU-{share.partner.code}-000",
                    "quantity_at_risk": "100",
                    "date": str(timezone.localdate() + timedelta(days=5)),
                },
            )
    items = list(ChecklistItem.objects.filter(share__launch=launch, status="open"))
    for item in items:
        item.status = rng.choice(["open", "done", "done", "accepted"])
        item.is_complete = item.status == "accepted" or (
            item.status == "done" and not item.requires_review
        )
    ChecklistItem.objects.bulk_update(items, ["status", "is_complete"], batch_size=500)
    return launch, merchandiser, round(time.perf_counter() - started, 1)


def measure(client, url: str, requests: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        assert client.get(url).status_code == 200
    times, cpu, queries = [], [], 0
    for _ in range(requests):
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200
        queries = len(captured)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 1),
        "cpu_median_ms": round(statistics.median(cpu), 1),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
        "queries": queries,
        "bytes": len(response.content),
    }


def main() -> int:
    args = parse_args()
    path = use_own_database(args)
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test import Client

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    from apps.launches.models import ChecklistItem, Constraint, LaunchSku

    print(
        f"Seeding {path.relative_to(ROOT)}: {args.partners} partners, {args.lines} SKU lines…",
        flush=True,
    )
    launch, merchandiser, seconds = seed(args, random.Random(20261205))  # noqa: S311 - repeatable data
    print(f"  seeded in {seconds} s", flush=True)
    client = Client()
    client.force_login(merchandiser)
    results = {
        "board page": measure(client, f"/launches/{launch.pk}/", args.requests),
        "board API": measure(client, f"/api/v1/launches/{launch.pk}/board/", args.requests),
        "go / no-go PDF": measure(
            client, f"/launches/{launch.pk}/go-no-go.pdf", max(3, args.requests // 4)
        ),
    }
    sizes = {
        "partners": launch.shares.count(),
        "sku_lines": LaunchSku.objects.count(),
        "items": ChecklistItem.objects.count(),
        "open_constraints": Constraint.objects.filter(status="open").count(),
    }
    print(
        f"\nLaunch board on SQLite {connection.Database.sqlite_version}, Python {platform.python_version()}: "
        + ", ".join(f"{v:,} {k.replace('_', ' ')}" for k, v in sizes.items())
    )
    print(f"Load average: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(
        "| request | median | p95 | CPU median | queries | size |\n|---|---:|---:|---:|---:|---:|"
    )
    for name, r in results.items():
        print(
            f"| {name} | {r['median_ms']} ms | {r['p95_ms']} ms | {r['cpu_median_ms']} ms "
            f"| {r['queries']} | {r['bytes'] // 1024} KB |"
        )
    print(json.dumps({"bench": "launches", **sizes, "seed_seconds": seconds, "results": results}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
