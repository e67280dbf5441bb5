"""Flow 6: launch readiness, a retailer-level launch fanned out to one case per partner."""

from django.apps import AppConfig


class LaunchesConfig(AppConfig):
    name = "apps.launches"
    label = "launches"
    verbose_name = "Launch readiness"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from apps.core.navigation import register_nav
        from apps.orders import campaigns
        from apps.partners.roles import Role

        from . import flows, selectors, services

        flows.register()
        # The SFCC connector's campaign sync reads the campaigns of open launches, and tells us.
        campaigns.watch(services.followed_campaign_ids)
        campaigns.subscribe(services.on_campaign_read)
        register_nav(
            "Launches",
            "launches:launch_list",
            roles={Role.MERCHANDISER, Role.OPERATIONS, Role.ADMIN},
            order=25,
            badge=selectors.open_launch_count,
        )
