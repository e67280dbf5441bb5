"""Build a mailbox transport from settings: an `sftp://` or `file://` URL plus credentials."""

from __future__ import annotations

import posixpath
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .base import MailboxTransport
from .local import LocalFolderTransport
from .sftp import SftpTransport

# carries: a partner's own connection names the identities ("ZZ:SUP001") it may carry.
_COMMON_KEYS = {"url", "outbound_dir", "inbound_dir", "carries"}
_LOCAL_KEYS = _COMMON_KEYS | {"create_dirs"}
_SFTP_KEYS = _COMMON_KEYS | {
    "username",
    "password",
    "private_key",
    "private_key_path",
    "private_key_passphrase",
    "known_hosts",
    "known_hosts_path",
    "connect_timeout",
    "operation_timeout",
}


def transport_from_config(config: Mapping[str, Any]) -> MailboxTransport:
    """A transport for `config`, e.g. from Django settings.

    `{"url": "sftp://crossdock@127.0.0.1:8722/", "private_key_path": "...",
    "known_hosts_path": "var/tradinggrid/known_hosts"}` or `{"url": "file:///srv/tg"}`.
    Folders default to `outbound` and `inbound` under the URL's path; relative
    `outbound_dir`/`inbound_dir` values are taken under it too, absolute ones as they are.
    """
    transport = _transport(config)
    transport.carries = tuple(str(identity) for identity in config.get("carries") or ())
    return transport


def _transport(config: Mapping[str, Any]) -> MailboxTransport:
    url = config.get("url")
    if not url:
        raise ValueError("mailbox transport config needs a 'url' (sftp://... or file://...)")
    parts = urlsplit(url)
    if parts.scheme == "file":
        _reject_unknown_keys(config, _LOCAL_KEYS)
        root = Path(unquote(parts.path))
        return LocalFolderTransport(
            outbound_dir=root / config.get("outbound_dir", "outbound"),
            inbound_dir=root / config.get("inbound_dir", "inbound"),
            create_dirs=bool(config.get("create_dirs", False)),
        )
    if parts.scheme == "sftp":
        _reject_unknown_keys(config, _SFTP_KEYS)
        return _sftp_transport(parts, config)
    raise ValueError(f"unsupported mailbox URL scheme {parts.scheme!r} in {url!r}")


def _sftp_transport(parts: Any, config: Mapping[str, Any]) -> SftpTransport:
    if not parts.hostname:
        raise ValueError("the sftp:// URL needs a host")
    username = config.get("username") or unquote(parts.username or "")
    if not username:
        raise ValueError("the SFTP mailbox needs a username (in the URL or as 'username')")
    base = unquote(parts.path) or "/"
    return SftpTransport(
        host=parts.hostname,
        port=parts.port or 22,
        username=username,
        password=config.get("password") or (unquote(parts.password) if parts.password else None),
        private_key=config.get("private_key") or None,
        private_key_path=config.get("private_key_path") or None,
        private_key_passphrase=config.get("private_key_passphrase") or None,
        known_hosts=_known_hosts(config),
        outbound_dir=posixpath.join(base, config.get("outbound_dir", "outbound")),
        inbound_dir=posixpath.join(base, config.get("inbound_dir", "inbound")),
        connect_timeout=float(config.get("connect_timeout", 10.0)),
        operation_timeout=float(config.get("operation_timeout", 30.0)),
    )


def _known_hosts(config: Mapping[str, Any]) -> str:
    if config.get("known_hosts"):
        return str(config["known_hosts"])
    if config.get("known_hosts_path"):
        return Path(config["known_hosts_path"]).expanduser().read_text()
    raise ValueError(
        "the SFTP mailbox needs 'known_hosts' (a known_hosts line) or 'known_hosts_path'; "
        "unknown host keys are never trusted"
    )


def _reject_unknown_keys(config: Mapping[str, Any], allowed: set[str]) -> None:
    # A misspelt setting would otherwise fall back to a default without anyone noticing.
    unknown = sorted(set(config) - allowed)
    if unknown:
        raise ValueError(f"unknown mailbox transport settings: {', '.join(unknown)}")
