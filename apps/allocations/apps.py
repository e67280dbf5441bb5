"""Flow 2: demand signals and allocation answers, worked by merchandisers with their partners."""

from django.apps import AppConfig


class AllocationsConfig(AppConfig):
    name = "apps.allocations"
    label = "allocations"
    verbose_name = "Demand plans and allocations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.core.navigation import register_nav
        from apps.partners.roles import Role

        from . import flows

        flows.register()
        # Operations and administrators reach the plans too, from a share's case page.
        register_nav("Demand plans", "allocations:plan_list", roles={Role.MERCHANDISER}, order=25)
