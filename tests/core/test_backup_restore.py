"""Backups that restore: the demo data backed up with `manage.py backup` comes
back, through `restore`, into a FRESH database (created on the same server
for the test) and empty private storage, with every table's row count equal
and one value of each encrypted model decrypting to what it was. The
archive is useless without its key and refused when changed; a target that
is not empty is refused without --force.

Real pg_dump and pg_restore (of the server's version) on committed data,
hence ``transaction=True``."""

from __future__ import annotations

import hashlib
import io

import pytest
from cryptography.fernet import Fernet
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, storages
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connections
from django.db.utils import load_backend
from psycopg2 import sql

from core.backups import postgres, services
from core.backups.archive import ArchiveDamaged, BackupError, BackupKeyError, WrongKey
from core.backups.postgres import ToolMissing
from core.database_roles import runtime_role_of
from core.encrypted_files import EncryptedStorage
from core.encryption import encrypted_field_names, models_with_encrypted_fields
from core.models import BackupRecord
from core.tasks import backup_daily
from tests.encryption_app.models import Contact, Person

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def backups(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "backups": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "backups")},
        },
    }
    return storages["backups"]


@pytest.fixture
def fresh_database(transactional_db):
    """A new, empty database on the same server, reachable as the
    connection alias this returns; dropped afterwards."""
    base = connections["default"].settings_dict
    name = f"{base['NAME']}_restored"
    server = postgres.connect(postgres.connection_settings("default"))

    def drop():
        with server.cursor() as cursor:
            cursor.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    drop()
    with server.cursor() as cursor:
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    # A connection of its own under an alias that is not in DATABASES: the
    # test's database guard (which knows only "default") leaves it alone.
    wrapper = load_backend(base["ENGINE"]).DatabaseWrapper({**base, "NAME": name}, "restored")
    connections["restored"] = wrapper
    try:
        yield "restored"
    finally:
        wrapper.close()
        del connections["restored"]
        drop()
        server.close()


@pytest.fixture
def empty_storage(tmp_path):
    return FileSystemStorage(location=str(tmp_path / "restored-private"))


def counts(alias: str) -> dict[str, int]:
    connection = postgres.connect(postgres.connection_settings(alias))
    try:
        with connection.cursor() as cursor:
            return postgres.table_counts(cursor)
    finally:
        connection.close()


def relations(alias: str) -> int:
    connection = postgres.connect(postgres.connection_settings(alias))
    try:
        with connection.cursor() as cursor:
            return postgres.relation_count(cursor)
    finally:
        connection.close()


def raw_files(storage) -> dict[str, bytes]:
    files = {}
    for name in services.private_file_names(storage):
        with storage.open(name, "rb") as handle:
            files[name] = handle.read()
    return files


def archives(storage) -> list[str]:
    try:
        return storage.listdir("")[1]
    except FileNotFoundError:
        return []


def opener(storage, name):
    return lambda: storage.open(name, "rb")


def one_value_of_each_encrypted_model() -> dict[str, tuple[int, str, object]]:
    """For each model with encrypted fields: (pk, field, decrypted value) of
    its first row that holds one, from the source database."""
    found = {}
    for model in models_with_encrypted_fields():
        names = encrypted_field_names(model)
        for obj in model._default_manager.using("default").order_by("pk"):
            values = [(name, getattr(obj, name)) for name in names]
            filled = [(name, value) for name, value in values if value not in (None, "")]
            if filled:
                found[model._meta.label] = (obj.pk, *filled[0])
                break
    return found


def fill_empty_encrypted_models() -> None:
    filled = one_value_of_each_encrypted_model()
    for model in models_with_encrypted_fields():
        if model._meta.label in filled:
            continue
        first = model._default_manager.order_by("pk").first()
        assert first is not None, f"the demo has no {model._meta.label}"
        name = encrypted_field_names(model)[0]
        # update() encrypts like save(), without the model's own rules.
        model._default_manager.filter(pk=first.pk).update(**{name: "Checked after restore"})


