"""The SFTP mailbox transport (paramiko): verified host key, timeouts, reconnect on a dropped link."""

from __future__ import annotations

import contextlib
import io
import logging
import posixpath
import socket
import stat
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any, TypeVar

import paramiko

from .base import (
    MAX_DELIVERY_BYTES,
    DocumentNotFound,
    DocumentTooLarge,
    MailboxTransport,
    RemoteDocument,
    TransportError,
    TransportUnavailable,
    check_document_name,
    delivery_name,
    is_document_name,
    read_delivery,
    set_aside_name,
    temp_name,
)
from .keys import KnownHosts, load_private_key

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Errors that mean the connection itself is gone or stuck, as opposed to a refused file operation.
_LINK_ERRORS = (EOFError, paramiko.SSHException, ConnectionError, TimeoutError)


class SftpTransport(MailboxTransport):
    """A Trading Grid mailbox reached over SFTP.

    Connects lazily on first use and keeps the connection; an operation that finds the
    connection dropped reconnects once and retries (every operation is safe to repeat).
    """

    def __init__(
        self,
        *,
        host: str,
        username: str,
        known_hosts: str,
        port: int = 22,
        private_key: str | None = None,
        private_key_path: str | Path | None = None,
        private_key_passphrase: str | None = None,
        password: str | None = None,
        outbound_dir: str = "/outbound",
        inbound_dir: str = "/inbound",
        connect_timeout: float = 10.0,
        operation_timeout: float = 30.0,
    ) -> None:
        if private_key is None and private_key_path is None and password is None:
            raise ValueError("SFTP needs a private key (PEM or path) or a password")
        self.host = host
        self.port = port
        self.username = username
        self.outbound_dir = outbound_dir
        self.inbound_dir = inbound_dir
        self.connect_timeout = connect_timeout
        self.operation_timeout = operation_timeout
        # Parsed now so that bad configuration fails at start-up, not at the first poll.
        self._known_hosts = KnownHosts(known_hosts)
        self._key = (
            load_private_key(
                pem=private_key, path=private_key_path, passphrase=private_key_passphrase
            )
            if private_key is not None or private_key_path is not None
            else None
        )
        self._password = password
        self._ssh: paramiko.Transport | None = None
        self._sftp: paramiko.SFTPClient | None = None

    def __repr__(self) -> str:
        return f"<SftpTransport {self.username}@{self.host}:{self.port}>"

    def put(self, *, name: str, data: bytes) -> str:
        final = posixpath.join(self.outbound_dir, check_document_name(name))
        temp = posixpath.join(self.outbound_dir, temp_name(name))

        def write(sftp: paramiko.SFTPClient) -> str:
            sftp.putfo(io.BytesIO(data), temp, file_size=len(data), confirm=True)
            # posix-rename replaces atomically, so a retried put after a lost answer succeeds.
            sftp.posix_rename(temp, final)
            return final

        return self._run(f"put {final}", write)

    def list_new(self) -> list[RemoteDocument]:
        def listing(sftp: paramiko.SFTPClient) -> list[RemoteDocument]:
            return [
                RemoteDocument(
                    name=entry.filename,
                    size=entry.st_size or 0,
                    mtime=datetime.fromtimestamp(entry.st_mtime or 0, tz=UTC),
                )
                for entry in sftp.listdir_attr(self.inbound_dir)
                if is_document_name(entry.filename)
                and (entry.st_mode is None or stat.S_ISREG(entry.st_mode))
            ]

        documents = self._run(f"list {self.inbound_dir}", listing)
        return sorted(documents, key=lambda document: (document.mtime, document.name))

    def fetch(self, name: str) -> bytes:
        path = posixpath.join(self.inbound_dir, check_document_name(name))

        def read(sftp: paramiko.SFTPClient) -> bytes:
            buffer = io.BytesIO()
            try:
                sftp.getfo(path, buffer)
            except FileNotFoundError as exc:
                raise DocumentNotFound(f"{path} is not in the inbound folder") from exc
            return buffer.getvalue()

        return self._run(f"fetch {path}", read)

    def mark_taken(self, name: str) -> None:
        path = posixpath.join(self.inbound_dir, check_document_name(name))

        def remove(sftp: paramiko.SFTPClient) -> None:
            # Gone already: a retry after a lost answer, which is fine.
            with contextlib.suppress(FileNotFoundError):
                sftp.remove(path)

        self._run(f"remove {path}", remove)
        meta = posixpath.join(self.inbound_dir, delivery_name(name))

        def remove_meta(sftp: paramiko.SFTPClient) -> None:
            with contextlib.suppress(FileNotFoundError):
                sftp.remove(meta)

        self._run(f"remove {meta}", remove_meta)

    def fetch_into(self, name: str, handle: IO[bytes], *, limit: int) -> int:
        path = posixpath.join(self.inbound_dir, check_document_name(name))

        def read(sftp: paramiko.SFTPClient) -> int:
            handle.seek(0)
            handle.truncate()
            total = 0
            try:
                with sftp.open(path, "rb") as source:
                    source.prefetch()
                    while chunk := source.read(32768):
                        total += len(chunk)
                        if total > limit:
                            raise DocumentTooLarge(f"{path} is larger than {limit} bytes")
                        handle.write(chunk)
            except FileNotFoundError as exc:
                raise DocumentNotFound(f"{path} is not in the inbound folder") from exc
            return total

        return self._run(f"fetch {path}", read)

    def delivery(self, name: str) -> dict[str, Any] | None:
        path = posixpath.join(self.inbound_dir, delivery_name(name))

        def read(sftp: paramiko.SFTPClient) -> dict[str, Any] | None:
            try:
                with sftp.open(path, "rb") as source:
                    return read_delivery(source.read(MAX_DELIVERY_BYTES + 1))
            except FileNotFoundError:
                return None

        return self._run(f"read {path}", read)

    def set_aside(self, name: str) -> str:
        if not name or "/" in name or "\0" in name or name in {".", ".."}:
            raise ValueError(f"not a folder entry: {name!r}")
        target = set_aside_name()

        def move(sftp: paramiko.SFTPClient) -> str:
            try:
                sftp.posix_rename(
                    posixpath.join(self.inbound_dir, name), posixpath.join(self.inbound_dir, target)
                )
            except FileNotFoundError as exc:
                raise DocumentNotFound(f"{name!r} is not in the inbound folder") from exc
            return target

        return self._run(f"set aside {name!r}", move)

    def describe(self) -> str:
        return f"sftp://{self.username}@{self.host}:{self.port}{self.inbound_dir}"

    def connect(self) -> None:
        """Connect now rather than on first use (a start-up check, for example)."""
        self._client()

    def close(self) -> None:
        ssh, self._ssh, self._sftp = self._ssh, None, None
        if ssh is not None:
            ssh.close()

    def _run(self, what: str, operation: Callable[[paramiko.SFTPClient], T]) -> T:
        for attempt in (1, 2):
            reused = self._sftp is not None
            sftp = self._client()
            try:
                return operation(sftp)
            except TransportError:
                raise
            except paramiko.SFTPError as exc:  # the server answered something unexpected
                raise TransportError(f"{what} failed on {self}: {exc}") from exc
            except _LINK_ERRORS + (OSError,) as exc:
                link_lost = isinstance(exc, _LINK_ERRORS) or not self._link_alive()
                if not link_lost:
                    raise TransportError(f"{what} failed on {self}: {exc}") from exc
                self.close()
                # A kept connection may have died while idle: one fresh try. A fresh one that
                # fails, or a timeout (the server is slow, not gone), is for the caller to retry.
                if attempt == 2 or not reused or isinstance(exc, TimeoutError):
                    raise TransportUnavailable(f"{what} failed on {self}: {exc!r}") from exc
                logger.info("SFTP connection to %s dropped (%r); reconnecting", self, exc)
        raise AssertionError("unreachable")  # pragma: no cover

    def _link_alive(self) -> bool:
        return self._ssh is not None and self._ssh.is_active()

    def _client(self) -> paramiko.SFTPClient:
        if self._sftp is not None and self._link_alive():
            return self._sftp
        self.close()
        self._sftp = self._open()
        return self._sftp

    def _open(self) -> paramiko.SFTPClient:
        try:
            sock = socket.create_connection((self.host, self.port), timeout=self.connect_timeout)
        except OSError as exc:
            raise TransportUnavailable(f"cannot reach {self.host}:{self.port}: {exc}") from exc
        ssh = paramiko.Transport(sock)
        ssh.banner_timeout = ssh.handshake_timeout = ssh.auth_timeout = self.connect_timeout
        try:
            sftp = self._handshake(ssh)
        except BaseException:
            ssh.close()
            raise
        self._ssh = ssh
        return sftp

    def _handshake(self, ssh: paramiko.Transport) -> paramiko.SFTPClient:
        try:
            self._prefer_known_key_types(ssh)
            ssh.start_client(timeout=self.connect_timeout)
            self._known_hosts.verify(
                host=self.host, port=self.port, key=ssh.get_remote_server_key()
            )
            self._authenticate(ssh)
            sftp = paramiko.SFTPClient.from_transport(ssh)
        except paramiko.AuthenticationException as exc:
            raise TransportError(f"authentication failed for {self}: {exc}") from exc
        except (paramiko.SSHException, EOFError, OSError) as exc:
            raise TransportUnavailable(f"SSH handshake with {self} failed: {exc!r}") from exc
        if sftp is None:
            raise TransportUnavailable(f"{self} did not open an SFTP session")
        sftp.get_channel().settimeout(self.operation_timeout)
        return sftp

    def _prefer_known_key_types(self, ssh: paramiko.Transport) -> None:
        options = ssh.get_security_options()
        known = self._known_hosts.preferred_algorithms(host=self.host, port=self.port)
        preferred = [algorithm for algorithm in known if algorithm in options.key_types]
        options.key_types = preferred + [t for t in options.key_types if t not in preferred]

    def _authenticate(self, ssh: paramiko.Transport) -> None:
        if self._key is not None:
            ssh.auth_publickey(self.username, self._key)
        else:
            ssh.auth_password(self.username, self._password or "")
        if not ssh.is_authenticated():
            raise paramiko.AuthenticationException("the server asked for a further factor")
