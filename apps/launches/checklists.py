"""The checklist templates partners are invited with, and what "complete" means for an item."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.utils.text import slugify


@dataclass(frozen=True)
class ItemTemplate:
    code: str
    title: str
    # Items with files or approvals are done when the retailer accepts them, not when ticked.
    requires_review: bool
    # Due this many days before go-live.
    days_before: int


TEMPLATES = (
    ItemTemplate("packaging", "Packaging approved", True, 21),
    ItemTemplate("materials", "Launch materials uploaded", True, 14),
    ItemTemplate("inventory", "Inventory in place", False, 7),
    ItemTemplate("fulfilment", "Fulfilment ready", False, 3),
)
TEMPLATE_BY_CODE = {t.code: t for t in TEMPLATES}
TEMPLATE_CHOICES = [(t.code, t.title) for t in TEMPLATES]


@dataclass(frozen=True)
class CustomItem:
    title: str
    due_date: date | None = None
    requires_review: bool = False


def custom_code(title: str) -> str:
    return ("custom-" + slugify(title))[:60].rstrip("-")


def due_for(template: ItemTemplate, go_live: date) -> date:
    return go_live - timedelta(days=template.days_before)


def completes(*, status: str, requires_review: bool) -> bool:
    if status == "accepted":
        return True
    return status == "done" and not requires_review
