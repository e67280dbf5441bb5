"""Flows 1 and 7: order exceptions and service escalations, worked by agents with partners."""

from django.apps import AppConfig


class ExceptionsConfig(AppConfig):
    name = "apps.exceptions"
    label = "exceptions"
    verbose_name = "Order exceptions and service escalations"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from . import flows

        flows.register()
