"""People: the e-mail-login user model, allauth wiring and invitation-only sign-up."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "apps.accounts"
    label = "accounts"
