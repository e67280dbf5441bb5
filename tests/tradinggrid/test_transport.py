"""One contract for every mailbox transport, run against the simulator, OpenSSH and local folders."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from apps.tradinggrid.transport import (
    DocumentNotFound,
    HostKeyMismatch,
    LocalFolderTransport,
    MailboxTransport,
    SftpTransport,
    TransportError,
    TransportUnavailable,
    transport_from_config,
)
from tests.support.sshd import SshdServer, free_port, new_keypair
from tests.tradinggrid.conftest import Simulator, wait_for, x12_interchange

# What the retailer puts is addressed to itself, so the simulator routes it straight back into
# the retailer's inbound, where the test can read it; what arrives comes from a partner.
OUTGOING = x12_interchange(sender="CROSSDOCK", receiver="CROSSDOCK")
LARGE = 5 * 1024 * 1024


def incoming(control_number: int = 201, *, padding_lines: int = 0) -> bytes:
    return x12_interchange(
        sender="SUP001",
        receiver="CROSSDOCK",
        control_number=control_number,
        padding_lines=padding_lines,
    )


class FolderSide:
    """The far side of a mailbox that lives in two local folders (local and OpenSSH)."""

    def __init__(self, root: Path) -> None:
        self.outbound, self.inbound = root / "outbound", root / "inbound"

    def deliver(self, name: str, data: bytes) -> None:
        temp = self.inbound / f".{name}.arriving"
        temp.write_bytes(data)
        os.replace(temp, self.inbound / name)

    def plant(self, name: str, data: bytes) -> None:
        (self.inbound / name).write_bytes(data)

    def sent(self, name: str) -> bytes:
        return (self.outbound / name).read_bytes()

    def outbound_leftovers(self) -> list[str]:
        return [name for name in os.listdir(self.outbound) if name.startswith(".")]


class LocalMailbox(FolderSide):
    sftp = False

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.transport: MailboxTransport = LocalFolderTransport(
            outbound_dir=self.outbound, inbound_dir=self.inbound, create_dirs=True
        )
        self._root = root

    def unreachable(self) -> MailboxTransport:
        missing = self._root / "unmounted"
        return LocalFolderTransport(outbound_dir=missing / "out", inbound_dir=missing / "in")


class OpenSshMailbox(FolderSide):
    sftp = True

    def __init__(self, server: SshdServer, root: Path) -> None:
        super().__init__(root)
        self.outbound.mkdir()
        self.inbound.mkdir()
        self.server = server
        self.port = server.port
        self.host_public_key = server.host_key.public_line
        self.transport = self.connect()

    def connect(self, **overrides: object) -> SftpTransport:
        settings: dict[str, object] = {
            "host": self.server.host,
            "port": self.server.port,
            "username": self.server.username,
            "private_key": self.server.client_key.private_pem,
            "known_hosts": self.server.known_hosts_line,
            "outbound_dir": str(self.outbound),
            "inbound_dir": str(self.inbound),
            "connect_timeout": 5.0,
        }
        return SftpTransport(**{**settings, **overrides})  # type: ignore[arg-type]

    def unreachable(self) -> MailboxTransport:
        return self.connect(port=free_port())

    def drop_connections(self) -> None:
        assert self.server.drop_connections() > 0


class SimulatorMailbox:
    sftp = True

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator
        self.port = simulator.sftp_port
        self.host_public_key = " ".join(simulator.known_hosts.split()[1:3])
        self.transport = self.connect()

    def connect(self, **overrides: object) -> SftpTransport:
        return self.simulator.retailer_transport(**overrides)

    def deliver(self, name: str, data: bytes) -> None:
        self.simulator.inject("SUP-001", data, name=name)
        self._arrived(name)

    def plant(self, name: str, data: bytes) -> None:
        (self.simulator.mailbox_dir("RETAILER", "inbound") / name).write_bytes(data)

    def sent(self, name: str) -> bytes:
        self._arrived(name)
        return self.simulator.read("RETAILER", "inbound", name)

    def outbound_leftovers(self) -> list[str]:
        return [n for n in self.simulator.files("RETAILER", "outbound") if n.startswith(".")]

    def unreachable(self) -> MailboxTransport:
        return self.connect(port=free_port())

    def drop_connections(self) -> None:
        assert self.simulator.call("POST", "/connections/drop")["dropped"] > 0

    def _arrived(self, name: str) -> None:
        wait_for(
            lambda: name in self.simulator.files("RETAILER", "inbound"),
            what=f"{name} in the retailer's inbound",
        )


@pytest.fixture(params=["simulator", "openssh", "local"])
def mailbox(request: pytest.FixtureRequest, tmp_path: Path):
    if request.param == "simulator":
        side = SimulatorMailbox(request.getfixturevalue("simulator"))
    elif request.param == "openssh":
        side = OpenSshMailbox(request.getfixturevalue("openssh"), tmp_path)
    else:
        side = LocalMailbox(tmp_path)
    with side.transport:
        yield side


@pytest.fixture
def sftp_mailbox(mailbox):
    if not mailbox.sftp:
        pytest.skip("host keys and connections are SFTP matters")
    return mailbox


def test_put_stores_the_whole_document_under_its_name(mailbox) -> None:
    path = mailbox.transport.put(name="po-1.x12", data=OUTGOING)

    assert path.endswith("/po-1.x12")
    assert mailbox.sent("po-1.x12") == OUTGOING
    assert mailbox.outbound_leftovers() == []


def test_list_new_shows_complete_documents_oldest_first(mailbox) -> None:
    assert mailbox.transport.list_new() == []
    mailbox.deliver("a.x12", incoming(1))
    mailbox.deliver("b.x12", incoming(2))

    documents = mailbox.transport.list_new()

    assert [d.name for d in documents] == ["a.x12", "b.x12"]
    assert [d.size for d in documents] == [len(incoming(1)), len(incoming(2))]
    assert all(isinstance(d.mtime, datetime) and d.mtime.tzinfo for d in documents)


def test_list_new_ignores_files_still_being_written_and_hidden_files(mailbox) -> None:
    for name in (".c.x12.part", "d.x12.part", "e.x12.filepart", "f.tmp", ".hidden"):
        mailbox.plant(name, b"ISA*partial")
    mailbox.deliver("g.x12", incoming())

    assert [d.name for d in mailbox.transport.list_new()] == ["g.x12"]


def test_fetch_then_mark_taken_removes_the_document(mailbox) -> None:
    mailbox.deliver("h.x12", incoming())

    assert mailbox.transport.fetch("h.x12") == incoming()
    mailbox.transport.mark_taken("h.x12")

    assert mailbox.transport.list_new() == []
    mailbox.transport.mark_taken("h.x12")  # a retry after a lost answer is harmless
    with pytest.raises(DocumentNotFound):
        mailbox.transport.fetch("h.x12")


def test_a_large_document_travels_both_ways_intact(mailbox) -> None:
    outgoing = x12_interchange(sender="CROSSDOCK", receiver="CROSSDOCK", padding_lines=LARGE // 30)
    arriving = incoming(7, padding_lines=LARGE // 30)
    assert min(len(outgoing), len(arriving)) > LARGE

    mailbox.transport.put(name="big-out.x12", data=outgoing)
    mailbox.deliver("big-in.x12", arriving)

    assert mailbox.sent("big-out.x12") == outgoing
    assert mailbox.transport.fetch("big-in.x12") == arriving


@pytest.mark.parametrize("name", ["../escape.x12", "a/b.x12", ".hidden", "x.part", "", "a\0b"])
def test_names_that_could_leave_the_folder_or_hide_are_refused(mailbox, name: str) -> None:
    with pytest.raises(ValueError):
        mailbox.transport.put(name=name, data=b"x")
    with pytest.raises(ValueError):
        mailbox.transport.fetch(name)
    with pytest.raises(ValueError):
        mailbox.transport.mark_taken(name)


def test_an_unreachable_mailbox_is_retryable(mailbox) -> None:
    with mailbox.unreachable() as transport:
        with pytest.raises(TransportUnavailable):
            transport.list_new()
        with pytest.raises(TransportUnavailable):
            transport.put(name="later.x12", data=OUTGOING)


def test_a_mismatched_host_key_is_refused(sftp_mailbox) -> None:
    impostor = f"[127.0.0.1]:{sftp_mailbox.port} {new_keypair().public_line}"

    with (
        sftp_mailbox.connect(known_hosts=impostor) as transport,
        pytest.raises(HostKeyMismatch, match="host key mismatch") as raised,
    ):
        transport.list_new()
    assert not isinstance(raised.value, TransportUnavailable)  # retrying will not help


def test_a_host_missing_from_known_hosts_is_refused(sftp_mailbox) -> None:
    # The right key, but filed under another port: OpenSSH would not trust it either.
    elsewhere = f"[127.0.0.1]:{free_port()} {sftp_mailbox.host_public_key}"

    with (
        sftp_mailbox.connect(known_hosts=elsewhere) as transport,
        pytest.raises(HostKeyMismatch, match="no known_hosts entry"),
    ):
        transport.list_new()


def test_a_dropped_connection_is_reopened(sftp_mailbox) -> None:
    assert sftp_mailbox.transport.list_new() == []
    sftp_mailbox.drop_connections()
    sftp_mailbox.deliver("after-drop.x12", incoming())

    assert [d.name for d in sftp_mailbox.transport.list_new()] == ["after-drop.x12"]


def test_transport_from_config_reads_sftp_and_file_urls(simulator: Simulator, tmp_path) -> None:
    sftp = transport_from_config(
        {
            "url": f"sftp://crossdock@127.0.0.1:{simulator.sftp_port}/",
            "private_key": simulator.retailer_key.private_pem,
            "known_hosts_path": str(simulator.data_dir / "known_hosts"),
            "operation_timeout": 5,
        }
    )
    with sftp:
        assert isinstance(sftp, SftpTransport)
        assert (sftp.outbound_dir, sftp.inbound_dir) == ("/outbound", "/inbound")
        assert sftp.list_new() == []

    password_login = transport_from_config(
        {
            "url": f"sftp://crossdock:crossdock@127.0.0.1:{simulator.sftp_port}",
            "known_hosts": simulator.known_hosts,
        }
    )
    with password_login:
        assert password_login.list_new() == []

    local = transport_from_config({"url": f"file://{tmp_path}/tg", "create_dirs": True})
    assert isinstance(local, LocalFolderTransport)
    assert local.inbound_dir == tmp_path / "tg" / "inbound"


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ({"url": "ftp://example.test/"}, "unsupported mailbox URL scheme"),
        ({"url": "sftp://u@127.0.0.1:22/", "password": "p"}, "known_hosts"),
        ({"url": "sftp://u@127.0.0.1/", "password": "p", "known_host": "x"}, "unknown"),
        ({"url": "sftp://127.0.0.1/", "password": "p", "known_hosts": "x y z"}, "username"),
        ({"url": "file:///tmp/x", "private_key": "k"}, "unknown"),
    ],
)
def test_transport_from_config_refuses_bad_settings(config: dict, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        transport_from_config(config)


def test_a_wrong_password_is_not_retryable(simulator: Simulator) -> None:
    with (
        simulator.retailer_transport(private_key=None, password="wrong") as transport,
        pytest.raises(TransportError, match="authentication failed") as raised,
    ):
        transport.list_new()
    assert not isinstance(raised.value, TransportUnavailable)
