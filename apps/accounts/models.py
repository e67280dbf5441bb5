"""The user model: e-mail is the login; the organization and role come from the membership."""

from collections.abc import Callable
from functools import cached_property

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone

# A user's membership and scope are the partners app's to say, and that app sits above this
# one: it registers how to find them from its AppConfig.ready(), so this model imports nothing
# from it.
_IDENTITY: dict[str, Callable] = {}


def register_identity(*, membership: Callable, scope: Callable) -> None:
    """`membership(user)`: the active membership or None; `scope(user)`: what the user sees."""
    _IDENTITY.update(membership=membership, scope=scope)


def _identity(name: str) -> Callable:
    try:
        return _IDENTITY[name]
    except KeyError:
        raise RuntimeError(f"No app registered the user's {name} (the partners app does).") from None


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields) -> "User":
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the Django admin.")
    date_joined = models.DateTimeField(default=timezone.now)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def get_full_name(self) -> str:
        return self.full_name or self.email

    def get_short_name(self) -> str:
        return (self.full_name.split() or [self.email])[0]

    @cached_property
    def membership(self):
        return _identity("membership")(self)

    @cached_property
    def scope(self):
        """What this user may see: the one answer every scoped query asks for."""
        return _identity("scope")(self)

    @property
    def organization(self):
        return self.membership.organization if self.membership else None

    @property
    def role(self) -> str | None:
        return self.scope.role

    @property
    def is_internal(self) -> bool:
        return self.scope.internal

    @property
    def is_partner(self) -> bool:
        return self.scope.partner_id is not None
