"""Benchmark of trade documents: the order page and checklist with many requests, and the ZIP.

Usage:
    .venv/bin/python bench/documents.py [--documents 40 --size-kb 512 --requests 30]

Runs in a throwaway test database (tests.settings; created and dropped here). Creates one order
with --documents requests, each with an accepted PDF of --size-kb, through the services. Measures
the order page and the checklist API (median and p95 of server time in Django's Client, and
queries), and the ZIP of all accepted documents: time to stream it through, throughput, and the
peak Python memory while streaming (tracemalloc), against the ZIP's size. Prints a table and a
JSON line.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TYPES = ("packing_list", "commercial_invoice", "customs_declaration", "ship_notice")


def timed(client, url: str, runs: int) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return {
        "median_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[min(len(times) - 1, round(0.95 * (len(times) - 1)))], 1),
        "queries": len(queries),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--documents", type=int, default=40)
    parser.add_argument("--size-kb", type=int, default=512)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_databases, teardown_databases

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    databases = setup_databases(verbosity=0, interactive=False)
    try:
        from apps.documents import services
        from apps.partners.roles import Role
        from apps.workspace import services as workspace
        from apps.workspace.choices import Channel
        from tests.factories import OrganizationFactory, internal_user, member

        partner = OrganizationFactory(name="Bench Supplier")
        agent, supplier = internal_user(Role.AGENT), member(partner, Role.PARTNER_MEMBER)
        from django.utils import timezone

        from apps.orders.models import Order
        from apps.sfcc import conf as sfcc_conf

        order = "00009999"
        Order.objects.create(
            site_id=sfcc_conf.site_id(), order_no=order, last_modified=timezone.now()
        )
        filler = b"0" * (args.size_kb * 1024)
        for n in range(args.documents):
            case = services.request_open(
                actor=agent,
                channel=Channel.WEB,
                draft=services.RequestDraft(
                    partner=partner,
                    order_number=order,
                    document_type=TYPES[n % len(TYPES)],
                    shipment_ref=f"S{n:03d}",
                ),
            )
            body = io.BytesIO(b"%PDF-1.4\n%" + filler + f"\n% {n}\n%%EOF\n".encode())
            body.name = f"doc-{n}.pdf"
            services.document_submit(
                actor=supplier, channel=Channel.WEB, case=case, name=body.name, content=body
            )
            workspace.case_transition(
                actor=agent, channel=Channel.WEB, case=case, transition="accept", payload={}
            )

        client = Client()
        client.force_login(agent)
        results = {
            "order page": timed(client, f"/orders/{order}/", args.requests),
            "checklist API": timed(
                client, f"/api/v1/documents/checklist/?order={order}", args.requests
            ),
            "documents API (list)": timed(client, "/api/v1/documents/", args.requests),
        }
        if os.environ.get("BENCH_PROFILE"):
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.runcall(client.get, f"/orders/{order}/")
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
        tracemalloc.start()
        start = time.perf_counter()
        response = client.get(f"/documents/orders/{order}/documents.zip")
        size = sum(len(chunk) for chunk in response.streaming_content)
        seconds = time.perf_counter() - start
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        results["ZIP"] = {
            "documents": args.documents,
            "zip_mb": round(size / 1e6, 1),
            "seconds": round(seconds, 2),
            "mb_per_s": round(size / 1e6 / seconds, 1),
            "peak_python_mb": round(peak / 1e6, 2),
        }
    finally:
        teardown_databases(databases, verbosity=0)

    print(f"{'measure':<24} result")
    for name, value in results.items():
        print(f"{name:<24} {value}")
    print(json.dumps(results))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
