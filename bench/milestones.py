"""Benchmark of the 856 ship notice reader: a large pick-and-pack notice read into the domain.

Usage: .venv/bin/python bench/milestones.py [--orders 200] [--packs 5] [--items 4] [--rounds 5]

Builds one 856 (S-O-P-I) with orders × packs × items, writes it as an interchange, then parses
and maps it `rounds` times; prints segments and items per second, and last one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from apps.tradinggrid.edi import MemoryControlNumberSource, Party, get_mapping  # noqa: E402
from apps.tradinggrid.edi.x12_build import OutboundTransaction, build_interchange  # noqa: E402
from apps.tradinggrid.edi.x12_envelopes import parse_interchange  # noqa: E402
from apps.tradinggrid.edi.x12_writer import write_interchange  # noqa: E402


def notice(orders: int, packs: int, items: int) -> dict:
    return {
        "asn_number": "ASN-BENCH", "asn_date": date(2026, 11, 24), "asn_time": "1530",
        "shipment": {"carrier": "UPSN", "bill_of_lading": "BOL-1", "tracking_number": "1Z1", "reference": "S1"},
        "orders": [
            {
                "po_number": f"PO{o:06d}", "po_date": None, "references": [], "items": [],
                "packs": [
                    {"marks": f"0006141410{o:05d}{p:05d}", "tracking_number": None, "items": [
                        {"line_number": str(i), "product_ids": [{"qualifier": "SK", "id": f"SKU-{i}"}],
                         "quantity": 3, "unit": "EA", "description": "BENCH ITEM"}
                        for i in range(items)
                    ]}
                    for p in range(packs)
                ],
            }
            for o in range(orders)
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orders", type=int, default=200)
    parser.add_argument("--packs", type=int, default=5)
    parser.add_argument("--items", type=int, default=4)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    mapping = get_mapping(standard="x12", set_id="856")
    body = mapping.from_domain(notice(args.orders, args.packs, args.items))
    raw = write_interchange(
        build_interchange(
            sender=Party(qualifier="ZZ", id="SUP001"), receiver=Party(qualifier="ZZ", id="CROSSDOCK"),
            functional_id="SH", transactions=[OutboundTransaction(set_id="856", body=body)],
            control_numbers=MemoryControlNumberSource(start=1),
        )
    )
    segments, items = len(body) + 2, args.orders * args.packs * args.items
    timings = []
    for _ in range(args.rounds):
        started = time.perf_counter()
        transaction = next(parse_interchange(raw).transactions)
        mapped = mapping.to_domain(transaction)
        timings.append(time.perf_counter() - started)
    assert sum(len(p["items"]) for o in mapped["orders"] for p in o["packs"]) == items
    best = min(timings)
    result = {
        "bytes": len(raw), "segments": segments, "items": items, "best_seconds": round(best, 4),
        "segments_per_second": round(segments / best), "items_per_second": round(items / best),
    }
    print(f"856 of {len(raw):,} bytes, {segments:,} segments, {items:,} items: read and mapped in "
          f"{best * 1000:.0f} ms (best of {args.rounds}): {result['segments_per_second']:,} segments/s, "
          f"{result['items_per_second']:,} items/s")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
