"""Case events: what services announce, inside their transaction, for the outside world.

Connectors subscribe with `subscribe`; a handler runs inside the service's transaction, so
an outbox row it writes commits or rolls back with the change itself. Handlers must only
write rows; delivery happens after commit, in tasks.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from .choices import Channel, Visibility


@dataclass(frozen=True)
class CaseEvent:
    case: object  # apps.workspace.models.Case
    type: str  # case.created, case.transitioned, message.posted, file.attached, case.updated
    channel: Channel
    visibility: Visibility
    actor_label: str
    payload: dict = field(default_factory=dict)


Handler = Callable[[CaseEvent], None]
_handlers: list[Handler] = []


def subscribe(handler: Handler) -> Handler:
    if handler not in _handlers:
        _handlers.append(handler)
    return handler


def publish(event: CaseEvent) -> None:
    for handler in list(_handlers):
        handler(event)
