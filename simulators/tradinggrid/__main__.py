"""Command line: `python -m simulators.tradinggrid --sftp-port 8722 --control-port 8723`."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from .control import ControlServer
from .network import Network
from .participants import Directory, load_participants


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m simulators.tradinggrid",
        description="Simulated Trading Grid network: SFTP mailboxes, router, partner bots.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--sftp-port", type=int, default=8722, help="SFTP port; 0 picks a free one")
    parser.add_argument(
        "--control-port", type=int, default=8723, help="control API port; 0 picks a free one"
    )
    parser.add_argument("--data-dir", type=Path, default=Path("var/tradinggrid"))
    parser.add_argument(
        "--participants",
        help="JSON file, or inline JSON list, of participants (replaces the demo network)",
    )
    parser.add_argument(
        "--retailer-authorized-key",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="public key file (authorized_keys format) the retailer may log in with; repeatable",
    )
    parser.add_argument(
        "--reply-delay-ms",
        type=int,
        default=1000,
        help="how long partner bots wait before answering a collaboration event (default 1000)",
    )
    parser.add_argument(
        "--poll-interval",
        type=float,
        default=0.2,
        help="seconds between router and bot passes over the mailboxes (default 0.2)",
    )
    parser.add_argument(
        "--no-bots", action="store_true", help="partners never answer by themselves"
    )
    parser.add_argument("--log-level", default="INFO")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    keys = [path.read_text() for path in args.retailer_authorized_key]
    directory = Directory(load_participants(args.participants)).with_retailer_keys(keys)
    network = Network(
        data_dir=args.data_dir,
        host=args.host,
        sftp_port=args.sftp_port,
        directory=directory,
        reply_delay_ms=args.reply_delay_ms,
        poll_seconds=args.poll_interval,
        bots=not args.no_bots,
    )
    await network.start()
    control = ControlServer(host=args.host, port=args.control_port, network=network)
    control.start()
    print(f"known_hosts ({network.data_dir / 'known_hosts'}): {network.known_hosts_line}")
    # Scripts and tests wait for this exact line; it comes last, once everything listens.
    print(
        f"Trading Grid simulator SFTP on {args.host}:{network.sftp.port} control on {control.url}",
        flush=True,
    )
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        control.stop()
        await network.stop()


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    # asyncssh logs every connection and SFTP request at INFO.
    logging.getLogger("asyncssh").setLevel(logging.WARNING)
    try:
        asyncio.run(serve(args))
    except (OSError, ValueError) as exc:
        # Start-up problems (a port in use, a missing key file, bad participants) in one line.
        print(f"python -m simulators.tradinggrid: error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
