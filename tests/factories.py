"""factory_boy factories for the test suite."""

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, hotp_value
from django.utils.text import slugify

from apps.accounts.models import User
from apps.partners.mfa import mfa_required_for_role
from apps.partners.models import Membership, Organization
from apps.partners.roles import OrganizationKind, Role

PASSWORD = "s3cret-pass-123"  # noqa: S105
# Test users whom the MFA policy requires to use two-factor sign-in are enrolled with this.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105


def totp_code(secret: str = TOTP_SECRET, *, at: float | None = None) -> str:
    """The authenticator app's current code for `secret`."""
    import time

    return format_hotp_value(hotp_value(secret, int(at or time.time()) // 30))


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Partner {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    code = factory.Sequence(lambda n: f"P-{n:04d}")
    kind = OrganizationKind.SUPPLIER
    tg_qualifier = "ZZ"
    tg_id = factory.Sequence(lambda n: f"TG{n:05d}")


class InternalTeamFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"Team {n}")
    code = factory.Sequence(lambda n: f"RET-{n:04d}")
    kind = OrganizationKind.INTERNAL
    tg_qualifier = ""
    tg_id = ""


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(obj, create, extracted, **kwargs):
        if create:
            obj.save()
            EmailAddress.objects.create(user=obj, email=obj.email, verified=True, primary=True)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership
        skip_postgeneration_save = True

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Role.PARTNER_MEMBER

    @factory.post_generation
    def mfa(obj, create, extracted, **kwargs):
        """Enrolled as the policy requires (pass `mfa=False` for a user who has not yet)."""
        if create and extracted is not False and mfa_required_for_role(obj.role, obj.organization):
            TOTP.activate(obj.user, TOTP_SECRET)


def member(organization: Organization, role: str = Role.PARTNER_MEMBER) -> User:
    """A user who belongs to `organization` with `role`."""
    return MembershipFactory(organization=organization, role=role).user


def internal_user(role: str = Role.AGENT) -> User:
    return MembershipFactory(organization=InternalTeamFactory(), role=role).user
