"""Flow 8: B2B order milestones, each order's shipments reported step by step by its partners."""

from django.apps import AppConfig


class MilestonesConfig(AppConfig):
    name = "apps.milestones"
    label = "milestones"
    verbose_name = "B2B order milestones"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.orders import events as orders_events

        from . import flows, services

        flows.register()

        def ship_by_changed(applied) -> None:
            services.ship_by_refresh(order_number=applied.order.order_no)

        # The connector keeps c_shipByDate on the mirror because this flow reads it.
        orders_events.subscribe(ship_by_changed, attributes=lambda: [services.SHIP_BY_ATTRIBUTE])
