"""The site navigation as a registry: each app adds its own entries from `AppConfig.ready()`.

The core names no app, page or role. An entry is shown to the roles it lists (all signed-in
users when it lists none) and only when its URL resolves, so an app that is not installed
simply has no entry. The bell is one more hook: the app that keeps notifications says where
they are and how many are unread.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    roles: frozenset[str] | None
    order: int
    # `badge(user) -> int | None`: a count drawn beside the label.
    badge: Callable | None = None


@dataclass(frozen=True)
class Bell:
    url_name: str
    unread: Callable  # `unread(user) -> int`


_ENTRIES: dict[str, NavEntry] = {}
_bell: Bell | None = None


def register_nav(
    label: str,
    url_name: str,
    *,
    roles: Iterable[str] | None = None,
    order: int = 100,
    badge: Callable | None = None,
) -> None:
    """Add an entry, sorted by `order`; registering a label again replaces its entry."""
    _ENTRIES[label] = NavEntry(label, url_name, frozenset(roles) if roles is not None else None, order, badge)


def register_bell(url_name: str, *, unread: Callable) -> None:
    """Where the notifications page is, and how many of a user's are unread."""
    global _bell
    _bell = Bell(url_name, unread)


def nav_entries() -> list[NavEntry]:
    return sorted(_ENTRIES.values(), key=lambda entry: (entry.order, entry.label))


def bell() -> Bell | None:
    return _bell
