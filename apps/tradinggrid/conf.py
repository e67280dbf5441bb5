"""Trading Grid settings, read at call time, and the mailbox transport they describe.

| setting                            | default                              | meaning |
|------------------------------------|--------------------------------------|---------|
| TRADINGGRID_ENABLED                | True                                 | mirror case events, deliver and poll |
| TRADINGGRID_TRANSPORT_URL          | sftp://crossdock@127.0.0.1:8722/     | the retailer's mailbox (sftp:// or file://) |
| TRADINGGRID_PASSWORD               | ""                                   | SFTP password (or a key, below) |
| TRADINGGRID_PRIVATE_KEY_PATH       | ""                                   | SFTP private key file |
| TRADINGGRID_KNOWN_HOSTS_PATH       | var/tradinggrid/known_hosts          | host keys the server must match |
| TRADINGGRID_QUALIFIER, _ID         | ZZ, CROSSDOCK                        | the retailer's own Trading Grid identity |
| TRADINGGRID_POLL_SECONDS           | 10                                   | how often beat polls the inbound folder |
| TRADINGGRID_ACK_DEADLINE_MINUTES   | 60                                   | a 997/CONTRL later than this raises an alert |
| TRADINGGRID_MAX_DOCUMENT_BYTES     | 64 MiB                               | larger inbound files are quarantined unread |
"""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path
from typing import Any

from django.conf import settings

from .edi import Party
from .transport import MailboxTransport, TransportUnavailable, transport_from_config

TARGET = "tradinggrid"  # the outbox target
INBOX_SOURCE = "tradinggrid"  # the inbox source
CONNECTOR = "tradinggrid"  # flows register inbound handlers under (CONNECTOR, (standard, type))
# Partner event types a collaboration document can carry from Crossdock; the per-partner
# profile picks among them.
DOCUMENT_TYPES = (
    ("case.created", "New case"),
    ("message.posted", "Replies"),
    ("case.transitioned", "Status changes"),
    ("file.attached", "Files"),
    ("document.requested", "Document requests"),
)
DOCUMENT_TYPE_NAMES = tuple(name for name, _label in DOCUMENT_TYPES)
# Files a collaboration document embeds (the schema's limit per file).
MAX_EMBEDDED_FILE_BYTES = 25 * 1024 * 1024

_local = threading.local()


def enabled() -> bool:
    return bool(getattr(settings, "TRADINGGRID_ENABLED", True))


def own_party() -> Party:
    return Party(
        qualifier=getattr(settings, "TRADINGGRID_QUALIFIER", "ZZ"),
        id=getattr(settings, "TRADINGGRID_ID", "CROSSDOCK"),
    )


def poll_seconds() -> float:
    return float(getattr(settings, "TRADINGGRID_POLL_SECONDS", 10))


def poll_batch() -> int:
    return int(getattr(settings, "TRADINGGRID_POLL_BATCH", 100))


def max_document_bytes() -> int:
    """Inbound files above this are quarantined from the listing, never fetched."""
    return int(getattr(settings, "TRADINGGRID_MAX_DOCUMENT_BYTES", 64 * 1024 * 1024))


def retry_floor_seconds() -> float:
    """The shortest wait after a mailbox outage: retries then spread over a long maintenance
    window instead of spending their attempts in its first minutes."""
    return float(getattr(settings, "TRADINGGRID_RETRY_FLOOR_SECONDS", 60))


def ack_deadline_minutes() -> int:
    return int(getattr(settings, "TRADINGGRID_ACK_DEADLINE_MINUTES", 60))


def transport_config() -> dict[str, Any]:
    config: dict[str, Any] = {
        "url": getattr(settings, "TRADINGGRID_TRANSPORT_URL", "sftp://crossdock@127.0.0.1:8722/")
    }
    if config["url"].startswith("sftp:"):
        for key, name in (
            ("password", "TRADINGGRID_PASSWORD"),
            ("private_key_path", "TRADINGGRID_PRIVATE_KEY_PATH"),
            ("known_hosts_path", "TRADINGGRID_KNOWN_HOSTS_PATH"),
        ):
            value = getattr(settings, name, "")
            if value:
                config[key] = str(value)
    config.update(getattr(settings, "TRADINGGRID_TRANSPORT_OPTIONS", {}) or {})
    return config


def transport() -> MailboxTransport:
    """This thread's transport for the configured mailbox, kept between calls.

    Kept because an SFTP handshake per document would dominate delivery time; the transport
    reconnects by itself after a dropped link. A changed configuration (tests) makes a new one.
    """
    config = transport_config()
    fingerprint = hashlib.sha256(json.dumps(config, sort_keys=True).encode()).hexdigest()
    cached = getattr(_local, "transport", None)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    if cached is not None:
        cached[1].close()
    path = config.get("known_hosts_path")
    if path and not Path(path).expanduser().exists():
        # The simulator writes the file when it first starts: until then, try again later.
        raise TransportUnavailable(f"known_hosts file {path} does not exist yet")
    made = transport_from_config(config)
    _local.transport = (fingerprint, made)
    return made


def forget_transport() -> None:
    """Close and drop this thread's transport (after an error that may have poisoned it)."""
    cached = getattr(_local, "transport", None)
    _local.transport = None
    if cached is not None:
        cached[1].close()
