"""The SFCC endpoints: Account Manager token, SCAPI Orders Admin, OCAPI Shop order notes."""

from __future__ import annotations

import base64
import re
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from simulators.sfcc.orders import (
    FIELD_VALUES,
    STATUS_TRANSITIONS,
    apply_field,
    iso_ms,
    parse_iso_ms,
    to_ocapi,
)
from simulators.sfcc.state import Conflict, KeyReused, NotFound, State, fingerprint
from simulators.sfcc.wire import BadJson, Request, Response, fault, oauth_error, problem

TOKEN_PATH = "/dwsso/oauth2/access_token"  # noqa: S105 - a URL path, not a secret
SCAPI_PREFIX = "/checkout/orders/v1/organizations/"
ORG_PATTERN = re.compile(r"^f_ecom_[a-z]{4}_(prd|stg|dev|s[0-9]{2}|[0-9]{3})$")
ORDERS_PATH = re.compile(
    r"^/checkout/orders/v1/organizations/([^/]+)/orders(?:/([^/]+)(?:/([a-z-]+))?)?$"
)
NOTES_PATH = re.compile(r"^/s/([^/]+)/dw/shop/(v\d+_\d+)/orders/([^/]+)/notes$")
STATUS_FILTER = frozenset({"new", "completed", "cancelled"})
LIST_FILTERS = {  # query name -> (order field, allowed values, most values accepted)
    "exportStatus": ("exportStatus", FIELD_VALUES["export-status"], 3),
    "paymentStatus": ("paymentStatus", FIELD_VALUES["payment-status"], 2),
    "shippingStatus": ("shippingStatus", FIELD_VALUES["shipping-status"], 2),
}
MAX_WINDOW = 10_000
# The methods each kind of resource takes. The server answers OPTIONS, HEAD and every 405 (with
# Allow) from this table before a handler runs, so a handler only ever sees these methods.
METHODS: dict[str, tuple[str, ...]] = {
    "token": ("POST",),
    "orders": ("GET",),
    "order": ("GET", "PATCH"),
    "order-field": ("PUT",),
    "notes": ("GET", "POST"),
}


def resource_at(path: str) -> tuple[str, re.Match[str] | None] | None:
    """The kind of resource at ``path`` (a key of METHODS) and its path match, or None."""
    if path == TOKEN_PATH:
        return "token", None
    match = NOTES_PATH.match(path)
    if match:
        return "notes", match
    match = ORDERS_PATH.match(path)
    if not match:
        return None
    _, order_no, segment = match.groups()
    if order_no is None:
        return "orders", match
    if segment is None:
        return "order", match
    return ("order-field", match) if segment in FIELD_VALUES else None


def allowed_methods(path: str) -> tuple[str, ...] | None:
    """The methods the resource at ``path`` takes, or None when there is no resource there."""
    found = resource_at(path)
    return METHODS[found[0]] if found else None


def _bearer(req: Request) -> str | None:
    value = req.header("Authorization") or ""
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


