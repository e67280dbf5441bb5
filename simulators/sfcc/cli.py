"""Command-line options, startup and orderly shutdown of the SFCC simulator."""

from __future__ import annotations

import argparse
import os
import re
import signal
import threading
from pathlib import Path

from simulators.sfcc.push import Pusher
from simulators.sfcc.scenario import DEFAULT_PARTNERS, Scenario
from simulators.sfcc.server import Simulator
from simulators.sfcc.state import State

# Simulator-only credentials, documented in docs/sfcc-simulator.md; never real ones.
DEFAULT_CLIENT_ID = "crossdock-sim-client"
DEFAULT_CLIENT_SECRET = "crossdock-sim-secret"  # noqa: S105


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    env = os.environ.get
    parser = argparse.ArgumentParser(
        prog="python -m simulators.sfcc",
        description="SFCC simulator: Account Manager, SCAPI Orders Admin, OCAPI notes. "
        "See docs/sfcc-simulator.md.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8701, help="0 picks a free port")
    parser.add_argument(
        "--tenant",
        default=env("SFCC_SIM_TENANT", "zzxy_prd"),
        help="realm_instance; the organization is f_ecom_<tenant>",
    )
    parser.add_argument(
        "--sites", default=env("SFCC_SIM_SITES", "RefArch"), help="comma-separated site ids"
    )
    parser.add_argument("--client-id", default=env("SFCC_SIM_CLIENT_ID", DEFAULT_CLIENT_ID))
    parser.add_argument(
        "--client-secret", default=env("SFCC_SIM_CLIENT_SECRET", DEFAULT_CLIENT_SECRET)
    )
    parser.add_argument(
        "--state-file", type=Path, default=None, help="JSON file that keeps orders across restarts"
    )
    parser.add_argument("--scenario", choices=("on", "off"), default="off")
    parser.add_argument(
        "--scenario-interval", type=float, default=3.0, help="seconds between scenario steps"
    )
    parser.add_argument(
        "--exception-rate",
        type=float,
        default=0.25,
        help="share of new scenario orders that carry an exception",
    )
    parser.add_argument(
        "--partners",
        default=",".join(DEFAULT_PARTNERS),
        help="partner ids for c_supplierId and friends",
    )
    parser.add_argument("--seed", type=int, default=None, help="make the scenario repeatable")
    parser.add_argument("--push-url", default=env("SFCC_SIM_PUSH_URL", ""))
    parser.add_argument("--push-secret", default=env("SFCC_SIM_PUSH_SECRET", ""))
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"[a-z]{4}_(prd|stg|dev|s[0-9]{2}|[0-9]{3})", args.tenant):
        parser.error("--tenant must look like zzxy_prd")
    if bool(args.push_url) != bool(args.push_secret):
        parser.error("--push-url and --push-secret go together")
    return args


def _saver(state: State, stop: threading.Event) -> None:
    # Batches writes: at most one snapshot every two seconds, whatever the write rate.
    while not stop.wait(2.0):
        if state.dirty:
            state.save()


def _terminate(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    state = State(
        tenant=args.tenant,
        sites=_csv(args.sites),
        client_id=args.client_id,
        client_secret=args.client_secret,
        state_file=args.state_file,
    )
    pusher = Pusher(url=args.push_url, secret=args.push_secret)
    scenario = Scenario(
        state=state,
        partners=_csv(args.partners),
        interval=args.scenario_interval,
        exception_rate=args.exception_rate,
        seed=args.seed,
    )
    sim = Simulator(state=state, pusher=pusher, scenario=scenario, verbose=args.verbose)
    stop = threading.Event()
    if args.state_file:
        threading.Thread(target=_saver, args=(state, stop), daemon=True).start()
    if args.scenario == "on":
        scenario.configure(enabled=True)
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGUSR1, lambda *_: sim.end_outage())
    try:
        sim.serve(args.host, args.port)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        pusher.stop()
        state.save()
    return 0
