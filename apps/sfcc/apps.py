"""The SFCC connector: the SCAPI client, push/poll inbound into the order mirror, write-back.

Import direction: it may import apps.orders and apps.workspace (and sync, partners, core),
never a flow such as apps.exceptions: it hears from flows only through the flow registry.
"""

from django.apps import AppConfig


class SfccAppConfig(AppConfig):
    name = "apps.sfcc"
    label = "sfcc"
    verbose_name = "SFCC"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Every process that loads the app (web, worker, beat) knows the same handlers.
        from apps.orders import campaigns as campaign_registry
        from apps.orders.catalog import register_catalog
        from apps.sync.registry import register_applier, register_deliverer
        from apps.workspace import events

        from . import campaigns, catalog, deliverer, inbound, outbound

        register_deliverer(deliverer.TARGET, deliverer.deliver_to_sfcc)
        register_catalog(catalog.provider())
        register_deliverer(catalog.TARGET, catalog.deliver_product_attributes)
        register_applier(inbound.PUSH_SOURCE, inbound.apply_pushed_event)
        register_applier(inbound.POLL_SOURCE, inbound.apply_polled_order)
        events.subscribe(outbound.on_case_event)
        campaign_registry.register_provider(campaigns.SfccCampaignProvider())