def test_the_demo_backed_up_comes_back_whole_into_a_fresh_database(
    settings, backups, fresh_database, empty_storage
):
    settings.ALLOW_DEMO_DATA = True
    call_command("seed_demo", stdout=io.StringIO())
    # The test app's encrypted models, and a value where the demo leaves every
    # encrypted field of a model empty, so that each has a value to compare.
    person = Person.objects.create(pseudonym="Tala", legal_name="Maria Clara", email="m@x.org")
    Contact.objects.create(person=person, label="home", phone="0917 555 0199")
    fill_empty_encrypted_models()
    source_files = raw_files(storages["private"])
    assert len(source_files) >= 3  # the demo's evidence and receipts

    out = io.StringIO()
    call_command("backup", stdout=out)
    assert "Backup written and checked" in out.getvalue()
    record = BackupRecord.objects.get()
    assert record.status == BackupRecord.Status.GOOD
    assert record.trigger == BackupRecord.Trigger.MANUAL
    with backups.open(record.name, "rb") as handle:
        raw = handle.read()
    assert (len(raw), hashlib.sha256(raw).hexdigest()) == (record.size, record.checksum)
    for needle in (b"Amihan", b"manager@example.org", b"PGDMP", b"%PDF", b"TINIGENC1", b"Tala"):
        assert needle not in raw
    source_counts = counts("default")
    assert record.tables == len(source_counts) and record.rows == sum(source_counts.values())
    values = one_value_of_each_encrypted_model()
    # Every encrypted model has a value to compare (the demo's and the test app's).
    assert set(values) == {model._meta.label for model in models_with_encrypted_fields()}

    report = services.backup_restore(
        opener(backups, record.name), alias=fresh_database, storage=empty_storage
    )

    # Every table, every row count.
    restored_counts = counts(fresh_database)
    assert len(restored_counts) >= 50
    assert restored_counts == source_counts
    assert (report.tables, report.rows) == (len(source_counts), sum(source_counts.values()))
    # One value of each encrypted model decrypts, in the restored database,
    # to what it was, and is stored there encrypted.
    for label, (pk, name, value) in values.items():
        model = next(m for m in models_with_encrypted_fields() if m._meta.label == label)
        restored = model._default_manager.using(fresh_database).get(pk=pk)
        assert getattr(restored, name) == value, label
        column = model._meta.get_field(name).column
        with connections[fresh_database].cursor() as cursor:
            cursor.execute(
                sql.SQL("SELECT {} FROM {} WHERE id = %s")
                .format(sql.Identifier(column), sql.Identifier(model._meta.db_table))
                .as_string(cursor.cursor),
                [pk],
            )
            stored = cursor.fetchone()[0]
        assert str(value) not in stored, label
    assert sorted(report.decrypted) == sorted(values)
    assert report.problems == []
    # Every private file, byte for byte, and still readable with the field keys.
    assert raw_files(empty_storage) == source_files
    for name in source_files:
        restored_plain = EncryptedStorage(empty_storage).open(name).read()
        assert restored_plain == EncryptedStorage(storages["private"]).open(name).read()
        assert restored_plain.startswith(b"%PDF")
    # The runtime role (when there is one apart from the owner) has its grants
    # again, the append-only rule included.
    role, _password = runtime_role_of(settings.RUNTIME_DATABASE)
    if role and role != connections[fresh_database].settings_dict["USER"]:
        with connections[fresh_database].cursor() as cursor:
            cursor.execute(
                "SELECT has_table_privilege(%s, 'consultants_consultant', 'SELECT'),"
                " has_table_privilege(%s, 'auditlog_logentry', 'DELETE')",
                [role, role],
            )
            assert cursor.fetchone() == (True, False)
    # The dump was taken while its own record said "running"; restored, it is good.
    restored_record = BackupRecord.objects.using(fresh_database).get(pk=record.pk)
    assert restored_record.status == BackupRecord.Status.GOOD
    assert restored_record.checksum == record.checksum


