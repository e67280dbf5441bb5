"""SCAPI Campaigns Admin reads (campaignsSearch, getCampaign): a launch's dates live on its campaign.

Follows `campaigns-oas-v1-public.yaml` (Campaigns 1.0.40): the host's `/pricing/campaigns/v1`
base, `siteId` on every call, search by POST with a query (at most 200 hits a page), the
`sfcc.promotions` scope. Pure Python like the rest of the client.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any
from urllib.parse import quote

import httpx

from apps.sfcc.client.auth import TokenProvider, TokenStore
from apps.sfcc.client.config import SfccConfig
from apps.sfcc.client.errors import SfccError, SfccNotFound
from apps.sfcc.client.session import SfccSession

MAX_PAGE_SIZE = 200
PROMOTIONS_SCOPE = "sfcc.promotions"


def campaign_scopes(config: SfccConfig) -> tuple[str, ...]:
    """The orders scopes the connector already holds, plus the read-only promotions scope."""
    return (*config.scopes, PROMOTIONS_SCOPE)


class CampaignsClient:
    def __init__(
        self,
        *,
        api_base_url: str,
        organization_id: str,
        site_id: str,
        token_provider: TokenProvider,
        connect_timeout: float = 3.0,
        read_timeout: float = 10.0,
        read_retries: int = 2,
        max_retry_wait: float = 30.0,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.site_id = site_id
        self._url = f"{api_base_url.rstrip('/')}/pricing/campaigns/v1/organizations/{organization_id}/campaigns"
        self._tokens = token_provider
        self._session = SfccSession(
            token_provider=token_provider,
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            read_retries=read_retries,
            max_retry_wait=max_retry_wait,
            max_connections=4,
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
        sleep: Callable[[float], None] = time.sleep,
    ) -> CampaignsClient:
        provider = TokenProvider(
            client_id=config.client_id,
            client_secret=config.client_secret,
            scopes=campaign_scopes(config),
            token_url=config.token_url,
            store=token_store,
            timeout=httpx.Timeout(config.read_timeout, connect=config.connect_timeout),
            transport=transport,
        )
        return cls(
            api_base_url=config.api_base_url,
            organization_id=config.organization_id,
            site_id=config.site_id,
            token_provider=provider,
            connect_timeout=config.connect_timeout,
            read_timeout=config.read_timeout,
            read_retries=config.read_retries,
            max_retry_wait=config.max_retry_wait,
            transport=transport,
            sleep=sleep,
        )

    def close(self) -> None:
        self._session.close()
        self._tokens.close()

    def __enter__(self) -> CampaignsClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def get_campaign(self, *, campaign_id: str) -> dict[str, Any] | None:
        """One campaign, or None when SFCC has none by that id."""
        if not campaign_id:
            raise ValueError("campaign_id is required")
        try:
            response = self._session.request(
                "GET",
                f"{self._url}/{quote(campaign_id, safe='')}",
                params={"siteId": self.site_id},
                retry=True,
            )
        except SfccNotFound:
            return None
        if not isinstance(response.body, dict) or "campaignId" not in response.body:
            raise SfccError("getCampaign answered without a campaign", status=response.status_code)
        return response.body

    def search(
        self,
        *,
        query: dict[str, Any],
        offset: int = 0,
        limit: int = MAX_PAGE_SIZE,
        sorts: Sequence[dict[str, str]] = ({"field": "campaignId", "sortOrder": "asc"},),
    ) -> dict[str, Any]:
        """One page of campaignsSearch: ``{"hits": [...], "total": n, ...}``."""
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValueError(f"limit must be 1..{MAX_PAGE_SIZE}")
        body = {"query": query, "offset": offset, "limit": limit, "sorts": list(sorts)}
        # A search changes nothing: safe to retry like a read.
        response = self._session.request(
            "POST", self._url, params={"siteId": self.site_id}, json=body, retry=True
        )
        if not isinstance(response.body, dict) or not isinstance(
            response.body.get("hits", []), list
        ):
            raise SfccError("campaignsSearch answered without hits", status=response.status_code)
        return response.body

    def iter_search(
        self, *, query: dict[str, Any], page_size: int = MAX_PAGE_SIZE
    ) -> Iterator[dict[str, Any]]:
        offset = 0
        while True:
            page = self.search(query=query, offset=offset, limit=page_size)
            hits = page.get("hits") or []
            yield from hits
            offset += len(hits)
            if not hits or len(hits) < page_size or offset >= int(page.get("total") or 0):
                return

    def campaigns_by_id(self, campaign_ids: Sequence[str]) -> Iterator[dict[str, Any]]:
        """The campaigns among these ids, in pages of one_of term queries."""
        ids = sorted(set(filter(None, campaign_ids)))
        for start in range(0, len(ids), MAX_PAGE_SIZE):
            chunk = ids[start : start + MAX_PAGE_SIZE]
            yield from self.iter_search(
                query={
                    "termQuery": {"fields": ["campaignId"], "operator": "one_of", "values": chunk}
                }
            )

    def text_search(self, text: str, *, limit: int = 50) -> list[dict[str, Any]]:
        query = (
            {"textQuery": {"fields": ["campaignId", "description"], "searchPhrase": text}}
            if text.strip()
            else {"matchAllQuery": {}}
        )
        return list(self.search(query=query, limit=min(limit, MAX_PAGE_SIZE)).get("hits") or [])
