"""Pure-Python SFCC client (SCAPI Orders Admin, OCAPI notes, AM tokens); imports no Django."""

from apps.sfcc.client.auth import InMemoryTokenStore, TokenProvider, TokenStore, am_scopes
from apps.sfcc.client.config import SfccConfig
from apps.sfcc.client.errors import (
    SfccAuthError,
    SfccBadRequest,
    SfccConflict,
    SfccConnectionError,
    SfccError,
    SfccNotFound,
    SfccRetryable,
    parse_retry_after,
)
from apps.sfcc.client.orders import OrdersClient, WriteResult
from apps.sfcc.client.signing import (
    SIGNATURE_HEADER,
    SignatureError,
    SignatureMalformed,
    SignatureMismatch,
    SignatureMissing,
    SignatureStale,
    sign,
    verify,
)
from apps.sfcc.client.timestamps import format_sfcc_datetime, parse_sfcc_datetime

__all__ = [
    "SIGNATURE_HEADER",
    "InMemoryTokenStore",
    "OrdersClient",
    "SfccAuthError",
    "SfccBadRequest",
    "SfccConfig",
    "SfccConflict",
    "SfccConnectionError",
    "SfccError",
    "SfccNotFound",
    "SfccRetryable",
    "SignatureError",
    "SignatureMalformed",
    "SignatureMismatch",
    "SignatureMissing",
    "SignatureStale",
    "TokenProvider",
    "TokenStore",
    "WriteResult",
    "am_scopes",
    "format_sfcc_datetime",
    "parse_sfcc_datetime",
    "parse_retry_after",
    "sign",
    "verify",
]
