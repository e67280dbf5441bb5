"""Idempotency-Key on API writes: a retried request does its work once and gets the first answer.

The design, in the order a request meets it:

1. The body is parsed and fingerprinted (method, path, canonical body; uploaded files by
   name, size and SHA-256), so a 413 or 415 is answered before any key is claimed.
2. The key is claimed by inserting a row, committed on its own. The unique constraint on
   (caller, key) is the lock: a concurrent duplicate fails the insert and never starts the
   work; it is told 409 "in progress" and retries.
3. The work and the stored answer commit in one transaction, so a stored answer always
   means the work happened, and work that rolled back never leaves an answer behind.
4. A later request with the key replays the stored status and body (with
   `Idempotent-Replayed: true`); the same key with another body is 422.

Every answer below 500 is stored (a 409 for an illegal transition is the first answer
too); a 5xx or an unexpected exception releases the key so the retry runs again. A claim
whose request died without answering is taken over after `LEASE`. Records live 24 hours
(`apps.core.tasks.purge_idempotency_records`).
"""

import functools
import hashlib
import json
import re
from datetime import timedelta

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from drf_spectacular.utils import OpenApiParameter
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from apps.core.models import IDEMPOTENCY_TTL, IdempotencyRecord
from apps.partners.models import ApiKeyActor

from ..uploads import checksum

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Visible ASCII, as the IETF draft and Stripe allow; UUIDs are what we suggest.
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")
# Longer than any request may run: a claim this old belongs to a request that died.
LEASE = timedelta(minutes=10)

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=str,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "A unique value per logical request (a UUID). A retry with the same key and body does "
        "the work once and returns the first answer with `Idempotent-Replayed: true`; the same "
        "key with another body is refused with 422; a retry while the first is still running "
        "gets 409 `idempotency_in_progress`. Keys are per caller and kept for 24 hours."
    ),
)


class InvalidIdempotencyKey(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST
    default_detail = "The Idempotency-Key must be 1 to 255 visible ASCII characters."
    default_code = "invalid_idempotency_key"


class IdempotencyKeyReused(exceptions.APIException):
    status_code = status.HTTP_422_UNPROCESSABLE_ENTITY
    default_detail = (
        "This Idempotency-Key was used for a different request (another endpoint or body). "
        "Use a new key for a new request."
    )
    default_code = "idempotency_key_reused"


class IdempotencyInProgress(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "A request with this Idempotency-Key is still in progress. Retry shortly."
    default_code = "idempotency_in_progress"


def caller_of(actor) -> str:
    """Keys are scoped per API key or per user, so two callers' keys never collide."""
    if isinstance(actor, ApiKeyActor):
        return f"apikey:{actor.api_key.pk}"
    return f"user:{actor.pk}"


def _canonical(value):
    if isinstance(value, UploadedFile):
        digest, size = checksum(value)
        return {"file": value.name, "size": size, "sha256": digest}
    if isinstance(value, MultiValueDict):
        return {k: [_canonical(v) for v in value.getlist(k)] for k in sorted(value)}
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    return value


def fingerprint(request) -> str:
    body = json.dumps(_canonical(request.data), sort_keys=True, default=str, separators=(",", ":"))
    digest = hashlib.sha256()
    for part in (request.method, request.get_full_path(), body):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _claim(*, caller: str, key: str, method: str, path: str, print_: str) -> tuple[IdempotencyRecord, bool]:
    """The record for this key and whether this request owns the work (else: replay it)."""
    for _attempt in range(3):
        now = timezone.now()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    caller=caller, key=key, method=method, path=path[:500], fingerprint=print_,
                    created_at=now, locked_at=now,
                )
            return record, True
        except IntegrityError:
            pass
        existing = IdempotencyRecord.objects.filter(caller=caller, key=key).first()
        if existing is None:
            continue  # purged between our insert and our read
        if existing.created_at < now - IDEMPOTENCY_TTL:
            # Expired but not purged yet: forget it and claim afresh.
            IdempotencyRecord.objects.filter(pk=existing.pk, created_at=existing.created_at).delete()
            continue
        if existing.fingerprint != print_:
            raise IdempotencyKeyReused()
        if existing.is_complete:
            return existing, False
        stale = IdempotencyRecord.objects.filter(
            pk=existing.pk, completed_at__isnull=True, locked_at__lt=now - LEASE
        ).update(locked_at=now)
        if stale == 1:
            return existing, True
        raise IdempotencyInProgress()
    raise IdempotencyInProgress()


def _store(record: IdempotencyRecord, response: Response) -> None:
    # Stored as rendered, so the replay's body is the first answer's, byte for byte.
    rendered = JSONRenderer().render(response.data) if response.data is not None else b""
    record.response_status = response.status_code
    record.response_body = json.loads(rendered) if rendered else None
    record.completed_at = timezone.now()
    record.save(update_fields=["response_status", "response_body", "completed_at"])


def _release(record: IdempotencyRecord) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk, completed_at__isnull=True).delete()


def replay(record: IdempotencyRecord) -> Response:
    response = Response(record.response_body, status=record.response_status)
    response[REPLAYED_HEADER] = "true"
    return response


def idempotent(handler):
    """Wrap a viewset write action; requests without the header pass straight through."""

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return handler(view, request, *args, **kwargs)
        if not KEY_PATTERN.fullmatch(key):
            raise InvalidIdempotencyKey()
        record, owner = _claim(
            caller=caller_of(request.user),
            key=key,
            method=request.method,
            path=request.get_full_path(),
            print_=fingerprint(request),
        )
        if not owner:
            return replay(record)
        try:
            with transaction.atomic():
                response = handler(view, request, *args, **kwargs)
                if response.status_code < 500:
                    _store(record, response)
                else:
                    transaction.set_rollback(True)
        except Exception as exc:
            try:
                response = view.handle_exception(exc)
            except Exception:
                _release(record)
                raise
            if response.status_code < 500:
                _store(record, response)
        if response.status_code >= 500:
            _release(record)
        return response

    return wrapper
