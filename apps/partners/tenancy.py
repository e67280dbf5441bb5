"""Tenancy in one place: every query that reaches a user goes through `for_actor`.

A `Scope` says what an actor may see. Partner users and partner systems (API keys) see
their own organization's records; internal users see what their role allows; anyone else
sees nothing. Managers of partner-owned models subclass `TenantQuerySet`, so pages, the
API, exports, downloads, notifications and tasks share one rule.
"""

from dataclasses import dataclass

from django.db import models

from .roles import INTERNAL_ROLES, Role


@dataclass(frozen=True)
class Scope:
    internal: bool
    partner_id: int | None
    role: str | None

    @classmethod
    def for_user(cls, user) -> "Scope":
        if user is None or not user.is_authenticated or not user.is_active:
            return NO_SCOPE
        membership = user.membership
        if membership is None:
            # A superuser made with createsuperuser has no membership yet: treat as admin.
            return cls(True, None, Role.ADMIN) if user.is_superuser else NO_SCOPE
        if membership.role in INTERNAL_ROLES:
            return cls(True, None, membership.role)
        return cls(False, membership.organization_id, membership.role)

    @property
    def sees_anything(self) -> bool:
        return self.internal or self.partner_id is not None


NO_SCOPE = Scope(False, None, None)


def scope_of(actor) -> Scope:
    """The scope of a user, an API-key actor, or nothing."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return NO_SCOPE
    return getattr(actor, "scope", NO_SCOPE)


class TenantQuerySet(models.QuerySet):
    """A queryset of partner-owned rows; `tenant_path` leads from the row to its partner."""

    tenant_path = "partner"

    def for_actor(self, actor):
        scope = scope_of(actor)
        if scope.internal:
            return self.for_internal(scope)
        if scope.partner_id is not None:
            return self.filter(**{f"{self.tenant_path}_id": scope.partner_id})
        return self.none()

    def for_internal(self, scope: Scope):
        """Internal users see every partner's rows unless a subclass narrows it by role."""
        return self
