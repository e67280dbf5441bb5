"""SCAPI Products Admin and OCAPI Data inventory records, as the simulator serves them.

- `POST /product/products/v1/organizations/{org}/product-search?siteId=` (searchProducts,
  a `termQuery` on `id`), `GET` (getProduct) and `PATCH` (updateProduct) on `.../products/{id}`;
  a PATCH stores the `c_` attributes it carries and ignores unknown standard fields.
- `GET /s/-/dw/data/{v}/inventory_lists/{list}/product_inventory_records[/{product}]`.
- Control: `POST /__control/catalog/products` (seed products), `PUT /__control/catalog/inventory`
  (seed records), `GET /__control/catalog/products/{id}` (a product with its attributes and
  its update history). `POST /__control/reset` empties the catalog back to the demo one.

The catalog starts with the demo's products and stock, so a portal run against a fresh
simulator finds them. It is kept in memory only.
"""

from __future__ import annotations

import re
import threading
from typing import TYPE_CHECKING, Any

from simulators.sfcc.wire import BadJson, Request, Response, fault, problem

if TYPE_CHECKING:
    from simulators.sfcc.server import Simulator

PRODUCTS_PREFIX = "/product/products/v1/organizations/"
PRODUCT_PATH = re.compile(r"^/product/products/v1/organizations/([^/]+)/products/([^/]+)$")
SEARCH_PATH = re.compile(r"^/product/products/v1/organizations/([^/]+)/product-search$")
RECORDS_PATH = re.compile(
    r"^/s/-/dw/data/(v\d+_\d+)/inventory_lists/([^/]+)/product_inventory_records(?:/([^/]+))?$"
)
CONTROL_PRODUCTS = "/__control/catalog/products"
CONTROL_PRODUCT = re.compile(r"^/__control/catalog/products/([^/]+)$")
CONTROL_INVENTORY = "/__control/catalog/inventory"
DEFAULT_LIST = "inventory_m"
READ_SCOPES = {"sfcc.products", "sfcc.products.rw"}

# id, name, stock level, allocation, turnover (sold against it), on order
DEMO_PRODUCTS: tuple[tuple[str, str, int, int, int, int], ...] = (
    ("TENT-2P", "Trailhead two-person tent", 120, 400, 260, 40),
    ("TENT-4P", "Trailhead four-person tent", 40, 150, 120, 20),
    ("MAT-1", "Insulated sleeping mat", 300, 500, 180, 0),
    ("PACK-40L", "Summit 40 L backpack", 60, 220, 190, 30),
    ("JKT-RAIN-M", "Stormline rain jacket, M", 80, 300, 240, 40),
    ("JKT-RAIN-L", "Stormline rain jacket, L", 90, 300, 150, 10),
    ("SCARF-WOOL", "Merino scarf, charcoal", 200, 250, 60, 0),
    ("DUVET-KING", "Down duvet, king", 30, 120, 95, 15),
    ("DUVET-QUEEN", "Down duvet, queen", 70, 120, 40, 0),
    ("KETTLE-GOOSE", "Gooseneck kettle", 150, 200, 80, 0),
    ("HDPN-BT", "Over-ear Bluetooth headphones", 25, 300, 280, 60),
    ("HDPN-BT2", "Over-ear Bluetooth headphones, gen 2", 400, 400, 10, 0),
    ("CBL-USBC", "USB-C cable, 2 m", 900, 1000, 300, 0),
    ("THROW-LOOM", "Hand-loomed throw, indigo", 45, 80, 30, 0),
    ("CUSH-LOOM", "Hand-loomed cushion cover", 120, 160, 50, 0),
    ("LAMP-ARC", "Arc floor lamp, matte black", 20, 60, 45, 5),
    ("RUG-WOOL-160", "Wool rug 160 × 230", 15, 40, 30, 0),
)


