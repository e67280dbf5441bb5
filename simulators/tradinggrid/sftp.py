"""The network's SFTP front door (asyncssh): logins, one chrooted mailbox each, folder rules."""

from __future__ import annotations

import asyncio
import hmac
import logging
import posixpath
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import asyncssh

from .mailboxes import MailboxStore
from .participants import Directory, Participant
from .switches import FaultSwitches

logger = logging.getLogger(__name__)

OUTBOUND, INBOUND = b"/outbound", b"/inbound"
_WRITE_FLAGS = asyncssh.FXF_WRITE | asyncssh.FXF_APPEND | asyncssh.FXF_CREAT | asyncssh.FXF_TRUNC


class SftpService:
    """Listens for SFTP logins; can stop and start listening to play an outage."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        host_key: asyncssh.SSHKey,
        directory: Directory,
        store: MailboxStore,
        switches: FaultSwitches,
    ) -> None:
        self.host = host
        self.port = port
        self._host_key = host_key
        self._directory = directory
        self._store = store
        self._switches = switches
        self._authorized = {p.username: _key_blobs(p) for p in directory.participants}
        self._acceptor: asyncssh.SSHAcceptor | None = None
        self._connections: set[asyncssh.SSHServerConnection] = set()
        # The supervisor and a control request may both act on a switch; one at a time.
        self._switching = asyncio.Lock()
        # Local paths that a client has open for writing, so the router does not take them.
        self.writing: Counter[str] = Counter()

    @property
    def listening(self) -> bool:
        return self._acceptor is not None

    async def start(self) -> None:
        self._acceptor = await asyncssh.listen(
            self.host,
            self.port,
            server_factory=lambda: _SshServer(service=self),
            server_host_keys=[self._host_key],
            sftp_factory=lambda chan: MailboxSftpServer(chan, service=self),
            allow_scp=False,
            allow_pty=False,
            agent_forwarding=False,
            x11_forwarding=False,
            reuse_address=True,
        )
        # With --sftp-port 0 the system picks; keep that port so a restart reuses it.
        self.port = self._acceptor.get_port()

    async def stop(self) -> None:
        """Stop listening and cut every open connection, as an outage would."""
        acceptor, self._acceptor = self._acceptor, None
        if acceptor is not None:
            acceptor.close()
            await acceptor.wait_closed()
        await self.drop_connections()

    async def drop_connections(self) -> int:
        """Cut every open SFTP connection (a network blip); return how many there were."""
        connections = list(self._connections)
        for connection in connections:
            connection.abort()
        return len(connections)

    async def follow_switches(self) -> None:
        """Start or stop listening to match `refuse_connections`."""
        async with self._switching:
            refusing = self._switches.refusing()
            if refusing and self.listening:
                logger.warning("refusing SFTP connections")
                await self.stop()
            elif not refusing and not self.listening:
                await self.start()
                logger.warning("accepting SFTP connections again on port %s", self.port)

    def is_being_written(self, path: Any) -> bool:
        return self.writing[str(path)] > 0

    def participant_for(self, username: str) -> Participant:
        return self._directory.by_username[username]

    def check_password(self, username: str, password: str) -> bool:
        participant = self._directory.by_username.get(username)
        if participant is None or not participant.password:
            return False
        return hmac.compare_digest(participant.password.encode(), password.encode())

    def check_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        return key.public_data in self._authorized.get(username, set())

    def mailbox_root(self, participant: Participant) -> str:
        return str(self._store.mailbox(participant.id))

    async def pause(self) -> None:
        if self._switches.slow_seconds:
            await asyncio.sleep(self._switches.slow_seconds)

    def track(self, connection: asyncssh.SSHServerConnection, *, open_: bool) -> None:
        if open_:
            self._connections.add(connection)
        else:
            self._connections.discard(connection)


class _SshServer(asyncssh.SSHServer):
    def __init__(self, *, service: SftpService) -> None:
        self._service = service
        self._connection: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn: asyncssh.SSHServerConnection) -> None:
        self._connection = conn
        self._service.track(conn, open_=True)

    def connection_lost(self, exc: Exception | None) -> None:
        if self._connection is not None:
            self._service.track(self._connection, open_=False)

    def begin_auth(self, username: str) -> bool:
        return True  # every login authenticates

    def password_auth_supported(self) -> bool:
        return True

    def validate_password(self, username: str, password: str) -> bool:
        return self._service.check_password(username, password)

    def public_key_auth_supported(self) -> bool:
        return True

    def validate_public_key(self, username: str, key: asyncssh.SSHKey) -> bool:
        return self._service.check_key(username, key)


class MailboxSftpServer(asyncssh.SFTPServer):
    """One participant's view: `/outbound` to write, `/inbound` to read and delete, nothing else."""

    def __init__(self, chan: asyncssh.SSHServerChannel, *, service: SftpService) -> None:
        self._service = service
        participant = service.participant_for(chan.get_extra_info("username"))
        super().__init__(chan, chroot=service.mailbox_root(participant).encode())
        self._writes: dict[int, str] = {}

    async def open(self, path: bytes, pflags: int, attrs: asyncssh.SFTPAttrs) -> object:
        await self._service.pause()
        writing = bool(pflags & _WRITE_FLAGS)
        _require(
            path, (OUTBOUND,) if writing else (OUTBOUND, INBOUND), "write" if writing else "read"
        )
        file_obj = super().open(path, pflags, attrs)
        if writing:
            local = self.map_path(path).decode()
            self._writes[id(file_obj)] = local
            self._service.writing[local] += 1
        return file_obj

    async def close(self, file_obj: object) -> None:
        await self._service.pause()
        local = self._writes.pop(id(file_obj), None)
        if local is not None:
            self._service.writing[local] -= 1
            if self._service.writing[local] <= 0:
                del self._service.writing[local]
        super().close(file_obj)

    async def read(self, file_obj: object, offset: int, size: int) -> bytes:
        await self._service.pause()
        return super().read(file_obj, offset, size)  # type: ignore[return-value]

    async def write(self, file_obj: object, offset: int, data: bytes) -> int:
        await self._service.pause()
        return super().write(file_obj, offset, data)  # type: ignore[return-value]

    async def stat(self, path: bytes) -> Any:
        await self._service.pause()
        return super().stat(path)

    async def scandir(self, path: bytes) -> AsyncIterator[asyncssh.SFTPName]:  # type: ignore[override]
        await self._service.pause()
        async for name in super().scandir(path):
            yield name

    async def remove(self, path: bytes) -> None:
        await self._service.pause()
        _require(path, (OUTBOUND, INBOUND), "delete")
        super().remove(path)

    async def rename(self, oldpath: bytes, newpath: bytes) -> None:
        await self._service.pause()
        _require(oldpath, (OUTBOUND,), "rename")
        _require(newpath, (OUTBOUND,), "rename")
        super().rename(oldpath, newpath)

    async def posix_rename(self, oldpath: bytes, newpath: bytes) -> None:
        await self._service.pause()
        if _is_set_aside(oldpath, newpath):
            # A receiver moves a document it will not take out of its listing (quarantine).
            super().posix_rename(oldpath, newpath)
            return
        _require(oldpath, (OUTBOUND,), "rename")
        _require(newpath, (OUTBOUND,), "rename")
        super().posix_rename(oldpath, newpath)

    def setstat(self, path: bytes, attrs: asyncssh.SFTPAttrs) -> None:
        _require(path, (OUTBOUND,), "change attributes")
        super().setstat(path, attrs)

    def mkdir(self, path: bytes, attrs: asyncssh.SFTPAttrs) -> None:
        raise asyncssh.SFTPPermissionDenied("mailboxes have fixed folders")

    def rmdir(self, path: bytes) -> None:
        raise asyncssh.SFTPPermissionDenied("mailboxes have fixed folders")

    def symlink(self, oldpath: bytes, newpath: bytes) -> None:
        raise asyncssh.SFTPPermissionDenied("links are not allowed in a mailbox")

    def link(self, oldpath: bytes, newpath: bytes) -> None:
        raise asyncssh.SFTPPermissionDenied("links are not allowed in a mailbox")


def _is_set_aside(oldpath: bytes, newpath: bytes) -> bool:
    """A rename within /inbound to a hidden `.quarantined-` name."""
    try:
        _require(oldpath, (INBOUND,), "rename")
        _require(newpath, (INBOUND,), "rename")
    except asyncssh.SFTPPermissionDenied:
        return False
    return posixpath.basename(newpath).startswith(b".quarantined-")


def _require(path: bytes, folders: tuple[bytes, ...], action: str) -> None:
    folder = posixpath.dirname(posixpath.normpath(posixpath.join(b"/", path)))
    if folder not in folders:
        allowed = " or ".join(f.decode() for f in folders)
        raise asyncssh.SFTPPermissionDenied(f"{action} is allowed only in {allowed}")


def _key_blobs(participant: Participant) -> set[bytes]:
    blobs = set()
    for line in participant.authorized_keys:
        for entry in line.splitlines():
            if entry.strip() and not entry.lstrip().startswith("#"):
                blobs.add(asyncssh.import_public_key(entry.strip()).public_data)
    return blobs
