"""Organizations (internal teams and partners), memberships, roles, invitations and API keys."""

from django.apps import AppConfig


class PartnersConfig(AppConfig):
    name = "apps.partners"
    label = "partners"

    def ready(self) -> None:
        from apps.accounts.models import register_identity
        from apps.core.navigation import register_nav

        from .roles import INTERNAL_ROLES, PARTNER_ROLES, Role
        from .selectors import membership_of
        from .tenancy import Scope

        register_identity(membership=membership_of, scope=Scope.for_user)
        from allauth.mfa.signals import authenticator_removed

        from .mfa import forget_enrolment

        authenticator_removed.connect(forget_enrolment, dispatch_uid="partners.mfa.forget")
        register_nav("Partners", "partners:organization_list", roles=INTERNAL_ROLES, order=50)
        register_nav("My organization", "partners:organization_list", roles=PARTNER_ROLES, order=60)
        # The API's docs sit with the keys that open it: partner admins issue them.
        register_nav("API", "api_docs", roles={Role.ADMIN, Role.OPERATIONS, Role.PARTNER_ADMIN}, order=70)
