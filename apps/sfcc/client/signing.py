"""Stripe-style HMAC signatures for pushed SFCC events: ``t=<unix>,v1=<hex>``."""

from __future__ import annotations

import hashlib
import hmac
import string
import time
from collections.abc import Sequence

SIGNATURE_HEADER = "Crossdock-Signature"
SCHEME = "v1"


class SignatureError(ValueError):
    """The push could not be authenticated; answer 400 and do not process it."""


class SignatureMissing(SignatureError):
    """No signature header at all."""


class SignatureMalformed(SignatureError):
    """The header is not ``t=<int>,v1=<hex>[,v1=<hex>...]``."""


class SignatureStale(SignatureError):
    """The timestamp is outside the tolerance window (a replay or a badly skewed clock)."""


class SignatureMismatch(SignatureError):
    """No v1 entry matches the body under any configured secret."""


def _digest(secret: str | bytes, timestamp: int, body: bytes) -> str:
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def sign(*, secret: str | bytes, body: bytes, timestamp: int) -> str:
    """The header value for ``body`` sent at ``timestamp``."""
    return f"t={timestamp},{SCHEME}={_digest(secret, timestamp, body)}"


def _parse(header: str) -> tuple[int, list[str]]:
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep or not value:
            raise SignatureMalformed(f"Bad signature element {part.strip()!r}")
        if key == "t":
            if timestamp is not None or not value.isdigit():
                raise SignatureMalformed("Signature timestamp must appear once, as an integer")
            timestamp = int(value)
        elif key == SCHEME:
            if not all(c in string.hexdigits for c in value):
                raise SignatureMalformed(f"{SCHEME} signature is not hex")
            signatures.append(value.lower())
        # Unknown schemes (v0, future v2) are ignored, as Stripe does.
    if timestamp is None:
        raise SignatureMalformed("Signature has no timestamp")
    if not signatures:
        raise SignatureMalformed(f"Signature has no {SCHEME} entry")
    return timestamp, signatures


def verify(
    *,
    secret: str | bytes | Sequence[str | bytes],
    body: bytes,
    header: str | None,
    tolerance: int = 300,
    now: float | None = None,
) -> int:
    """Check ``header`` against ``body``; return its timestamp or raise a SignatureError.

    ``secret`` may be a list so a receiver accepts the old and the new secret while rotating;
    the header may carry several v1 entries when the sender signs with both.
    """
    if not header or not header.strip():
        raise SignatureMissing(f"Missing {SIGNATURE_HEADER} header")
    timestamp, signatures = _parse(header)
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureStale(f"Signature timestamp {timestamp} is outside the {tolerance}s window")
    candidates = [secret] if isinstance(secret, str | bytes) else list(secret)
    for candidate in candidates:
        expected = _digest(candidate, timestamp, body)
        # compare_digest keeps each comparison constant-time, so no prefix of the
        # expected signature leaks through response timing.
        if any(hmac.compare_digest(expected, sig) for sig in signatures):
            return timestamp
    raise SignatureMismatch("No signature matches the payload")
