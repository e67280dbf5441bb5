"""Trading Grid mailbox transports: put documents out, take documents in (SFTP or local folders)."""

from .base import (
    DocumentNotFound,
    HostKeyMismatch,
    MailboxTransport,
    RemoteDocument,
    TransportError,
    TransportUnavailable,
)
from .config import transport_from_config
from .local import LocalFolderTransport
from .sftp import SftpTransport

__all__ = [
    "DocumentNotFound",
    "HostKeyMismatch",
    "LocalFolderTransport",
    "MailboxTransport",
    "RemoteDocument",
    "SftpTransport",
    "TransportError",
    "TransportUnavailable",
    "transport_from_config",
]
