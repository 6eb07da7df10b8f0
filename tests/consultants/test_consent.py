"""Consent is a record, not a checkbox: append-only, versioned, withdrawal
effective at once, evidence checked by content."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction

from consultants import selectors, services
from consultants.models import (
    ConsentError,
    ConsentRecord,
    ConsentScope,
    ConsentText,
)
from core.records import RecordIsImmutable
from tests.consultants.factories import ConsentTextFactory, ConsultantFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def _private_files() -> list[str]:
    root = Path(settings.PRIVATE_STORAGE_ROOT)
    return [str(p) for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_grant_then_withdraw_is_effective_at_once(consultant, manager_user, published_texts):
    services.consent_grant(consultant=consultant, scope=ConsentScope.PHOTO, by=manager_user)
    assert selectors.consent_is_granted(consultant=consultant, scope=ConsentScope.PHOTO)

    services.consent_withdraw(consultant=consultant, scope=ConsentScope.PHOTO, by=manager_user)

    assert not selectors.consent_is_granted(consultant=consultant, scope=ConsentScope.PHOTO)
    state = selectors.consent_state(consultant=consultant)
    assert state[ConsentScope.PHOTO].action == ConsentRecord.Action.WITHDRAWN
    assert state[ConsentScope.VIDEO] is None
    photographable = selectors.consultants_with_consent(
        scope=ConsentScope.PHOTO, queryset=selectors.consultants_visible_to(manager_user)
    )
    assert consultant not in photographable
    # The withdrawal names the text that was agreed to.
    assert state[ConsentScope.PHOTO].consent_text == published_texts[ConsentScope.PHOTO]


def test_regrant_after_withdrawal(own_consultant, consultant_user, published_texts):
    scope = ConsentScope.QUOTING
    services.consent_grant(consultant=own_consultant, scope=scope, by=consultant_user)
    services.consent_withdraw(consultant=own_consultant, scope=scope, by=consultant_user)
    services.consent_grant(consultant=own_consultant, scope=scope, by=consultant_user)
    assert selectors.consent_is_granted(consultant=own_consultant, scope=scope)
    history = list(selectors.consent_history(consultant=own_consultant))
    assert [r.action for r in history] == ["granted", "withdrawn", "granted"]


def test_withdrawing_a_scope_never_granted_is_refused(consultant, manager_user, published_texts):
    with pytest.raises(ConsentError) as error:
        services.consent_withdraw(consultant=consultant, scope=ConsentScope.VIDEO, by=manager_user)
    assert "not currently given" in error.value.messages[0]
    assert not ConsentRecord.objects.exists()


def test_withdrawing_twice_is_refused(consultant, manager_user, published_texts):
    services.consent_grant(consultant=consultant, scope=ConsentScope.VIDEO, by=manager_user)
    services.consent_withdraw(consultant=consultant, scope=ConsentScope.VIDEO, by=manager_user)
    with pytest.raises(ConsentError):
        services.consent_withdraw(consultant=consultant, scope=ConsentScope.VIDEO, by=manager_user)
    assert ConsentRecord.objects.count() == 2


def test_granting_twice_under_the_same_text_is_refused_but_a_new_version_is_recorded(
    consultant, manager_user, published_texts
):
    scope = ConsentScope.PARTICIPATION
    services.consent_grant(consultant=consultant, scope=scope, by=manager_user)
    with pytest.raises(ConsentError):
        services.consent_grant(consultant=consultant, scope=scope, by=manager_user)
    draft = services.consent_text_create(
        scope=scope, body="New wording", translations={"fil": "Bagong salita"}, by=manager_user
    )
    assert draft.version == 2
    services.consent_text_publish(text=draft, by=manager_user)
    record = services.consent_grant(consultant=consultant, scope=scope, by=manager_user)
    assert record.consent_text.version == 2


def test_no_published_text_no_consent(consultant, manager_user):
    ConsentTextFactory(scope=ConsentScope.MEDIA, published_at=None)
    with pytest.raises(ConsentError) as error:
        services.consent_grant(consultant=consultant, scope=ConsentScope.MEDIA, by=manager_user)
    assert "no published consent text" in error.value.messages[0]


def test_a_text_of_another_scope_is_refused(consultant, manager_user, published_texts):
    with pytest.raises(ValidationError):
        services.consent_grant(
            consultant=consultant,
            scope=ConsentScope.PHOTO,
            consent_text=published_texts[ConsentScope.VIDEO],
            by=manager_user,
        )
    assert not ConsentRecord.objects.exists()


def test_current_state_for_many_consultants_in_one_query(
    manager_user, published_texts, django_assert_num_queries
):
    consultants = ConsultantFactory.create_batch(5)
    for c in consultants:
        services.consent_grant(consultant=c, scope=ConsentScope.AUDIO, by=manager_user)
    services.consent_withdraw(consultant=consultants[0], scope=ConsentScope.AUDIO, by=manager_user)
    with django_assert_num_queries(1):
        state = selectors.consent_current(consultants=consultants)
    assert not state[consultants[0].pk][ConsentScope.AUDIO].is_grant
    assert all(state[c.pk][ConsentScope.AUDIO].is_grant for c in consultants[1:])


# --- Append-only ----------------------------------------------------------------------


@pytest.fixture
def record(consultant, manager_user, published_texts):
    return services.consent_grant(consultant=consultant, scope=ConsentScope.STORY, by=manager_user)


def test_record_cannot_be_changed_or_deleted_through_the_orm(record):
    record.action = ConsentRecord.Action.WITHDRAWN
    with pytest.raises(RecordIsImmutable):
        record.save()
    with pytest.raises(RecordIsImmutable):
        record.delete()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ConsentRecord.objects.filter(pk=record.pk).update(action="withdrawn")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ConsentRecord.objects.filter(pk=record.pk).delete()
    record.refresh_from_db()
    assert record.action == ConsentRecord.Action.GRANTED


def test_record_cannot_be_changed_or_deleted_with_raw_sql(record):
    for statement in (
        "UPDATE consultants_consentrecord SET action = 'withdrawn' WHERE id = %s",
        "UPDATE consultants_consentrecord SET recorded_at = now() WHERE id = %s",
        "DELETE FROM consultants_consentrecord WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [record.pk])
    assert ConsentRecord.objects.filter(pk=record.pk, action="granted").exists()


def test_published_text_is_frozen_and_a_draft_is_not(manager_user, published_texts):
    text = published_texts[ConsentScope.PHOTO]
    text.body = "Changed"
    with pytest.raises(RecordIsImmutable):
        text.save()
    with pytest.raises(RecordIsImmutable):
        text.delete()
    with pytest.raises(DatabaseError, match="never changed"), transaction.atomic():
        ConsentText.objects.filter(pk=text.pk).update(body="Changed")
    with (
        pytest.raises(DatabaseError, match="never changed"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM consultants_consenttext WHERE id = %s", [text.pk])

    draft = services.consent_text_create(scope=ConsentScope.PHOTO, body="Draft", by=manager_user)
    services.consent_text_update(text=draft, body="Better draft", by=manager_user)
    draft.refresh_from_db()
    assert (draft.version, draft.body, draft.published_at) == (2, "Better draft", None)
    with pytest.raises(ValidationError):
        services.consent_grant(
            consultant=ConsultantFactory(),
            scope=ConsentScope.PHOTO,
            consent_text=draft,
            by=manager_user,
        )


# --- Evidence ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "name", "kind"),
    [
        (PDF, "Maria Santos signed.pdf", "pdf"),
        (PNG, "scan.png", "png"),
        (JPEG, "photo.jpeg", "jpg"),
    ],
)
def test_evidence_stored_privately_under_a_random_name(
    consultant, manager_user, published_texts, content, name, kind
):
    upload = SimpleUploadedFile(name, content, content_type="application/octet-stream")
    record = services.consent_grant(
        consultant=consultant, scope=ConsentScope.PHOTO, by=manager_user, evidence=upload
    )
    assert record.evidence.name.startswith("consent-evidence/")
    assert record.evidence.name.endswith(f".{kind}")
    assert "Maria" not in record.evidence.name and "scan" not in record.evidence.name
    stored = _private_files()
    assert len(stored) == 1
    assert stored[0].startswith(str(settings.PRIVATE_STORAGE_ROOT))
    # Encrypted at rest (core.encrypted_files); read back through the storage.
    on_disk = Path(stored[0]).read_bytes()
    assert on_disk.startswith(b"TINIGENC1\n")
    assert content[:4] not in on_disk
    with record.evidence.open("rb") as handle:
        assert handle.read() == content


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (EXE, "signed-form.pdf", "must be a PDF, JPEG or PNG"),
        (b"just some text", "form.pdf", "must be a PDF, JPEG or PNG"),
        (b"<html><script>alert(1)</script>", "form.png", "must be a PDF, JPEG or PNG"),
        (PDF + b"0" * (5 * 1024 * 1024), "big.pdf", "larger than 5 MB"),
        (b"", "empty.pdf", "empty"),
    ],
)
def test_bad_evidence_is_refused_and_nothing_is_saved(
    consultant, manager_user, published_texts, content, name, message
):
    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        services.consent_grant(
            consultant=consultant, scope=ConsentScope.PHOTO, by=manager_user, evidence=upload
        )
    assert message in " ".join(error.value.messages)
    assert not ConsentRecord.objects.exists()
    assert _private_files() == []


def test_exactly_five_megabytes_is_accepted(consultant, manager_user, published_texts):
    content = PDF + b"0" * (5 * 1024 * 1024 - len(PDF))
    upload = SimpleUploadedFile("max.pdf", content)
    record = services.consent_grant(
        consultant=consultant, scope=ConsentScope.PHOTO, by=manager_user, evidence=upload
    )
    assert len(_private_files()) == 1
    # Stored encrypted (a larger token on disk); the plaintext is the upload.
    assert record.evidence.size == 5 * 1024 * 1024
