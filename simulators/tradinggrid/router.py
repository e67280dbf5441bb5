"""The router: moves complete documents from a sender's outbound to the addressee's inbound."""

from __future__ import annotations

import json
import logging
import threading
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .addressing import HEAD_BYTES, JSON, Unroutable, document_format, read_envelope
from .mailboxes import MailboxStore
from .participants import Directory, Participant

logger = logging.getLogger(__name__)

LOG_ENTRIES_KEPT = 5000


class RouterLog:
    """What the router did, newest last: kept in memory and appended to `router.log` (JSON lines)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()
        self._entries: deque[dict[str, Any]] = deque(maxlen=LOG_ENTRIES_KEPT)
        if path.exists():
            for line in path.read_text().splitlines()[-LOG_ENTRIES_KEPT:]:
                self._entries.append(json.loads(line))

    def add(self, **entry: Any) -> dict[str, Any]:
        entry = {"at": datetime.now(tz=UTC).isoformat(), **entry}
        with self._lock:
            self._entries.append(entry)
            with self._path.open("a") as handle:
                handle.write(json.dumps(entry) + "\n")
        return entry

    def entries(self, *, limit: int | None = None, status: str | None = None) -> list[dict]:
        with self._lock:
            entries = [e for e in self._entries if status is None or e["status"] == status]
        return entries[-limit:] if limit else entries

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._path.write_text("")


class Router:
    def __init__(
        self,
        *,
        directory: Directory,
        store: MailboxStore,
        log: RouterLog,
        is_being_written: Callable[[Path], bool],
    ) -> None:
        self._directory = directory
        self._store = store
        self._log = log
        self._is_being_written = is_being_written

    def route_pending(self) -> int:
        """Route every complete document waiting in any outbound folder; return how many."""
        routed = 0
        for sender in self._directory.participants:
            for path in self._store.complete_files(sender.id, "outbound"):
                # A client writing straight into the final name is not done until it closes.
                if self._is_being_written(path):
                    continue
                try:
                    self._route(sender, path)
                except FileNotFoundError:
                    continue  # the sender removed it meanwhile
                routed += 1
        return routed

    def _route(self, sender: Participant, path: Path) -> None:
        size = path.stat().st_size
        with path.open("rb") as handle:
            data = handle.read(HEAD_BYTES)
            if document_format(data) == JSON:
                data += handle.read()  # JSON names its receiver anywhere in the object
        try:
            envelope = read_envelope(data)
            receiver = self._directory.find(envelope.receiver)
            if receiver is None:
                raise Unroutable(f"no mailbox on the network has the address {envelope.receiver}")
        except Unroutable as exc:
            rejected_as = self._store.reject(
                path, sender_id=sender.id, reason=str(exc), at=datetime.now(tz=UTC)
            )
            self._log.add(
                status="rejected",
                sender=sender.id,
                file=path.name,
                rejected_as=rejected_as,
                reason=str(exc),
                format=document_format(data),
                size=size,
            )
            logger.warning("rejected %s from %s: %s", path.name, sender.id, exc)
            return
        delivered_as = self._store.deliver(path, receiver.id)
        self._log.add(
            status="delivered",
            sender=sender.id,
            receiver=receiver.id,
            file=path.name,
            delivered_as=delivered_as,
            format=envelope.format,
            reference=envelope.reference,
            document_sender=str(envelope.sender) if envelope.sender else None,
            document_receiver=str(envelope.receiver),
            size=size,
        )
        logger.info("routed %s: %s -> %s", path.name, sender.id, receiver.id)
