"""Run the embedded deployment: web, Celery worker and beat, and both simulators; Ctrl-C stops all.

`make run` migrates and seeds first, then calls this. Each process runs in its own session
so one Ctrl-C tears the whole set down, never leaving orphans. A crashed Celery worker or beat
is restarted (with a log line); a crash of the web process or a simulator stops everything.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT))

from apps.partners import demo  # noqa: E402

HOST = os.environ.get("CROSSDOCK_HOST", "127.0.0.1")
PORT = int(os.environ.get("CROSSDOCK_PORT", "8000"))
SFCC_PORT = int(os.environ.get("SFCC_SIMULATOR_PORT", "8701"))
TG_SFTP_PORT = int(os.environ.get("TG_SIMULATOR_SFTP_PORT", "8722"))
TG_CONTROL_PORT = int(os.environ.get("TG_SIMULATOR_CONTROL_PORT", "8723"))
PUSH_SECRET = os.environ.get("SFCC_PUSH_SECRET", "crossdock-demo-push-secret")
VAR = ROOT / "var"
# Processes that are restarted when they crash, rather than stopping everything.
RESTARTED = ("worker", "beat")


def processes() -> dict[str, list[str]]:
    py = str(BIN / "python")
    procs = {
        "web": [
            str(BIN / "gunicorn"), "portal.wsgi:application", "--bind", f"{HOST}:{PORT}",
            "--workers", "2", "--threads", "4", "--access-logfile", "-", "--log-level", "warning",
        ],
        "worker": [str(BIN / "celery"), "-A", "portal", "worker", "--loglevel", "INFO", "--concurrency", "2"],
        "beat": [str(BIN / "celery"), "-A", "portal", "beat", "--loglevel", "INFO"],
    }
    if (ROOT / "simulators/sfcc/__main__.py").exists():
        procs["sfcc-sim"] = [
            py, "-m", "simulators.sfcc", "--host", "127.0.0.1", "--port", str(SFCC_PORT),
            "--state-file", str(VAR / "sfcc-simulator.json"), "--scenario", "on",
            "--push-url", f"http://{HOST}:{PORT}/api/v1/sfcc/events", "--push-secret", PUSH_SECRET,
        ]
    if (ROOT / "simulators/tradinggrid/__main__.py").exists():
        procs["tg-sim"] = [
            py, "-m", "simulators.tradinggrid", "--host", "127.0.0.1",
            "--sftp-port", str(TG_SFTP_PORT), "--control-port", str(TG_CONTROL_PORT),
            "--data-dir", str(VAR / "tradinggrid"),
        ]
    return procs


def demo_env() -> dict[str, str]:
    env = {
        **os.environ,
        "CROSSDOCK_SITE_URL": f"http://{HOST}:{PORT}",
        "SFCC_BASE_URL": f"http://127.0.0.1:{SFCC_PORT}",
        "SFCC_AUTH_URL": f"http://127.0.0.1:{SFCC_PORT}/dwsso/oauth2/access_token",
        "SFCC_PUSH_SECRET": PUSH_SECRET,
        "TRADINGGRID_ENABLED": "1",
        "TRADINGGRID_TRANSPORT_URL": f"sftp://crossdock@127.0.0.1:{TG_SFTP_PORT}/",
        "TRADINGGRID_PASSWORD": "crossdock",
        "TRADINGGRID_KNOWN_HOSTS_PATH": str(VAR / "tradinggrid" / "known_hosts"),
        "PYTHONUNBUFFERED": "1",
        # The demo is plain HTTP on loopback: cookies marked Secure would not come back.
        "DJANGO_SECURE_COOKIES": os.environ.get("DJANGO_SECURE_COOKIES", "0"),
    }
    return env


def simulator_order(spec) -> dict:
    """A seeded demo order in the simulator's control shape: the same number, lines, parties
    and customer, so SFCC knows the orders whose cases write back to it."""
    first, _, last = spec.customer.partition(" ")
    address1, city, state, postal, country = spec.address
    return {
        "orderNo": spec.number,
        "status": spec.status,
        "shippingStatus": spec.shipping_status,
        "customer": {"name": spec.customer, "email": spec.email},
        **({"c_marketplaceSellerId": spec.seller} if spec.seller else {}),
        **spec.attributes,
        "lines": [
            {
                "productId": line.sku, "productName": line.name, "quantity": line.quantity, "price": line.price,
                **({"c_supplierId": line.supplier} if line.supplier else {}), **line.attributes,
            }
            for line in spec.lines
        ],
        "shipments": [
            {
                "shipmentId": "me",
                "shippingAddress": {
                    "firstName": first, "lastName": last, "address1": address1, "city": city,
                    "stateCode": state, "postalCode": postal, "countryCode": country,
                },
                "c_fulfillmentLocation": spec.warehouse,
                "c_carrierId": spec.carrier,
                **({"trackingNumber": spec.tracking} if spec.tracking else {}),
                **spec.shipment_attributes,
            }
        ],
    }


def seed_simulator() -> None:
    """Give the SFCC simulator the orders `seed_demo` mirrored, before any worker writes back to
    them: without them every write-back would be a 404 and a dead letter."""
    import django
    import httpx

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    django.setup()
    from apps.orders import demo as orders_demo

    control = httpx.Client(base_url=f"http://127.0.0.1:{SFCC_PORT}/__control", timeout=5)
    deadline = time.monotonic() + 20
    while True:
        try:
            control.get("/health").raise_for_status()
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                print("The SFCC simulator did not start; its demo orders are missing.", flush=True)
                return
            time.sleep(0.2)
    for spec in orders_demo.ORDERS:
        if control.get(f"/orders/{spec.number}").status_code != 404:
            continue
        answer = control.post("/orders", json=simulator_order(spec))
        if answer.status_code != 201:
            print(f"The SFCC simulator refused demo order {spec.number}: {answer.text}", flush=True)


def banner() -> str:
    lines = [
        "",
        "Crossdock is running:",
        f"  Portal      http://{HOST}:{PORT}/",
        f"  API docs    http://{HOST}:{PORT}/api/docs/",
        f"  Health      http://{HOST}:{PORT}/health/",
        f"  Password    {demo.DEMO_PASSWORD} (for every demo login)",
        "  Logins:",
    ]
    for email, _name, code, role in demo.INTERNAL_USERS + demo.partner_users()[:6]:
        lines.append(f"    {email:<28} {role.label} ({code})")
    lines.append("    … and admin@<partner code>.test for every partner (see README).")
    lines.append("Press Ctrl-C to stop everything.")
    return "\n".join(lines)


def main() -> int:
    VAR.mkdir(exist_ok=True)
    env = demo_env()
    running: dict[str, subprocess.Popen] = {}
    commands = processes()
    # The simulator first, holding the demo's orders before the worker writes back to them.
    if "sfcc-sim" in commands:
        running["sfcc-sim"] = subprocess.Popen(commands.pop("sfcc-sim"), cwd=ROOT, env=env, start_new_session=True)
        seed_simulator()
    for name, cmd in commands.items():
        running[name] = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    time.sleep(2)
    print(banner(), flush=True)
    exit_code = 0
    restarts: dict[str, list[float]] = {}
    while not stopping:
        for name, proc in list(running.items()):
            if proc.poll() is None:
                continue
            if name in RESTARTED and name in commands:
                # A crashed worker or beat must not take the portal down: start it again, with
                # a pause when it keeps crashing so a broken one does not spin.
                now = time.monotonic()
                recent = [t for t in restarts.get(name, []) if now - t < 60] + [now]
                restarts[name] = recent
                wait = min(30, 2 ** (len(recent) - 1)) if len(recent) > 1 else 0
                print(
                    f"{name} exited with {proc.returncode}; restarting it"
                    + (f" in {wait} s" if wait else "")
                    + f" (restart {len(recent)} in the last minute).",
                    flush=True,
                )
                time.sleep(wait)
                running[name] = subprocess.Popen(
                    commands[name], cwd=ROOT, env=env, start_new_session=True
                )
                continue
            print(f"{name} exited with {proc.returncode}; stopping the rest.", flush=True)
            exit_code = proc.returncode or 1
            stopping = True
            break
        time.sleep(0.5)
    for proc in running.values():
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 10
    for proc in running.values():
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
    print("Stopped.", flush=True)
    return exit_code


if __name__ == "__main__":
    sys.exit(main())
