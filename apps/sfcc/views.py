"""The signed push endpoint SFCC (a cartridge job, or the simulator) posts order events to."""

import json
import logging

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from apps.sfcc.client import (
    SIGNATURE_HEADER,
    SignatureError,
    SignatureMalformed,
    SignatureMismatch,
    SignatureMissing,
    SignatureStale,
    verify,
)

from . import conf, inbound

logger = logging.getLogger("apps.sfcc")

REASONS = {
    SignatureMissing: "signature_missing",
    SignatureMalformed: "signature_malformed",
    SignatureStale: "signature_stale",
    SignatureMismatch: "signature_mismatch",
}


def _refuse(status: int, reason: str, detail: str) -> JsonResponse:
    # The same shape as every other API error (apps/core/api.py).
    return JsonResponse({"error": {"code": reason, "message": detail}}, status=status)


# csrf_exempt: the caller is a server authenticated by the HMAC signature, not a browser.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def push_events(request: HttpRequest) -> JsonResponse:
    """POST: verify, record by event id, answer; GET: a connectivity probe for the sender.

    2xx means "recorded": 202 for a new event, 200 for one already recorded. Applying happens
    after the commit, in a task, so a slow apply never makes SFCC's job step time out.
    """
    if request.method == "GET":
        # No database, no session: Business Manager's "test connection" and our benchmark's
        # floor both hit this.
        return JsonResponse({"ok": True, "accepts": "POST", "signature": SIGNATURE_HEADER})
    if not conf.enabled():
        return _refuse(503, "sfcc_disabled", "The SFCC connector is switched off.")
    secrets = conf.push_secrets()
    if not secrets:
        return _refuse(401, "push_not_configured", "No push secret is configured.")
    body = request.body
    try:
        verify(
            secret=secrets,
            body=body,
            header=request.headers.get(SIGNATURE_HEADER),
            tolerance=conf.PUSH_TOLERANCE_SECONDS,
        )
    except SignatureError as exc:
        logger.warning("Refused SFCC push: %s", exc)
        return _refuse(401, REASONS.get(type(exc), "signature_invalid"), str(exc))
    try:
        event = json.loads(body)
        recorded, created = inbound.push_record(event=event)
    except (ValueError, inbound.PushRejected) as exc:
        # Signed by SFCC but not an event we can read: retrying the same bytes cannot help.
        return _refuse(400, "bad_event", str(exc))
    return JsonResponse(
        {"id": recorded.source_id, "status": "accepted" if created else "duplicate"},
        status=202 if created else 200,
    )
