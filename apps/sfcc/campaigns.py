"""SFCC campaigns for the flows: the provider behind `apps.orders.campaigns`, and the date sync.

The flows read campaigns through the registry in `apps.orders.campaigns` (this module fills
it from the app's `ready()`), and say which campaigns they follow. `sync_followed_campaigns`,
run by beat, reads those campaigns and announces each one; the flows compare the dates with
their own and move what changed, so a replayed or repeated sync changes nothing.
"""

from __future__ import annotations

import logging
import threading

from django.core.cache import cache

from apps.orders import campaigns
from apps.sfcc.client import SfccConfig, SfccError, parse_sfcc_datetime
from apps.sfcc.client.campaigns import CampaignsClient

from . import conf

logger = logging.getLogger("apps.sfcc")

_clients: dict[SfccConfig, CampaignsClient] = {}
_lock = threading.Lock()


def get_client() -> CampaignsClient:
    config = conf.client_config()
    with _lock:
        client = _clients.get(config)
        if client is None:
            client = CampaignsClient.from_config(config, token_store=cache)
            _clients[config] = client
        return client


def close_clients() -> None:
    with _lock:
        for client in _clients.values():
            client.close()
        _clients.clear()


def _when(value):
    try:
        return parse_sfcc_datetime(str(value)) if value else None
    except ValueError:
        return None


def campaign_from_document(document: dict) -> campaigns.Campaign:
    return campaigns.Campaign(
        campaign_id=str(document["campaignId"]),
        description=str(document.get("description") or "")[:4000],
        start=_when(document.get("startDate")),
        end=_when(document.get("endDate")),
        enabled=bool(document.get("enabled", True)),
        last_modified=_when(document.get("lastModified")),
    )


class SfccCampaignProvider:
    """What `apps.orders.campaigns` asks of SFCC; SFCC errors become CampaignsUnavailable."""

    def get(self, campaign_id: str) -> campaigns.Campaign | None:
        if not conf.enabled():
            raise campaigns.CampaignsUnavailable(
                "The SFCC connection is switched off (SFCC_ENABLED)."
            )
        try:
            document = get_client().get_campaign(campaign_id=campaign_id)
        except SfccError as exc:
            raise campaigns.CampaignsUnavailable(str(exc)) from exc
        return campaign_from_document(document) if document else None

    def search(self, text: str = "", limit: int = 50) -> list[campaigns.Campaign]:
        if not conf.enabled():
            raise campaigns.CampaignsUnavailable(
                "The SFCC connection is switched off (SFCC_ENABLED)."
            )
        try:
            return [campaign_from_document(d) for d in get_client().text_search(text, limit=limit)]
        except SfccError as exc:
            raise campaigns.CampaignsUnavailable(str(exc)) from exc


def sync_followed_campaigns(*, client: CampaignsClient | None = None) -> int:
    """Read every campaign a flow follows and announce it; returns how many were read."""
    if not conf.enabled():
        return 0
    followed = campaigns.watched_campaign_ids()
    if not followed:
        return 0
    client = client or get_client()
    read = 0
    for document in client.campaigns_by_id(sorted(followed)):
        campaign = campaign_from_document(document)
        read += 1
        try:
            campaigns.announce(campaign)
        except Exception:  # one flow's failure must not stop the other campaigns; beat retries
            logger.exception("Applying SFCC campaign %s failed", campaign.campaign_id)
    return read
