"""The runtime role (core/database_roles.py): connected as the role of
DATABASE_URL, the append-only tables take INSERT and SELECT and refuse
UPDATE, DELETE, TRUNCATE and ALTER TABLE ... DISABLE TRIGGER; ordinary
tables work; erasure, redaction and key rotation still work as that role.

The suite itself runs as the owner (config/settings/test.py). These tests
connect as the runtime role to this process's test database, whose grants
came from ``setup_runtime_role`` when the template was migrated. They need
a separate runtime role: the embedded default, CI and docker-compose have
one; with only DATABASE_URL set there is none, and they are skipped.
"""

# Table and column names in SQL come from APPEND_ONLY_TABLES and pg_trigger.
# ruff: noqa: S608

from __future__ import annotations

from contextlib import closing, contextmanager

import psycopg2
import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from consultants import services as consultant_services
from consultants.models import ConsentRecord, Consultant
from core import audit
from core.database_roles import APPEND_ONLY_TABLES, runtime_role_of

pytestmark = pytest.mark.django_db(transaction=True)

ROLE, PASSWORD = runtime_role_of(settings.RUNTIME_DATABASE)
needs_runtime_role = pytest.mark.skipif(
    not ROLE or (settings.OWNER_DATABASE.get("USER") or "") == ROLE,
    reason="no separate runtime role (DATABASE_OWNER_URL unset)",
)

PERMISSION_DENIED = "permission denied"
NOT_OWNER = "must be owner"


def _runtime_connect():
    owner = connection.settings_dict
    return psycopg2.connect(
        dbname=owner["NAME"],
        user=ROLE,
        password=PASSWORD or None,
        host=owner.get("HOST") or None,
        port=owner.get("PORT") or None,
    )


@pytest.fixture
def runtime():
    """A cursor connected as the runtime role, autocommit: each statement
    its own transaction, so one refusal does not spoil the next."""
    with closing(_runtime_connect()) as conn:
        conn.autocommit = True
        with conn.cursor() as cursor:
            yield cursor


@contextmanager
def as_runtime_role():
    """Django's own connection, as the runtime role, for running services."""
    saved = connection.settings_dict["USER"], connection.settings_dict["PASSWORD"]
    connection.close()
    connection.settings_dict["USER"], connection.settings_dict["PASSWORD"] = ROLE, PASSWORD
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["USER"], connection.settings_dict["PASSWORD"] = saved


def _refused(cursor, sql: str, params=(), *, because: str) -> str:
    with pytest.raises(psycopg2.Error) as raised:
        cursor.execute(sql, params)
    message = str(raised.value)
    assert because in message, message
    return message


@pytest.fixture
def rows(make_consultant, admin_user):
    """An audit entry and a consent record to try to change."""
    consultant = make_consultant()
    audit.record_access(actor=admin_user, instance=consultant, fields=["email"], reason="check")
    return {
        "auditlog_logentry": LogEntry.objects.latest("pk").pk,
        "consultants_consentrecord": ConsentRecord.objects.latest("pk").pk,
    }


# --- The list of append-only tables is the triggers' ---------------------------------


def test_the_append_only_tables_are_those_with_an_append_only_trigger():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid"
            " WHERE NOT t.tgisinternal AND t.tgname LIKE 'tinig%%append_only'"
        )
        assert {row[0] for row in cursor.fetchall()} == set(APPEND_ONLY_TABLES)


# --- Refusals, table by table -----------------------------------------------------------


@needs_runtime_role
@pytest.mark.parametrize("table", sorted(APPEND_ONLY_TABLES))
def test_the_runtime_role_cannot_rewrite_an_append_only_table(runtime, rows, table):
    pk = rows[table]
    runtime.execute(f"SELECT count(*) FROM {table} WHERE id = %s", [pk])
    assert runtime.fetchone() == (1,)

    _refused(runtime, f"UPDATE {table} SET id = id WHERE id = %s", [pk], because=PERMISSION_DENIED)
    _refused(runtime, f"DELETE FROM {table} WHERE id = %s", [pk], because=PERMISSION_DENIED)
    _refused(runtime, f"TRUNCATE {table} CASCADE", because=PERMISSION_DENIED)
    _refused(runtime, f"ALTER TABLE {table} DISABLE TRIGGER ALL", because=NOT_OWNER)
    _refused(runtime, f"ALTER TABLE {table} DISABLE TRIGGER USER", because=NOT_OWNER)
    _refused(runtime, f"ALTER TABLE {table} OWNER TO {ROLE}", because=NOT_OWNER)
    _refused(runtime, f"DROP TABLE {table}", because=NOT_OWNER)
    # The column it may update, it may only change as the trigger allows.
    column = APPEND_ONLY_TABLES[table][0]
    _refused(
        runtime,
        f"UPDATE {table} SET {column} = 'x' WHERE id = %s",
        [pk],
        because="append-only",
    )
    runtime.execute(f"SELECT count(*) FROM {table} WHERE id = %s", [pk])
    assert runtime.fetchone() == (1,)


@needs_runtime_role
def test_the_runtime_role_cannot_set_triggers_aside_or_drop_them(runtime, rows):
    _refused(runtime, "SET session_replication_role = replica", because=PERMISSION_DENIED)
    runtime.execute(
        "SELECT DISTINCT c.relname, t.tgname FROM pg_trigger t"
        " JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal AND t.tgname LIKE 'tinig%%'"
    )
    triggers = runtime.fetchall()
    # Money, consent texts and checklist templates have triggers too.
    assert {"compensation_payment", "consultants_consenttext"} <= {table for table, _ in triggers}
    for table, trigger in triggers:
        _refused(runtime, f"ALTER TABLE {table} DISABLE TRIGGER {trigger}", because=NOT_OWNER)
        _refused(runtime, f"DROP TRIGGER {trigger} ON {table}", because=NOT_OWNER)
    _refused(
        runtime,
        "CREATE OR REPLACE FUNCTION tinig_audit_append_only() RETURNS trigger"
        " AS $$ BEGIN RETURN NEW; END; $$ LANGUAGE plpgsql",
        because=PERMISSION_DENIED,  # no CREATE in the schema, before ownership is asked
    )


