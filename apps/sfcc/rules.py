"""Exception detection: which exceptions an SFCC order reports, and for which partners."""

import logging
from dataclasses import dataclass
from typing import Any

from apps.partners.models import Organization

from .models import ExceptionRule
from .routing import Router, partners_for_party

logger = logging.getLogger("apps.sfcc")


@dataclass(frozen=True)
class Detection:
    code: str
    partner: Organization
    rule: ExceptionRule
    detail: str


@dataclass(frozen=True)
class Unrouted:
    code: str
    rule: ExceptionRule


def active_rules() -> list[ExceptionRule]:
    return list(ExceptionRule.objects.filter(is_active=True).order_by("rank", "id"))


def detect(
    *, order: dict[str, Any], router: Router, rules: list[ExceptionRule] | None = None
) -> tuple[dict[tuple[str, int], Detection], list[Unrouted]]:
    """The exceptions the order reports now, keyed by (code, partner id), and those nobody takes.

    Per field the first matching rule wins, so a catch-all "is present" rule ranked after the
    specific codes only catches the codes nobody described.
    """
    found: dict[tuple[str, int], Detection] = {}
    unrouted: list[Unrouted] = []
    decided: set[str] = set()
    for rule in rules if rules is not None else active_rules():
        if rule.field in decided:
            continue
        value = order.get(rule.field)
        if not rule.matches(value):
            continue
        decided.add(rule.field)
        code = rule.code_for(value)
        partners = partners_for_party(router=router, order=order, party=rule.party)
        if not partners and rule.fallback_party:
            partners = partners_for_party(router=router, order=order, party=rule.fallback_party)
        if not partners:
            logger.warning(
                "SFCC order %s reports %s but no partner matches rule %r",
                order.get("orderNo"),
                code,
                rule.name,
            )
            unrouted.append(Unrouted(code=code, rule=rule))
            continue
        detail = "; ".join(
            str(order[name]).strip() for name in rule.detail_field_names if order.get(name)
        )
        for partner in partners:
            found.setdefault((code, partner.pk), Detection(code, partner, rule, detail[:2000]))
    return found, unrouted
