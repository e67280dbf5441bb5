"""Actors that are not people: partner systems (API keys, Trading Grid) and Crossdock itself."""

from .roles import Role
from .tenancy import Scope


class _NonPersonActor:
    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_superuser = False
    is_staff = False
    pk = None
    id = None
    email = ""
    membership = None

    def __str__(self) -> str:
        return self.full_name

    def get_full_name(self) -> str:
        return self.full_name


class PartnerSystemActor(_NonPersonActor):
    """A partner's own system acting for it: it has a partner member's rights, no more."""

    def __init__(self, organization, label: str):
        self.organization = organization
        self.scope = Scope(False, organization.pk, Role.PARTNER_MEMBER)
        self.role = Role.PARTNER_MEMBER
        self.is_internal = False
        self.is_partner = True
        self.full_name = label


class SystemActor(_NonPersonActor):
    """Crossdock itself or a retailer system (SFCC): acts on the retailer's side."""

    def __init__(self, label: str = "Crossdock"):
        self.organization = None
        self.scope = Scope(True, None, Role.ADMIN)
        self.role = Role.ADMIN
        self.is_internal = True
        self.is_partner = False
        self.full_name = label


SYSTEM = SystemActor()
