"""SFCC's catalog and inventory as the flows may read them: a provider registry the connector fills.

Flows never import a connector. The SFCC connector registers a `CatalogProvider` from its
`AppConfig.ready()`; flows call `lookup_products`, `inventory` and
`write_product_attributes` here. Without a provider (SFCC switched off) the reads answer
None, which callers show as "not checked against SFCC", and writes are skipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal


class CatalogUnavailable(Exception):
    """SFCC could not be asked (unreachable, refused our credentials): try again later."""


@dataclass(frozen=True)
class Product:
    sku: str
    name: str
    online: bool = True


@dataclass(frozen=True)
class StockRecord:
    """One OCAPI product inventory record, in the words the flows use."""

    sku: str
    location: str
    stock_level: Decimal
    ats: Decimal
    allocation: Decimal
    # What is spoken for: sold against the allocation (turnover) plus on order.
    reserved: Decimal
    in_stock_date: date | None = None


@dataclass(frozen=True)
class CatalogProvider:
    # `products(skus) -> {sku: Product}`; an unknown SKU is absent.
    products: Callable[[list[str]], dict[str, Product]]
    # `stock(skus, location) -> {sku: StockRecord}`; a SKU without a record is absent.
    stock: Callable[[list[str], str], dict[str, StockRecord]]
    # The outbox target that writes `c_` attributes to a product, and whether writing is
    # configured now (read at call time, so a setting change needs no restart).
    attributes_target: str = ""
    writes_attributes: Callable[[], bool] = lambda: False


ATTRIBUTES_TOPIC = "product.attributes"
_provider: CatalogProvider | None = None


def register_catalog(provider: CatalogProvider | None) -> None:
    global _provider
    _provider = provider


def provider() -> CatalogProvider | None:
    return _provider


def writes_product_attributes() -> bool:
    """Whether confirmed allocations are written to the catalog (configured and connected)."""
    return bool(_provider and _provider.attributes_target and _provider.writes_attributes())


def lookup_products(skus: Iterable[str]) -> dict[str, Product] | None:
    """The catalog's products among `skus`; None when no catalog is connected."""
    wanted = sorted({s for s in skus if s})
    if _provider is None:
        return None
    return _provider.products(wanted) if wanted else {}


def inventory(skus: Iterable[str], location: str) -> dict[str, StockRecord] | None:
    wanted = sorted({s for s in skus if s})
    if _provider is None:
        return None
    return _provider.stock(wanted, location) if wanted else {}


def write_product_attributes(*, sku: str, attributes: dict, key: str = "", case=None) -> bool:
    """Queue `c_` attributes for a product, in the caller's transaction; False when not configured."""
    from apps.sync.services import outbox_enqueue

    if _provider is None or not _provider.attributes_target or not _provider.writes_attributes():
        return False
    bad = [name for name in attributes if not name.startswith("c_")]
    if bad:
        raise ValueError(f"Only custom attributes (c_…) are written to products, not {bad}.")
    outbox_enqueue(
        target=_provider.attributes_target,
        topic=ATTRIBUTES_TOPIC,
        key=key or f"catalog:product:{sku}",
        payload={"sku": sku, "attributes": attributes},
        case=case,
    )
    return True


class offline:  # noqa: N801  (used as a context manager: `with catalog.offline():`)
    """Work without SFCC for a block: reads answer None ("not checked"), writes are skipped.

    The demo seed uses it, since it must run whether or not SFCC is reachable.
    """

    def __enter__(self):
        global _provider
        self._saved, _provider = _provider, None
        return self

    def __exit__(self, *exc_info):
        global _provider
        _provider = self._saved
