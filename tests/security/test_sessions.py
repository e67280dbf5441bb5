"""Sessions: a working day instead of two weeks, and Secure cookies unless in debug."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from apps.partners.roles import Role
from tests.factories import PASSWORD, totp_code
from tests.security.test_sign_in import person

ROOT = Path(__file__).resolve().parents[2]


def production_setting(name: str, **env: str) -> str:
    """A setting as portal.settings computes it in a fresh process with `env`."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    code = f"import portal.settings as s; print(s.{name})"
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()


def test_cookies_are_secure_by_default_outside_debug():
    assert production_setting("SESSION_COOKIE_SECURE") == "True"
    assert production_setting("CSRF_COOKIE_SECURE") == "True"
    assert production_setting("SESSION_COOKIE_SECURE", DJANGO_DEBUG="1") == "False"


@pytest.mark.django_db
def test_a_stolen_session_expires_within_a_working_day_not_two_weeks(client):
    user = person(Role.AGENT)
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": totp_code()})
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert Session.objects.get(session_key=key).expire_date <= timezone.now() + timedelta(hours=8)
