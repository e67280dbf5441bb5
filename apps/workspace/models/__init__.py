"""Workspace models."""

from .case import Case, CaseQuerySet, Tag, Watch
from .conversation import Message
from .files import Attachment, FileVersion
from .lines import CaseLine, LineAnswer, LineStatus
from .notifications import Notification, NotificationPreference
from .saved_views import SavedView
from .sla import SlaTarget, SlaWait
from .timeline import TimelineEvent

__all__ = [
    "Attachment",
    "Case",
    "CaseLine",
    "CaseQuerySet",
    "FileVersion",
    "LineAnswer",
    "LineStatus",
    "Message",
    "Notification",
    "NotificationPreference",
    "SavedView",
    "SlaTarget",
    "SlaWait",
    "Tag",
    "TimelineEvent",
    "Watch",
]