class Catalog:
    """Products and inventory records; one lock, like the order state."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim
        self.lock = threading.RLock()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.products: dict[str, dict[str, Any]] = {}
            self.updates: dict[str, list[dict[str, Any]]] = {}
            self.records: dict[str, dict[str, dict[str, Any]]] = {}
            for pid, name, stock, allocation, turnover, on_order in DEMO_PRODUCTS:
                self.products[pid] = {"id": pid, "name": {"default": name}, "online": True}
                self.records.setdefault(DEFAULT_LIST, {})[pid] = _record(
                    pid, DEFAULT_LIST, name, stock, allocation, turnover, on_order
                )

    # Routing: called by the server before its own families ----------------------------

    def handle(self, req: Request) -> Response | None:
        """An answer for a catalog path, or None to let the server route the request."""
        path = req.path
        if path == "/__control/reset" and req.method == "POST":
            self.reset()
            return None  # the server resets the orders too
        if path.startswith("/__control/catalog"):
            return self._control(req)
        if path.startswith(PRODUCTS_PREFIX):
            return self._guarded(req, self._products)
        if RECORDS_PATH.match(path):
            return self._guarded(req, self._inventory, ocapi=True)
        return None

    def _guarded(self, req: Request, handler, *, ocapi: bool = False) -> Response:
        """The server's outage and fault switches apply to the catalog as to orders."""
        state = self.sim.state
        state.count("requests")
        remaining = state.faults.outage_remaining()
        if remaining:
            return _error(ocapi, 503, "The service is unavailable (simulated outage).")
        injected = state.faults.decide(is_write=req.method != "GET", is_token=False)
        if injected and not injected.after_apply:
            return _error(ocapi, injected.status, "Simulated failure.")
        denied = self._auth(req, ocapi=ocapi)
        if denied:
            return denied
        try:
            return handler(req)
        except BadJson as exc:
            return _error(ocapi, 400, str(exc))

    def _auth(self, req: Request, *, ocapi: bool) -> Response | None:
        scheme, _, token = (req.header("Authorization") or "").partition(" ")
        info = self.sim.state.token_info(token.strip()) if scheme.lower() == "bearer" else None
        if info is None:
            return _error(ocapi, 401, "Your access token is invalid or expired.")
        if ocapi:
            if not req.header("x-dw-client-id"):
                return _error(True, 400, "The header x-dw-client-id is required.")
            return None
        needed = (
            {"sfcc.products.rw"}
            if req.method != "GET" and "product-search" not in req.path
            else READ_SCOPES
        )
        if not needed & set(info["scope"]):
            return problem(403, f"The access token lacks the scope {' or '.join(sorted(needed))}.")
        return None

    # SCAPI Products ----------------------------------------------------------------------

    def _products(self, req: Request) -> Response:
        search = SEARCH_PATH.match(req.path)
        match = PRODUCT_PATH.match(req.path)
        org = (search or match).group(1) if (search or match) else ""
        if not (search or match):
            return problem(404, f"No resource at {req.path}")
        if org != self.sim.state.organization_id:
            return problem(403, f"The access token is not valid for organization '{org}'.")
        if search:
            if req.method != "POST":
                return problem(405, "Use POST for product-search.")
            self.sim.state.count("searchProducts")
            return self._search(req)
        product_id = match.group(2)
        if req.method == "GET":
            self.sim.state.count("getProduct")
            with self.lock:
                product = self.products.get(product_id)
                return Response(200, dict(product)) if product else _not_found(product_id)
        if req.method == "PATCH":
            self.sim.state.count("updateProduct")
            return self._update(req, product_id)
        return problem(405, f"{req.method} is not allowed on {req.path}; use GET, PATCH.")

    def _search(self, req: Request) -> Response:
        if not req.param("siteId"):
            return problem(400, "The query parameter 'siteId' is required.")
        body = req.json()
        term = (body.get("query") or {}).get("termQuery") if isinstance(body, dict) else None
        if not isinstance(term, dict) or term.get("fields") != ["id"]:
            return problem(400, "Only a termQuery on the field id is supported by the simulator.")
        limit = int(body.get("limit") or 25)
        offset = int(body.get("offset") or 0)
        if not 1 <= limit <= 200:
            return problem(400, f"limit must be between 1 and 200, got {limit}.")
        values = term.get("values") or []
        with self.lock:
            hits = [dict(self.products[v]) for v in sorted(set(values)) if v in self.products]
        page = hits[offset : offset + limit]
        return Response(
            200,
            {
                "limit": limit,
                "offset": offset,
                "total": len(hits),
                "hits": page,
                "query": body["query"],
            },
        )

    def _update(self, req: Request, product_id: str) -> Response:
        body = req.json()
        if not isinstance(body, dict):
            return problem(400, "The body must be a Product object.")
        key = req.header("Idempotency-Key")
        with self.lock:
            product = self.products.get(product_id)
            if product is None:
                return _not_found(product_id)
            history = self.updates.setdefault(product_id, [])
            if key and any(entry.get("key") == key for entry in history):
                return Response(200, dict(product))  # the same write again: applied once
            changed = {k: v for k, v in body.items() if k.startswith("c_")}
            product.update(changed)
            history.append({"key": key, "attributes": changed})
            return Response(200, dict(product))

    # OCAPI Data inventory ------------------------------------------------------------------

    def _inventory(self, req: Request) -> Response:
        if req.method != "GET":
            return fault(405, f"{req.method} is not allowed here; use GET.", version="25.6")
        version, list_id, product_id = RECORDS_PATH.match(req.path).groups()
        with self.lock:
            records = self.records.get(list_id)
            if records is None:
                return fault(404, f"No inventory list with ID '{list_id}'.", version="25.6")
            if product_id:
                record = records.get(product_id)
                if record is None:
                    return fault(
                        404, f"No inventory record for product '{product_id}'.", version="25.6"
                    )
                self.sim.state.count("getProductInventoryRecord")
                return Response(200, {"_v": "25.6", **record})
            start, count = int(req.param("start") or 0), int(req.param("count") or 25)
            if count < 1 or count > 200:
                return fault(400, "count must be 1..200.", version="25.6")
            ordered = [records[k] for k in sorted(records)]
            page = ordered[start : start + count]
        self.sim.state.count("getProductInventoryRecords")
        return Response(
            200,
            {"_v": "25.6", "count": len(page), "start": start, "total": len(ordered), "data": page},
        )

    # Control -------------------------------------------------------------------------------

    def _control(self, req: Request) -> Response:
        try:
            if req.path == CONTROL_PRODUCTS and req.method == "POST":
                return self._seed_products(req.json())
            if req.path == CONTROL_INVENTORY and req.method == "PUT":
                return self._seed_inventory(req.json())
            match = CONTROL_PRODUCT.match(req.path)
            if match and req.method == "GET":
                with self.lock:
                    product = self.products.get(match.group(1))
                    if product is None:
                        return Response(404, {"error": f"no product {match.group(1)}"})
                    return Response(
                        200, {**product, "updates": list(self.updates.get(match.group(1), []))}
                    )
        except (BadJson, KeyError, TypeError, ValueError) as exc:
            return Response(400, {"error": str(exc)})
        return Response(404, {"error": f"no control route {req.method} {req.path}"})

    def _seed_products(self, body: Any) -> Response:
        """`{"products": [{"id", "name"}], "replace": false}`."""
        with self.lock:
            if body.get("replace"):
                self.products.clear()
            for item in body["products"]:
                self.products[str(item["id"])] = {
                    "id": str(item["id"]),
                    "name": {"default": str(item.get("name") or item["id"])},
                    "online": bool(item.get("online", True)),
                }
            return Response(200, {"products": len(self.products)})

    def _seed_inventory(self, body: Any) -> Response:
        """`{"list": "inventory_m", "records": [{"product_id", "stock_level", "allocation", "turnover", "on_order"}]}`."""
        list_id = str(body.get("list") or DEFAULT_LIST)
        with self.lock:
            records = self.records.setdefault(list_id, {})
            for item in body["records"]:
                pid = str(item["product_id"])
                name = (self.products.get(pid) or {}).get("name", {}).get("default", pid)
                records[pid] = _record(
                    pid,
                    list_id,
                    name,
                    int(item.get("stock_level", 0)),
                    int(item.get("allocation", 0)),
                    int(item.get("turnover", 0)),
                    int(item.get("on_order", 0)),
                )
            return Response(200, {"records": len(records)})


def _record(
    pid: str, list_id: str, name: str, stock: int, allocation: int, turnover: int, on_order: int
) -> dict:
    ats = max(0, allocation - turnover - on_order)
    return {
        "product_id": pid,
        "product_name": name,
        "inventory_list_id": list_id,
        "stock_level": float(stock),
        "allocation": {"amount": float(allocation)},
        "inventory_turnover": float(turnover),
        "quantity_on_order": float(on_order),
        "ats": float(ats),
        "perpetual_flag": False,
    }


def _not_found(product_id: str) -> Response:
    return problem(
        404,
        f"No product with ID '{product_id}' was found.",
        slug="product-not-found",
        title="Product Not Found",
    )


def _error(ocapi: bool, status: int, detail: str) -> Response:
    return fault(status, detail, version="25.6") if ocapi else problem(status, detail)
