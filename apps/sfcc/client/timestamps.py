"""SFCC timestamps: ISO 8601 in UTC with milliseconds, e.g. ``2020-11-05T13:08:05.588Z``."""

from __future__ import annotations

from datetime import UTC, datetime


def parse_sfcc_datetime(value: str) -> datetime:
    """An aware UTC datetime from an SFCC timestamp (``Z`` or an offset)."""
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def format_sfcc_datetime(value: datetime | str) -> str:
    """The wire form SFCC filters expect; naive datetimes are taken as UTC."""
    if isinstance(value, str):
        value = parse_sfcc_datetime(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
