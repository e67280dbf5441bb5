"""The Trading Grid connector: mirrors case events out as documents, applies partner documents."""

from django.apps import AppConfig


class TradingGridConfig(AppConfig):
    name = "apps.tradinggrid"
    label = "tradinggrid"
    verbose_name = "Trading Grid"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Registered here so that every process that loads the app (web, worker, beat) mirrors,
        # delivers and applies the same way; see apps/sync/registry.py.
        from apps.core.navigation import register_nav
        from apps.partners.roles import OPERATIONS_ROLES
        from apps.sync.registry import register_applier, register_attention, register_deliverer
        from apps.workspace import events

        from . import conf, deliverer, inbound, outbound, selectors

        register_deliverer(conf.TARGET, deliverer.deliver)
        register_applier(conf.INBOX_SOURCE, inbound.apply_event)
        events.subscribe(outbound.mirror_case_event)
        register_attention(conf.TARGET, selectors.alert_summary)
        register_nav("EDI ledger", "tradinggrid:ledger", roles=OPERATIONS_ROLES, order=40)
