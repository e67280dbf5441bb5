"""The customer's e-mail as the mirror keeps it: a keyed hash, never the address itself.

Agents find an order by the customer's e-mail; the mirror matches the hash of what they type
with the hash computed when the order came in. HMAC-SHA256 keyed from SECRET_KEY (with a
fixed salt), not a plain hash: without the key, a leaked column cannot be matched against a
list of known addresses. Rotating SECRET_KEY without SECRET_KEY_FALLBACKS orphans the stored
hashes until the orders are applied again.
"""

from django.utils.crypto import salted_hmac

SALT = "crossdock.orders.customer-email"


def normalize_email(email: str) -> str:
    return str(email or "").strip().lower()


def email_hash(email: str) -> str:
    """64 hex characters for an e-mail, "" for none; the same for any case or surrounding space."""
    normalized = normalize_email(email)
    if not normalized:
        return ""
    return salted_hmac(SALT, normalized, algorithm="sha256").hexdigest()
