"""SCAPI Products Admin (search, get, updateProduct) and OCAPI Data inventory records.

Products are read in batches through `searchProducts` (a `termQuery` on `id`, 200 a page)
and written with `updateProduct` (PATCH, `c_` attributes only here). Inventory comes from
OCAPI Data `product_inventory_records`: one GET per SKU for a few SKUs, the list paged for
many. It shares the orders client's token (one Account Manager client with both scopes).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote

import httpx

from apps.sfcc.client.auth import TokenProvider, TokenStore
from apps.sfcc.client.config import SfccConfig
from apps.sfcc.client.errors import SfccError, SfccNotFound
from apps.sfcc.client.session import SfccSession

PRODUCT_SCOPE = "sfcc.products.rw"
SEARCH_PAGE = 200  # SearchRequest.limit's maximum
INVENTORY_PAGE = 200
DIRECT_LOOKUPS = 25  # up to this many SKUs are read one by one, more by paging the list
OCAPI_DATA_VERSION = "v25_6"


class CatalogClient:
    def __init__(
        self,
        *,
        api_base_url: str,
        organization_id: str,
        site_id: str,
        client_id: str,
        token_provider: TokenProvider,
        ocapi_base_url: str = "",
        read_timeout: float = 10.0,
        connect_timeout: float = 3.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.site_id = site_id
        self.client_id = client_id
        self._products_url = (
            f"{api_base_url.rstrip('/')}/product/products/v1/organizations/{organization_id}"
        )
        base = (ocapi_base_url or api_base_url).rstrip("/")
        self._data_url = f"{base}/s/-/dw/data/{OCAPI_DATA_VERSION}"
        self._tokens = token_provider
        self._session = SfccSession(
            token_provider=token_provider,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            transport=transport,
            sleep=sleep,
        )

    @classmethod
    def from_config(
        cls,
        config: SfccConfig,
        *,
        token_store: TokenStore | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> CatalogClient:
        provider = TokenProvider(
            client_id=config.client_id,
            client_secret=config.client_secret,
            scopes=(*config.scopes, PRODUCT_SCOPE),
            token_url=config.token_url,
            store=token_store,
            timeout=httpx.Timeout(config.read_timeout, connect=config.connect_timeout),
            transport=transport,
        )
        return cls(
            api_base_url=config.api_base_url,
            organization_id=config.organization_id,
            site_id=config.site_id,
            client_id=config.client_id,
            token_provider=provider,
            ocapi_base_url=config.ocapi_base_url,
            read_timeout=config.read_timeout,
            connect_timeout=config.connect_timeout,
            transport=transport,
        )

    def close(self) -> None:
        self._session.close()
        self._tokens.close()

    # Products --------------------------------------------------------------------------

    def search_products(self, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        """The products among `ids`, by id; an unknown id is simply absent."""
        wanted = sorted(set(ids))
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(wanted), SEARCH_PAGE):
            chunk = wanted[start : start + SEARCH_PAGE]
            body = {
                "query": {"termQuery": {"fields": ["id"], "operator": "one_of", "values": chunk}},
                "limit": SEARCH_PAGE,
                "offset": 0,
            }
            response = self._session.request(
                "POST",
                f"{self._products_url}/product-search",
                params={"siteId": self.site_id},
                json=body,
                retry=True,  # a search changes nothing: safe to retry
            )
            hits = response.body.get("hits") if isinstance(response.body, dict) else None
            if not isinstance(hits, list):
                raise SfccError("searchProducts answered without hits", status=response.status_code)
            found.update({hit["id"]: hit for hit in hits if isinstance(hit, dict) and "id" in hit})
        return found

    def get_product(self, product_id: str) -> dict[str, Any]:
        response = self._session.request(
            "GET",
            self._product_url(product_id),
            params={"siteId": self.site_id},
            retry=True,
        )
        return response.body

    def update_product(
        self,
        *,
        product_id: str,
        attributes: dict[str, Any],
        idempotency_key: str | None = None,
        correlation_id: str | None = None,
    ) -> dict[str, Any]:
        """updateProduct: PATCH the product's custom attributes; returns the product."""
        bad = [name for name in attributes if not name.startswith("c_")]
        if bad:
            raise ValueError(f"only c_ attributes are written here, not {bad}")
        response = self._session.request(
            "PATCH",
            self._product_url(product_id),
            json=attributes,
            idempotency_key=idempotency_key,
            correlation_id=correlation_id,
        )
        return response.body

    def _product_url(self, product_id: str) -> str:
        return f"{self._products_url}/products/{quote(product_id, safe='')}"

    # Inventory (OCAPI Data) ------------------------------------------------------------

    def inventory_records(
        self, *, inventory_list_id: str, product_ids: Iterable[str]
    ) -> dict[str, dict[str, Any]]:
        """`product_inventory_record` documents of the list for these products, by product id."""
        wanted = set(product_ids)
        list_url = f"{self._data_url}/inventory_lists/{quote(inventory_list_id, safe='')}/product_inventory_records"
        headers = {"x-dw-client-id": self.client_id}
        records: dict[str, dict[str, Any]] = {}
        if len(wanted) <= DIRECT_LOOKUPS:
            for product_id in sorted(wanted):
                try:
                    response = self._session.request(
                        "GET",
                        f"{list_url}/{quote(product_id, safe='')}",
                        headers=headers,
                        retry=True,
                    )
                except SfccNotFound:
                    continue
                records[product_id] = response.body
            return records
        start = 0
        while True:
            response = self._session.request(
                "GET",
                list_url,
                params={"start": start, "count": INVENTORY_PAGE},
                headers=headers,
                retry=True,
            )
            body = response.body if isinstance(response.body, dict) else {}
            page = body.get("data") or []
            for record in page:
                if record.get("product_id") in wanted:
                    records[record["product_id"]] = record
            start += len(page)
            if not page or start >= int(body.get("total") or 0):
                return records
