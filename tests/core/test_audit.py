"""core.audit: masked change history, recorded reveals, append-only entries."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.db import ProgrammingError, connection, transaction
from django.utils import translation
from django.utils.module_loading import import_string

from core import audit
from core.encryption import encrypted_field_names, models_with_encrypted_fields
from tests.core.helpers import LEGAL_NAME, PLAINTEXTS, raw_table_text
from tests.encryption_app.models import Contact, Person

# --- Change history -------------------------------------------------------------


def test_creating_a_record_logs_encrypted_fields_masked(make_person):
    person = make_person()

    entry = LogEntry.objects.get_for_object(person).get()

    assert entry.action == LogEntry.Action.CREATE
    assert entry.changes["legal_name"] == [audit.MASK, audit.MASK]
    assert entry.changes["pseudonym"] == ["None", "Tala"]
    _assert_no_plaintext_in_the_audit_table()


def test_changing_an_encrypted_field_is_recorded_masked(make_person):
    person = make_person()
    person.legal_name = "Maria Clara Reyes"
    person.notes = "Moved to Cebu."
    person.save()

    entry = LogEntry.objects.get_for_object(person).filter(action=LogEntry.Action.UPDATE).get()

    assert entry.changes == {
        "legal_name": [audit.MASK, audit.MASK],
        "notes": [audit.MASK, audit.MASK],
    }
    assert entry.changes_text in ("", None) or "Reyes" not in entry.changes_text
    assert entry.object_repr == "Tala"
    _assert_no_plaintext_in_the_audit_table("Maria Clara Reyes", "Moved to Cebu.")


def test_saving_an_unchanged_encrypted_value_records_no_change(make_person):
    """Fresh ciphertext on every save must not look like a change."""
    person = make_person()
    person.pseudonym = "Tala R."
    person.save()

    entry = LogEntry.objects.get_for_object(person).filter(action=LogEntry.Action.UPDATE).get()
    assert set(entry.changes) == {"pseudonym"}


def test_deleting_a_record_logs_it_masked(make_person):
    person = make_person()
    pk = person.pk
    person.delete()

    entry = LogEntry.objects.filter(
        content_type__model="person", object_pk=str(pk), action=LogEntry.Action.DELETE
    ).get()
    assert entry.changes["email"] == [audit.MASK, audit.MASK]
    _assert_no_plaintext_in_the_audit_table()


def test_the_mask_keeps_nothing_of_the_value():
    assert audit.mask_encrypted(LEGAL_NAME) == audit.MASK
    assert audit.mask_encrypted("") == audit.MASK


def _assert_no_plaintext_in_the_audit_table(*extra: str) -> None:
    dump = raw_table_text("auditlog_logentry")
    assert dump, "expected audit entries"
    for plaintext in (*PLAINTEXTS, *extra):
        assert plaintext not in dump


# --- Reveals ----------------------------------------------------------------------


def test_record_access_writes_who_what_and_why(make_person, admin_user, rf):
    person = make_person()
    request = rf.get("/", REMOTE_ADDR="203.0.113.9")

    entry = audit.record_access(
        actor=admin_user,
        instance=person,
        fields=["notes", "legal_name"],
        reason="  Preparing the travel booking  ",
        request=request,
    )

    entry.refresh_from_db()
    assert entry.action == LogEntry.Action.ACCESS
    assert entry.actor == admin_user
    assert entry.actor_email is None  # actors by id, never by address
    assert entry.additional_data == {
        "fields": ["legal_name", "notes"],
        "reason": "Preparing the travel booking",
    }
    assert entry.remote_addr == "203.0.113.9"
    assert entry.object_pk == str(person.pk)
    assert entry.object_repr == "Tala"
    _assert_no_plaintext_in_the_audit_table()


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_record_access_refuses_an_empty_reason(make_person, admin_user, reason):
    person = make_person()
    before = LogEntry.objects.count()

    with pytest.raises(ValueError, match="reason"):
        audit.record_access(actor=admin_user, instance=person, fields=["notes"], reason=reason)

    assert LogEntry.objects.count() == before


# --- Append-only --------------------------------------------------------------------

# The trigger raises SQLSTATE 42501 (insufficient_privilege); psycopg2 maps
# class 42 to ProgrammingError, which Django re-raises as its own.
REFUSED = ProgrammingError


@pytest.fixture
def entry(make_person, admin_user):
    return audit.record_access(
        actor=admin_user, instance=make_person(), fields=["notes"], reason="check"
    )


def test_an_entry_cannot_be_updated(entry):
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(additional_data={"reason": "nothing"})
    with pytest.raises(REFUSED), transaction.atomic():
        entry.object_repr = "someone else"
        entry.save()
    with pytest.raises(REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE auditlog_logentry SET timestamp = now() WHERE id = %s", [entry.pk])

    entry.refresh_from_db()
    assert entry.additional_data["reason"] == "check"


def test_an_entry_cannot_be_deleted(entry):
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        entry.delete()
    with pytest.raises(REFUSED), transaction.atomic():
        LogEntry.objects.all().delete()
    with pytest.raises(REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM auditlog_logentry WHERE id = %s", [entry.pk])

    assert LogEntry.objects.filter(pk=entry.pk).exists()


def test_clearing_the_actor_cannot_smuggle_in_another_change(entry):
    with pytest.raises(REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE auditlog_logentry SET actor_id = NULL, object_repr = 'x' WHERE id = %s",
            [entry.pk],
        )


def test_who_acted_cannot_be_cleared_so_an_actor_is_not_deleted(entry, admin_user):
    # Entries name actors by id only, so clearing it would lose who looked:
    # an account that has acted is deactivated instead.
    with pytest.raises(REFUSED, match="append-only"), transaction.atomic():
        admin_user.delete()
    with pytest.raises(REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE auditlog_logentry SET actor_id = NULL WHERE id = %s", [entry.pk])

    entry.refresh_from_db()
    assert entry.actor == admin_user


# --- Actors by id, never by address ---------------------------------------------------


def test_the_database_empties_actor_email_whatever_fills_it(make_person, admin_user):
    entry = LogEntry.objects.log_create(
        make_person(),
        force_log=True,
        action=LogEntry.Action.UPDATE,
        actor=admin_user,
        actor_email=admin_user.email,
        changes={},
    )
    entry.refresh_from_db()
    assert entry.actor == admin_user
    assert entry.actor_email is None


def _legacy_entry_with_an_address(entry, address):
    """An entry as written before the rule, the way a database migrated from
    then holds them: triggers are set aside (replica mode) for this write."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE auditlog_logentry SET actor_email = %s WHERE id = %s", [address, entry.pk]
        )
        cursor.execute("SET LOCAL session_replication_role = origin")


