"""Create the demo's teams, partners and users, then the other apps' demo data; safe to run again."""

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import autodiscover_modules
from django.utils.text import slugify

from apps.partners import demo
from apps.partners.mfa import mfa_required_for_role
from apps.partners.models import Contact, Membership, Organization
from apps.partners.roles import OrganizationKind, Role


class Command(BaseCommand):
    help = (
        "Create (or bring up to date) the demo organizations and users, then the demo data the "
        "other apps register (mirrored orders, cases of every flow in every state)."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        organizations = {}
        for name, code in demo.INTERNAL_TEAMS:
            organizations[code], _ = Organization.objects.update_or_create(
                code=code,
                defaults={"name": name, "slug": slugify(name), "kind": OrganizationKind.INTERNAL},
            )
        for code, name, kind, tz, channel, standard, tg_id in demo.PARTNERS:
            org, _ = Organization.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "slug": slugify(name),
                    "kind": kind,
                    "time_zone": tz,
                    "channel": channel,
                    "edi_standard": standard,
                    "edi_version": "004010" if standard == "x12" else "D96A",
                    "tg_qualifier": "ZZ",
                    "tg_id": tg_id,
                },
            )
            organizations[code] = org
            Contact.objects.get_or_create(
                organization=org,
                name=f"{name} Partner Desk",
                defaults={"email": f"desk@{code.lower()}.test", "title": "Partner desk"},
            )

        User = get_user_model()
        for email, full_name, code, role in demo.INTERNAL_USERS + demo.partner_users():
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email, demo.DEMO_PASSWORD, full_name=full_name)
            else:
                user.set_password(demo.DEMO_PASSWORD)
                user.is_active = True
            user.full_name = full_name
            user.time_zone = organizations[code].time_zone
            user.is_staff = user.is_superuser = role == Role.ADMIN
            user.save()
            Membership.objects.update_or_create(
                user=user, defaults={"organization": organizations[code], "role": role, "is_active": True}
            )
            EmailAddress.objects.update_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            if user.is_staff or mfa_required_for_role(role, organizations[code]):
                # Demo users sign in as the policy demands: with the published demo secret.
                Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).delete()
                TOTP.activate(user, demo.DEMO_TOTP_SECRET)
        # Each app's `demo` module registers its seeder on import (apps.partners.demo).
        autodiscover_modules("demo")
        summaries = [seeder() for _name, seeder in demo.seeders()]
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {len(demo.PARTNERS)} partners, "
                f"{len(demo.INTERNAL_USERS) + len(demo.partner_users())} users "
                f"(password {demo.DEMO_PASSWORD})."
            )
        )
        self.stdout.write(
            "  Internal users and partner administrators sign in with two-factor codes: add "
            f"the demo secret {demo.DEMO_TOTP_SECRET} to an authenticator app "
            f"(otpauth://totp/Crossdock:demo?secret={demo.DEMO_TOTP_SECRET}&issuer=Crossdock)."
        )
        for summary in summaries:
            self.stdout.write(f"  {summary}")