def test_a_target_that_is_not_empty_is_refused_without_force(
    backups, fresh_database, empty_storage
):
    Person.objects.create(pseudonym="Tala", legal_name="Maria Clara")
    record = services.backup_create()
    archive = opener(backups, record.name)
    backed_up = counts("default")

    # The database it came from holds tables: refused, plainly.
    with pytest.raises(CommandError, match=r"The target is not empty: the database .* --force"):
        call_command("restore", record.name)
    # An empty database, but private storage holding a file: refused too,
    # and nothing was written.
    empty_storage.save("receipts/left-over.pdf", ContentFile(b"x"))
    with pytest.raises(services.RestoreRefused, match="the private storage 1 files"):
        services.backup_restore(archive, alias=fresh_database, storage=empty_storage)
    assert relations(fresh_database) == 0

    # --force empties both first.
    services.backup_restore(archive, alias=fresh_database, storage=empty_storage, force=True)
    assert not empty_storage.exists("receipts/left-over.pdf")
    assert counts(fresh_database) == backed_up

    # And again over a restored database that changed since.
    Person.objects.using(fresh_database).create(pseudonym="Extra", legal_name="Someone")
    with pytest.raises(services.RestoreRefused):
        services.backup_restore(archive, alias=fresh_database, storage=empty_storage)
    services.backup_restore(archive, alias=fresh_database, storage=empty_storage, force=True)
    assert counts(fresh_database) == backed_up
    assert Person.objects.using(fresh_database).get().legal_name == "Maria Clara"


