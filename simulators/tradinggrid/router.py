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
from .mailboxes import MailboxStore, shown_name
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
                except Exception as exc:  # noqa: BLE001 - one file must not stop the network
                    logger.exception("could not route %r from %s", path.name, sender.id)
                    self._reject(sender, path, f"could not be routed: {type(exc).__name__}")
                routed += 1
        return routed

    def _reject(
        self, sender: Participant, path: Path, reason: str, *, format=None, size=None
    ) -> None:
        rejected_as = self._store.reject(
            path, sender_id=sender.id, reason=reason, at=datetime.now(tz=UTC)
        )
        self._log.add(
            status="rejected",
            sender=sender.id,
            file=shown_name(path.name),
            rejected_as=shown_name(rejected_as),
            reason=reason,
            format=format,
            size=size,
        )
        logger.warning("rejected %r from %s: %s", path.name, sender.id, reason)

    def _route(self, sender: Participant, path: Path) -> None:
        size = path.stat().st_size
        if shown_name(path.name) != path.name:
            # SFTP clients read names as UTF-8: such a name would break the receiver's listing.
            self._reject(sender, path, "the file name is not UTF-8", size=size)
            return
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
            self._reject(sender, path, str(exc), format=document_format(data), size=size)
            return
        # What Trading Grid knows and the document cannot fake: the mailbox it came from and
        # the identities registered on that mailbox. The receiver checks the claim against it.
        delivered_as = self._store.deliver(
            path,
            receiver.id,
            {
                "network": "tradinggrid",
                "sender_mailbox": sender.id,
                "sender_identities": [str(sender.address)],
                "document_sender": str(envelope.sender) if envelope.sender else None,
                "delivered_at": datetime.now(tz=UTC).isoformat(),
            },
        )
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
