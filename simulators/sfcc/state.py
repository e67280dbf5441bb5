"""The simulator's own memory: orders, notes, write history, idempotency keys, tokens, counters."""

from __future__ import annotations

import copy
import hashlib
import json
import os
import secrets
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from simulators.sfcc.faults import Faults
from simulators.sfcc.orders import (
    FIELD_VALUES,
    STATUS_TRANSITIONS,
    OrderSpecError,
    apply_field,
    build_order,
    iso_ms,
    set_shipping_status,
)

KEY_RETENTION_S = 24 * 3600
CONTROL_FIELDS = {
    "status": "status",
    "paymentStatus": "payment-status",
    "shippingStatus": "shipping-status",
    "exportStatus": "export-status",
    "confirmationStatus": "confirmation-status",
    "externalOrderStatus": "external-status",
}


class NotFound(Exception):
    pass


class Conflict(Exception):
    pass


class KeyReused(Exception):
    """An Idempotency-Key came back with a different request."""


class State:
    """Everything the simulator knows; one lock, orders replaced (never mutated) on write."""

    def __init__(
        self,
        *,
        tenant: str,
        sites: list[str],
        client_id: str,
        client_secret: str,
        state_file: Path | None = None,
    ) -> None:
        self.lock = threading.RLock()
        self.tenant = tenant
        self.organization_id = f"f_ecom_{tenant}"
        self.sites = sites
        self.auth: dict[str, Any] = {
            "client_id": client_id,
            "client_secret": client_secret,
            "token_lifetime": 1799,  # what the simulator enforces
            "expires_in": 1799,  # what it tells the client
            "token_latency_ms": 0,
        }
        self._initial_auth = dict(self.auth)
        self.faults = Faults()
        self.state_file = state_file
        self.on_event: Callable[[str, dict[str, Any], str], None] | None = None
        self._reset_data()
        if state_file and state_file.exists():
            self._load(state_file)

    def _reset_data(self) -> None:
        self.orders: dict[str, dict[str, Any]] = {}
        self.created_ms: dict[str, int] = {}
        self.modified_ms: dict[str, int] = {}
        self.notes: dict[str, list[dict[str, Any]]] = {}
        self.history: dict[str, list[dict[str, Any]]] = {}
        self.idempotency: dict[str, dict[str, Any]] = {}
        self.tokens: dict[str, dict[str, Any]] = {}
        self.stats: Counter[str] = Counter()
        self.next_no = 1001
        self._last_ms = 0
        self.dirty = False

    def reset(self) -> None:
        with self.lock:
            self._reset_data()
            self.faults = Faults()
            self.auth = dict(self._initial_auth)
            self.dirty = True

    def now_ms(self) -> int:
        """Wall-clock milliseconds that never go backwards, so lastModified never decreases."""
        with self.lock:
            self._last_ms = max(int(time.time() * 1000), self._last_ms)
            return self._last_ms

    def count(self, name: str) -> None:
        with self.lock:
            self.stats[name] += 1

    # Tokens ------------------------------------------------------------------------------

    def issue_token(self, *, client_id: str, scope: str) -> dict[str, Any]:
        token = "sim_" + secrets.token_urlsafe(32)
        with self.lock:
            lifetime = float(self.auth["token_lifetime"])
            self.tokens[token] = {
                "client_id": client_id,
                "scope": scope.split(),
                "expires_at": time.time() + lifetime,
            }
            self.dirty = True
            return {
                "access_token": token,
                "scope": scope,
                "token_type": "Bearer",
                "expires_in": int(self.auth["expires_in"]),
            }

    def token_info(self, token: str) -> dict[str, Any] | None:
        with self.lock:
            info = self.tokens.get(token)
            if info is None:
                return None
            if info["expires_at"] <= time.time():
                del self.tokens[token]
                return None
            return info

    def revoke_all_tokens(self) -> int:
        with self.lock:
            revoked = len(self.tokens)
            self.tokens.clear()
            self.dirty = True
            return revoked

    # Orders ------------------------------------------------------------------------------

    def get(self, order_no: str, site_id: str | None = None) -> dict[str, Any]:
        order = self.orders.get(order_no)
        if order is None or (site_id is not None and order.get("siteId") != site_id):
            raise NotFound(order_no)
        return order

    def _store(self, order: dict[str, Any], ms: int) -> None:
        order["lastModified"] = iso_ms(ms)
        self.orders[order["orderNo"]] = order
        self.modified_ms[order["orderNo"]] = ms
        self.dirty = True

    def _log(self, order_no: str, entry: dict[str, Any]) -> None:
        entry.setdefault("at", iso_ms(self.now_ms()))
        self.history.setdefault(order_no, []).append(entry)

    def create_order(self, spec: dict[str, Any], *, source: str) -> dict[str, Any]:
        with self.lock:
            order_no = str(spec.get("orderNo") or f"{self.next_no:08d}")
            if order_no in self.orders:
                raise Conflict(f"order {order_no} exists")
            site_id = str(spec.get("siteId") or self.sites[0])
            if site_id not in self.sites:
                raise OrderSpecError(f"unknown site {site_id!r}; known: {self.sites}")
            ms = self.now_ms()
            order = build_order(spec, order_no=order_no, site_id=site_id, now_ms=ms)
            self.next_no += 1
            self.created_ms[order_no] = ms
            self._store(order, ms)
            self._log(order_no, {"op": "create", "source": source, "outcome": "applied"})
        self._emit("order.created", order, source)
        return order

    def bulk_create(self, *, count: int, per_ms: int, site_id: str | None) -> dict[str, Any]:
        """``count`` orders stamped in the recent past, ``per_ms`` sharing each millisecond."""
        site = site_id or self.sites[0]
        if site not in self.sites:
            raise OrderSpecError(f"unknown site {site!r}")
        with self.lock:
            start = self.now_ms() - (count // per_ms) - 1
            template = build_order({}, order_no="TEMPLATE", site_id=site, now_ms=start)
            first = f"{self.next_no:08d}"
            for index in range(count):
                order_no = f"{self.next_no:08d}"
                self.next_no += 1
                ms = start + index // per_ms
                order = copy.deepcopy(template)
                stamp = iso_ms(ms)
                order.update(orderNo=order_no, invoiceNo=order_no, creationDate=stamp)
                order["placeDate"] = stamp
                for n, shipment in enumerate(order["shipments"], start=1):
                    shipment["shipmentNo"] = f"{order_no}-{n}"
                self.created_ms[order_no] = ms
                self._store(order, ms)
            return {"created": count, "first": first, "last": f"{self.next_no - 1:08d}"}

    def api_write(
        self,
        *,
        order_no: str,
        site_id: str,
        op: str,
        body: Any,
        change: Callable[[dict[str, Any]], None],
        fingerprint: str,
        idempotency_key: str | None,
        correlation_id: str | None,
    ) -> str:
        """Apply one API write exactly once per Idempotency-Key; returns applied or duplicate."""
        with self.lock:
            current = self.get(order_no, site_id)
            entry = {
                "op": op,
                "request": body,
                "idempotencyKey": idempotency_key,
                "correlationId": correlation_id,
                "source": "api",
            }
            if idempotency_key:
                seen = self.idempotency.get(idempotency_key)
                if seen is not None:
                    if seen["fingerprint"] != fingerprint:
                        raise KeyReused(idempotency_key)
                    self._log(order_no, {**entry, "outcome": "duplicate"})
                    self.stats["duplicate_writes"] += 1
                    return "duplicate"
            updated = copy.deepcopy(current)
            try:
                change(updated)
            except Conflict:
                self._log(order_no, {**entry, "outcome": "rejected"})
                raise
            self._store(updated, self.now_ms())
            if idempotency_key:
                self._forget_old_keys()
                self.idempotency[idempotency_key] = {
                    "fingerprint": fingerprint,
                    "orderNo": order_no,
                    "at": time.time(),
                }
            self._log(order_no, {**entry, "outcome": "applied"})
            return "applied"

    def _forget_old_keys(self) -> None:
        # Keys are kept a day, like Stripe's; checked now and then rather than on every write.
        if len(self.idempotency) % 1000:
            return
        cutoff = time.time() - KEY_RETENTION_S
        for key in [k for k, v in self.idempotency.items() if v["at"] < cutoff]:
            del self.idempotency[key]

    def control_update(self, order_no: str, changes: dict[str, Any], *, source: str) -> dict:
        """Set statuses and c_ attributes from the control API or the scenario."""
        with self.lock:
            updated = copy.deepcopy(self.get(order_no))
            for key, value in changes.items():
                if key in CONTROL_FIELDS:
                    segment = CONTROL_FIELDS[key]
                    allowed = FIELD_VALUES[segment]
                    if allowed is not None and value not in allowed:
                        raise OrderSpecError(f"{key} cannot be {value!r}")
                    if key == "status" and value not in STATUS_TRANSITIONS:
                        raise OrderSpecError(f"status cannot be {value!r}")
                    apply_field(updated, segment, str(value))
                elif key == "trackingNumber":
                    updated["shipments"][0]["trackingNumber"] = str(value)
                elif key.startswith("c_"):
                    if value is None:
                        updated.pop(key, None)
                    else:
                        updated[key] = value
                else:
                    raise OrderSpecError(f"the control API cannot set {key!r}")
            if updated.get("shippingStatus"):
                set_shipping_status(updated, updated["shippingStatus"])
            self._store(updated, self.now_ms())
            self._log(
                order_no,
                {"op": "control", "request": changes, "source": source, "outcome": "applied"},
            )
        self._emit("order.updated", updated, source)
        return updated

    def add_note(
        self,
        *,
        order_no: str,
        site_id: str,
        note: dict[str, Any],
        fingerprint: str,
        idempotency_key: str | None,
        correlation_id: str | None,
    ) -> str:
        def change(order: dict[str, Any]) -> None:
            self.notes.setdefault(order_no, []).append(note)

        return self.api_write(
            order_no=order_no,
            site_id=site_id,
            op="note",
            body={"subject": note["subject"], "text": note["text"]},
            change=change,
            fingerprint=fingerprint,
            idempotency_key=idempotency_key,
            correlation_id=correlation_id,
        )

    def _emit(self, kind: str, order: dict[str, Any], source: str) -> None:
        if self.on_event is not None:
            self.on_event(kind, order, source)

    # Persistence -------------------------------------------------------------------------

    def snapshot(self) -> dict[str, Any]:
        with self.lock:
            # Orders are replaced on write, never mutated, so shallow copies are stable.
            return {
                "version": 1,
                "orders": dict(self.orders),
                "created_ms": dict(self.created_ms),
                "modified_ms": dict(self.modified_ms),
                "notes": {k: list(v) for k, v in self.notes.items()},
                "history": {k: list(v) for k, v in self.history.items()},
                "idempotency": dict(self.idempotency),
                "tokens": dict(self.tokens),
                "next_no": self.next_no,
                "last_ms": self._last_ms,
            }

    def save(self) -> None:
        if not self.state_file:
            return
        with self.lock:
            self.dirty = False
            data = self.snapshot()
        target = self.state_file
        target.parent.mkdir(parents=True, exist_ok=True)
        # Write then rename, so a crash mid-write never leaves a half file behind.
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=target.name, suffix=".tmp")
        with os.fdopen(fd, "w") as handle:
            json.dump(data, handle, separators=(",", ":"))
        os.replace(tmp, target)

    def _load(self, path: Path) -> None:
        data = json.loads(path.read_text())
        self.orders = data.get("orders", {})
        self.created_ms = {k: int(v) for k, v in data.get("created_ms", {}).items()}
        self.modified_ms = {k: int(v) for k, v in data.get("modified_ms", {}).items()}
        self.notes = data.get("notes", {})
        self.history = data.get("history", {})
        self.idempotency = data.get("idempotency", {})
        self.tokens = data.get("tokens", {})
        self.next_no = int(data.get("next_no", 1001))
        self._last_ms = int(data.get("last_ms", 0))


def fingerprint(method: str, path: str, body: bytes) -> str:
    """What an Idempotency-Key is bound to: the same key must come back with the same request."""
    return hashlib.sha256(f"{method} {path}\n".encode() + body).hexdigest()
