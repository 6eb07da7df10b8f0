"""manage.py rotate_encryption_keys: every value moves to the newest key, safely."""

from __future__ import annotations

import threading
import time
from io import StringIO

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import close_old_connections, connection, transaction

from core import encryption
from tests.accounts.factories import TEST_TOTP_SECRET, give_totp, totp_code
from tests.core.helpers import (
    KEY_A,
    KEY_B,
    KEY_C,
    LEGAL_NAME,
    PLAINTEXTS,
    raw_row,
    raw_table_text,
    write_raw,
)
from tests.encryption_app.models import Contact, Person

PERSON_COLUMNS = ["legal_name", "notes", "email", "birth_date"]


def rotate(*args: str) -> str:
    out = StringIO()
    call_command("rotate_encryption_keys", *args, stdout=out)
    return out.getvalue()


def snapshot() -> dict:
    """Every encrypted value as stored, by table and primary key."""
    people = {
        p: raw_row("encryption_app_person", p, PERSON_COLUMNS)
        for p in Person.objects.values_list("pk", flat=True)
    }
    contacts = {
        c: raw_row("encryption_app_contact", c, ["phone"])
        for c in Contact.objects.values_list("pk", flat=True)
    }
    mfa = {a.pk: a.data for a in Authenticator.objects.order_by("pk")}
    return {"people": people, "contacts": contacts, "mfa": mfa}


@pytest.fixture
def rows_under_key_a(use_keys, make_person, make_user):
    """Five people (one with a NULL date), contacts, and a consultant with
    TOTP and recovery codes, all written with key A alone."""
    use_keys(KEY_A)
    people = [make_person(pseudonym=f"P{i}") for i in range(4)]
    people.append(make_person(pseudonym="P4", birth_date=None))
    Contact.objects.create(person=people[0], label="home", phone="+63 917 555 0101")
    Contact.objects.create(person=people[1], label="none", phone=None)
    user = make_user()
    give_totp(user)
    codes = RecoveryCodes.activate(user).get_unused_codes()
    return {"people": people, "user": user, "codes": codes}


@pytest.mark.parametrize("batch_size", ["1", "2", "500"])
def test_rotation_moves_every_value_to_the_newest_key(rows_under_key_a, use_keys, batch_size):
    before = snapshot()
    use_keys(KEY_B, KEY_A)

    output = rotate("--batch-size", batch_size)

    # 4 people x 4 values + 1 person x 3 values; 1 phone; TOTP secret + recovery seed.
    assert "encryption_app.Person: 5 rows, 19 encrypted values, re-encrypted 19" in output
    assert "encryption_app.Contact: 2 rows, 1 encrypted values, re-encrypted 1" in output
    assert "mfa.Authenticator: 2 rows, 2 encrypted values, re-encrypted 2" in output
    after = snapshot()
    for pk, columns in after["people"].items():
        for column, token in columns.items():
            if before["people"][pk][column] is not None:
                assert token != before["people"][pk][column]

    # Key A is gone: every row still reads.
    use_keys(KEY_B)
    assert sorted(Person.objects.values_list("legal_name", flat=True)) == [LEGAL_NAME] * 5
    assert Contact.objects.get(label="home").phone == "+63 917 555 0101"
    assert Person.objects.get(pseudonym="P4").birth_date is None


def test_mfa_secrets_still_work_after_rotation(rows_under_key_a, use_keys):
    user, codes = rows_under_key_a["user"], rows_under_key_a["codes"]
    use_keys(KEY_B, KEY_A)
    rotate()
    use_keys(KEY_B)

    totp = TOTP(Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP))
    assert encryption.decrypt_str(totp.instance.data["secret"]) == TEST_TOTP_SECRET
    assert totp.validate_code(totp_code())
    recovery = RecoveryCodes(
        Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    )
    assert recovery.get_unused_codes() == codes
    assert recovery.validate_code(codes[0])
    # Nothing else in the authenticator's data was touched.
    assert recovery.instance.data["used_mask"] == 1


def test_rerun_changes_nothing(rows_under_key_a, use_keys):
    use_keys(KEY_B, KEY_A)
    rotate()
    rotated = snapshot()

    output = rotate()

    assert snapshot() == rotated
    assert "re-encrypted 0" in output
    assert "Nothing left to rotate" in output


