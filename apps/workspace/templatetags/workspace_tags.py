"""Template filters of the workspace."""

from django import template

from ..payloads import payload_summary

register = template.Library()


@register.filter
def payload_rows(data: dict) -> list[tuple[str, str]]:
    """A transition's data as (label, text) rows, lines aside."""
    return payload_summary(data or {})
