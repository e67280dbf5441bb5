"""The shared workspace every flow plugs into: cases, conversation, files, timeline, SLA clocks."""

from django.apps import AppConfig


class WorkspaceConfig(AppConfig):
    name = "apps.workspace"
    label = "workspace"
