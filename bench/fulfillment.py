"""Benchmark of flow 4: what dispatching a new SFCC order costs, and answering it.

Usage: .venv/bin/python bench/fulfillment.py [--orders 200 --lines 3]

Runs in-process against a throw-away test database (tests.settings, SQLite in memory; tasks
queued on commit are left in a temporary broker folder). For
each order: the SFCC connector's `order_apply` of a reduced order document whose lines are
marked drop-ship (mirror write, routing, the dispatch: case, lines, detail row, the "dispatch"
step, the SFCC write-back rows); then the partner's "accept in part" step through the
workspace service; then the dispatch's case page for the partner. Measured: wall time per
operation (median, p95) and SQL queries per operation. Prints a table, then one JSON line.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    # Tasks queued on commit (SFCC delivery, e-mails) go to a throw-away broker folder, not
    # inline: what is measured is the portal's own work, not the simulator's absence.
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "0"
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    connection.creation.create_test_db(verbosity=0, autoclobber=True)


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--lines", type=int, default=3)
    args = parser.parse_args()
    _setup()

    from django.db import connection, transaction
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from apps.fulfillment.models import Dispatch
    from apps.partners.roles import OrganizationKind, Role
    from apps.sfcc import conf
    from apps.sfcc.documents import reduce_order
    from apps.sfcc.services import order_apply
    from apps.workspace import services as workspace
    from apps.workspace.choices import Channel
    from simulators.sfcc.orders import build_order, parse_iso_ms
    from tests.factories import OrganizationFactory, member

    supplier = OrganizationFactory(
        code="SUP-B1", name="Bench Drop-ship", kind=OrganizationKind.SUPPLIER
    )
    person = member(supplier, Role.PARTNER_MEMBER)
    client = Client()
    client.force_login(person)
    timings: dict[str, list[float]] = {"dispatch": [], "answer": [], "page": []}
    queries: dict[str, list[int]] = {"dispatch": [], "answer": [], "page": []}

    def measure(name, fn):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = fn()
            timings[name].append((time.perf_counter() - started) * 1000)
        queries[name].append(len(captured))
        return result

    for n in range(args.orders):
        spec = {
            "lines": [
                {"productId": f"SKU-{i}", "productName": f"Item {i}", "quantity": 2, "c_supplierId": "SUP-B1",
                 "c_fulfillmentType": "dropship"}
                for i in range(1, args.lines + 1)
            ],
            "c_deliveryInstructions": "Leave at the door",
            "shipments": [{"shippingMethod": "Express", "c_serviceLevel": "NEXT_DAY"}],
        }  # fmt: skip
        document = reduce_order(
            build_order(
                spec,
                order_no=f"B{n:07d}",
                site_id=conf.site_id(),
                now_ms=parse_iso_ms("2026-12-01T10:00:00.000Z"),
            )
        )

        def apply(document=document):
            with transaction.atomic():
                return order_apply(document=document)

        measure("dispatch", apply)
        case = Dispatch.objects.get(order_number=f"B{n:07d}").case
        answer = {
            "ship_date": "2026-12-08",
            "lines": [{"line": 1, "status": "backordered", "quantity": "1", "date": "2026-12-20"}]
            + [{"line": i, "status": "accepted"} for i in range(2, args.lines + 1)],
        }
        measure(
            "answer",
            lambda case=case, answer=answer: workspace.case_transition(
                actor=person,
                channel=Channel.WEB,
                case=case,
                transition="accept_in_part",
                payload=answer,
            ),
        )
        measure("page", lambda case=case: client.get(f"/cases/{case.pk}/"))

    rows = {
        name: {
            "median_ms": round(statistics.median(values), 2),
            "p95_ms": round(_p95(values), 2),
            "queries_median": statistics.median(queries[name]),
            "queries_max": max(queries[name]),
        }
        for name, values in timings.items()
    }
    print(
        f"{args.orders} orders × {args.lines} lines, SQLite in memory, {platform.python_version()}"
    )
    print(f"{'operation':<10} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'max q':>6}")
    for name, row in rows.items():
        print(
            f"{name:<10} {row['median_ms']:>10} {row['p95_ms']:>8} {row['queries_median']:>8} {row['queries_max']:>6}"
        )
    print(json.dumps({"orders": args.orders, "lines": args.lines, **rows}))


if __name__ == "__main__":
    main()
