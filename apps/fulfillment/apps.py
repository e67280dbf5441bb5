"""Flow 4: drop-ship and marketplace orders dispatched to their partners, answered line by line."""

from django.apps import AppConfig


class FulfillmentConfig(AppConfig):
    name = "apps.fulfillment"
    label = "fulfillment"
    verbose_name = "Drop-ship and marketplace dispatch"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.core.navigation import register_nav
        from apps.orders import events as orders_events
        from apps.partners.roles import OPERATIONS_ROLES

        from . import demo, dispatching, flows  # noqa: F401  (demo registers its seeder)

        flows.register()
        orders_events.subscribe(
            dispatching.on_order_applied, attributes=dispatching.read_attributes
        )
        register_nav(
            "Drop-ship agreements", "fulfillment:agreements", roles=OPERATIONS_ROLES, order=45
        )
