"""Fixtures: the Trading Grid simulator as a real subprocess, OpenSSH's sshd, X12 builders, flows."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import queue
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any, TypeVar

import pytest
from django import forms

from apps.partners.roles import Role
from apps.tradinggrid.transport import SftpTransport
from apps.workspace import flows
from apps.workspace.choices import CaseKind, Side
from apps.workspace.payloads import PayloadForm
from apps.workspace.states import PARTNER, RETAILER, State, Transition, Workflow
from tests.support.sshd import (
    KeyPair,
    SshdServer,
    new_keypair,
    running_sshd,
    sshd_missing_reason,
)

T = TypeVar("T")
REPO_ROOT = Path(__file__).resolve().parents[2]
READY_PREFIX = "Trading Grid simulator SFTP on "
WAIT_SECONDS = 15.0


def wait_for(check: Callable[[], T], *, what: str, timeout: float = WAIT_SECONDS) -> T:
    """Poll `check` until it returns something truthy; fail naming `what` after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def x12_interchange(
    *,
    sender: str = "CROSSDOCK",
    receiver: str = "SUP001",
    control_number: int = 101,
    functional_id: str = "PO",
    transaction_sets: tuple[str, ...] = ("850",),
    padding_lines: int = 0,
) -> bytes:
    """A well-formed interchange; `padding_lines` adds PO1 lines to make it large."""
    isa = (
        f"ISA*00*          *00*          *ZZ*{sender:<15}*ZZ*{receiver:<15}"
        f"*260709*1200*U*00401*{control_number:09d}*0*P*>~\n"
    )
    segments = [f"GS*{functional_id}*{sender}*{receiver}*20260709*1200*{control_number}*X*004010~"]
    for index, code in enumerate(transaction_sets, start=1):
        number = f"{index:04d}"
        body = [f"ST*{code}*{number}~", f"BEG*00*NE*PO{control_number}-{index}**20260709~"]
        body += [f"PO1*{line}*1*EA*9.99**VN*SKU-{line:08d}~" for line in range(padding_lines)]
        body.append(f"SE*{len(body) + 1}*{number}~")
        segments += body
    segments += [f"GE*{len(transaction_sets)}*{control_number}~", f"IEA*1*{control_number:09d}~"]
    return (isa + "\n".join(segments) + "\n").encode()


class Simulator:
    """`python -m simulators.tradinggrid` on free ports, driven through its control API."""

    def __init__(self, *, data_dir: Path, retailer_key: KeyPair, log_path: Path) -> None:
        self.data_dir = data_dir
        self.retailer_key = retailer_key
        self.log_path = log_path
        key_path = data_dir.parent / "retailer_key.pub"
        key_path.write_text(retailer_key.public_line + "\n")
        command = [sys.executable, "-m", "simulators.tradinggrid", "--host", "127.0.0.1"]
        command += ["--sftp-port", "0", "--control-port", "0", "--data-dir", str(data_dir)]
        command += ["--retailer-authorized-key", str(key_path), "--reply-delay-ms", "300"]
        command += ["--poll-interval", "0.05"]
        self._log = log_path.open("wb")
        self.process = subprocess.Popen(
            command, cwd=REPO_ROOT, stdout=subprocess.PIPE, stderr=self._log
        )
        line = self._ready_line()
        address, control = line.removeprefix(READY_PREFIX).split(" control on ")
        self.host, port = address.rsplit(":", 1)
        self.sftp_port = int(port)
        self.control_url = control.strip()
        self.known_hosts = (data_dir / "known_hosts").read_text()

    def _ready_line(self) -> str:
        # A thread reads stdout: select() cannot see lines already in the reader's buffer.
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_pump, args=(self.process.stdout, lines), daemon=True).start()
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=0.2)
            except queue.Empty:
                continue
            if line.startswith(READY_PREFIX):
                return line.strip()
            if not line:  # end of output: the process exited
                break
        self.stop()
        raise RuntimeError(f"simulator did not start:\n{self.log_path.read_text()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self._log.close()

    def call(self, method: str, path: str, body: Any = None) -> Any:
        """A control API request; JSON answers are decoded, files come back as bytes."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - the simulator's http:// control URL
            self.control_url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            content = response.read()
            if response.headers.get_content_type() == "application/json":
                return json.loads(content)
            return content

    def reset(self) -> None:
        self.call("POST", "/reset", {"mailboxes": True})

    def faults(self, **switches: Any) -> dict[str, Any]:
        return self.call("POST", "/faults", switches)

    def inject(self, participant_id: str, data: bytes, *, name: str | None = None) -> str:
        body: dict[str, Any] = {"content": data.decode("latin-1")}
        if name:
            body["name"] = name
        return self.call("POST", f"/mailboxes/{participant_id}/outbound", body)["name"]

    def files(self, participant_id: str, folder: str) -> list[str]:
        """Names in a folder, without the network's delivery metadata beside documents."""
        entries = self.call("GET", f"/mailboxes/{participant_id}")[folder]
        return [e["name"] for e in entries if not e["name"].startswith(".delivery-")]

    def read(self, participant_id: str, folder: str, name: str) -> bytes:
        return self.call("GET", f"/mailboxes/{participant_id}/{folder}/{name}")

    def log(self, **match: Any) -> list[dict[str, Any]]:
        entries = self.call("GET", "/router/log")["entries"]
        return [e for e in entries if all(e.get(k) == v for k, v in match.items())]

    def retailer_transport(self, **overrides: Any) -> SftpTransport:
        settings: dict[str, Any] = {
            "host": self.host,
            "port": self.sftp_port,
            "username": "crossdock",
            "private_key": self.retailer_key.private_pem,
            "known_hosts": self.known_hosts,
            "connect_timeout": 5.0,
            "operation_timeout": 10.0,
        }
        settings.update(overrides)
        return SftpTransport(**settings)

    def mailbox_dir(self, participant_id: str, folder: str) -> Path:
        return self.data_dir / "mailboxes" / participant_id / folder


def _pump(stream: IO[bytes], lines: queue.Queue[str]) -> None:
    for line in stream:
        lines.put(line.decode())
    lines.put("")


@pytest.fixture(scope="session")
def simulator_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Simulator]:
    workdir = tmp_path_factory.mktemp("tradinggrid")
    simulator = Simulator(
        data_dir=workdir / "data", retailer_key=new_keypair("retailer"), log_path=workdir / "log"
    )
    try:
        yield simulator
    finally:
        simulator.stop()


