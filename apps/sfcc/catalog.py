"""The connector's side of the catalog registry (apps.orders.catalog): reads and one outbox target.

Reads (product names, inventory records) are synchronous: a merchandiser importing a plan or
refreshing its stock waits for SFCC's answer, with the session's bounded retries. Writes of
`c_` attributes to products go through the outbox (target "sfcc-catalog"), one row per
product, delivered with the row's idempotency key like the order writes.
"""

import threading
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.cache import cache

from apps.orders.catalog import CatalogProvider, CatalogUnavailable, Product, StockRecord
from apps.sfcc.client import SfccConfig, SfccConnectionError, SfccError
from apps.sfcc.client.catalog import CatalogClient
from apps.sync.delivery import DeliveryResult
from apps.sync.errors import PermanentError, RetryableError

from . import conf

TARGET = "sfcc-catalog"

_clients: dict[SfccConfig, CatalogClient] = {}
_lock = threading.Lock()


def get_client() -> CatalogClient:
    config = conf.client_config()
    with _lock:
        client = _clients.get(config)
        if client is None:
            client = CatalogClient.from_config(config, token_store=cache)
            _clients[config] = client
        return client


def _decimal(value: Any) -> Decimal:
    try:
        return Decimal(str(value)) if value is not None else Decimal(0)
    except InvalidOperation:
        return Decimal(0)


def _name(product: dict[str, Any]) -> str:
    name = product.get("name")
    if isinstance(name, dict):
        return str(name.get("default") or next(iter(name.values()), "") or "")
    return str(name or "")


def products(skus: list[str]) -> dict[str, Product]:
    if not conf.enabled():
        return {}
    try:
        found = get_client().search_products(skus)
    except SfccError as exc:
        raise CatalogUnavailable(f"SFCC's catalog could not be read: {exc}") from exc
    return {
        sku: Product(sku=sku, name=_name(item), online=bool(item.get("online", True)))
        for sku, item in found.items()
    }


def inventory_list_id(location: str) -> str:
    return location or getattr(settings, "SFCC_INVENTORY_LIST_ID", "inventory_m")


def stock(skus: list[str], location: str) -> dict[str, StockRecord]:
    if not conf.enabled():
        return {}
    list_id = inventory_list_id(location)
    try:
        records = get_client().inventory_records(inventory_list_id=list_id, product_ids=skus)
    except SfccError as exc:
        if getattr(exc, "status", None) == 404:
            return {}  # no such inventory list: nothing is reserved there
        raise CatalogUnavailable(f"SFCC's inventory could not be read: {exc}") from exc
    out = {}
    for sku, record in records.items():
        allocation = record.get("allocation") or {}
        in_stock = record.get("in_stock_date")
        out[sku] = StockRecord(
            sku=sku,
            location=location,
            stock_level=_decimal(record.get("stock_level")),
            ats=_decimal(record.get("ats")),
            allocation=_decimal(allocation.get("amount") if isinstance(allocation, dict) else 0),
            reserved=_decimal(record.get("inventory_turnover"))
            + _decimal(record.get("quantity_on_order")),
            in_stock_date=date.fromisoformat(in_stock[:10])
            if isinstance(in_stock, str) and in_stock
            else None,
        )
    return out


def writes_attributes() -> bool:
    return conf.enabled() and bool(getattr(settings, "SFCC_WRITE_ALLOCATIONS", True))


def provider() -> CatalogProvider:
    return CatalogProvider(
        products=products,
        stock=stock,
        attributes_target=TARGET,
        writes_attributes=writes_attributes,
    )


def deliver_product_attributes(message: Any) -> DeliveryResult:
    """One updateProduct per row; SFCC refusing the product is permanent, the rest retried."""
    payload = message.payload
    summary = {"topic": message.topic, "sku": payload.get("sku")}
    try:
        get_client().update_product(
            product_id=payload["sku"],
            attributes=payload["attributes"],
            idempotency_key=str(message.idempotency_key),
            correlation_id=f"crossdock-outbox-{message.pk}-{message.attempts}",
        )
    except SfccConnectionError as exc:
        raise RetryableError(
            f"SFCC unreachable: {exc}", retry_after=30, request_summary=summary
        ) from exc
    except SfccError as exc:
        if exc.status in (400, 404, 409):
            raise PermanentError(str(exc), exc.status, request_summary=summary) from exc
        raise RetryableError(str(exc), response_code=exc.status, request_summary=summary) from exc
    except (KeyError, ValueError) as exc:
        raise PermanentError(f"Malformed catalog row: {exc}", request_summary=summary) from exc
    return DeliveryResult(response_code=200, request_summary=summary)
