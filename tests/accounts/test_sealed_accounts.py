"""Sealed accounts (accounts.sealing): a consultant's account is found by a
keyed hash of her address and keeps the address only encrypted, yet she
signs in by password, by e-mailed code and resets her password as before,
through allauth's real views."""

from __future__ import annotations

import secrets

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts import sealing
from accounts.addresses import account_for_address, account_seal, sign_in_name
from accounts.models import User
from accounts.roles import Role
from accounts.services import user_create
from tests.accounts.factories import TEST_PASSWORD
from tests.accounts.test_sign_in import CODE, post_password, request_code, signed_in_user_id
from tests.database_text import every_table_text, found_in, session_text

pytestmark = pytest.mark.django_db

ADDRESS = "Tala.Sealed@Example.net"
PLAIN = ADDRESS.lower()


@pytest.fixture
def sealed_user():
    return user_create(
        email=ADDRESS,
        display_name="Tala",
        password=TEST_PASSWORD,
        roles={Role.CONSULTANT},
        verified=True,
        sealed=True,
    )


def _raw(table: str, column: str, pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


# --- What is stored --------------------------------------------------------------------


def test_a_sealed_account_stores_a_token_and_the_address_encrypted(sealed_user):
    token = sealing.lookup_token(PLAIN)
    assert sealed_user.email == token and token.endswith("@lookup.invalid")
    assert EmailAddress.objects.get(user=sealed_user).email == token
    assert sealed_user.is_sealed and sealed_user.delivery_email == PLAIN

    raw = _raw("accounts_user", "sealed_email", sealed_user.pk)
    assert raw.startswith("gAAAA")  # a Fernet token, not the address
    assert found_in(every_table_text(), {PLAIN}) == []
    assert User.objects.get(pk=sealed_user.pk).sealed_email == PLAIN


def test_the_token_is_keyed_and_normalised(settings):
    assert sealing.lookup_token("  TALA@example.NET ") == sealing.lookup_token("tala@example.net")
    before = sealing.lookup_token("tala@example.net")
    settings.LOOKUP_HMAC_KEYS = [secrets.token_urlsafe(48)]
    assert sealing.lookup_token("tala@example.net") != before


def test_a_short_or_missing_key_is_refused(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.LOOKUP_HMAC_KEYS = []
    with pytest.raises(ImproperlyConfigured, match="LOOKUP_HMAC_KEYS"):
        sealing.lookup_token("tala@example.net")
    settings.LOOKUP_HMAC_KEYS = ["short"]
    with pytest.raises(ImproperlyConfigured, match="key number 1"):
        sealing.lookup_token("tala@example.net")


def test_staff_keep_their_plain_work_address(programme_staff_user):
    assert not programme_staff_user.is_sealed
    assert programme_staff_user.delivery_email == programme_staff_user.email
    assert account_for_address(programme_staff_user.email.upper()) == programme_staff_user


# --- Signing in ------------------------------------------------------------------------


def test_she_signs_in_with_her_address_as_she_types_it(sealed_user):
    for typed in (ADDRESS, PLAIN, f"  {ADDRESS.upper()}  "):
        client = Client()
        response = post_password(client, typed)
        assert response.status_code == 302, typed
        assert signed_in_user_id(client) == str(sealed_user.pk)


def test_the_token_itself_is_not_a_sign_in_name(sealed_user):
    client = Client()
    post_password(client, sealed_user.email)
    assert signed_in_user_id(client) is None
    assert account_for_address(sealed_user.email) is None


def test_a_wrong_password_is_refused(sealed_user):
    client = Client()
    post_password(client, ADDRESS, "not-the-password-at-all")
    assert signed_in_user_id(client) is None


def test_her_code_goes_to_her_address_and_no_session_holds_it(sealed_user):
    client = Client()

    code = request_code(client, ADDRESS)

    assert mail.outbox[-1].to == [PLAIN]
    page = client.get(reverse("account_confirm_login_code")).content.decode()
    assert PLAIN not in page.lower() and "lookup.invalid" not in page
    assert "your e-mail address" in page
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(sealed_user.pk)
    # allauth records how she signed in, in the session: the token, never
    # the address.
    assert found_in(session_text(), {PLAIN}) == []
    assert found_in(every_table_text(), {PLAIN}) == []


def test_an_unknown_address_gets_the_same_answer_and_no_code(sealed_user):
    client = Client()
    response = client.post(reverse("account_request_login_code"), {"email": "nobody@example.net"})
    assert response.status_code == 302
    assert all(not CODE.search(message.body) for message in mail.outbox)


def test_password_reset_mails_her_address_and_the_link_works(sealed_user):
    client = Client()
    response = client.post(reverse("account_reset_password"), {"email": ADDRESS.upper()})
    assert response.status_code == 302

    (message,) = mail.outbox
    assert message.to == [PLAIN]
    link = next(word for word in message.body.split() if "/password/reset/key/" in word)
    path = link.split("://", 1)[-1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    new_password = "a-brand-new-password-2"
    response = client.post(
        response.redirect_chain[-1][0] if response.redirect_chain else "/" + path,
        {"password1": new_password, "password2": new_password},
    )
    assert response.status_code == 302
    client = Client()
    post_password(client, PLAIN, new_password)
    assert signed_in_user_id(client) == str(sealed_user.pk)


def test_her_email_page_shows_her_address_and_offers_no_second(sealed_user):
    client = Client()
    client.force_login(sealed_user)

    page = client.get(reverse("account_email")).content.decode()
    assert PLAIN in page
    assert sealed_user.email not in page.split("<input")[0]  # shown: the address
    response = client.post(
        reverse("account_email"), {"action_add": "", "email": "another@example.net"}
    )
    assert EmailAddress.objects.filter(user=sealed_user).count() == 1
    assert response.status_code == 200
    assert not EmailAddress.objects.filter(email="another@example.net").exists()


# --- Sealing an existing account, and the keys rotating ------------------------------------


def test_sealing_a_plain_account_keeps_its_sign_in(consultant_user):
    address = consultant_user.email
    account_seal(user=consultant_user)

    consultant_user.refresh_from_db()
    assert consultant_user.is_sealed and consultant_user.sealed_email == address
    assert list(
        EmailAddress.objects.filter(user=consultant_user).values_list("verified", "primary")
    ) == [(True, True)]
    client = Client()
    post_password(client, address)
    assert signed_in_user_id(client) == str(consultant_user.pk)


def test_a_new_lookup_key_still_finds_old_tokens_until_rotated(sealed_user, settings):
    old_keys = list(settings.LOOKUP_HMAC_KEYS)
    old_token = sealed_user.email
    settings.LOOKUP_HMAC_KEYS = [secrets.token_urlsafe(48), *old_keys]

    # Before rotation: found under the old key.
    assert sign_in_name(ADDRESS) == old_token
    client = Client()
    post_password(client, ADDRESS)
    assert signed_in_user_id(client) == str(sealed_user.pk)

    call_command("rotate_lookup_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115

    sealed_user.refresh_from_db()
    assert sealed_user.email == sealing.lookup_token(PLAIN) != old_token
    assert EmailAddress.objects.get(user=sealed_user).email == sealed_user.email
    # The old key may now go.
    settings.LOOKUP_HMAC_KEYS = settings.LOOKUP_HMAC_KEYS[:1]
    client = Client()
    post_password(client, ADDRESS)
    assert signed_in_user_id(client) == str(sealed_user.pk)


def test_rotation_seals_consultant_accounts_left_plain(consultant_user, programme_staff_user):
    call_command("rotate_lookup_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115

    consultant_user.refresh_from_db()
    programme_staff_user.refresh_from_db()
    assert consultant_user.is_sealed
    assert not programme_staff_user.is_sealed


def test_the_sealed_address_rotates_with_the_encryption_keys(sealed_user, settings):
    from cryptography.fernet import Fernet

    from core import encryption

    before = _raw("accounts_user", "sealed_email", sealed_user.pk)
    settings.FIELD_ENCRYPTION_KEY = [Fernet.generate_key().decode(), *encryption.configured_keys()]
    call_command("rotate_encryption_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115

    after = _raw("accounts_user", "sealed_email", sealed_user.pk)
    assert after != before and encryption.is_current(after)
    assert User.objects.get(pk=sealed_user.pk).sealed_email == PLAIN


def test_an_account_change_is_audited_with_the_address_masked(sealed_user, consultant_user):
    from auditlog.models import LogEntry

    address = consultant_user.email
    account_seal(user=consultant_user)

    entries = LogEntry.objects.get_for_object(consultant_user)
    assert entries.exists()
    assert found_in(json_of(entries), {address}) == []


def json_of(entries) -> str:
    import json

    return json.dumps([[e.changes, e.additional_data, e.object_repr] for e in entries])
