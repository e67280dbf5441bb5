"""A mailbox in two local folders, for single-machine setups and folder-syncing mailbox agents."""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

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

CHUNK = 1024 * 1024


class LocalFolderTransport(MailboxTransport):
    """Outbound and inbound are directories on this machine (possibly a mounted share)."""

    def __init__(
        self, *, outbound_dir: str | Path, inbound_dir: str | Path, create_dirs: bool = False
    ) -> None:
        self.outbound_dir = Path(outbound_dir)
        self.inbound_dir = Path(inbound_dir)
        if create_dirs:
            self.outbound_dir.mkdir(parents=True, exist_ok=True)
            self.inbound_dir.mkdir(parents=True, exist_ok=True)

    def put(self, *, name: str, data: bytes) -> str:
        final = self._folder(self.outbound_dir) / check_document_name(name)
        temp = final.with_name(temp_name(name))
        try:
            with temp.open("wb") as handle:
                handle.write(data)
                handle.flush()
                # Durable before visible: the other side may take the file the moment it appears.
                os.fsync(handle.fileno())
            os.replace(temp, final)
        except OSError as exc:
            temp.unlink(missing_ok=True)
            raise TransportError(f"could not write {final}: {exc}") from exc
        return str(final)

    def list_new(self) -> list[RemoteDocument]:
        folder = self._folder(self.inbound_dir)
        documents = []
        try:
            with os.scandir(folder) as entries:
                for entry in entries:
                    if not is_document_name(entry.name):
                        continue
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except FileNotFoundError:
                        continue  # taken by someone else between listing and stat
                    if stat.S_ISREG(info.st_mode):
                        documents.append(_remote_document(entry.name, info))
        except OSError as exc:
            raise TransportError(f"could not list {folder}: {exc}") from exc
        return sorted(documents, key=lambda document: (document.mtime, document.name))

    def fetch(self, name: str) -> bytes:
        path = self._folder(self.inbound_dir) / check_document_name(name)
        try:
            return path.read_bytes()
        except FileNotFoundError as exc:
            raise DocumentNotFound(f"{path} is not in the inbound folder") from exc
        except OSError as exc:
            raise TransportError(f"could not read {path}: {exc}") from exc

    def mark_taken(self, name: str) -> None:
        folder = self._folder(self.inbound_dir)
        path = folder / check_document_name(name)
        try:
            path.unlink(missing_ok=True)
            (folder / delivery_name(name)).unlink(missing_ok=True)
        except OSError as exc:
            raise TransportError(f"could not remove {path}: {exc}") from exc

    def fetch_into(self, name: str, handle: IO[bytes], *, limit: int) -> int:
        path = self._folder(self.inbound_dir) / check_document_name(name)
        total = 0
        try:
            with path.open("rb") as source:
                while chunk := source.read(CHUNK):
                    total += len(chunk)
                    if total > limit:
                        raise DocumentTooLarge(f"{path} is larger than {limit} bytes")
                    handle.write(chunk)
        except FileNotFoundError as exc:
            raise DocumentNotFound(f"{path} is not in the inbound folder") from exc
        except OSError as exc:
            raise TransportError(f"could not read {path}: {exc}") from exc
        return total

    def delivery(self, name: str) -> dict[str, Any] | None:
        path = self._folder(self.inbound_dir) / delivery_name(name)
        try:
            with path.open("rb") as handle:
                return read_delivery(handle.read(MAX_DELIVERY_BYTES + 1))
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise TransportError(f"could not read {path}: {exc}") from exc

    def set_aside(self, name: str) -> str:
        folder = self._folder(self.inbound_dir)
        if not name or "/" in name or "\0" in name or name in {".", ".."}:
            raise ValueError(f"not a folder entry: {name!r}")
        target = set_aside_name()
        try:
            os.replace(folder / name, folder / target)
            meta = folder / delivery_name(name)
            if meta.exists():
                os.replace(meta, folder / f"{target}.delivery.json")
        except FileNotFoundError as exc:
            raise DocumentNotFound(f"{name!r} is not in the inbound folder") from exc
        except OSError as exc:
            raise TransportError(f"could not set {name!r} aside: {exc}") from exc
        return target

    def describe(self) -> str:
        return f"file://{self.inbound_dir}"

    def _folder(self, folder: Path) -> Path:
        # A missing folder is usually an unmounted share: worth retrying, unlike a bad name.
        if not folder.is_dir():
            raise TransportUnavailable(f"mailbox folder {folder} does not exist")
        return folder


def _remote_document(name: str, info: os.stat_result) -> RemoteDocument:
    return RemoteDocument(
        name=name, size=info.st_size, mtime=datetime.fromtimestamp(info.st_mtime, tz=UTC)
    )
