"""Fixtures: the SFCC simulator as a real subprocess, its control API, and clients wired to it."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from apps.sfcc.client import InMemoryTokenStore, OrdersClient, SfccConfig

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_PATH = REPO_ROOT / "tests/data/sfcc/orders-oas-v1-public.yaml"
ORG = "f_ecom_zzxy_prd"
SITE = "RefArch"
CLIENT_ID = "crossdock-sim-client"
CLIENT_SECRET = "crossdock-sim-secret"


class SimulatorProcess:
    """``python -m simulators.sfcc`` on a free port; the port is read from its first line."""

    def __init__(self, *args: str, log_path: Path, env: dict[str, str] | None = None) -> None:
        self.log_path = log_path
        self._log = log_path.open("wb")
        command = [sys.executable, "-m", "simulators.sfcc", "--host", "127.0.0.1", "--port", "0"]
        self.proc = subprocess.Popen(
            [*command, *args],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=self._log,
            env={**os.environ, **(env or {})},
        )
        self.url = self._read_url(timeout=15)
        self.control = httpx.Client(base_url=f"{self.url}/__control", timeout=30)

    def _read_url(self, *, timeout: float) -> str:
        assert self.proc.stdout is not None
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        line = self.proc.stdout.readline().decode().strip() if ready else ""
        prefix = "SFCC simulator listening on "
        if not line.startswith(prefix):
            self.stop()
            raise RuntimeError(f"simulator did not start: {line!r}\n{self.log_path.read_text()}")
        return line.removeprefix(prefix)

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if hasattr(self, "control"):
            self.control.close()
        self._log.close()

    def ctl(self, method: str, path: str, json: Any = None) -> Any:
        """Call the control API and return its JSON, failing the test on an error status."""
        response = self.control.request(method, path, json=json)
        assert response.status_code < 300, response.text
        return response.json()

    def wait_until_listening(self, *, timeout: float = 10) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self.control.get("/health", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                time.sleep(0.05)
        raise RuntimeError("simulator did not come back")


@pytest.fixture
def registered_flows() -> None:
    """Ask for it to run a test with the flows as their apps registered them (see below)."""


@pytest.fixture(autouse=True)
def order_exceptions_as_conversations(request: pytest.FixtureRequest, monkeypatch) -> None:
    """The connector's tests run order exceptions on the default conversation workflow.

    What SFCC hears depends on the case's workflow (its labels, which side may resolve) and
    on the flow's own `c_` attributes. The connector asks only the flags, so its tests pin
    one known workflow and no flow attributes, and stay true while flow 1 evolves in
    apps.exceptions (whose own tests cover its workflow with SFCC detection).
    """
    if "registered_flows" in request.fixturenames:
        return
    from dataclasses import replace

    from apps.workspace import flows
    from apps.workspace.choices import CaseKind
    from apps.workspace.states import default_workflow

    kind = CaseKind.ORDER_EXCEPTION.value
    pinned = replace(flows.flow_for(kind), workflow=default_workflow(kind), order_attributes=None)
    monkeypatch.setitem(flows._FLOWS, kind, pinned)


@pytest.fixture(scope="session")
def launch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., SimulatorProcess]]:
    """Start extra simulators (own flags, own state); all are stopped at the end."""
    started: list[SimulatorProcess] = []

    def start(*args: str, env: dict[str, str] | None = None) -> SimulatorProcess:
        log = tmp_path_factory.mktemp("sim") / "stderr.log"
        process = SimulatorProcess(*args, log_path=log, env=env)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture(scope="session")
def shared_sim(launch: Callable[..., SimulatorProcess]) -> SimulatorProcess:
    return launch()


@pytest.fixture
def sim(shared_sim: SimulatorProcess) -> SimulatorProcess:
    """The shared simulator, reset to empty with no faults before each test."""
    shared_sim.ctl("POST", "/reset")
    return shared_sim


@pytest.fixture
def sim_url(sim: SimulatorProcess) -> str:
    return sim.url


def sim_config(base_url: str, **overrides: Any) -> SfccConfig:
    values: dict[str, Any] = {
        "api_base_url": base_url,
        "organization_id": ORG,
        "site_id": SITE,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "token_url": f"{base_url}/dwsso/oauth2/access_token",
        "ocapi_base_url": base_url,
        "read_timeout": 5.0,
    }
    values.update(overrides)
    return SfccConfig(**values)


@pytest.fixture
def make_client(sim: SimulatorProcess) -> Iterator[Callable[..., OrdersClient]]:
    """Build OrdersClients against the simulator; ``sleeps`` records read-retry waits."""
    clients: list[OrdersClient] = []

    def build(
        *,
        transport: httpx.BaseTransport | None = None,
        store: Any = None,
        sleep: Callable[[float], None] | None = None,
        **overrides: Any,
    ) -> OrdersClient:
        client = OrdersClient.from_config(
            sim_config(sim.url, **overrides),
            token_store=store if store is not None else InMemoryTokenStore(),
            transport=transport,
            sleep=sleep if sleep is not None else (lambda seconds: None),
        )
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.close()


@pytest.fixture
def client(make_client: Callable[..., OrdersClient]) -> OrdersClient:
    return make_client()


@pytest.fixture
def create_order(sim: SimulatorProcess) -> Callable[..., dict[str, Any]]:
    """Create one order through the control API and return its SCAPI document."""

    def create(**spec: Any) -> dict[str, Any]:
        spec.setdefault("lines", [{"productId": "SKU-1", "quantity": 1, "c_supplierId": "SUP-001"}])
        return sim.ctl("POST", "/orders", spec)

    return create
