"""Benchmark of the X12 and EDIFACT readers: throughput, and memory that does not follow file size.

Usage: .venv/bin/python bench/edi.py [--mb 50] [--small-mb 5] [--edifact-mb 20]

Writes a small and a large 850 interchange and a small and a large ORDERS interchange to a
temporary directory (streamed), then parses each in a fresh process so that its peak RSS is
its own: once timed, once under tracemalloc. Prints a summary and, last, one JSON line.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from apps.tradinggrid.edi import (  # noqa: E402
    EdifactSegmentReader,
    Party,
    X12Writer,
    iter_edifact_messages,
    iter_segments,
    iter_transactions,
    segment,
)

LINES_PER_ORDER = 20
GOAL_SEGMENTS_PER_SECOND = 200_000
# EDIFACT parses within 1.5x of the X12 reader's segments/s.
GOAL_EDIFACT_RATIO = 1.5


def generate_edifact(path: Path, *, megabytes: float) -> dict[str, float]:
    """Write an ORDERS D.96A interchange of about ``megabytes`` MB, a message at a time."""
    target = int(megabytes * 1_000_000)
    started = time.perf_counter()
    segments = messages = size = 0
    with open(path, "wb") as fp:
        head = "UNA:+.? 'UNB+UNOC:3+RETAILER:ZZ+ACMEWHSE:ZZ+260301:0930+1'"
        size += fp.write(head.encode("latin-1"))
        segments += 1
        while size < target:
            messages += 1
            body = [
                f"BGM+220+PO{messages:08d}+9'",
                "DTM+137:20260301:102'",
                "DTM+2:20260314:102'",
                "RFF+DP:038'",
                "NAD+BY+5412345000013::9'",
                "NAD+DP+XYZ RETAIL?+CO+31875 SOLON RD+SOLON++44139+US'",
                "CUX+2:EUR:9'",
            ]
            for line in range(1, LINES_PER_ORDER + 1):
                body += [
                    f"LIN+{line}++SKU{line:05d}:VN'",
                    "IMD+F++:::SMALL WIDGET'",
                    "QTY+21:120:PCE'",
                    "PRI+AAA:9.25'",
                ]
            body.append("UNS+S'")
            count = len(body) + 2
            # No line breaks, as the X12 file has none: the same work per segment for both.
            text = f"UNH+{messages}+ORDERS:D:96A:UN'" + "".join(body)
            text += f"UNT+{count}+{messages}'"
            size += fp.write(text.encode("latin-1"))
            segments += count
        size += fp.write(f"UNZ+{messages}+1'".encode("latin-1"))
        segments += 1
    return {"segments": segments, "bytes": size, "seconds": time.perf_counter() - started}


def child_edifact(path: Path) -> None:
    """Parse the EDIFACT ``path`` in this fresh process and print timings and memory as JSON."""
    started = time.perf_counter()
    with open(path, "rb") as fp:
        tokens = sum(1 for _ in EdifactSegmentReader(fp))
    tokenize_seconds = time.perf_counter() - started

    started = time.perf_counter()
    segments = transactions = 0
    for message in iter_edifact_messages(path):
        segments += len(message.body) + 2
        transactions += 1
    parse_seconds = time.perf_counter() - started
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    tracemalloc.start()
    for _ in iter_edifact_messages(path):
        pass
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        json.dumps(
            {
                "segments_in_file": tokens,
                "segments_in_transactions": segments,
                "transactions": transactions,
                "tokenize_seconds": tokenize_seconds,
                "parse_seconds": parse_seconds,
                "maxrss_kb": maxrss_kb,
                "tracemalloc_peak_kb": round(traced_peak / 1024),
            }
        )
    )


def generate(path: Path, *, megabytes: float) -> dict[str, float]:
    """Write an interchange of about ``megabytes`` MB; returns segments, bytes and seconds."""
    target = int(megabytes * 1_000_000)
    now = datetime(2026, 3, 1, 9, 30)
    started = time.perf_counter()
    with open(path, "wb") as fp:
        writer = X12Writer(fp)
        writer.start_interchange(
            sender=Party(qualifier="ZZ", id="RETAILER"),
            receiver=Party(qualifier="ZZ", id="ACMEWHSE"),
            control_number=1,
            timestamp=now,
        )
        writer.start_group(
            functional_id="PO",
            application_sender="RETAILER",
            application_receiver="ACMEWHSE",
            control_number=1,
            timestamp=now,
        )
        order = 0
        while writer.size < target:
            order += 1
            writer.start_transaction(set_id="850", control_number=order)
            writer.write(segment("BEG", "00", "SA", f"PO{order:08d}", None, "20260301"))
            writer.write(segment("REF", "DP", "038"))
            writer.write(segment("DTM", "002", "20260314"))
            writer.write(segment("N1", "ST", "XYZ RETAIL", "9", "0003947268292"))
            writer.write(segment("N3", "31875 SOLON RD"))
            writer.write(segment("N4", "SOLON", "OH", "44139"))
            for line in range(1, LINES_PER_ORDER + 1):
                writer.write(
                    segment("PO1", str(line), "120", "EA", "9.25", "TE", "VN", f"SKU{line:05d}")
                )
                writer.write(segment("PID", "F", None, None, None, "SMALL WIDGET"))
            writer.write(segment("CTT", str(LINES_PER_ORDER)))
            writer.end_transaction()
        writer.end_group()
        writer.end_interchange()
    seconds = time.perf_counter() - started
    return {
        "segments": writer.segments_written,
        "bytes": path.stat().st_size,
        "seconds": seconds,
    }


def child(path: Path) -> None:
    """Parse ``path`` in this fresh process and print timings and memory as JSON."""
    started = time.perf_counter()
    with open(path, "rb") as fp:
        tokens = sum(1 for _ in iter_segments(fp))
    tokenize_seconds = time.perf_counter() - started

    started = time.perf_counter()
    segments = transactions = 0
    for transaction in iter_transactions(path):
        segments += transaction.segment_count
        transactions += 1
    parse_seconds = time.perf_counter() - started
    maxrss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    tracemalloc.start()
    for _ in iter_transactions(path):
        pass
    traced_peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(
        json.dumps(
            {
                "segments_in_file": tokens,
                "segments_in_transactions": segments,
                "transactions": transactions,
                "tokenize_seconds": tokenize_seconds,
                "parse_seconds": parse_seconds,
                "maxrss_kb": maxrss_kb,
                "tracemalloc_peak_kb": round(traced_peak / 1024),
            }
        )
    )


def measure(path: Path, *, edifact: bool = False) -> dict[str, float]:
    done = subprocess.run(
        [sys.executable, __file__, "--child-edifact" if edifact else "--child", str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50, help="size of the large file (MB)")
    parser.add_argument("--small-mb", type=float, default=5, help="size of the small file (MB)")
    parser.add_argument(
        "--edifact-mb", type=float, default=20, help="size of the large EDIFACT file (MB)"
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-edifact", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    if args.child_edifact:
        child_edifact(args.child_edifact)
        return

    results = []
    edifact = []
    with tempfile.TemporaryDirectory(prefix="edi-bench-") as tmp:
        runs = [("x12", args.small_mb), ("x12", args.mb)]
        runs += [("edifact", args.edifact_mb / 10), ("edifact", args.edifact_mb)]
        for standard, megabytes in runs:
            path = Path(tmp) / f"bench-{megabytes:g}mb.{standard}"
            if standard == "x12":
                written = generate(path, megabytes=megabytes)
            else:
                written = generate_edifact(path, megabytes=megabytes)
            parsed = measure(path, edifact=standard == "edifact")
            (results if standard == "x12" else edifact).append(
                {
                    "standard": standard,
                    "mb": round(written["bytes"] / 1_000_000, 1),
                    "segments": parsed["segments_in_file"],
                    "transactions": parsed["transactions"],
                    "write_segments_per_s": round(written["segments"] / written["seconds"]),
                    "tokenize_segments_per_s": round(
                        parsed["segments_in_file"] / parsed["tokenize_seconds"]
                    ),
                    "parse_segments_per_s": round(
                        parsed["segments_in_file"] / parsed["parse_seconds"]
                    ),
                    "parse_mb_per_s": round(written["bytes"] / 1e6 / parsed["parse_seconds"], 1),
                    "maxrss_kb": parsed["maxrss_kb"],
                    "tracemalloc_peak_kb": parsed["tracemalloc_peak_kb"],
                }
            )

    print(f"EDI benchmark, Python {platform.python_version()} on {platform.machine()}")
    print("parse = segments split, envelopes checked, transactions/messages yielded")
    for row in [*results, *edifact]:
        print(
            f"  {row['standard']:>7} {row['mb']:>6} MB  {row['segments']:>9,} segments  "
            f"write {row['write_segments_per_s']:>9,}/s  "
            f"tokenize {row['tokenize_segments_per_s']:>9,}/s  "
            f"parse {row['parse_segments_per_s']:>9,}/s ({row['parse_mb_per_s']} MB/s)  "
            f"peak RSS {row['maxrss_kb'] / 1024:.1f} MiB  "
            f"traced peak {row['tracemalloc_peak_kb'] / 1024:.2f} MiB"
        )
    small, large = results[0], results[-1]
    growth = large["tracemalloc_peak_kb"] / max(small["tracemalloc_peak_kb"], 1)
    goal_met = all(r["parse_segments_per_s"] >= GOAL_SEGMENTS_PER_SECOND for r in results)
    print(
        f"  {large['mb'] / small['mb']:.0f}x the data, {growth:.2f}x the traced peak; "
        f"goal {GOAL_SEGMENTS_PER_SECOND:,} segments/s parse: {'met' if goal_met else 'MISSED'}"
    )
    x12_rate = max(r["parse_segments_per_s"] for r in results)
    edifact_rate = edifact[-1]["parse_segments_per_s"]
    ratio = x12_rate / max(edifact_rate, 1)
    edifact_growth = edifact[-1]["tracemalloc_peak_kb"] / max(edifact[0]["tracemalloc_peak_kb"], 1)
    edifact_met = ratio <= GOAL_EDIFACT_RATIO
    print(
        f"  EDIFACT: {edifact[-1]['transactions']:,} ORDERS messages, X12 parses {ratio:.2f}x "
        f"as many segments/s (goal within {GOAL_EDIFACT_RATIO}x: "
        f"{'met' if edifact_met else 'MISSED'}); 10x the data, {edifact_growth:.2f}x the "
        "traced peak"
    )
    print(
        json.dumps(
            {
                "bench": "edi",
                "edifact": edifact,
                "edifact_ratio": round(ratio, 2),
                "edifact_memory_growth": round(edifact_growth, 2),
                "edifact_goal_met": edifact_met,
                "python": platform.python_version(),
                "results": results,
                "memory_growth": round(growth, 2),
                "goal_segments_per_s": GOAL_SEGMENTS_PER_SECOND,
                "goal_met": goal_met,
            }
        )
    )


if __name__ == "__main__":
    main()
