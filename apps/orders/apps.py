"""The order mirror and the routing that says which partner an order or line belongs to."""

from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "apps.orders"
    label = "orders"
    verbose_name = "Orders"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.core.navigation import register_nav
        from apps.partners.roles import Role

        # Agents find the customer's order here; operations and administrators watch it all.
        # Partners reach an order from its cases (the page is scoped to their lines).
        register_nav("Orders", "orders:order_list", roles={Role.AGENT, Role.OPERATIONS, Role.ADMIN}, order=20)