def test_dry_run_counts_and_changes_nothing(rows_under_key_a, use_keys):
    before = snapshot()
    use_keys(KEY_B, KEY_A)

    output = rotate("--dry-run")

    assert snapshot() == before
    assert "encryption_app.Person: 5 rows, 19 encrypted values, would re-encrypt 19" in output
    assert "Dry run: 22 of 22 values would be re-encrypted." in output


def test_output_holds_no_value_and_no_key(rows_under_key_a, use_keys):
    use_keys(KEY_B, KEY_A)
    tokens_before = raw_table_text("encryption_app_person")

    output = rotate() + rotate("--dry-run")

    for secret in (*PLAINTEXTS, TEST_TOTP_SECRET, KEY_A, KEY_B, *rows_under_key_a["codes"]):
        assert secret not in output
    assert "gAAAAA" not in output  # the start of every Fernet token
    assert tokens_before[:40] not in output


def test_undecryptable_value_stops_with_a_clear_error_and_rolls_back_its_batch(
    rows_under_key_a, use_keys
):
    people = rows_under_key_a["people"]
    # The fourth person's legal name was written with a key nobody has any more.
    stray = Fernet(KEY_C).encrypt(b"Juana Dela Cruz").decode()
    write_raw("encryption_app_person", people[3].pk, legal_name=stray)
    before = snapshot()
    use_keys(KEY_B, KEY_A)

    with pytest.raises(CommandError) as caught:
        rotate("--batch-size", "2")

    message = str(caught.value)
    assert f"encryption_app.Person.legal_name (pk={people[3].pk})" in message
    assert "rolled back" in message
    assert "Juana" not in message and stray not in message and "gAAAAA" not in message
    after = snapshot()["people"]
    # Batch 1 (people 0 and 1) is committed under key B ...
    for person in people[:2]:
        assert all(encryption.is_current(t) for t in after[person.pk].values() if t)
    # ... batch 2 (people 2 and 3) is exactly as it was, including the row
    # before the bad one; nothing after it was touched.
    for person in people[2:]:
        assert after[person.pk] == before["people"][person.pk]


def test_a_stray_plaintext_is_an_error_too(rows_under_key_a, use_keys):
    person = rows_under_key_a["people"][0]
    write_raw("encryption_app_person", person.pk, notes="Niño, left in clear by an import")
    use_keys(KEY_B, KEY_A)

    with pytest.raises(CommandError) as caught:
        rotate()

    assert f"encryption_app.Person.notes (pk={person.pk})" in str(caught.value)
    assert "Niño" not in str(caught.value)


def test_undecryptable_mfa_secret_names_the_authenticator(rows_under_key_a, use_keys):
    authenticator = Authenticator.objects.get(type=Authenticator.Type.TOTP)
    authenticator.data["secret"] = Fernet(KEY_C).encrypt(b"X" * 32).decode()
    Authenticator.objects.filter(pk=authenticator.pk).update(data=authenticator.data)
    use_keys(KEY_B, KEY_A)

    with pytest.raises(CommandError, match=r'mfa\.Authenticator\.data\["secret"\] \(pk=\d+\)'):
        rotate()


def test_bad_batch_size_is_refused(db):
    with pytest.raises(CommandError, match="at least 1"):
        rotate("--batch-size", "0")


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_write_is_never_overwritten_with_an_old_value(use_keys, make_person):
    """The application saves a new legal name while rotation reaches the row.

    Rotation must wait for the application's transaction and then rotate
    the new value. Without ``FOR UPDATE`` it would read the old value, wait
    only at its UPDATE, and then write the old name back over the new one.
    """
    use_keys(KEY_A)
    pk = make_person().pk
    use_keys(KEY_B, KEY_A)
    saved = threading.Event()
    errors: list[BaseException] = []

    def application_write():
        try:
            with transaction.atomic():
                person = Person.objects.select_for_update().get(pk=pk)
                person.legal_name = "Maria C. Reyes"
                person.save()
                saved.set()
                # Commit only once rotation is queued behind our row lock.
                deadline = time.monotonic() + 10
                while time.monotonic() < deadline and not _someone_waits_for_a_lock():
                    time.sleep(0.05)
        except BaseException as error:  # reported in the main thread
            errors.append(error)
            saved.set()
        finally:
            close_old_connections()
            connection.close()

    writer = threading.Thread(target=application_write)
    writer.start()
    assert saved.wait(10)
    rotate("--batch-size", "1")
    writer.join(15)

    assert not errors
    use_keys(KEY_B)
    assert Person.objects.get(pk=pk).legal_name == "Maria C. Reyes"


def _someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity"
            " WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0