def test_without_its_key_the_archive_is_unreadable_and_a_changed_one_is_refused(
    settings, backups, fresh_database, empty_storage, tmp_path
):
    Person.objects.create(pseudonym="Tala", legal_name="Maria Clara")
    record = services.backup_create()
    with backups.open(record.name, "rb") as handle:
        raw = handle.read()
    call_command("restore", record.name, "--check", stdout=io.StringIO())

    good_key = settings.BACKUP_ENCRYPTION_KEY
    settings.BACKUP_ENCRYPTION_KEY = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match="cannot be decrypted with BACKUP_ENCRYPTION_KEY"):
        call_command("restore", record.name, "--check")
    with pytest.raises(WrongKey):
        services.backup_restore(
            opener(backups, record.name), alias=fresh_database, storage=empty_storage
        )
    # Nor with a field key (the keys are separate).
    settings.BACKUP_ENCRYPTION_KEY = list(settings.FIELD_ENCRYPTION_KEY)
    with pytest.raises(CommandError, match="also a FIELD_ENCRYPTION_KEY"):
        call_command("restore", record.name, "--check")
    with pytest.raises(BackupKeyError):
        services.backup_verify(opener(backups, record.name))
    settings.BACKUP_ENCRYPTION_KEY = good_key

    tampered = bytearray(raw)
    tampered[len(raw) // 2] ^= 0x01
    path = tmp_path / "tampered.tinigbak"
    path.write_bytes(bytes(tampered))
    with pytest.raises(CommandError, match=r"integrity check|impossible length|cut short"):
        call_command("restore", str(path), "--check")
    with pytest.raises(ArchiveDamaged):
        services.backup_restore(
            lambda: path.open("rb"), alias=fresh_database, storage=empty_storage
        )
    path.write_bytes(raw[:-10])
    with pytest.raises(CommandError, match="cut short"):
        call_command("restore", str(path), "--force")
    # Nothing was touched.
    assert relations(fresh_database) == 0
    assert raw_files(empty_storage) == {}


def test_with_other_field_keys_the_restore_says_what_will_not_decrypt(
    settings, backups, fresh_database, empty_storage
):
    Person.objects.create(pseudonym="Tala", legal_name="Maria Clara")
    record = services.backup_create()
    settings.FIELD_ENCRYPTION_KEY = [Fernet.generate_key().decode()]
    report = services.backup_restore(
        opener(backups, record.name), alias=fresh_database, storage=empty_storage
    )
    assert any("FIELD_ENCRYPTION_KEY: 1 of the 1 keys" in warning for warning in report.warnings)
    assert report.problems == [
        "encryption_app.Person.legal_name does not decrypt with the FIELD_ENCRYPTION_KEY set "
        "here: set the keys this backup was made with."
    ]


def test_an_older_server_is_refused(monkeypatch, backups, fresh_database, empty_storage):
    record = services.backup_create()
    real = postgres.server_version
    monkeypatch.setattr(postgres, "server_version", lambda cursor: (real(cursor)[0] - 1, "old"))
    with pytest.raises(services.RestoreRefused, match=r"Restore into PostgreSQL \d+ or newer"):
        services.backup_restore(
            opener(backups, record.name), alias=fresh_database, storage=empty_storage
        )
    assert relations(fresh_database) == 0


# --- Making one: failures are recorded and leave nothing behind -----------------------------


def test_without_a_key_no_backup_is_made_and_the_record_says_why(settings, backups):
    settings.BACKUP_ENCRYPTION_KEY = []
    with pytest.raises(CommandError, match="BACKUP_ENCRYPTION_KEY is not set"):
        call_command("backup")
    record = BackupRecord.objects.get()
    assert record.status == BackupRecord.Status.FAILED
    assert "BACKUP_ENCRYPTION_KEY is not set" in record.error
    assert archives(backups) == []


def test_without_a_pg_dump_of_the_servers_version_the_error_says_what_to_install(
    monkeypatch, backups
):
    monkeypatch.setattr(postgres, "server_version", lambda cursor: (99, "99.0"))
    with pytest.raises(ToolMissing, match=r"No pg_dump for PostgreSQL 99 .*BACKUP_PG_BIN_DIR"):
        services.backup_create()
    assert BackupRecord.objects.get().status == BackupRecord.Status.FAILED


def test_a_failed_dump_leaves_no_archive(monkeypatch, backups):
    def broken(*args, **kwargs):
        yield b"PGDMP half"
        raise postgres.DumpFailed("pg_dump stopped (exit code 1): boom")

    monkeypatch.setattr(postgres, "dump_chunks", broken)
    with pytest.raises(postgres.DumpFailed):
        services.backup_create()
    assert archives(backups) == []
    record = BackupRecord.objects.get()
    assert (record.status, record.error) == (
        BackupRecord.Status.FAILED,
        "DumpFailed: pg_dump stopped (exit code 1): boom",
    )


def test_two_backups_never_run_at_once_and_a_dead_ones_record_is_closed(backups):
    with services._locked("default"), pytest.raises(services.BackupBusy, match="Another backup"):
        services.backup_create()
    assert not BackupRecord.objects.exists()

    dead = BackupRecord.objects.create(status=BackupRecord.Status.RUNNING)
    services.backup_create()
    dead.refresh_from_db()
    assert dead.status == BackupRecord.Status.FAILED
    assert dead.error.startswith("Interrupted")


def test_the_daily_task_backs_up_once_and_applies_retention(backups):
    backup_daily()
    record = BackupRecord.objects.get()
    assert (record.status, record.trigger) == (
        BackupRecord.Status.GOOD,
        BackupRecord.Trigger.SCHEDULED,
    )
    # Delivered again (a redelivered message): nothing new.
    backup_daily()
    assert BackupRecord.objects.count() == 1
    assert archives(backups) == [record.name]


def test_a_database_that_cannot_be_reached_is_said_plainly():
    params = {**postgres.connection_settings("default"), "NAME": "tinig_no_such_database"}
    with pytest.raises(BackupError, match="Cannot connect to the database tinig_no_such_database"):
        postgres.connect(params)
