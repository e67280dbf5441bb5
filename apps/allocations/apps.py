"""Flow 2: demand signals and allocation answers, worked by merchandisers with their partners."""

from django.apps import AppConfig


class AllocationsConfig(AppConfig):
    name = "apps.allocations"
    label = "allocations"
    verbose_name = "Demand plans and allocations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.core.navigation import register_nav

        from . import flows
        from .models import PLAN_ROLES

        flows.register()
        register_nav("Demand plans", "allocations:plan_list", roles=PLAN_ROLES, order=25)
