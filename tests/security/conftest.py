import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_totp_codes():
    """allauth remembers used TOTP codes per user id in the cache; ids repeat across tests."""
    cache.clear()
