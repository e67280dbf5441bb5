"""A steady stream of realistic orders and order changes, some with fulfilment exceptions."""

from __future__ import annotations

import random
import threading
from typing import Any

from simulators.sfcc.state import State

DEFAULT_PARTNERS = (
    "SUP-001",
    "SUP-002",
    "SUP-003",
    "SUP-004",
    "WH-001",
    "WH-002",
    "CAR-001",
    "CAR-002",
    "MKT-001",
    "MKT-002",
)
PRODUCT_WORDS = (
    "Trail Runner",
    "Linen Shirt",
    "Espresso Grinder",
    "Desk Lamp",
    "Wool Scarf",
    "Cast Iron Pan",
    "Yoga Mat",
    "Rain Jacket",
    "Bluetooth Speaker",
    "Canvas Tote",
    "Water Bottle",
    "Chef Knife",
)
CITIES = (
    ("Burlington", "MA", "05408"),
    ("Portland", "OR", "97201"),
    ("Austin", "TX", "78701"),
    ("Denver", "CO", "80202"),
    ("Madison", "WI", "53703"),
)
# Exceptions the portal's flows start from, and how each shows on the order.
EXCEPTIONS: dict[str, dict[str, Any]] = {
    "STOCK_SHORTAGE": {"c_fulfillmentExceptionCode": "STOCK_SHORTAGE"},
    "ADDRESS_INVALID": {"c_fulfillmentExceptionCode": "ADDRESS_INVALID"},
    "PAYMENT_FAILED": {"c_fulfillmentExceptionCode": "PAYMENT_FAILED", "paymentStatus": "not_paid"},
    "CARRIER_EXCEPTION": {
        "c_fulfillmentExceptionCode": "CARRIER_EXCEPTION",
        "shippingStatus": "part_shipped",
    },
}


def _by_prefix(partners: list[str], prefix: str) -> list[str]:
    return [p for p in partners if p.upper().startswith(prefix)]


class Catalogue:
    """Products whose c_supplierId comes from the supplier and marketplace partner ids."""

    def __init__(self, partners: list[str], *, seed: int | None = None) -> None:
        sellers = _by_prefix(partners, "SUP") + _by_prefix(partners, "MKT")
        self.sellers = sellers or list(partners)
        self.warehouses = _by_prefix(partners, "WH") or ["WH-001"]
        self.carriers = _by_prefix(partners, "CAR") or ["CAR-001"]
        rng = random.Random(seed)
        self.products = [
            {
                "productId": f"SKU-{index:04d}",
                "productName": word,
                "price": round(rng.uniform(9, 240), 2),
                "c_supplierId": self.sellers[index % len(self.sellers)],
            }
            for index, word in enumerate(PRODUCT_WORDS, start=1)
        ]


class Scenario:
    """Creates an order every ``interval`` seconds and now and then moves an existing one on."""

    def __init__(
        self,
        *,
        state: State,
        partners: list[str],
        interval: float = 3.0,
        exception_rate: float = 0.25,
        seed: int | None = None,
    ) -> None:
        self.state = state
        self.catalogue = Catalogue(partners, seed=seed)
        self.interval = interval
        self.exception_rate = exception_rate
        self.rng = random.Random(seed)
        self._enabled = threading.Event()
        self._wake = threading.Event()
        self._thread = threading.Thread(target=self._run, name="sfcc-scenario", daemon=True)
        self._thread.start()

    @property
    def enabled(self) -> bool:
        return self._enabled.is_set()

    def configure(
        self,
        *,
        enabled: bool | None = None,
        interval: float | None = None,
        exception_rate: float | None = None,
    ) -> None:
        if interval is not None:
            self.interval = max(0.05, float(interval))
        if exception_rate is not None:
            self.exception_rate = min(1.0, max(0.0, float(exception_rate)))
        if enabled is not None:
            if enabled:
                self._enabled.set()
            else:
                self._enabled.clear()
        self._wake.set()

    def describe(self) -> dict[str, Any]:
        return {
            "enabled": self.enabled,
            "interval_s": self.interval,
            "exception_rate": self.exception_rate,
            "products": self.catalogue.products,
        }

    def _run(self) -> None:
        while True:
            self._enabled.wait()
            self._wake.wait(self.interval)
            self._wake.clear()
            if not self.enabled:
                continue
            try:
                self.tick()
            except Exception as exc:  # a bad tick must not end the stream
                self.state.count(f"scenario_error:{type(exc).__name__}")

    def tick(self) -> dict[str, Any]:
        """One step: usually a new order, sometimes progress on an open one."""
        with self.state.lock:  # writers replace entries while we look
            recent = list(self.state.orders.values())[-200:]
        open_orders = [
            o for o in recent if o.get("status") == "new" and o.get("shippingStatus") != "shipped"
        ]
        if open_orders and self.rng.random() < 0.3:
            return self._progress(self.rng.choice(open_orders))
        return self.state.create_order(self.order_spec(), source="scenario")

    def order_spec(self) -> dict[str, Any]:
        rng = self.rng
        products = rng.sample(self.catalogue.products, k=rng.randint(1, 3))
        city, state_code, postal = rng.choice(CITIES)
        first, last = (
            rng.choice(("Ada", "Ben", "Chen", "Dana", "Eli")),
            rng.choice(("Lovelace", "Okafor", "Nguyen", "Silva", "Berg")),
        )
        address = {
            "firstName": first,
            "lastName": last,
            "fullName": f"{first} {last}",
            "address1": f"{rng.randint(1, 999)} Main St.",
            "city": city,
            "stateCode": state_code,
            "postalCode": postal,
            "countryCode": "US",
        }
        marketplace = [p["c_supplierId"] for p in products if p["c_supplierId"].startswith("MKT")]
        spec: dict[str, Any] = {
            "lines": [dict(p, quantity=rng.randint(1, 3)) for p in products],
            "shippingAddress": address,
            "customer": {"email": f"{first.lower()}.{last.lower()}@example.com"},
            "shipments": [
                {
                    "c_fulfillmentLocation": rng.choice(self.catalogue.warehouses),
                    "c_carrierId": rng.choice(self.catalogue.carriers),
                }
            ],
            "c_supplierId": products[0]["c_supplierId"],
            "c_fulfillmentLocation": rng.choice(self.catalogue.warehouses),
        }
        if marketplace:
            spec["channelType"] = "marketplace"
            spec["c_marketplaceSellerId"] = marketplace[0]
        if rng.random() < self.exception_rate:
            code = rng.choice(list(EXCEPTIONS))
            spec.update(EXCEPTIONS[code])
            if code == "ADDRESS_INVALID":
                address["postalCode"] = "00000"
        return spec

    def _progress(self, order: dict[str, Any]) -> dict[str, Any]:
        if order.get("c_fulfillmentExceptionCode") == "CARRIER_EXCEPTION":
            changes: dict[str, Any] = {"c_carrierExceptionDetail": "Parcel damaged at hub"}
        elif order.get("exportStatus") != "exported":
            changes = {"exportStatus": "exported"}
        else:
            changes = {
                "shippingStatus": "shipped",
                "trackingNumber": f"1Z{self.rng.randint(10**9, 10**10 - 1)}",
            }
        return self.state.control_update(order["orderNo"], changes, source="scenario")
