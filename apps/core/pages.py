"""What page views share: the gate of the retailer's tool pages, htmx partials, keyset page URLs."""

from collections.abc import Callable, Iterable
from functools import wraps
from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.urls import reverse


def internal_roles_required(roles: Iterable[str], *, refusal: str) -> Callable:
    """A view decorator for a retailer tool page, open to these internal roles.

    Other internal users get 403 with `refusal`: they know the page exists and may ask for
    the role. Anyone else gets 404: to them the page does not exist, the same answer as for
    anything outside their tenancy.
    """
    allowed = frozenset(roles)

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            user = request.user
            if not getattr(user, "is_internal", False):
                raise Http404
            if user.role not in allowed:
                raise PermissionDenied(refusal)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def wants_partial(request: HttpRequest) -> bool:
    """htmx asked for a piece of the page; a boosted link wants the whole page."""
    return bool(request.htmx) and not request.htmx.boosted


def template_for(
    request: HttpRequest, template: str, partial: str, *, by_target: dict[str, str] | None = None
) -> str:
    """The page's template, or one of its named partials when htmx asks for a piece.

    `by_target` picks the partial from the element htmx swaps (`HX-Target`); `partial` is
    the one for any other target.
    """
    if not wants_partial(request):
        return template
    return f"{template}#{(by_target or {}).get(request.htmx.target or '', partial)}"


def keyset_page_url(url_name: str, filters: dict, before: int | None = None) -> str:
    """A newest-first list's URL with its filters, and `before` for the older rows."""
    query = {key: value for key, value in filters.items() if value}
    if before:
        query["before"] = before
    return reverse(url_name) + (f"?{urlencode(query)}" if query else "")
