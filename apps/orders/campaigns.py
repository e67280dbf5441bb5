"""SFCC campaigns for the flows: a provider the SFCC connector registers, and date-change news.

A launch or promotion in SFCC is a campaign with a start and an end. Flows read campaigns
here and never import the connector: the connector registers its provider from its
`AppConfig.ready()`. Flows also say which campaigns they follow (`watch`); the connector's
periodic sync reads those campaigns and announces each one it read (`announce`), and the
flows that subscribed compare the dates with their own and act on a change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


@dataclass(frozen=True)
class Campaign:
    """What the flows need of an SFCC campaign."""

    campaign_id: str
    description: str = ""
    start: datetime | None = None
    end: datetime | None = None
    enabled: bool = True
    last_modified: datetime | None = None


class CampaignsUnavailable(Exception):
    """No provider is registered, or SFCC could not be reached; the message says which."""


class CampaignProvider(Protocol):
    def get(self, campaign_id: str) -> Campaign | None: ...

    def search(self, text: str = "", limit: int = 50) -> list[Campaign]: ...


_provider: CampaignProvider | None = None
_watchers: list[Callable[[], Iterable[str]]] = []
_subscribers: list[Callable[..., None]] = []


def register_provider(provider: CampaignProvider) -> None:
    global _provider
    _provider = provider


def _current() -> CampaignProvider:
    if _provider is None:
        raise CampaignsUnavailable("No SFCC connection is configured to read campaigns.")
    return _provider


def campaign_get(campaign_id: str) -> Campaign | None:
    """One campaign by id, None when SFCC has none; CampaignsUnavailable when it cannot tell."""
    return _current().get(campaign_id)


def campaign_search(text: str = "", limit: int = 50) -> list[Campaign]:
    return _current().search(text, limit)


def watch(ids: Callable[[], Iterable[str]]) -> None:
    """A flow names the campaigns it follows (called at each sync, so it reads the database)."""
    if ids not in _watchers:
        _watchers.append(ids)


def watched_campaign_ids() -> set[str]:
    return {campaign_id for ids in _watchers for campaign_id in ids() if campaign_id}


def subscribe(handler: Callable[..., None]) -> None:
    """`handler(campaign=)` hears every watched campaign the sync read, changed or not."""
    if handler not in _subscribers:
        _subscribers.append(handler)


def announce(campaign: Campaign) -> None:
    for handler in list(_subscribers):
        handler(campaign=campaign)
