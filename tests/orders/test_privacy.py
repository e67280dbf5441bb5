"""The customer's e-mail as the mirror keeps it: a keyed hash of the normalized address."""

import hashlib

from apps.orders.privacy import email_hash


def test_the_hash_ignores_case_and_surrounding_space_and_is_empty_for_no_address():
    assert email_hash(" Ada@Example.COM\n") == email_hash("ada@example.com")
    assert len(email_hash("ada@example.com")) == 64
    assert email_hash("") == email_hash("   ") == email_hash(None) == ""
    assert email_hash("ada@example.com") != email_hash("ada@example.org")


def test_the_hash_is_keyed_so_a_list_of_known_addresses_cannot_match_it(settings):
    keyed = email_hash("ada@example.com")
    assert keyed != hashlib.sha256(b"ada@example.com").hexdigest()
    settings.SECRET_KEY = "another-key-another-deployment"
    assert email_hash("ada@example.com") != keyed