@pytest.fixture
def simulator(simulator_process: Simulator) -> Iterator[Simulator]:
    """The shared simulator with empty mailboxes and every switch off."""
    simulator_process.reset()
    yield simulator_process
    # If it died during the test, the test has failed already; say so there, not here.
    with contextlib.suppress(urllib.error.URLError, OSError):
        simulator_process.reset()


@pytest.fixture(scope="session")
def openssh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SshdServer]:
    reason = sshd_missing_reason()
    if reason:
        pytest.skip(reason)
    with running_sshd(tmp_path_factory.mktemp("sshd")) as server:
        yield server


@pytest.fixture
def openssh_mailbox(openssh: SshdServer, tmp_path: Path) -> Path:
    """Fresh outbound and inbound folders that the sshd user reaches by absolute path."""
    for folder in ("outbound", "inbound"):
        (tmp_path / folder).mkdir()
    return tmp_path


# --- Flows ------------------------------------------------------------------------------------

ORDER_855 = ("tradinggrid", ("x12", "855"))


def _flow_has(kind: str, transition: str) -> bool:
    try:
        return flows.flow_for(kind).workflow.transition(transition) is not None
    except flows.FlowNotRegistered:
        return False


# Tests of the real flows 1 and 7 (apps/exceptions/states.py) run once they are registered.
needs_flow_1 = pytest.mark.skipif(
    not _flow_has(CaseKind.ORDER_EXCEPTION, "propose"),
    reason="flow 1's workflow (order_exception: propose) is not registered yet",
)
needs_flow_7 = pytest.mark.skipif(
    not _flow_has(CaseKind.ESCALATION, "propose_plan"),
    reason="flow 7's workflow (escalation: propose_plan) is not registered yet",
)


@pytest.fixture
def exceptions_own_855(monkeypatch):
    """Flow 1 owns the X12 855, as apps/exceptions/flows.py declares (a no-op once it does)."""
    from apps.exceptions.edi import apply_855

    if flows.inbound_handler(*ORDER_855) is apply_855:
        return
    flow = flows.flow_for(CaseKind.ORDER_EXCEPTION)
    owned = dataclasses.replace(flow, inbound={**flow.inbound, ORDER_855: apply_855})
    monkeypatch.setitem(flows._FLOWS, flow.kind, owned)


class TestProposalForm(PayloadForm):
    """A proposal with line answers: the shape of flow 1's, without its reason-code lists."""

    __test__ = False
    answers_lines = True

    resolution = forms.ChoiceField(
        choices=[(r, r) for r in ("partial_backorder", "substitute", "cancel_lines", "reship")]
    )
    ship_date = forms.DateField(required=False)
    note = forms.CharField(required=False, max_length=2000)


# Order exceptions as a flow of the test's own, whose states share no name with any other:
# what the connector does must follow from the registry, never from state names.
TEST_ORDER_WORKFLOW = Workflow(
    kind=CaseKind.ORDER_EXCEPTION.value,
    initial="with_partner",
    partner_initial="with_us",
    states=(
        State("with_partner", "With the partner", Side.PARTNER),
        State("with_us", "With us", Side.RETAILER),
        State("offered", "Offer made", Side.RETAILER),
        State("settled", "Settled", Side.NONE, open=False, resolved=True),
    ),
    transitions=(
        Transition(
            "propose", "Propose", frozenset({"with_partner", "with_us"}), "offered", PARTNER,
            payload_form=TestProposalForm,
        ),
        Transition(
            "reply", "Reply", frozenset({"with_partner"}), "with_us", PARTNER,
            on_reply_from=Side.PARTNER,
        ),
        Transition("settle", "Settle", frozenset({"offered"}), "settled", RETAILER, resolves=True),
    ),
)  # fmt: skip


@pytest.fixture
def test_order_flow(monkeypatch) -> flows.Flow:
    """Order exceptions run on TEST_ORDER_WORKFLOW for this test, the 855 owned by flow 1's handler."""
    from apps.exceptions.edi import apply_855

    flow = flows.Flow(
        kind=CaseKind.ORDER_EXCEPTION.value,
        label="Order exception (test flow)",
        workflow=TEST_ORDER_WORKFLOW,
        roles=frozenset({Role.AGENT}),
        inbound={ORDER_855: apply_855},
    )
    monkeypatch.setitem(flows._FLOWS, flow.kind, flow)
    return flow
