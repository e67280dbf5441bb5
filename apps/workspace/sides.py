"""Which side of a case an actor speaks for: the retailer's people and systems, or a partner's.

Services, pages, the API and its serializers all ask here, so an actor without a side is
refused the same way everywhere.
"""

from apps.core.errors import NotAllowed
from apps.partners.tenancy import scope_of

from .choices import Side

_REFUSE = object()


def side_of(actor, *, default=_REFUSE) -> Side:
    """RETAILER for internal actors, PARTNER for a partner's users and systems.

    An actor with neither (no membership) is refused, unless the caller only draws a page
    and passes a `default` (the inbox shows such an actor no "your turn").
    """
    scope = scope_of(actor)
    if scope.internal:
        return Side.RETAILER
    if scope.partner_id is not None:
        return Side.PARTNER
    if default is not _REFUSE:
        return default
    raise NotAllowed("You are not allowed to act on cases.")
