"""The simulated network in one place: storage, SFTP, router, partner bots and their timers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any, TypeVar

import asyncssh

from .bots import ControlNumbers, PartnerBot
from .mailboxes import MailboxStore
from .participants import Directory, Participant
from .router import Router, RouterLog
from .sftp import SftpService
from .switches import FaultSwitches

logger = logging.getLogger(__name__)

T = TypeVar("T")
# How often a timed `refuse_connections` is checked for expiry.
SUPERVISE_SECONDS = 0.1


class Network:
    def __init__(
        self,
        *,
        data_dir: Path,
        host: str,
        sftp_port: int,
        directory: Directory,
        reply_delay_ms: int,
        poll_seconds: float,
        bots: bool = True,
    ) -> None:
        # Resolved, because the SFTP server reports real paths to say what is being written.
        self.data_dir = data_dir.resolve()
        self.directory = directory
        self.store = MailboxStore(self.data_dir, [p.id for p in directory.participants])
        self.switches = FaultSwitches(reply_delay_ms=reply_delay_ms)
        self.log = RouterLog(self.data_dir / "router.log")
        host_key = _host_key(self.data_dir / "host_key")
        self._host_public_key = host_key.export_public_key().decode()
        self.sftp = SftpService(
            host=host,
            port=sftp_port,
            host_key=host_key,
            directory=directory,
            store=self.store,
            switches=self.switches,
        )
        self.router = Router(
            directory=directory,
            store=self.store,
            log=self.log,
            is_being_written=self.sftp.is_being_written,
        )
        numbers = ControlNumbers(self.data_dir / "control-numbers.json")
        self.bots = [
            PartnerBot(
                participant=participant,
                directory=directory,
                store=self.store,
                switches=self.switches,
                numbers=numbers,
                log=self.log,
                schedule=self.schedule,
            )
            for participant in directory.participants
            if bots and participant.bot and not participant.is_retailer
        ]
        self._poll_seconds = poll_seconds
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._timers: set[asyncio.TimerHandle] = set()

    @property
    def known_hosts_line(self) -> str:
        key_type, blob = self._host_public_key.split()[:2]
        host = self.sftp.host if self.sftp.port == 22 else f"[{self.sftp.host}]:{self.sftp.port}"
        return f"{host} {key_type} {blob}"

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        await self.sftp.start()
        (self.data_dir / "known_hosts").write_text(self.known_hosts_line + "\n")
        self._tasks = [
            asyncio.create_task(self._every(self._poll_seconds, self.router.route_pending)),
            asyncio.create_task(self._every(SUPERVISE_SECONDS, self.sftp.follow_switches)),
            *(
                asyncio.create_task(self._every(self._poll_seconds, bot.take_inbound))
                for bot in self.bots
            ),
        ]

    async def stop(self) -> None:
        self._cancel_timers()
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.sftp.stop()

    def schedule(self, delay: float, callback: Callable[[], None]) -> None:
        """Run `callback` on the loop after `delay` seconds, unless a reset comes first."""
        assert self._loop is not None

        def fire() -> None:
            self._timers.discard(handle)
            try:
                callback()
            except Exception:
                logger.exception("scheduled bot reply failed")

        handle = self._loop.call_later(delay, fire)
        self._timers.add(handle)

    # Called from the control thread: each runs on the loop, between router and bot passes.

    def update_switches(self, changes: dict[str, Any]) -> dict[str, Any]:
        self.switches.update(changes)
        self._on_loop(self.sftp.follow_switches)
        return self.switches.snapshot()

    def reset(self, *, mailboxes: bool) -> dict[str, Any]:
        async def reset() -> None:
            self.switches.reset()
            self._cancel_timers()
            if mailboxes:
                self.store.clear()
                self.log.clear()
            await self.sftp.follow_switches()

        self._on_loop(reset)
        return self.switches.snapshot()

    def drop_connections(self) -> int:
        return self._on_loop(self.sftp.drop_connections)

    def status(self) -> dict[str, Any]:
        return {
            "sftp": {
                "host": self.sftp.host,
                "port": self.sftp.port,
                "listening": self.sftp.listening,
                "known_hosts": self.known_hosts_line,
            },
            "data_dir": str(self.data_dir),
            "participants": len(self.directory.participants),
            "bots": [bot.participant.id for bot in self.bots],
            "pending_replies": len(self._timers),
            "switches": self.switches.snapshot(),
        }

    def mailbox_view(self, participant: Participant) -> dict[str, Any]:
        return {
            "id": participant.id,
            "address": str(participant.address),
            **self.store.listing(participant.id),
        }

    def _on_loop(self, coroutine: Callable[[], Coroutine[Any, Any, T]]) -> T:
        assert self._loop is not None
        return asyncio.run_coroutine_threadsafe(coroutine(), self._loop).result(timeout=30)

    def _cancel_timers(self) -> None:
        for handle in self._timers:
            handle.cancel()
        self._timers.clear()

    @staticmethod
    async def _every(seconds: float, step: Callable[[], Any]) -> None:
        failing = False
        while True:
            try:
                result = step()
                if asyncio.iscoroutine(result):
                    await result
                failing = False
            except Exception:
                # Once per failure spell, not every poll: a broken data dir would flood the log.
                if not failing:
                    logger.exception(
                        "%s failed; retrying quietly", getattr(step, "__qualname__", step)
                    )
                failing = True
            await asyncio.sleep(seconds)


def _host_key(path: Path) -> asyncssh.SSHKey:
    """The network's host key, made once and kept so that known_hosts stays valid."""
    if path.exists():
        return asyncssh.read_private_key(path)
    key = asyncssh.generate_private_key("ssh-ed25519")
    key.write_private_key(path)
    path.chmod(0o600)
    return key
