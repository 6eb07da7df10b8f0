"""core.encryption: values are ciphertext at rest, and a wrong key fails closed."""

from __future__ import annotations

import logging

import pytest
from cryptography.fernet import Fernet, MultiFernet
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from core import encryption
from core.encryption import DecryptionError
from tests.core.helpers import (
    BIRTH_DATE,
    EMAIL,
    KEY_A,
    KEY_B,
    KEY_C,
    LEGAL_NAME,
    NOTES,
    PLAINTEXTS,
    raw_row,
)
from tests.encryption_app.models import Contact, Person

ENCRYPTED_COLUMNS = ["legal_name", "notes", "email", "birth_date"]


def test_database_holds_only_ciphertext(use_keys, make_person):
    use_keys(KEY_A)
    person = make_person()

    stored = raw_row("encryption_app_person", person.pk, ["pseudonym", *ENCRYPTED_COLUMNS])

    assert stored["pseudonym"] == "Tala"
    for column in ENCRYPTED_COLUMNS:
        for plaintext in PLAINTEXTS:
            assert plaintext not in stored[column]
    # Each column is a Fernet token under key A, holding the plaintext.
    fernet = Fernet(KEY_A)
    assert fernet.decrypt(stored["legal_name"].encode()).decode() == LEGAL_NAME
    assert fernet.decrypt(stored["birth_date"].encode()).decode() == "1999-04-17"


def test_values_read_back_as_python_values(use_keys, make_person):
    use_keys(KEY_A)
    pk = make_person().pk

    person = Person.objects.get(pk=pk)

    assert (person.legal_name, person.notes, person.email) == (LEGAL_NAME, NOTES, EMAIL)
    assert person.birth_date == BIRTH_DATE
    assert Person.objects.values_list("legal_name", flat=True).get(pk=pk) == LEGAL_NAME


def test_null_stays_null_and_queryset_update_encrypts(use_keys, make_person):
    use_keys(KEY_A)
    person = make_person(birth_date=None)
    contact = Contact.objects.create(person=person, label="home", phone=None)

    assert raw_row("encryption_app_person", person.pk, ["birth_date"]) == {"birth_date": None}
    assert raw_row("encryption_app_contact", contact.pk, ["phone"]) == {"phone": None}

    Contact.objects.filter(pk=contact.pk).update(phone="+63 917 555 0101")

    stored = raw_row("encryption_app_contact", contact.pk, ["phone"])["phone"]
    assert "917" not in stored
    assert Contact.objects.get(pk=contact.pk).phone == "+63 917 555 0101"


def test_a_typed_value_is_never_decrypted():
    """The library "decrypts" anything that looks like a token in to_python,
    so a pasted token would turn into someone else's plaintext. Ours does not."""
    token = encryption.encrypt_str("someone else's name")
    field = Person._meta.get_field("legal_name")

    assert field.to_python(token) == token


def test_wrong_key_raises_decryption_error_naming_the_field(use_keys, make_person):
    use_keys(KEY_A)
    pk = make_person().pk
    ciphertext = raw_row("encryption_app_person", pk, ["legal_name"])["legal_name"]

    use_keys(KEY_B)
    with pytest.raises(DecryptionError) as caught:
        Person.objects.get(pk=pk)

    message = str(caught.value)
    assert "encryption_app.Person." in message
    assert LEGAL_NAME not in message
    assert ciphertext not in message
    # Nothing of the library's exception (which could echo input) is chained.
    assert caught.value.__cause__ is None


def test_non_ascii_garbage_fails_closed_without_quoting_it():
    with pytest.raises(DecryptionError) as caught:
        encryption.decrypt_str("Niño plaintext", where="x.y")

    assert "Niño" not in str(caught.value) and "ñ" not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_cipher_follows_the_setting(use_keys, make_person):
    """setting_changed resets the cached cipher (core.apps connects it)."""
    use_keys(KEY_A)
    first = encryption.cipher()
    pk = make_person().pk

    use_keys(KEY_B, KEY_A)
    assert encryption.cipher() is not first
    # The old row still reads (key A is second), and new writes use key B.
    assert Person.objects.get(pk=pk).legal_name == LEGAL_NAME
    Person.objects.filter(pk=pk).update(notes="new note")
    stored = raw_row("encryption_app_person", pk, ["legal_name", "notes"])
    assert encryption.is_current(stored["notes"])
    assert not encryption.is_current(stored["legal_name"])
    assert Fernet(KEY_B).decrypt(stored["notes"].encode()) == b"new note"


def test_override_settings_resets_the_cipher_on_exit():
    with override_settings(FIELD_ENCRYPTION_KEY=[KEY_C]):
        token = encryption.encrypt_str("inside")
        assert encryption.decrypt_str(token) == "inside"
    # Back on the configured key, key C's token no longer reads.
    with pytest.raises(DecryptionError):
        encryption.decrypt_str(token)


def test_key_list_may_be_a_comma_separated_string(settings):
    settings.FIELD_ENCRYPTION_KEY = f"{KEY_B}, {KEY_A}"

    token = MultiFernet([Fernet(KEY_A)]).encrypt(b"old").decode()
    assert encryption.decrypt_str(token) == "old"
    assert encryption.is_current(encryption.encrypt_str("new"))
    assert Fernet(KEY_B).decrypt(encryption.encrypt_str("new").encode()) == b"new"


@pytest.mark.parametrize(
    ("keys", "position"),
    [
        (["not-a-fernet-key"], 1),
        ([KEY_B, "not-a-fernet-key"], 2),
        ([KEY_B, KEY_A, KEY_A[:-4]], 3),
    ],
)
def test_invalid_key_names_its_position_not_its_value(settings, keys, position):
    settings.FIELD_ENCRYPTION_KEY = keys

    with pytest.raises(ImproperlyConfigured) as caught:
        encryption.encrypt_str("x")

    assert f"key number {position} " in str(caught.value)
    assert keys[position - 1] not in str(caught.value)


def test_no_key_at_all_is_refused(settings):
    settings.FIELD_ENCRYPTION_KEY = []

    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEY is not set"):
        encryption.encrypt_str("x")


@pytest.mark.urls("tests.encryption_app.urls")
def test_page_reading_with_a_wrong_key_answers_503_and_shows_nothing(
    client, use_keys, make_person, caplog
):
    use_keys(KEY_A)
    pk = make_person().pk
    ciphertext = raw_row("encryption_app_person", pk, ["legal_name"])["legal_name"]
    assert client.get(f"/test-only/person/{pk}/").content == f"Tala: {LEGAL_NAME}".encode()

    use_keys(KEY_B)
    with caplog.at_level(logging.ERROR, logger="core.middleware"):
        response = client.get(f"/test-only/person/{pk}/")

    assert response.status_code == 503
    assert "errors/decryption.html" in [t.name for t in response.templates]
    body = response.content.decode()
    assert "Protected data cannot be read" in body
    for secret in (LEGAL_NAME, ciphertext, ciphertext[:20], KEY_A, KEY_B):
        assert secret not in body
    # The log names the field, never the value.
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "encryption_app.Person." in logged
    assert LEGAL_NAME not in logged and ciphertext not in logged
