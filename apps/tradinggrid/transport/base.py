"""The mailbox transport interface, its errors, and the document-name rules every transport shares."""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime
from types import TracebackType
from typing import Self

# Suffixes that other mailbox clients use while a file is still being written (ours is `.part`;
# WinSCP writes `.filepart`; many scripts use `.tmp`). Such files are never documents yet.
TEMP_SUFFIXES = (".part", ".filepart", ".tmp")
MAX_NAME_LENGTH = 200


class TransportError(Exception):
    """A mailbox operation failed in a way that retrying as is will not fix."""


class TransportUnavailable(TransportError):
    """The mailbox could not be reached or did not answer in time; retry later."""


class HostKeyMismatch(TransportError):
    """The server's host key is unknown or differs from the configured known_hosts entry."""


class DocumentNotFound(TransportError):
    """The named document is not in the inbound folder (taken already, or never there)."""


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


def temp_name(name: str) -> str:
    """The hidden name a document is written under before it is renamed into view."""
    return f".{name}.part"


class MailboxTransport(abc.ABC):
    """Put documents into the outbound folder and take documents from the inbound folder.

    A reader never sees a partial file: `put` writes under `temp_name()` and renames when done.
    `mark_taken` is called only after the document is stored and recorded by the caller, and is
    idempotent, so a retry after a lost answer is harmless. Instances are not thread-safe.
    """

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
