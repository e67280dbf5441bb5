"""Sections higher apps add to the order page, so the orders app draws them without importing them.

A flow registers one from its `AppConfig.ready()`: a template and `context(request=, order=)`,
which returns the section's context, or None when it has nothing to show for this order.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class OrderSection:
    name: str
    template: str
    context: Callable[..., dict | None]
    rank: int = 100


@dataclass(frozen=True)
class DrawnSection:
    name: str
    template: str
    context: dict


_SECTIONS: dict[str, OrderSection] = {}


def register_order_section(section: OrderSection) -> None:
    _SECTIONS[section.name] = section


def order_sections(*, request, order) -> list[DrawnSection]:
    drawn = []
    for section in sorted(_SECTIONS.values(), key=lambda s: (s.rank, s.name)):
        context = section.context(request=request, order=order)
        if context is not None:
            drawn.append(DrawnSection(section.name, section.template, context))
    return drawn
