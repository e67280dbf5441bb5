"""The sync app: outbox and inbox, delivery attempts, retries, dead letters, operations page."""

from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "apps.sync"
    label = "sync"
    verbose_name = "Sync"

    def ready(self) -> None:
        from apps.core.navigation import register_nav
        from apps.partners.roles import OPERATIONS_ROLES

        from . import checks  # noqa: F401  (registers the lease/time-limit check)

        register_nav("Operations", "sync:operations", roles=OPERATIONS_ROLES, order=30)
