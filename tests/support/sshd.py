"""A real OpenSSH sshd on a loopback port with fresh keys, for tests against a genuine SFTP server."""

from __future__ import annotations

import contextlib
import getpass
import os
import re
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

SSHD = Path("/usr/sbin/sshd")
START_SECONDS = 15


@dataclass(frozen=True)
class KeyPair:
    private_pem: str  # OpenSSH private key format
    public_line: str  # "ssh-ed25519 AAAA... comment"


def new_keypair(comment: str = "crossdock-test") -> KeyPair:
    key = ed25519.Ed25519PrivateKey.generate()
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH
    )
    return KeyPair(private_pem=private, public_line=f"{public.decode()} {comment}")


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def sshd_missing_reason() -> str | None:
    if not SSHD.exists():
        return f"OpenSSH server not installed ({SSHD} missing; apt-get install openssh-server)"
    return None


@dataclass
class SshdServer:
    host: str
    port: int
    username: str
    client_key: KeyPair
    host_key: KeyPair
    workdir: Path
    process: subprocess.Popen[bytes]

    @property
    def known_hosts_line(self) -> str:
        return f"[{self.host}]:{self.port} {self.host_key.public_line}"

    @property
    def log(self) -> str:
        return (self.workdir / "sshd.log").read_text(errors="replace")

    def drop_connections(self) -> int:
        """Kill the per-connection sshd processes, as a network cut would; return how many."""
        children = _children(self.process.pid)
        for pid in children:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        return len(children)


@contextlib.contextmanager
def running_sshd(workdir: Path) -> Iterator[SshdServer]:
    """Start `sshd -D -e` on a free loopback port; stop it on exit."""
    reason = sshd_missing_reason()
    if reason:
        raise RuntimeError(reason)
    workdir.mkdir(parents=True, exist_ok=True)
    host_key, client_key = new_keypair("sshd-host"), new_keypair("sshd-client")
    host_key_path = workdir / "ssh_host_ed25519_key"
    host_key_path.write_text(host_key.private_pem)
    host_key_path.chmod(0o600)
    (workdir / "authorized_keys").write_text(client_key.public_line + "\n")
    username = getpass.getuser()
    if os.geteuid() == 0:
        # sshd's privilege separation directory; packages create it at boot, containers may not.
        Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)
    last_error = ""
    for _attempt in range(3):  # the free port may be taken between probing and binding
        port = free_port()
        config = workdir / "sshd_config"
        config.write_text(_config(workdir, port=port, username=username, host_key=host_key_path))
        with (workdir / "sshd.log").open("wb") as log:
            process = subprocess.Popen(
                [str(SSHD), "-D", "-e", "-f", str(config)], stdout=log, stderr=log
            )
        server = SshdServer(
            host="127.0.0.1",
            port=port,
            username=username,
            client_key=client_key,
            host_key=host_key,
            workdir=workdir,
            process=process,
        )
        try:
            if _wait_for_banner(server):
                yield server
                return
            last_error = server.log
        finally:
            process.terminate()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
    raise RuntimeError(f"sshd did not start:\n{last_error}")


def _config(workdir: Path, *, port: int, username: str, host_key: Path) -> str:
    lines = [
        f"Port {port}",
        "ListenAddress 127.0.0.1",
        f"HostKey {host_key}",
        f"PidFile {workdir / 'sshd.pid'}",
        f"AuthorizedKeysFile {workdir / 'authorized_keys'}",
        f"AllowUsers {username}",
        "PermitRootLogin prohibit-password",
        "PubkeyAuthentication yes",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "StrictModes no",
        "Subsystem sftp internal-sftp",
        "ChrootDirectory none",
        "LogLevel VERBOSE",
    ]
    if _openssh_version() >= (9, 8):
        # Newer sshd penalises addresses whose connections fail; tests fail some on purpose.
        lines.append("PerSourcePenalties no")
    return "\n".join(lines) + "\n"


def _openssh_version() -> tuple[int, int]:
    result = subprocess.run([str(SSHD), "-V"], capture_output=True, text=True, check=False)
    match = re.search(r"OpenSSH_(\d+)\.(\d+)", result.stdout + result.stderr)
    return (int(match.group(1)), int(match.group(2))) if match else (0, 0)


def _wait_for_banner(server: SshdServer) -> bool:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            return False
        try:
            with socket.create_connection((server.host, server.port), timeout=1) as probe:
                if probe.recv(64).startswith(b"SSH-2.0-"):
                    return True
        except OSError:
            time.sleep(0.05)
    return False


def _children(pid: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if fields[1] == str(pid):  # fields after the command name: state, ppid, ...
            children.append(int(stat.parent.name))
    return children
