"""Organizations (internal teams and partners), memberships, roles, invitations and API keys."""

from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "apps.partners"
    label = "partners"
