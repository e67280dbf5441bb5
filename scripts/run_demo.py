"""Run the embedded deployment: web, Celery worker and beat, and both simulators; Ctrl-C stops all.

`make run` migrates and seeds first, then calls this. Each process runs in its own session
so one Ctrl-C (or a crash of any of them) tears the whole set down, never leaving orphans.
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
    }
    return env


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
    for name, cmd in processes().items():
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
    while not stopping:
        for name, proc in running.items():
            if proc.poll() is not None:
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
