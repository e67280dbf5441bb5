"""Flows 1 and 7: order exceptions and service escalations, worked by agents with partners."""

from django.apps import AppConfig


class ExceptionsConfig(AppConfig):
    name = "apps.exceptions"
    label = "exceptions"
    verbose_name = "Order exceptions and service escalations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.orders import events as orders_events

        from . import detection, flows

        flows.register()
        orders_events.subscribe(detection.on_order_applied, attributes=detection.read_attributes)