class Api:
    """Handlers return a Response; the server adds faults, counting and the wire format."""

    def __init__(self, state: State) -> None:
        self.state = state

    # Account Manager -------------------------------------------------------------------

    def token(self, req: Request) -> Response:
        self.state.count("token_requests")
        auth = self.state.auth
        if auth["token_latency_ms"]:
            time.sleep(auth["token_latency_ms"] / 1000)
        scheme, _, encoded = (req.header("Authorization") or "").partition(" ")
        try:
            client_id, _, secret = base64.b64decode(encoded).decode().partition(":")
        except ValueError:
            client_id, secret = "", ""
        if scheme.lower() != "basic" or (client_id, secret) != (
            auth["client_id"],
            auth["client_secret"],
        ):
            response = oauth_error(401, "invalid_client", "Client authentication failed")
            response.headers["WWW-Authenticate"] = 'Basic realm="Account Manager"'
            return response
        form = parse_qs(req.body.decode("utf-8", "replace"))
        if form.get("grant_type", [""])[0] != "client_credentials":
            return oauth_error(
                400, "unsupported_grant_type", "grant_type must be client_credentials"
            )
        scope = form.get("scope", [""])[0]
        scopes = scope.split()
        if f"SALESFORCE_COMMERCE_API:{self.state.tenant}" not in scopes:
            return oauth_error(
                400,
                "invalid_scope",
                f"scope must include SALESFORCE_COMMERCE_API:{self.state.tenant}",
            )
        if not {"sfcc.orders", "sfcc.orders.rw"} & set(scopes):
            return oauth_error(400, "invalid_scope", "scope must include sfcc.orders[.rw]")
        body = self.state.issue_token(client_id=client_id, scope=scope)
        return Response(200, body, {"Cache-Control": "no-store", "Pragma": "no-cache"})

    # SCAPI Orders Admin -----------------------------------------------------------------

    def scapi(self, req: Request) -> Response:
        kind, match = resource_at(req.path) or ("", None)
        if kind not in ("orders", "order", "order-field") or match is None:
            return problem(404, f"No resource at {req.path}")
        org, order_no, segment = match.groups()
        is_write = req.method != "GET"
        denied = self._scapi_auth(req, org, write=is_write)
        if denied:
            return denied
        site_id = req.param("siteId")
        if not site_id or len(site_id) > 32:
            return problem(400, "The query parameter 'siteId' is required (1-32 characters).")
        if site_id not in self.state.sites:
            return problem(
                404,
                f"No site with ID '{site_id}' was found.",
                slug="site-not-found",
                title="Site Not Found",
            )
        if kind == "orders":
            self.state.count("getOrders")
            return self.get_orders(req, site_id)
        if kind == "order" and req.method == "GET":
            self.state.count("getOrder")
            return self.get_order(order_no, site_id)
        if kind == "order":
            self.state.count("updateOrder")
            return self.patch_order(req, order_no, site_id)
        self.state.count(f"put:{segment}")
        return self.put_status(req, order_no, site_id, segment)

    def _scapi_auth(self, req: Request, org: str, *, write: bool) -> Response | None:
        token = _bearer(req)
        info = self.state.token_info(token) if token else None
        if info is None:
            response = problem(
                401,
                "Your access token is invalid or expired and can't be used to identify a user.",
            )
            response.headers["WWW-Authenticate"] = "Bearer"
            return response
        if not ORG_PATTERN.match(org):
            return problem(400, f"organizationId '{org}' does not match f_ecom_<realm>_<instance>.")
        if org != self.state.organization_id or (
            f"SALESFORCE_COMMERCE_API:{self.state.tenant}" not in info["scope"]
        ):
            return problem(403, f"The access token is not valid for organization '{org}'.")
        needed = {"sfcc.orders.rw"} if write else {"sfcc.orders", "sfcc.orders.rw"}
        if not needed & set(info["scope"]):
            return problem(403, f"The access token lacks the scope {' or '.join(sorted(needed))}.")
        return None

    def get_orders(self, req: Request, site_id: str) -> Response:
        try:
            limit = int(req.param("limit") or 100)
            offset = int(req.param("offset") or 0)
        except ValueError:
            return problem(400, "limit and offset must be integers.")
        if not 1 <= limit <= 200:
            return problem(400, f"limit must be between 1 and 200, got {limit}.")
        if offset < 0:
            return problem(400, "offset must not be negative.")
        if offset + limit > MAX_WINDOW:
            return problem(
                400, f"The sum of offset and limit ({offset + limit}) must not exceed {MAX_WINDOW}."
            )
        sort_by = req.param("sortBy") or "creation_date"
        sort_order = req.param("sortOrder") or "desc"
        if sort_by not in ("creation_date", "last_modified_date") or sort_order not in (
            "asc",
            "desc",
        ):
            return problem(
                400, "sortBy must be creation_date|last_modified_date, sortOrder asc|desc."
            )
        try:
            match = self._order_filter(req, site_id)
            bounds = self._date_bounds(req)
        except ValueError as exc:
            return problem(400, str(exc))
        stamps = (
            self.state.modified_ms if sort_by == "last_modified_date" else self.state.created_ms
        )
        c_from, c_to, m_from, m_to = bounds
        with self.state.lock:
            rows = []
            for order_no, order in self.state.orders.items():
                modified = self.state.modified_ms[order_no]
                created = self.state.created_ms[order_no]
                if (
                    (m_from is not None and modified < m_from)
                    or (m_to is not None and modified >= m_to)
                    or (c_from is not None and created < c_from)
                    or (c_to is not None and created >= c_to)
                    or not match(order)
                ):
                    continue
                rows.append((stamps[order_no], order_no, order))
        # Ties are broken by order number so that offsets are stable between requests.
        rows.sort(key=lambda row: (row[0], row[1]), reverse=sort_order == "desc")
        return Response(200, {"data": [row[2] for row in rows[offset : offset + limit]]})

    @staticmethod
    def _date_bounds(req: Request) -> tuple[int | None, ...]:
        bounds = []
        for name in (
            "creationDateFrom",
            "creationDateTo",
            "lastModifiedDateFrom",
            "lastModifiedDateTo",
        ):
            raw = req.param(name)
            if raw is None:
                bounds.append(None)
                continue
            try:
                bounds.append(parse_iso_ms(raw))
            except ValueError as exc:
                raise ValueError(f"{name} must be an ISO 8601 date-time, got '{raw}'.") from exc
        return tuple(bounds)

    @staticmethod
    def _order_filter(req: Request, site_id: str) -> Callable[[dict[str, Any]], bool]:
        checks: list[tuple[str, set[str]]] = []
        status = req.param("status")
        if status:
            wanted = {s.strip() for s in status.split(",")}
            if len(wanted) > 2 or not wanted <= STATUS_FILTER:
                raise ValueError("status takes at most two of new, completed, cancelled.")
            checks.append(("status", wanted))
        for name, (field, allowed, most) in LIST_FILTERS.items():
            raw = req.param(name)
            if raw:
                wanted = {s.strip() for s in raw.split(",")}
                if len(wanted) > most or not wanted <= allowed:
                    raise ValueError(f"{name} takes at most {most} of {sorted(allowed)}.")
                checks.append((field, wanted))
        confirmation = req.param("confirmationStatus")
        if confirmation:
            if confirmation not in FIELD_VALUES["confirmation-status"]:
                raise ValueError("confirmationStatus must be confirmed or not_confirmed.")
            checks.append(("confirmationStatus", {confirmation}))
        external = req.param("externalStatus")
        if external:
            checks.append(("externalOrderStatus", {external}))

        def match(order: dict[str, Any]) -> bool:
            return order.get("siteId") == site_id and all(
                order.get(field) in wanted for field, wanted in checks
            )

        return match

    def get_order(self, order_no: str, site_id: str) -> Response:
        try:
            return Response(200, self.state.get(order_no, site_id))
        except NotFound:
            return self._order_not_found(order_no)

    @staticmethod
    def _order_not_found(order_no: str) -> Response:
        return problem(
            404,
            f"No order with number '{order_no}' was found.",
            slug="order-not-found",
            title="Order Not Found",
        )

    def _write(self, req: Request, order_no: str, site_id: str, op: str, change) -> Response:
        try:
            self.state.api_write(
                order_no=order_no,
                site_id=site_id,
                op=op,
                body=req.json(),
                change=change,
                fingerprint=fingerprint(req.method, f"{req.path}?{req.query_string}", req.body),
                idempotency_key=req.header("Idempotency-Key"),
                correlation_id=req.correlation_id,
            )
        except NotFound:
            return self._order_not_found(order_no)
        except Conflict as exc:
            return problem(409, str(exc), slug="order-status-transition", title="Status Conflict")
        except KeyReused:
            return problem(
                422,
                "This Idempotency-Key was already used with a different request.",
                slug="idempotency-key-reused",
                title="Idempotency Key Reused",
            )
        return Response(204)

    def patch_order(self, req: Request, order_no: str, site_id: str) -> Response:
        try:
            body = req.json()
        except BadJson as exc:
            return problem(400, str(exc))
        if not isinstance(body, dict) or not body:
            return problem(400, "The request body must be an object of c_ attributes.")
        bad = sorted(k for k in body if not k.startswith("c_") or len(k) < 3)
        if bad:
            return problem(
                400,
                f"Only custom attributes (c_ prefix) can be updated; rejected: {', '.join(bad)}.",
            )

        def change(order: dict[str, Any]) -> None:
            for key, value in body.items():
                if value is None:
                    order.pop(key, None)
                else:
                    order[key] = value

        return self._write(req, order_no, site_id, "patch", change)

    def put_status(self, req: Request, order_no: str, site_id: str, segment: str) -> Response:
        try:
            body = req.json()
        except BadJson as exc:
            return problem(400, str(exc))
        if (
            not isinstance(body, dict)
            or set(body) != {"status"}
            or not isinstance(body["status"], str)
        ):
            return problem(400, 'The request body must be {"status": <string>} and nothing else.')
        value = body["status"]
        allowed = FIELD_VALUES[segment]
        if allowed is None:
            if not 1 <= len(value) <= 256:
                return problem(400, "The external status must be 1 to 256 characters.")
        elif value not in allowed:
            return problem(400, f"'{value}' is not one of {', '.join(sorted(allowed))}.")

        def change(order: dict[str, Any]) -> None:
            if segment == "status":
                current = order.get("status", "created")
                if value not in STATUS_TRANSITIONS.get(current, frozenset()):
                    raise Conflict(
                        f"The status of order '{order_no}' can't change from "
                        f"'{current}' to '{value}'."
                    )
            apply_field(order, segment, value)

        reopening = segment == "status" and value == "failed_with_reopen"
        was_created = self.state.orders.get(order_no, {}).get("status") == "created"
        response = self._write(req, order_no, site_id, segment, change)
        if response.status == 204 and reopening and was_created:
            basket = secrets.token_hex(13)
            location = (
                f"/checkout/shopper-baskets/v1/organizations/{self.state.organization_id}"
                f"/baskets/{basket}"
            )
            return Response(201, None, {"Location": location})
        return response

    # OCAPI Shop notes -------------------------------------------------------------------

    def notes(self, req: Request) -> Response:
        match = NOTES_PATH.match(req.path)
        if not match:
            return fault(404, f"No resource at {req.path}", kind="ResourcePathNotFoundException")
        site_id, version, order_no = match.groups()
        v = version[1:].replace("_", ".")
        token = _bearer(req)
        info = self.state.token_info(token) if token else None
        if info is None:
            return fault(401, "The access token is invalid or expired.", version=v)
        client_id = req.header("x-dw-client-id")
        if not client_id:
            return fault(
                400,
                "Header x-dw-client-id is required.",
                kind="MissingClientIdException",
                version=v,
            )
        if client_id != info["client_id"]:
            return fault(
                401,
                "x-dw-client-id does not match the token.",
                kind="InvalidClientIdException",
                version=v,
            )
        if site_id not in self.state.sites:
            return fault(404, f"No site '{site_id}'.", kind="SiteNotFoundException", version=v)
        try:
            self.state.get(order_no, site_id)
        except NotFound:
            return fault(
                404, f"No order with number '{order_no}'.", kind="OrderNotFoundException", version=v
            )
        if req.method == "GET":
            self.state.count("getNotes")
            with self.state.lock:
                notes = [dict(n, _type="note") for n in self.state.notes.get(order_no, [])]
            return Response(200, {"_v": v, "_type": "notes_result", "notes": notes})
        self.state.count("postNote")
        try:
            body = req.json()
        except BadJson as exc:
            return fault(400, str(exc), kind="MalformedDocumentException", version=v)
        subject = body.get("subject") if isinstance(body, dict) else None
        text = body.get("text") if isinstance(body, dict) else None
        if (
            not (isinstance(subject, str) and subject and isinstance(text, str) and text)
            or len(subject) > 256
            or len(text) > 4000
        ):
            return fault(
                400,
                "A note needs 'subject' (1-256) and 'text' (1-4000).",
                kind="PropertyConstraintViolationException",
                version=v,
            )
        note = {
            "id": secrets.token_hex(13),
            "created_by": client_id,
            "creation_date": iso_ms(self.state.now_ms()),
            "subject": subject,
            "text": text,
        }
        try:
            self.state.add_note(
                order_no=order_no,
                site_id=site_id,
                note=note,
                fingerprint=fingerprint("POST", req.path, req.body),
                idempotency_key=req.header("Idempotency-Key"),
                correlation_id=req.correlation_id,
            )
        except KeyReused:
            return fault(
                422,
                "This Idempotency-Key was already used with a different request.",
                kind="IdempotencyKeyReusedException",
                version=v,
            )
        document = to_ocapi(self.state.get(order_no, site_id))
        document.update({"_v": v, "_type": "order"})
        document["notes"] = {"_type": "simple_link", "link": req.path}
        return Response(200, document)
