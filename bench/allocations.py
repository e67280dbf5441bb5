"""Benchmark of flow 2: the allocation view of a large plan, and a 10,000-line CSV import.

Usage:
    .venv/bin/python bench/allocations.py [--partners 200 --lines 2000 --import-lines 10000]

The data lives in the benchmark's own SQLite file under var/bench/ (rebuilt on every run), never
the dev database; the SFCC simulator runs in its own process on loopback, with a catalog of the
benchmark's SKUs, so the import checks every SKU against it over HTTP as in production.

Measured:
- the allocation view (`/allocations/<plan>/`, the first page of 100 lines, and the shortfall
  filter's second page) of a published plan of --lines lines across --partners partners, half
  of them answered through the share's answer step: server time around `client.get`, median
  and p95 over --requests requests after warm-up, and SQL queries per request;
- the view again for a plan of 100 lines across 10 partners (the same 100 rows on the page):
  neither the time nor the query count may grow with the plan;
- importing a CSV of --import-lines lines (`plan_lines_import`: reading, per-row checks,
  the catalog lookup in SFCC, duplicate checks, bulk insert), wall time of 3 runs.
Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import select
import statistics
import subprocess
import sys
import time
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
DB = ROOT / "var" / "bench" / "allocations.sqlite3"


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--partners", type=int, default=200)
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--import-lines", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=30)
    return parser.parse_args()


def start_simulator() -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "simulators.sfcc", "--host", "127.0.0.1", "--port", "0"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    ready, _, _ = select.select([proc.stdout], [], [], 20)
    line = proc.stdout.readline().decode().strip() if ready else ""
    if not line.startswith("SFCC simulator listening on "):
        proc.terminate()
        raise SystemExit(f"the SFCC simulator did not start: {line!r}")
    return proc, line.removeprefix("SFCC simulator listening on ")


def timed_gets(client, url: str, requests: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        client.get(url)
    times = []
    for _ in range(requests):
        start = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    times.sort()
    return {
        "url": url,
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], 1),
        "queries": len(queries),
    }


def main() -> int:
    args = parse_args()
    DB.parent.mkdir(parents=True, exist_ok=True)
    DB.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    sim, sim_url = start_simulator()
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
        settings.SFCC_ENABLED = True
        settings.SFCC_BASE_URL = settings.SFCC_OCAPI_BASE_URL = sim_url
        settings.SFCC_AUTH_URL = f"{sim_url}/dwsso/oauth2/access_token"
        settings.SFCC_WRITE_ALLOCATIONS = False  # the bench measures reads, not the outbox
        call_command("migrate", verbosity=0)
        return run(args, sim_url)
    finally:
        sim.terminate()
        sim.wait(timeout=10)


def run(args, sim_url: str) -> int:
    import httpx
    from django.test import Client
    from django.utils import timezone

    from apps.allocations import services
    from apps.allocations.models import AllocationShare
    from apps.partners.models import Organization
    from apps.partners.roles import OrganizationKind, Role
    from apps.workspace import services as workspace
    from apps.workspace.choices import Channel
    from tests.factories import internal_user

    skus = [f"BENCH-{i:05d}" for i in range(max(args.lines, args.import_lines))]
    with httpx.Client(base_url=f"{sim_url}/__control", timeout=60) as control:
        for start in range(0, len(skus), 5000):
            chunk = skus[start : start + 5000]
            control.post(
                "/catalog/products",
                json={"products": [{"id": s, "name": f"Bench product {s}"} for s in chunk]},
            )
            control.put(
                "/catalog/inventory",
                json={"records": [{"product_id": s, "stock_level": 5, "allocation": 50, "turnover": 30, "on_order": 10}
                                  for s in chunk]},
            )  # fmt: skip
    Organization.objects.bulk_create(
        [Organization(name=f"Bench partner {i}", slug=f"bench-{i}", code=f"BP-{i:04d}", kind=OrganizationKind.SUPPLIER,
                      tg_qualifier="ZZ", tg_id=f"BENCH{i:04d}") for i in range(args.partners)]
    )  # fmt: skip
    partners = list(Organization.objects.filter(code__startswith="BP-").order_by("code"))
    merch = internal_user(Role.MERCHANDISER)
    day = (timezone.localdate() + timedelta(days=30)).isoformat()

    def plan_csv(lines: int, offset: int = 0) -> io.BytesIO:
        rows = ["partner,sku,forecast_qty,need_by"]
        rows += [
            f"{partners[i % len(partners)].code},{skus[(i + offset) % len(skus)]},{10 + i % 90},{day}"
            for i in range(lines)
        ]
        fh = io.BytesIO(("\n".join(rows) + "\n").encode())
        fh.name = "plan.csv"
        return fh

    def build(lines: int, partner_count: int, title: str):
        plan = services.plan_create(actor=merch, draft=services.PlanDraft(title=title, kind="peak"))
        rows = ["partner,sku,forecast_qty,need_by"]
        rows += [
            f"{partners[i % partner_count].code},{skus[i]},{10 + i % 90},{day}"
            for i in range(lines)
        ]
        services.plan_lines_import(
            actor=merch,
            plan=plan,
            name="p.csv",
            content=io.BytesIO(("\n".join(rows) + "\n").encode()),
        )
        started = time.perf_counter()
        services.plan_publish(actor=merch, channel=Channel.WEB, plan=plan)
        published = time.perf_counter() - started
        # Half the shares answer: every line confirmed at 80%, the first backordered.
        for share in AllocationShare.objects.filter(plan=plan).select_related("case")[
            : max(1, partner_count // 2)
        ]:
            answers = [
                {"line": line.position, "status": "accepted_with_changes",
                 "quantity": str((line.quantity * Decimal("0.8")).quantize(Decimal(1)))}
                for line in share.case.lines.all()
            ]  # fmt: skip
            workspace.case_transition(
                actor=_partner_user(share.partner), channel=Channel.WEB,
                case=share.case, transition="answer", payload={"lines": answers},
            )  # fmt: skip
        return plan, published

    print(f"Building a plan of {args.lines} lines across {args.partners} partners…", flush=True)
    big, publish_seconds = build(args.lines, args.partners, "Bench: large")
    small, _ = build(100, 10, "Bench: small")
    client = Client()
    client.force_login(merch)
    views = [
        {"scenario": f"allocation view, {args.lines} lines × {args.partners} partners", **timed_gets(client, f"/allocations/{big.pk}/", args.requests)},
        {"scenario": "  shortfall filter, page 2", **timed_gets(client, f"/allocations/{big.pk}/?show=shortfall&page=2", args.requests)},
        {"scenario": "allocation view, 100 lines × 10 partners", **timed_gets(client, f"/allocations/{small.pk}/", args.requests)},
    ]  # fmt: skip

    imports = []
    for run_number in range(3):
        plan = services.plan_create(
            actor=merch, draft=services.PlanDraft(title=f"Bench import {run_number}", kind="peak")
        )
        fh = plan_csv(args.import_lines)
        started = time.perf_counter()
        lines = services.plan_lines_import(actor=merch, plan=plan, name="plan.csv", content=fh)
        imports.append(time.perf_counter() - started)
        assert len(lines) == args.import_lines

    print(f"\n{'scenario':55} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
    for row in views:
        print(f"{row['scenario']:55} {row['median_ms']:>10} {row['p95_ms']:>8} {row['queries']:>8}")
    print(f"\npublish {args.lines} lines to {args.partners} partners: {publish_seconds:.1f} s")
    print(
        f"import of a {args.import_lines:,}-line CSV (checked against SFCC's catalog): "
        + ", ".join(f"{s:.2f} s" for s in imports)
    )
    print(json.dumps({
        "python": platform.python_version(), "database": "sqlite", "views": views,
        "publish_seconds": round(publish_seconds, 2), "import_seconds": [round(s, 2) for s in imports],
        "import_lines": args.import_lines,
    }))  # fmt: skip
    return 0


def _partner_user(partner):
    from apps.partners.roles import Role
    from tests.factories import member

    return member(partner, Role.PARTNER_MEMBER)


if __name__ == "__main__":
    raise SystemExit(main())
