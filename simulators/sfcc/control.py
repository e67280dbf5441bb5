"""The ``/__control/`` JSON API: seed orders, raise exceptions, read history, switch faults."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from simulators.sfcc.orders import OrderSpecError
from simulators.sfcc.scenario import EXCEPTIONS
from simulators.sfcc.state import Conflict, NotFound
from simulators.sfcc.wire import BadJson, Request, Response

if TYPE_CHECKING:
    from simulators.sfcc.server import Simulator

ORDER = r"/__control/orders/(?P<order_no>[^/]+)"
MAX_BULK = 50_000


def _error(status: int, message: str) -> Response:
    return Response(status, {"error": message})


class Control:
    """Routes control requests; every answer is plain JSON, never faulted."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.state = sim.state
        routes: list[tuple[str, str, Callable[..., Response]]] = [
            ("GET", r"/__control/health", self.health),
            ("GET", r"/__control/stats", self.stats),
            ("POST", r"/__control/reset", self.reset),
            ("GET", r"/__control/config", self.config),
            ("POST", r"/__control/orders", self.create_order),
            ("POST", r"/__control/orders/bulk", self.bulk),
            ("GET", r"/__control/orders", self.list_orders),
            ("GET", ORDER, self.order),
            ("PATCH", ORDER, self.update_order),
            ("POST", ORDER + r"/exception", self.set_exception),
            ("DELETE", ORDER + r"/exception", self.clear_exception),
            ("GET", ORDER + r"/history", self.history),
            ("GET", r"/__control/faults", self.get_faults),
            ("PUT", r"/__control/faults", self.put_faults),
            ("GET", r"/__control/auth", self.get_auth),
            ("PUT", r"/__control/auth", self.put_auth),
            ("POST", r"/__control/auth/revoke", self.revoke),
            ("GET", r"/__control/push", self.get_push),
            ("PUT", r"/__control/push", self.put_push),
            ("GET", r"/__control/scenario", self.get_scenario),
            ("PUT", r"/__control/scenario", self.put_scenario),
            ("POST", r"/__control/scenario/tick", self.tick),
        ]
        self.routes = [(m, re.compile(f"^{p}$"), h) for m, p, h in routes]

    def allowed_methods(self, path: str) -> tuple[str, ...] | None:
        """The methods routed for ``path``, or None when no route matches it."""
        methods = [method for method, pattern, _ in self.routes if pattern.match(path)]
        return tuple(dict.fromkeys(methods)) or None

    def handle(self, req: Request) -> Response:
        # The server has already answered OPTIONS and wrong methods (405) from allowed_methods.
        for method, pattern, handler in self.routes:
            match = pattern.match(req.path)
            if not match or method != req.method:
                continue
            try:
                return handler(req, **match.groupdict())
            except BadJson as exc:
                return _error(400, str(exc))
            except (OrderSpecError, ValueError, TypeError, AttributeError) as exc:
                return _error(400, str(exc))
            except NotFound as exc:
                return _error(404, f"no order {exc}")
            except Conflict as exc:
                return _error(409, str(exc))
        return _error(404, f"no control route {req.method} {req.path}")

    @staticmethod
    def _body(req: Request) -> dict[str, Any]:
        if not req.body:
            return {}
        body = req.json()
        if not isinstance(body, dict):
            raise ValueError("body must be a JSON object")
        return body

    def health(self, req: Request) -> Response:
        return Response(200, {"ok": True})

    def stats(self, req: Request) -> Response:
        with self.state.lock:
            counters = dict(self.state.stats)
            orders = len(self.state.orders)
        return Response(
            200,
            {
                "token_requests": counters.get("token_requests", 0),
                "orders": orders,
                "tokens_live": len(self.state.tokens),
                "counters": counters,
            },
        )

    def reset(self, req: Request) -> Response:
        self.state.reset()
        self.sim.scenario.configure(enabled=False)
        return Response(200, {"reset": True})

    def config(self, req: Request) -> Response:
        return Response(
            200,
            {
                "organization_id": self.state.organization_id,
                "tenant": self.state.tenant,
                "sites": self.state.sites,
                "client_id": self.state.auth["client_id"],
                "token_path": "/dwsso/oauth2/access_token",
                "scapi_base": f"/checkout/orders/v1/organizations/{self.state.organization_id}",
                "ocapi_base": f"/s/{self.state.sites[0]}/dw/shop/v24_5",
            },
        )

    def create_order(self, req: Request) -> Response:
        return Response(201, self.state.create_order(self._body(req), source="control"))

    def bulk(self, req: Request) -> Response:
        body = self._body(req)
        count = int(body.get("count", 0))
        per_ms = int(body.get("per_ms", 1))
        if not 1 <= count <= MAX_BULK or per_ms < 1:
            raise ValueError(f"count must be 1..{MAX_BULK} and per_ms at least 1")
        return Response(
            201, self.state.bulk_create(count=count, per_ms=per_ms, site_id=body.get("siteId"))
        )

    def list_orders(self, req: Request) -> Response:
        with self.state.lock:
            numbers = list(self.state.orders)
        return Response(200, {"count": len(numbers), "orderNos": numbers[-1000:]})

    def order(self, req: Request, order_no: str) -> Response:
        with self.state.lock:
            order = self.state.get(order_no)
            notes = list(self.state.notes.get(order_no, []))
            history = list(self.state.history.get(order_no, []))
        return Response(200, {"order": order, "notes": notes, "history": history})

    def update_order(self, req: Request, order_no: str) -> Response:
        order = self.state.control_update(order_no, self._body(req), source="control")
        return Response(200, order)

    def set_exception(self, req: Request, order_no: str) -> Response:
        body = self._body(req)
        code = str(body.get("code", "STOCK_SHORTAGE"))
        changes = dict(EXCEPTIONS.get(code, {"c_fulfillmentExceptionCode": code}))
        if body.get("detail"):
            changes["c_fulfillmentExceptionDetail"] = str(body["detail"])
        return Response(200, self.state.control_update(order_no, changes, source="control"))

    def clear_exception(self, req: Request, order_no: str) -> Response:
        changes = {"c_fulfillmentExceptionCode": None, "c_fulfillmentExceptionDetail": None}
        return Response(200, self.state.control_update(order_no, changes, source="control"))

    def history(self, req: Request, order_no: str) -> Response:
        with self.state.lock:
            self.state.get(order_no)
            entries = list(self.state.history.get(order_no, []))
        return Response(200, {"orderNo": order_no, "history": entries})

    def get_faults(self, req: Request) -> Response:
        return Response(200, self.state.faults.describe())

    def put_faults(self, req: Request) -> Response:
        if self.state.faults.update(self._body(req)):
            self.sim.begin_refusal()
        return Response(200, self.state.faults.describe())

    def _auth_view(self) -> dict[str, Any]:
        auth = self.state.auth
        return {k: v for k, v in auth.items() if k != "client_secret"}

    def get_auth(self, req: Request) -> Response:
        return Response(200, self._auth_view())

    def put_auth(self, req: Request) -> Response:
        body = self._body(req)
        with self.state.lock:
            for key in ("client_id", "client_secret"):
                if key in body:
                    self.state.auth[key] = str(body[key])
            for key in ("token_lifetime", "expires_in", "token_latency_ms"):
                if key in body:
                    self.state.auth[key] = max(0, int(body[key]))
        if body.get("revoke_all"):
            self.state.revoke_all_tokens()
        return Response(200, self._auth_view())

    def revoke(self, req: Request) -> Response:
        return Response(200, {"revoked": self.state.revoke_all_tokens()})

    def get_push(self, req: Request) -> Response:
        return Response(200, self.sim.pusher.describe())

    def put_push(self, req: Request) -> Response:
        body = self._body(req)
        self.sim.pusher.configure(url=body.get("url"), secret=body.get("secret"))
        return Response(200, self.sim.pusher.describe())

    def get_scenario(self, req: Request) -> Response:
        return Response(200, self.sim.scenario.describe())

    def put_scenario(self, req: Request) -> Response:
        body = self._body(req)
        self.sim.scenario.configure(
            enabled=body.get("enabled"),
            interval=body.get("interval_s"),
            exception_rate=body.get("exception_rate"),
        )
        return Response(200, self.sim.scenario.describe())

    def tick(self, req: Request) -> Response:
        return Response(200, self.sim.scenario.tick())
