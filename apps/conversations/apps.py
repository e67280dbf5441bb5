"""Plain conversations: the general question, and the kinds that have no flow app yet.

A general question is any topic outside the eight flows; it stays here for good. Each other
entry leaves this list when its flow app lands and registers the kind itself.
"""

from django.apps import AppConfig


class ConversationsConfig(AppConfig):
    name = "apps.conversations"
    label = "conversations"
    verbose_name = "Plain conversations"

    def ready(self) -> None:
        from apps.partners.roles import Role
        from apps.workspace.choices import CaseKind
        from apps.workspace.flows import Flow, register_flow
        from apps.workspace.states import default_workflow

        agents, merchandisers = frozenset({Role.AGENT}), frozenset({Role.MERCHANDISER})
        plain = {
            CaseKind.GENERAL: agents | merchandisers,
        }
        for kind, roles in plain.items():
            register_flow(
                Flow(kind=kind.value, label=kind.label, workflow=default_workflow(kind.value), roles=roles)
            )
