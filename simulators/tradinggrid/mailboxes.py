"""The network's storage: one folder per mailbox with inbound and outbound, and a rejected folder."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

FOLDERS = ("inbound", "outbound")
# Names a writer uses while a file is incomplete; the router and bots leave these alone.
_TEMP_SUFFIXES = (".part", ".filepart", ".tmp")
_SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@+=-]{0,199}$")


def is_complete(name: str) -> bool:
    return not name.startswith(".") and not name.endswith(_TEMP_SUFFIXES)


def check_name(name: str) -> str:
    if not _SAFE_NAME.match(name) or not is_complete(name):
        raise ValueError(f"not a usable document name: {name!r}")
    return name


class MailboxStore:
    def __init__(self, root: Path, participant_ids: list[str]) -> None:
        self.root = root
        self.rejected_dir = root / "rejected"
        self._ids = participant_ids
        for participant_id in participant_ids:
            for folder in FOLDERS:
                self.folder(participant_id, folder).mkdir(parents=True, exist_ok=True)
        self.rejected_dir.mkdir(parents=True, exist_ok=True)

    def mailbox(self, participant_id: str) -> Path:
        return self.root / "mailboxes" / participant_id

    def folder(self, participant_id: str, folder: str) -> Path:
        if folder not in FOLDERS:
            raise ValueError(f"no folder {folder!r}; mailboxes have {', '.join(FOLDERS)}")
        return self.mailbox(participant_id) / folder

    def complete_files(self, participant_id: str, folder: str) -> list[Path]:
        """Documents ready to be taken, oldest first."""
        entries = []
        with os.scandir(self.folder(participant_id, folder)) as scan:
            for entry in scan:
                if is_complete(entry.name) and entry.is_file(follow_symlinks=False):
                    try:
                        entries.append((entry.stat().st_mtime_ns, entry.name, Path(entry.path)))
                    except FileNotFoundError:
                        continue
        return [path for *_, path in sorted(entries)]

    def write(self, participant_id: str, folder: str, name: str, data: bytes) -> Path:
        """Write a document as a well-behaved client does: a hidden temp file, then a rename."""
        target_dir = self.folder(participant_id, folder)
        final = target_dir / _free_name(target_dir, check_name(name))
        temp = target_dir / f".{final.name}.part"
        temp.write_bytes(data)
        os.replace(temp, final)
        return final

    def deliver(
        self, source: Path, participant_id: str, metadata: dict[str, Any] | None = None
    ) -> str:
        """Move a routed document into an inbound folder; a clashing name gets a number.

        The network's delivery metadata (who really sent it) goes in first, beside it, so a
        receiver never sees the document without it.
        """
        inbound = self.folder(participant_id, "inbound")
        name = _free_name(inbound, source.name)
        if metadata is not None:
            meta = inbound / delivery_name(name)
            temp = inbound / f"{meta.name}.part"
            temp.write_text(json.dumps(metadata))
            os.replace(temp, meta)
        os.replace(source, inbound / name)
        return name

    def reject(self, source: Path, *, sender_id: str, reason: str, at: datetime) -> str:
        name = _free_name(self.rejected_dir, f"{at:%Y%m%dT%H%M%S}-{sender_id}-{source.name}")
        os.replace(source, self.rejected_dir / name)
        (self.rejected_dir / f"{name}.reason.txt").write_text(reason + "\n")
        return name

    def listing(self, participant_id: str) -> dict[str, list[dict[str, Any]]]:
        """Every file in the mailbox, hidden temp files included (marked), for the control API."""
        return {folder: _files(self.folder(participant_id, folder)) for folder in FOLDERS}

    def rejected(self) -> list[dict[str, Any]]:
        return [
            entry
            for entry in _files(self.rejected_dir)
            if not entry["name"].endswith(".reason.txt")
        ]

    def clear(self) -> None:
        for participant_id in self._ids:
            for folder in FOLDERS:
                _empty(self.folder(participant_id, folder))
        _empty(self.rejected_dir)


def delivery_name(name: str) -> str:
    """The hidden file beside a delivered document that says who sent it (by the name's bytes)."""
    return f".delivery-{hashlib.sha256(os.fsencode(name)).hexdigest()[:40]}.json"


def shown_name(name: str) -> str:
    """A file name as JSON can carry it: a name that is not UTF-8 is shown with escapes."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", "backslashreplace")
    return name


def _free_name(folder: Path, name: str) -> str:
    if not (folder / name).exists():
        return name
    stem, dot, suffix = name.partition(".")
    for number in range(2, 10_000):
        candidate = f"{stem}-{number}{dot}{suffix}"
        if not (folder / candidate).exists():
            return candidate
    raise FileExistsError(f"too many documents named like {name} in {folder}")


def _files(folder: Path) -> list[dict[str, Any]]:
    files = []
    for path in sorted(folder.iterdir()):
        try:
            info = path.stat()
        except FileNotFoundError:
            continue
        files.append(
            {
                "name": shown_name(path.name),
                "size": info.st_size,
                "mtime": datetime.fromtimestamp(info.st_mtime, tz=UTC).isoformat(),
                "complete": is_complete(path.name),
            }
        )
    return files


def _empty(folder: Path) -> None:
    for path in folder.iterdir():
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)
