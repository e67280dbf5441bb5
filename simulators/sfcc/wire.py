"""Request/response values and the error dialects: RFC 7807, OCAPI fault, OAuth, control."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from email.message import Message
from typing import Any
from urllib.parse import parse_qs

from simulators.sfcc.orders import SCAPI_ERRORS


class BadJson(ValueError):
    pass


@dataclass
class Request:
    method: str
    path: str
    query_string: str
    headers: Message
    body: bytes
    _query: dict[str, list[str]] | None = field(default=None, repr=False)

    @property
    def query(self) -> dict[str, list[str]]:
        if self._query is None:
            self._query = parse_qs(self.query_string, keep_blank_values=True)
        return self._query

    def param(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def json(self) -> Any:
        if not self.body:
            raise BadJson("request body is empty")
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadJson(f"request body is not JSON: {exc}") from exc

    @property
    def correlation_id(self) -> str | None:
        return self.header("correlation-id") or self.header("x-correlation-id")


@dataclass
class Response:
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)

    def encode(self) -> bytes:
        if self.body is None:
            return b""
        if isinstance(self.body, bytes):
            return self.body
        return json.dumps(self.body, separators=(",", ":")).encode()


# Returned by a handler to close the connection without answering (outage "reset" mode).
DROP = Response(status=0)

SLUGS = {
    400: ("bad-request", "Bad Request"),
    401: ("unauthorized", "Unauthorized"),
    403: ("forbidden", "Forbidden"),
    404: ("not-found", "Not Found"),
    405: ("method-not-allowed", "Method Not Allowed"),
    409: ("conflict", "Conflict"),
    411: ("length-required", "Length Required"),
    413: ("payload-too-large", "Payload Too Large"),
    415: ("unsupported-media-type", "Unsupported Media Type"),
    422: ("unprocessable-entity", "Unprocessable Entity"),
    429: ("too-many-requests", "Too Many Requests"),
    500: ("internal-server-error", "Internal Server Error"),
    502: ("bad-gateway", "Bad Gateway"),
    503: ("service-unavailable", "Service Unavailable"),
    504: ("gateway-timeout", "Gateway Timeout"),
}

OCAPI_FAULTS = {
    400: "BadRequestException",
    401: "InvalidAccessTokenException",
    403: "ForbiddenException",
    404: "NotFoundException",
    405: "MethodNotAllowedException",
    409: "ConflictException",
    413: "RequestEntityTooLargeException",
    422: "UnprocessableEntityException",
    429: "QuotaExceededException",
    500: "InternalServerErrorException",
    502: "BadGatewayException",
    503: "ServiceUnavailableException",
    504: "GatewayTimeoutException",
}


def problem(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    title: str | None = None,
    retry_after: int | None = None,
) -> Response:
    """An RFC 7807 body as SCAPI sends it: type, title and detail are always present."""
    default_slug, default_title = SLUGS.get(status, ("error", "Error"))
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    return Response(
        status,
        {
            "type": f"{SCAPI_ERRORS}/{slug or default_slug}",
            "title": title or default_title,
            "detail": detail,
        },
        headers,
    )


def fault(
    status: int,
    message: str,
    *,
    kind: str | None = None,
    version: str = "24.5",
    retry_after: int | None = None,
) -> Response:
    """An OCAPI fault document."""
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    body = {
        "_v": version,
        "fault": {"type": kind or OCAPI_FAULTS.get(status, "Exception"), "message": message},
    }
    return Response(status, body, headers)


def oauth_error(status: int, error: str, description: str, *, retry_after: int | None = None):
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
    headers["Cache-Control"] = "no-store"
    return Response(status, {"error": error, "error_description": description}, headers)


def error_for(family: str, status: int, detail: str, *, retry_after: int | None = None):
    """An error in the dialect of the API the request was for."""
    if family == "control":
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        return Response(status, {"error": detail}, headers)
    if family == "ocapi":
        return fault(status, detail, retry_after=retry_after)
    if family == "token":
        error = "temporarily_unavailable" if status >= 500 or status == 429 else "invalid_request"
        return oauth_error(status, error, detail, retry_after=retry_after)
    return problem(status, detail, retry_after=retry_after)
