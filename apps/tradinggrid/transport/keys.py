"""SSH key material for the SFTP transport: the client's private key and the trusted host keys."""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass
from pathlib import Path

import paramiko
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from .base import HostKeyMismatch

# paramiko names an RSA host key "ssh-rsa" whatever signature it uses; OpenSSH servers refuse
# the SHA-1 "ssh-rsa" signature, so ask for the SHA-2 variants first.
_ALGORITHMS_FOR_KEY_TYPE = {"ssh-rsa": ("rsa-sha2-512", "rsa-sha2-256", "ssh-rsa")}


def load_private_key(
    *, pem: str | None = None, path: str | Path | None = None, passphrase: str | None = None
) -> paramiko.PKey:
    """A client key from PEM text or a file, in OpenSSH or traditional PEM format."""
    if (pem is None) == (path is None):
        raise ValueError("give exactly one of a private key PEM string or a private key path")
    text = pem if pem is not None else Path(path).expanduser().read_text()  # type: ignore[arg-type]
    secret = passphrase.encode() if passphrase else None
    try:
        try:
            loaded = serialization.load_ssh_private_key(text.encode(), password=secret)
        except ValueError:
            loaded = serialization.load_pem_private_key(text.encode(), password=secret)
    except (ValueError, TypeError) as exc:
        raise ValueError(f"could not read the SFTP private key: {exc}") from exc
    if isinstance(loaded, ed25519.Ed25519PrivateKey):
        key_class: type[paramiko.PKey] = paramiko.Ed25519Key
    elif isinstance(loaded, rsa.RSAPrivateKey):
        key_class = paramiko.RSAKey
    elif isinstance(loaded, ec.EllipticCurvePrivateKey):
        key_class = paramiko.ECDSAKey
    else:
        raise ValueError(f"unsupported SFTP private key type {type(loaded).__name__}")
    try:
        return key_class.from_private_key(io.StringIO(text), password=passphrase)
    except paramiko.SSHException as exc:
        raise ValueError(f"could not read the SFTP private key: {exc}") from exc


@dataclass(frozen=True)
class _Entry:
    patterns: tuple[str, ...]  # empty: the line named no host and applies to the configured one
    key: paramiko.PKey


class KnownHosts:
    """Host keys we trust, from known_hosts lines (`[127.0.0.1]:2222 ssh-ed25519 AAAA...`).

    A line may also be a bare public key (`ssh-ed25519 AAAA...`), trusted for whichever host
    the transport is configured to reach. Hashed host names (`|1|...`) are understood.
    """

    def __init__(self, text: str) -> None:
        self._entries = [_parse_line(line) for line in _meaningful_lines(text)]
        if not self._entries:
            raise ValueError("known_hosts has no host key; refusing to trust an unknown server")

    def preferred_algorithms(self, *, host: str, port: int) -> list[str]:
        """Host key algorithms to offer first so the server shows the key type we know."""
        algorithms: list[str] = []
        for key in self._keys_for(host=host, port=port):
            for algorithm in _ALGORITHMS_FOR_KEY_TYPE.get(key.get_name(), (key.get_name(),)):
                if algorithm not in algorithms:
                    algorithms.append(algorithm)
        return algorithms

    def verify(self, *, host: str, port: int, key: paramiko.PKey) -> None:
        """Raise `HostKeyMismatch` unless `key` is a trusted key for this host and port."""
        expected = self._keys_for(host=host, port=port)
        if not expected:
            raise HostKeyMismatch(
                f"no known_hosts entry for {_host_name(host, port)}; the server presented "
                f"{key.get_name()} {key.fingerprint}. Add its line to known_hosts after checking it."
            )
        if not any(_same_key(key, trusted) for trusted in expected):
            trusted = ", ".join(f"{k.get_name()} {k.fingerprint}" for k in expected)
            raise HostKeyMismatch(
                f"host key mismatch for {_host_name(host, port)}: the server presented "
                f"{key.get_name()} {key.fingerprint}, known_hosts trusts {trusted}"
            )

    def _keys_for(self, *, host: str, port: int) -> list[paramiko.PKey]:
        name = _host_name(host, port)
        return [
            entry.key
            for entry in self._entries
            if not entry.patterns or any(_matches(pattern, name) for pattern in entry.patterns)
        ]


def _meaningful_lines(text: str) -> list[str]:
    return [
        line.strip()
        for line in text.splitlines()
        if line.strip() and not line.strip().startswith("#")
    ]


def _parse_line(line: str) -> _Entry:
    if line.startswith("@"):
        # @cert-authority and @revoked change what a line means; half-supporting them is unsafe.
        raise ValueError(f"known_hosts markers are not supported: {line[:40]!r}")
    fields = line.split()
    if len(fields) >= 2 and _is_key_type(fields[0]):
        patterns, key_type, blob = (), fields[0], fields[1]
    elif len(fields) >= 3:
        patterns, key_type, blob = tuple(fields[0].split(",")), fields[1], fields[2]
    else:
        raise ValueError(f"unreadable known_hosts line: {line[:60]!r}")
    try:
        key = paramiko.PKey.from_type_string(key_type, _b64decode(blob))
    except (paramiko.SSHException, ValueError) as exc:
        raise ValueError(f"unreadable known_hosts key {key_type}: {exc}") from exc
    return _Entry(patterns=patterns, key=key)


def _is_key_type(field: str) -> bool:
    return field.startswith(("ssh-", "ecdsa-sha2-", "sk-"))


def _b64decode(blob: str) -> bytes:
    try:
        return base64.b64decode(blob, validate=True)
    except binascii.Error as exc:
        raise ValueError("the key is not valid base64") from exc


def _host_name(host: str, port: int) -> str:
    # The names OpenSSH writes into known_hosts: a bare host on port 22, else [host]:port.
    return host if port == 22 else f"[{host}]:{port}"


def _matches(pattern: str, name: str) -> bool:
    if pattern.startswith("|1|"):
        return paramiko.HostKeys.hash_host(name, pattern) == pattern
    return pattern == name


def _same_key(presented: paramiko.PKey, trusted: paramiko.PKey) -> bool:
    return presented.get_name() == trusted.get_name() and presented.asbytes() == trusted.asbytes()
