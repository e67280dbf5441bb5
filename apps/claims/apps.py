"""Flow 5: returns, damage and warranty claims, decided by the supplier and written back to SFCC."""

from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "apps.claims"
    label = "claims"
    verbose_name = "Returns, damage and warranty claims"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.orders import events as orders_events

        from . import detection, flows

        flows.register()
        orders_events.subscribe(detection.on_order_applied, attributes=detection.read_attributes)
