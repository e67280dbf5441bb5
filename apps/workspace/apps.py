"""The shared workspace every flow plugs into: cases, conversation, files, timeline, SLA clocks."""

from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "apps.workspace"
    label = "workspace"

    def ready(self) -> None:
        from apps.core.navigation import register_bell, register_nav

        from .selectors import unread_notification_count

        register_nav("Inbox", "workspace:inbox", order=10)
        register_bell("workspace:notifications", unread=lambda user: unread_notification_count(user=user))