@needs_runtime_role
def test_the_redaction_cannot_blank_who_acted(runtime, rows):
    pk = rows["auditlog_logentry"]
    runtime.execute("BEGIN")
    runtime.execute("SET LOCAL tinig.audit_redaction = 'on'")
    _refused(
        runtime,
        "UPDATE auditlog_logentry SET actor_id = NULL WHERE id = %s",
        [pk],
        because=PERMISSION_DENIED,
    )
    runtime.execute("ROLLBACK")
    runtime.execute("SELECT actor_id IS NOT NULL FROM auditlog_logentry WHERE id = %s", [pk])
    assert runtime.fetchone() == (True,)


def test_the_redaction_keeps_an_address_that_is_the_only_record_of_who_acted(rows):
    pk = rows["auditlog_logentry"]
    with connection.cursor() as cursor:
        # An entry as a database migrated from before core/0003 may hold one:
        # its account deleted, its address the one trace of who acted.
        cursor.execute("SET session_replication_role = replica")
        cursor.execute(
            "UPDATE auditlog_logentry SET actor_id = NULL, actor_email = 'gone@example.net'"
            " WHERE id = %s",
            [pk],
        )
        cursor.execute("SET session_replication_role = origin")
    assert audit.redact_actor_addresses(reason="all addresses") == 0
    with pytest.raises(Exception, match="append-only"), connection.cursor() as cursor:
        cursor.execute("BEGIN")
        try:
            cursor.execute("SET LOCAL tinig.audit_redaction = 'on'")
            cursor.execute("UPDATE auditlog_logentry SET actor_email = NULL WHERE id = %s", [pk])
        finally:
            cursor.execute("ROLLBACK")
    assert LogEntry.objects.get(pk=pk).actor_email == "gone@example.net"


# --- What the runtime role does do --------------------------------------------------------


@needs_runtime_role
def test_ordinary_tables_take_every_row_operation_but_truncate(runtime, rows, make_consultant):
    consultant = make_consultant(scopes=())
    runtime.execute(
        "UPDATE consultants_consultant SET pseudonym = 'Renamed' WHERE id = %s", [consultant.pk]
    )
    runtime.execute(
        "DELETE FROM consultants_weeklyavailability WHERE consultant_id = %s", [consultant.pk]
    )
    assert runtime.rowcount == 1
    _refused(runtime, "TRUNCATE consultants_weeklyavailability", because=PERMISSION_DENIED)
    _refused(runtime, "CREATE TABLE tinig_runtime_made (id int)", because=PERMISSION_DENIED)


@needs_runtime_role
def test_services_insert_erase_redact_and_rotate_as_the_runtime_role(
    make_consultant, admin_user, manager_user, texts
):
    from django.core.files.base import ContentFile

    consultant = make_consultant(scopes=())
    with as_runtime_role():
        # INSERT: a consent record (with evidence) and audit entries.
        consultant_services.consent_grant(
            consultant=consultant,
            scope="participation",
            by=manager_user,
            evidence=ContentFile(b"%PDF-1.4\n%%EOF\n", name="form.pdf"),
        )
        assert ConsentRecord.objects.filter(consultant=consultant).exclude(evidence="").exists()
        # Erasure: blanks the evidence name, redacts addresses, audits itself.
        consultant_services.consultant_erase_identity(
            consultant=Consultant.objects.get(pk=consultant.pk), by=admin_user, reason="asked"
        )
        assert not ConsentRecord.objects.filter(consultant=consultant).exclude(evidence="").exists()
        assert LogEntry.objects.filter(additional_data__event="identity_erased").exists()
        call_command("rotate_encryption_keys", stdout=open("/dev/null", "w"))  # noqa: SIM115


# --- The command --------------------------------------------------------------------------


def _grants() -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, privilege_type FROM information_schema.role_table_grants"
            " WHERE grantee = %s ORDER BY 1, 2",
            [ROLE],
        )
        tables = cursor.fetchall()
        cursor.execute(
            "SELECT table_name, column_name, privilege_type"
            " FROM information_schema.column_privileges"
            " WHERE grantee = %s AND privilege_type = 'UPDATE'"
            " AND table_name = ANY(%s) ORDER BY 1, 2",
            [ROLE, list(APPEND_ONLY_TABLES)],
        )
        return tables + cursor.fetchall()


@needs_runtime_role
def test_setup_runtime_role_is_idempotent_and_puts_grants_back(capsys):
    before = _grants()
    assert ("auditlog_logentry", "INSERT") in before
    assert ("auditlog_logentry", "UPDATE") not in before
    assert ("auditlog_logentry", "actor_email", "UPDATE") in before
    assert ("consultants_consentrecord", "evidence", "UPDATE") in before
    assert ("consultants_consultant", "DELETE") in before
    assert not [grant for grant in before if grant[-1] in ("TRUNCATE", "TRIGGER", "REFERENCES")]

    with connection.cursor() as cursor:  # a hand-made grant it should not have
        cursor.execute(f'GRANT TRUNCATE, DELETE ON auditlog_logentry TO "{ROLE}"')
    call_command("setup_runtime_role")
    call_command("setup_runtime_role")
    assert "exists; granted" in capsys.readouterr().out
    assert _grants() == before
