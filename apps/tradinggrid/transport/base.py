"""The mailbox transport interface, its errors, and the document-name rules every transport shares."""

from __future__ import annotations

import abc
import hashlib
import json
import os
import uuid
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import IO, Any, Self

# Suffixes that other mailbox clients use while a file is still being written (ours is `.part`;
# WinSCP writes `.filepart`; many scripts use `.tmp`). Such files are never documents yet.
TEMP_SUFFIXES = (".part", ".filepart", ".tmp")
MAX_NAME_LENGTH = 200
# The network's delivery metadata beside a document, and the hidden name a refused document is
# moved to: both start with a dot, so no listing ever takes them for documents.
DELIVERY_PREFIX = ".delivery-"
SET_ASIDE_PREFIX = ".quarantined-"
MAX_DELIVERY_BYTES = 64 * 1024


class TransportError(Exception):
    """A mailbox operation failed in a way that retrying as is will not fix."""


class TransportUnavailable(TransportError):
    """The mailbox could not be reached or did not answer in time; retry later."""


class HostKeyMismatch(TransportError):
    """The server's host key is unknown or differs from the configured known_hosts entry."""


class DocumentNotFound(TransportError):
    """The named document is not in the inbound folder (taken already, or never there)."""


class DocumentTooLarge(TransportError):
    """The document grew past the size limit while it was being fetched."""


@dataclass(frozen=True, slots=True)
class RemoteDocument:
    """A complete document waiting in the inbound folder."""

    name: str
    size: int
    mtime: datetime


def is_document_name(name: str) -> bool:
    """Whether a folder entry is a complete document rather than a hidden or half-written file."""
    return bool(name) and not name.startswith(".") and not name.endswith(TEMP_SUFFIXES)


def check_document_name(name: str) -> str:
    """Return `name` if it is a plain file name a transport may write or read, else raise."""
    if (
        not isinstance(name, str)
        or not is_document_name(name)
        or len(name) > MAX_NAME_LENGTH
        or any(char in name for char in "/\\\0")
        or name in {".", ".."}
        or not name.isprintable()
    ):
        raise ValueError(f"not a valid mailbox document name: {name!r}")
    return name


def delivery_name(name: str) -> str:
    """Where the network puts what it knows of a delivered document: who sent it, as whom.

    Keyed by a hash of the name's bytes, so any name (too long, not UTF-8) has a usable one.
    """
    digest = hashlib.sha256(os.fsencode(name)).hexdigest()[:40]
    return f"{DELIVERY_PREFIX}{digest}.json"


def set_aside_name() -> str:
    return f"{SET_ASIDE_PREFIX}{uuid.uuid4().hex}"


def read_delivery(data: bytes | None) -> dict[str, Any] | None:
    """The delivery metadata as a dict, or None when there is none or it cannot be read."""
    if not data or len(data) > MAX_DELIVERY_BYTES:
        return None
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def temp_name(name: str) -> str:
    """The hidden name a document is written under before it is renamed into view."""
    return f".{name}.part"


class MailboxTransport(abc.ABC):
    """Put documents into the outbound folder and take documents from the inbound folder.

    A reader never sees a partial file: `put` writes under `temp_name()` and renames when done.
    `mark_taken` is called only after the document is stored and recorded by the caller, and is
    idempotent, so a retry after a lost answer is harmless. Instances are not thread-safe.

    `carries` is empty for a shared Trading Grid mailbox (the network's delivery metadata
    says who sent each document); a partner's own connection lists the identities it carries.
    """

    carries: tuple[str, ...] = ()

    @abc.abstractmethod
    def put(self, *, name: str, data: bytes) -> str:
        """Write a document into the outbound folder; return the path it was stored under."""

    @abc.abstractmethod
    def list_new(self) -> list[RemoteDocument]:
        """Complete documents in the inbound folder, oldest first."""

    @abc.abstractmethod
    def fetch(self, name: str) -> bytes:
        """The content of an inbound document; `DocumentNotFound` if it is not there."""

    @abc.abstractmethod
    def mark_taken(self, name: str) -> None:
        """Remove an inbound document once it is safely stored; a missing one is not an error."""

    @abc.abstractmethod
    def fetch_into(self, name: str, handle: IO[bytes], *, limit: int) -> int:
        """Stream an inbound document into `handle`; `DocumentTooLarge` past `limit` bytes."""

    @abc.abstractmethod
    def delivery(self, name: str) -> dict[str, Any] | None:
        """The network's delivery metadata for an inbound document, or None if it has none."""

    @abc.abstractmethod
    def set_aside(self, name: str) -> str:
        """Move an inbound document that will not be taken out of the listing; the new name.

        Takes the name exactly as listed: it may be one `fetch` refuses (too long, unprintable).
        """

    def describe(self) -> str:
        """Which transport and mailbox this is, for the ledger (no secrets)."""
        return repr(self)

    def close(self) -> None:
        """Release connections; the transport reconnects if used again."""
        return None  # folder transports hold nothing open

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