def test_redaction_is_the_one_allowed_update_and_is_recorded(entry, admin_user, manager_user):
    _legacy_entry_with_an_address(entry, "tala.secret@example.net")

    # Outside the redaction path, even blanking the address is refused.
    with pytest.raises(REFUSED), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(actor_email=None)
    # On it, nothing but the address may change.
    with pytest.raises(REFUSED), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL tinig.audit_redaction = 'on'")
        cursor.execute(
            "UPDATE auditlog_logentry SET actor_email = NULL, actor_id = NULL WHERE id = %s",
            [entry.pk],
        )

    assert audit.redact_actor_addresses(reason="Erasure request", by=manager_user) == 1

    entry.refresh_from_db()
    assert entry.actor_email is None and entry.actor == admin_user
    record = LogEntry.objects.filter(additional_data__event=audit.REDACTION_EVENT).get()
    assert record.actor == manager_user
    assert record.additional_data["rows"] == 1
    assert record.additional_data["reason"] == "Erasure request"
    # The switch does not outlive the path: a plain update is refused again.
    with pytest.raises(REFUSED), transaction.atomic():
        LogEntry.objects.filter(pk=entry.pk).update(object_repr="x")
    # Nothing left: nothing written.
    assert audit.redact_actor_addresses(reason="Again") == 0
    assert LogEntry.objects.filter(additional_data__event=audit.REDACTION_EVENT).count() == 1


