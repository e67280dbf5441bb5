"""The sync app: outbox and inbox, delivery attempts, retries, dead letters, operations page."""

from django.apps import AppConfig


class SyncConfig(AppConfig):
    name = "apps.sync"
    label = "sync"
    verbose_name = "Sync"

    def ready(self) -> None:
        from . import checks  # noqa: F401  (registers the lease/time-limit check)
