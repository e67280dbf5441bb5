"""Cross-cutting pieces every app uses: middleware, the API error format, health checks."""

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    label = "core"
