"""Control number sequences per sender, receiver and kind: the protocol and two implementations."""

from __future__ import annotations

import fcntl
import hashlib
import os
import threading
from pathlib import Path
from typing import Literal, Protocol, runtime_checkable

ControlNumberKind = Literal["interchange", "group", "transaction"]
CONTROL_NUMBER_KINDS: tuple[str, ...] = ("interchange", "group", "transaction")
# ISA13, GS06 and ST02 (and UNB05/UNH01 as we write them) hold at most nine digits.
MAX_CONTROL_NUMBER = 999_999_999


@runtime_checkable
class ControlNumberSource(Protocol):
    """Hands out the next control number of one sequence, never the same one twice.

    ``sender`` and ``receiver`` are party keys (``Party.key``: "qualifier:id"); X12,
    EDIFACT and collab documents to one partner draw from the same sequences, so GS06 and
    ST02 identify a document to that partner whatever its format. After 999,999,999 a
    sequence starts again at 1, as X12 allows.
    """

    def next(self, *, sender: str, receiver: str, kind: ControlNumberKind) -> int: ...


class MemoryControlNumberSource:
    """Sequences in memory, for tests and previews (``manage.py edi ack``)."""

    def __init__(self, *, start: int = 1) -> None:
        self._start = start
        self._last: dict[tuple[str, str, str], int] = {}
        self._lock = threading.Lock()

    def next(self, *, sender: str, receiver: str, kind: ControlNumberKind) -> int:
        _check_kind(kind)
        key = (sender, receiver, kind)
        with self._lock:
            value = _advance(self._last.get(key, self._start - 1))
            self._last[key] = value
            return value


class FileControlNumberSource:
    """Sequences in counter files under ``directory``, safe across processes.

    Each sequence is one small file holding the last number issued. ``fcntl.flock`` makes
    read-increment-write atomic between processes on this host (it does not hold across
    NFS: use the database sequence there). The new value is fsynced before it is returned,
    so a crash never hands the same number out twice.
    """

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)
        self.directory.mkdir(parents=True, exist_ok=True)

    def path_for(self, *, sender: str, receiver: str, kind: ControlNumberKind) -> Path:
        _check_kind(kind)
        # Hashed because ids may hold characters that are not safe in file names.
        digest = hashlib.sha256(f"{sender}\x00{receiver}".encode()).hexdigest()[:24]
        return self.directory / f"{kind}-{digest}.seq"

    def next(self, *, sender: str, receiver: str, kind: ControlNumberKind) -> int:
        path = self.path_for(sender=sender, receiver=receiver, kind=kind)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o640)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            raw = os.pread(fd, 32, 0).strip()
            last = int(raw) if raw else 0
            value = _advance(last)
            data = f"{value}\n".encode()
            os.ftruncate(fd, 0)
            os.pwrite(fd, data, 0)
            os.fsync(fd)
            return value
        finally:
            # Closing the descriptor releases the lock.
            os.close(fd)


def _advance(last: int) -> int:
    return 1 if last >= MAX_CONTROL_NUMBER else last + 1


def _check_kind(kind: str) -> None:
    if kind not in CONTROL_NUMBER_KINDS:
        raise ValueError(f"control number kind {kind!r} is not one of {CONTROL_NUMBER_KINDS}")
