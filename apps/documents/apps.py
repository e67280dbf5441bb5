"""Flow 3: trade documents requested of partners, reviewed, and kept as the order's checklist."""

from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "apps.documents"
    label = "documents"
    verbose_name = "Trade documents"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.orders import events as orders_events
        from apps.orders.sections import OrderSection, register_order_section

        from . import demo, flows, panels, services  # noqa: F401 - demo registers its seeder

        flows.register()
        orders_events.subscribe(services.on_order_applied, attributes=services.read_attributes)
        register_order_section(
            OrderSection(
                name="documents",
                template="documents/panels.html#order_section",
                context=panels.order_section,
                rank=10,
            )
        )