# --- Every model with an encrypted field is audited, masked -------------------------

# The domain apps (DESIGN.md), and the test app so this test always has
# something to check. A domain model that gains an encrypted field without
# ``core.audit.register`` fails here.
AUDITED_APPS = (
    "consultants",
    "engagements",
    "checklists",
    "compensation",
    "accounts",
    "reports",
    "encryption_app",
)


def audit_problems(model) -> list[str]:
    """Why ``model``'s encrypted fields are not safely audited (empty: they are)."""
    label = model._meta.label
    if not auditlog.contains(model):
        return [f"{label} is not registered (use core.audit.register)"]
    options = auditlog.get_model_fields(model)
    problems = [
        f"{label}.{name} is not masked"
        for name in encrypted_field_names(model)
        if name not in options["mask_fields"]
    ]
    mask = import_string(options["mask_callable"]) if options["mask_callable"] else None
    if mask is not None and mask(LEGAL_NAME) != audit.MASK:
        problems.append(f"{label} uses a mask that keeps part of the value")
    return problems


def models_to_audit() -> list:
    return [m for m in models_with_encrypted_fields() if m._meta.app_label in AUDITED_APPS]


def test_every_model_with_an_encrypted_field_is_audited_masked():
    models = models_to_audit()

    # Not vacuous: the test app's models are always among them.
    assert {Person, Contact} <= set(models)
    problems = [problem for model in models for problem in audit_problems(model)]
    assert not problems, "\n".join(problems)


def test_every_domain_app_is_installed():
    """A renamed app would silently drop out of the check above."""
    installed = {config.label for config in apps.get_app_configs()}
    assert set(AUDITED_APPS) - installed == set()


def test_the_check_catches_an_unregistered_model():
    options = auditlog.get_model_fields(Person)
    auditlog.unregister(Person)
    try:
        assert audit_problems(Person) == [
            "encryption_app.Person is not registered (use core.audit.register)"
        ]
    finally:
        audit.register(Person)
    assert auditlog.get_model_fields(Person)["mask_fields"] == options["mask_fields"]


def test_the_check_catches_an_unmasked_field():
    auditlog.unregister(Person)
    try:
        auditlog.register(Person, mask_fields=["legal_name"])
        assert audit_problems(Person) == [
            "encryption_app.Person.notes is not masked",
            "encryption_app.Person.email is not masked",
            "encryption_app.Person.birth_date is not masked",
        ]
    finally:
        auditlog.unregister(Person)
        audit.register(Person)


def test_register_masks_every_encrypted_field_and_keeps_extra_masks():
    auditlog.unregister(Person)
    try:
        audit.register(Person, mask_fields=["pseudonym"])
        assert auditlog.get_model_fields(Person)["mask_fields"] == [
            "birth_date",
            "email",
            "legal_name",
            "notes",
            "pseudonym",
        ]
    finally:
        auditlog.unregister(Person)
        audit.register(Person)


def test_record_view_writes_one_entry_per_page_or_none(make_person, admin_user):
    person = make_person()
    assert audit.record_view(actor=admin_user, instance=person, fields=[], page="a page") is None
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()

    entry = audit.record_view(
        actor=admin_user, instance=person, fields=["b.x", "a.y", "b.x"], page="the test page"
    )
    assert entry.action == LogEntry.Action.ACCESS
    assert entry.additional_data == {"fields": ["a.y", "b.x"], "reason": "viewed on the test page"}


def test_a_reason_tinig_wrote_is_shown_in_the_readers_language():
    """Stored in English, as a key; shown translated. A reason a person typed
    is shown as written."""
    with translation.override("fil"):
        assert audit.reason_text("viewed on the consultant page") == "nakita sa page ng consultant"
        assert audit.reason_text("downloaded") == "na-download"
        assert audit.reason_text("Checking her bank details") == "Checking her bank details"
        assert audit.reason_text("") == ""
    assert audit.reason_text("viewed on the consultant page") == "viewed on the consultant page"
