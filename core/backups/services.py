"""Backups: make one, check one, restore one, keep the right ones.

``backup_create`` writes one archive (``core/backups/archive.py``) into the
``backups`` storage, streamed end to end:

1. the backup lock (a PostgreSQL advisory lock, so two never run at once;
   a record left "running" by a process that died is marked failed);
2. a record, "running";
3. one REPEATABLE READ transaction of the owner exports its snapshot and
   counts every table's rows and reads the applied migrations in it;
   ``pg_dump --snapshot`` dumps exactly that state, so the manifest's counts
   are the dump's;
4. the archive: the dump straight from pg_dump's pipe, then every file of
   the ``private`` storage exactly as stored (already encrypted with the
   field keys), read through the storage API, then the manifest (versions,
   migrations, counts, sizes and SHA-256 of every entry, which keys the data
   needs, by id), each frame encrypted with ``BACKUP_ENCRYPTION_KEY`` as it
   goes, into the storage's ``save()``: neither RAM nor a plaintext file
   holds the dump;
5. the archive read back from the storage and checked whole (every frame,
   every checksum) before the record says "good", with its size and SHA-256.

Files are walked after the dump's snapshot: a file uploaded during the
backup may be in the archive without its row (harmless), one deleted during
it is left out. The keys (``FIELD_ENCRYPTION_KEY``, ``LOOKUP_HMAC_KEYS``,
``BACKUP_ENCRYPTION_KEY``) are never in an archive.

``backup_restore`` checks the whole archive first (a wrong key or a changed
byte stops it before anything is touched), refuses a target that is not
empty (database: any table, view or sequence; private storage: any file)
unless ``force``, then restores the dump with ``pg_restore`` of the target
server's version in one transaction, writes the files back, gives the
runtime role its grants, and checks every table's count and every file's
checksum against the manifest, and that one value of each encrypted model
decrypts with the keys configured here.

``backup_prune`` applies the retention rule (``core/backups/retention.py``).
"""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
import platform
import subprocess
import tempfile
import tomllib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

import django
from django.conf import settings
from django.core.files.base import File
from django.core.files.storage import Storage, storages
from django.db import connections
from django.utils import timezone
from psycopg2 import sql

from core.backups import archive, postgres, retention
from core.backups.archive import ArchiveDamaged, BackupError
from core.encrypted_files import walk
from core.models import BackupRecord

logger = logging.getLogger(__name__)

LOCK = "tinig.backup"
# Not private files, though the private folder may hold them:
# docker-compose keeps beat's schedule there.
NOT_PRIVATE_FILES = ("celerybeat-schedule",)
KEYS_NOT_INCLUDED = (
    "FIELD_ENCRYPTION_KEY, LOOKUP_HMAC_KEYS and BACKUP_ENCRYPTION_KEY are not in this "
    "archive. Restoring it needs all three (the field keys that were in use when it was "
    "made, listed here by id): keep them in the organisation's password manager or secret "
    "store, apart from the archives."
)

Log = Callable[[str], Any]


class BackupBusy(BackupError):
    pass


class RestoreRefused(BackupError):
    pass


def _quiet(message: str) -> None:
    logger.info("%s", message)


def backups_storage() -> Storage:
    return storages["backups"]


def private_storage() -> Storage:
    """The private files as stored (encrypted with the field keys): the
    storage under ``core.files.private_storage``, not that decrypting wrapper."""
    return storages["private"]


def private_file_names(storage: Storage) -> Iterator[str]:
    for name in walk(storage):
        if "/" not in name and name.startswith(NOT_PRIVATE_FILES):
            continue
        yield name


# --- What the admin, /healthz and the reminder ask --------------------------------------


def last_good_backup() -> BackupRecord | None:
    return (
        BackupRecord.objects.filter(status=BackupRecord.Status.GOOD)
        .order_by("-finished_at")
        .first()
    )


@dataclass(frozen=True)
class BackupState:
    """The backups' state: "none" (no good backup yet), "ok", or "stale"
    (older than BACKUP_MAX_AGE_HOURS), and the age of the last good one."""

    state: str
    age: datetime.timedelta | None
    last_good: BackupRecord | None


def backup_state(*, now: datetime.datetime | None = None) -> BackupState:
    now = now or timezone.now()
    last = last_good_backup()
    if last is None or last.finished_at is None:
        return BackupState("none", None, None)
    age = max(now - last.finished_at, datetime.timedelta(0))
    stale = age > datetime.timedelta(hours=settings.BACKUP_MAX_AGE_HOURS)
    return BackupState("stale" if stale else "ok", age, last)


# --- The lock -----------------------------------------------------------------------------


@contextmanager
def _locked(alias: str):
    """An owner's connection holding the backup lock for as long as it is open."""
    params = postgres.connection_settings(alias)
    connection = postgres.connect(params)
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [LOCK])
            if not cursor.fetchone()[0]:
                raise BackupBusy(
                    "Another backup or clean-up is running (it holds the backup lock); "
                    "try again when it has finished."
                )
        yield connection, params
    finally:
        connection.close()


# --- Making one -----------------------------------------------------------------------------


def app_version() -> dict[str, str | None]:
    """Tinig's version (pyproject.toml) and git commit, where known."""
    version = None
    try:
        with open(settings.BASE_DIR / "pyproject.toml", "rb") as handle:
            version = tomllib.load(handle)["project"]["version"]
    except (OSError, KeyError, ValueError):
        pass
    commit = None
    try:
        result = subprocess.run(  # noqa: S603 - a fixed command, no shell
            ["git", "-C", str(settings.BASE_DIR), "rev-parse", "HEAD"],  # noqa: S607
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
        if result.returncode == 0:
            commit = result.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        pass
    return {"version": version, "commit": commit}


def _key_ids(setting: Any) -> list[str]:
    return [archive.key_id(key) for key in archive.key_list(setting)]


@dataclass
class _Made:
    manifest: dict[str, Any] = field(default_factory=dict)


def _frames(
    writer: archive.ArchiveWriter,
    *,
    pg_dump: str,
    params: dict[str, Any],
    snapshot: str,
    manifest: dict[str, Any],
    made: _Made,
    log: Log,
) -> Iterator[bytes]:
    yield writer.start({"created_at": manifest["started_at"]})

    log("Dumping the database…")
    yield writer.begin(archive.DATABASE_ENTRY)
    digest, size = hashlib.sha256(), 0
    for chunk in postgres.dump_chunks(pg_dump, params, snapshot=snapshot, size=archive.CHUNK):
        digest.update(chunk)
        size += len(chunk)
        yield from writer.data(chunk)
    manifest["database"].update({"size": size, "sha256": digest.hexdigest()})

    log("Adding the private files…")
    storage = private_storage()
    files = []
    for name in private_file_names(storage):
        try:
            handle = storage.open(name, "rb")
        except FileNotFoundError:
            continue  # deleted since it was listed
        with handle:
            yield writer.begin(archive.FILES_PREFIX + name)
            digest, size = hashlib.sha256(), 0
            while chunk := handle.read(archive.CHUNK):
                if isinstance(chunk, str):  # pragma: no cover - opened in binary
                    chunk = chunk.encode("latin-1")
                digest.update(chunk)
                size += len(chunk)
                yield from writer.data(chunk)
        files.append({"name": name, "size": size, "sha256": digest.hexdigest()})
    manifest["files"] = files
    manifest["created_at"] = timezone.now().isoformat()
    made.manifest = manifest
    yield writer.manifest(manifest)
    yield writer.end()


def backup_create(
    *,
    trigger: str = BackupRecord.Trigger.MANUAL,
    alias: str = "default",
    log: Log = _quiet,
) -> BackupRecord:
    """Write one archive; returns its record, "good". Raises BackupError
    (BackupBusy when another runs); the record then says "failed", why."""
    with _locked(alias) as (connection, params):
        BackupRecord.objects.using(alias).filter(status=BackupRecord.Status.RUNNING).update(
            status=BackupRecord.Status.FAILED,
            finished_at=timezone.now(),
            error="Interrupted: the process making it stopped before it finished.",
        )
        record = BackupRecord.objects.using(alias).create(trigger=trigger)
        storage = backups_storage()
        name = ""
        try:
            fernet = archive.writing_key()
            with connection.cursor() as cursor:
                major, version = postgres.server_version(cursor)
            pg_dump, pg_dump_version = postgres.find_tool("pg_dump", major)

            connection.set_session(
                isolation_level="REPEATABLE READ", readonly=True, autocommit=False
            )
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
                counts = postgres.table_counts(cursor)
                migrations = postgres.applied_migrations(cursor)

            name = storage.get_available_name(retention.archive_name(record.started_at))
            manifest: dict[str, Any] = {
                "format": archive.FORMAT,
                "archive": name,
                "record_id": record.pk,
                "started_at": record.started_at.isoformat(),
                "app": app_version(),
                "django": django.get_version(),
                "python": platform.python_version(),
                "postgresql": {"server": version, "server_major": major},
                "database": {
                    "entry": archive.DATABASE_ENTRY,
                    "format": "custom",
                    "pg_dump": pg_dump_version,
                },
                "migrations": migrations,
                "tables": counts,
                "keys": {
                    "FIELD_ENCRYPTION_KEY": _key_ids(settings.FIELD_ENCRYPTION_KEY),
                    "LOOKUP_HMAC_KEYS": _key_ids(settings.LOOKUP_HMAC_KEYS),
                    "BACKUP_ENCRYPTION_KEY": _key_ids(archive.configured_keys()[:1]),
                },
                "keys_not_included": KEYS_NOT_INCLUDED,
            }
            made = _Made()
            stream = archive.StreamFile(
                _frames(
                    archive.ArchiveWriter(fernet),
                    pg_dump=pg_dump,
                    params=params,
                    snapshot=snapshot,
                    manifest=manifest,
                    made=made,
                    log=log,
                )
            )
            saved = storage.save(
                name, File(io.BufferedReader(stream, buffer_size=archive.CHUNK), name=name)
            )
            connection.rollback()  # the snapshot's transaction; the lock stays
            if saved != name:
                name = saved
                raise BackupError(f"The backups storage saved the archive as {saved}.")

            log("Reading the archive back to check it…")
            with storage.open(name, "rb") as handle:
                checked = archive.check(handle, archive.reading_keys())
            if (checked.size, checked.sha256) != (stream.size, stream.sha256):
                raise ArchiveDamaged("The archive read back differs from what was written.")

            record.status = BackupRecord.Status.GOOD
            record.finished_at = timezone.now()
            record.name = name
            record.size = checked.size
            record.checksum = checked.sha256
            record.tables = len(counts)
            record.rows = sum(counts.values())
            record.files = len(made.manifest["files"])
            record.save(using=alias)
        except BaseException as error:
            _failed(record, error, alias=alias)
            if name:
                try:
                    if storage.exists(name):
                        storage.delete(name)
                except Exception:
                    logger.warning("backup: could not delete the incomplete archive %s", name)
            raise
    return record


def _failed(record: BackupRecord, error: BaseException, *, alias: str) -> None:
    record.status = BackupRecord.Status.FAILED
    record.finished_at = timezone.now()
    record.error = f"{type(error).__name__}: {error}"[:500]
    try:
        record.save(using=alias, update_fields=["status", "finished_at", "error"])
    except Exception:
        logger.exception("backup: could not record the failure of backup %s", record.pk)


# --- Checking one ----------------------------------------------------------------------------


Opener = Callable[[], IO[bytes]]


def backup_verify(open_archive: Opener) -> archive.Checked:
    """Read a whole archive and check it; raises ArchiveError when it is
    not one of ours, the key is wrong, or anything in it was changed."""
    with open_archive() as handle:
        return archive.check(handle, archive.reading_keys())


# --- Restoring one ---------------------------------------------------------------------------


@dataclass
class RestoreReport:
    manifest: dict[str, Any]
    tables: int = 0
    rows: int = 0
    files: int = 0
    decrypted: list[str] = field(default_factory=list)
    # Restored and checked, but something needs the operator (keys, migrations).
    warnings: list[str] = field(default_factory=list)
    # Restored, but encrypted values do not decrypt with the keys set here.
    problems: list[str] = field(default_factory=list)


def _target_contents(connection, storage: Storage) -> tuple[int, int]:
    with connection.cursor() as cursor:
        relations = postgres.relation_count(cursor)
    files = sum(1 for _ in private_file_names(storage))
    return relations, files


def backup_restore(
    open_archive: Opener,
    *,
    alias: str = "default",
    storage: Storage | None = None,
    force: bool = False,
    log: Log = _quiet,
) -> RestoreReport:
    """Bring an archive back into the database of ``alias`` and the private
    storage. Raises RestoreRefused when either holds anything and ``force``
    is not given, ArchiveError for an archive that is not good, BackupError
    for the rest (the message says what was and was not restored)."""
    keys = archive.reading_keys()
    log("Checking the archive (every frame and checksum)…")
    with open_archive() as handle:
        checked = archive.check(handle, keys)
    manifest = checked.manifest
    storage = storage or private_storage()
    connections[alias].close()
    params = postgres.connection_settings(alias)
    connection = postgres.connect(params)
    try:
        with connection.cursor() as cursor:
            major, _version = postgres.server_version(cursor)
        source_major = int(manifest["postgresql"]["server_major"])
        if major < source_major:
            raise RestoreRefused(
                f"The archive comes from PostgreSQL {source_major}; this server is "
                f"{major}. Restore into PostgreSQL {source_major} or newer."
            )
        pg_restore, _line = postgres.find_tool("pg_restore", major)

        relations, files = _target_contents(connection, storage)
        if (relations or files) and not force:
            raise RestoreRefused(
                f"The target is not empty: the database {params['NAME']} holds {relations} "
                f"tables, views or sequences, and the private storage {files} files. "
                "Restore into a new, empty database and empty private storage, or add "
                "--force to delete everything in both first."
            )
        if relations or files:
            log("Emptying the database and the private storage (--force)…")
            schemas = {table.split(".", 1)[0] for table in manifest["tables"]}
            connection.autocommit = False
            try:
                with connection.cursor() as cursor:
                    postgres.clear_database(cursor, schemas)
                connection.commit()
            except Exception as error:
                connection.rollback()
                raise RestoreRefused(
                    f"Could not empty the database {params['NAME']} as {params.get('USER')}: "
                    f"{str(error).strip()}. Restore into a new, empty database instead."
                ) from None
            finally:
                connection.autocommit = True
            for name in list(private_file_names(storage)):
                storage.delete(name)

        log("Restoring the database and the private files…")
        _write_back(
            open_archive, keys, checked, pg_restore=pg_restore, params=params, storage=storage
        )
        connections[alias].close()
        _grant_runtime_role(alias)

        log("Checking every table's rows and every file's checksum…")
        report = RestoreReport(manifest=manifest)
        _check_restored(connection, storage, manifest, report)
        _mark_archive_good(connection, manifest, checked)
        _check_keys(manifest, report)
        _check_decryption(alias, manifest, report)
        _check_migrations(alias, report)
        return report
    finally:
        connection.close()


def _write_back(
    open_archive: Opener,
    keys,
    checked: archive.Checked,
    *,
    pg_restore: str,
    params: dict[str, Any],
    storage: Storage,
) -> None:
    """The second reading: the dump into pg_restore, each file into the
    storage; every entry checked again against the first reading, so an
    archive changed in between is caught."""
    restorer: postgres.Restorer | None = None
    spool: Any = None
    current: str | None = None
    digest = hashlib.sha256()
    size = 0

    def close_entry() -> None:
        nonlocal restorer, spool
        if current is None:
            return
        if checked.entries.get(current) != (size, digest.hexdigest()):
            raise ArchiveDamaged(f"The archive changed while it was being restored ({current}).")
        if restorer is not None:
            active, restorer = restorer, None
            active.finish()
        elif spool is not None:
            name = current[len(archive.FILES_PREFIX) :]
            spool.seek(0)
            saved = storage.save(name, File(spool, name=name))
            spool.close()
            spool = None
            if saved != name:
                raise BackupError(f"The private storage saved {name} as {saved}.")

    try:
        with open_archive() as handle:
            for event, value in archive.read_events(handle, keys):
                if event == "begin":
                    close_entry()
                    current, digest, size = value, hashlib.sha256(), 0
                    if value == archive.DATABASE_ENTRY:
                        restorer = postgres.Restorer(pg_restore, params)
                    elif value.startswith(archive.FILES_PREFIX):
                        spool = tempfile.SpooledTemporaryFile(max_size=8 * archive.CHUNK)  # noqa: SIM115
                    else:
                        raise ArchiveDamaged(f"The archive holds an unknown entry {value}.")
                elif event == "data":
                    digest.update(value)
                    size += len(value)
                    if restorer is not None:
                        restorer.write(value)
                    elif spool is not None:
                        spool.write(value)
                elif event == "manifest":
                    close_entry()
                    current = None
    finally:
        if restorer is not None:
            restorer.abort()
        if spool is not None:
            spool.close()


def _grant_runtime_role(alias: str) -> None:
    from core.database_roles import current_user, runtime_role_of, setup_runtime_role

    role, password = runtime_role_of(settings.RUNTIME_DATABASE)
    connection = connections[alias]
    if role and role != current_user(connection):
        setup_runtime_role(connection, role=role, password=password)


def _check_restored(connection, storage: Storage, manifest: dict, report: RestoreReport) -> None:
    with connection.cursor() as cursor:
        counts = postgres.table_counts(cursor)
    expected = {table: int(count) for table, count in manifest["tables"].items()}
    if counts != expected:
        differ = sorted(
            table
            for table in set(counts) | set(expected)
            if counts.get(table) != expected.get(table)
        )
        raise BackupError(
            "The restored database does not match the manifest (rows per table differ: "
            + ", ".join(
                f"{table} {counts.get(table, 'missing')} ≠ {expected.get(table, 'missing')}"
                for table in differ[:10]
            )
            + ")."
        )
    for item in manifest["files"]:
        digest = hashlib.sha256()
        try:
            with storage.open(item["name"], "rb") as handle:
                while chunk := handle.read(archive.CHUNK):
                    digest.update(chunk)
        except FileNotFoundError:
            raise BackupError(f"The restored private file {item['name']} is missing.") from None
        if digest.hexdigest() != item["sha256"]:
            raise BackupError(f"The restored private file {item['name']} differs from the archive.")
    report.tables = len(counts)
    report.rows = sum(counts.values())
    report.files = len(manifest["files"])


def _mark_archive_good(connection, manifest: dict, checked: archive.Checked) -> None:
    """The dump was taken while its own record said "running"; the archive
    has just proven good, so the restored record says so."""
    table = BackupRecord._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table])
        if not cursor.fetchone()[0]:
            return
        cursor.execute(
            sql.SQL(
                "UPDATE {} SET status = %s, finished_at = %s, name = %s, size = %s,"
                " checksum = %s, error = '' WHERE id = %s AND status = %s"
            ).format(sql.Identifier(table)),
            [
                BackupRecord.Status.GOOD,
                manifest.get("created_at") or manifest["started_at"],
                manifest.get("archive", ""),
                checked.size,
                checked.sha256,
                manifest.get("record_id"),
                BackupRecord.Status.RUNNING,
            ],
        )


def _check_keys(manifest: dict, report: RestoreReport) -> None:
    needed = manifest.get("keys", {})
    for setting in ("FIELD_ENCRYPTION_KEY", "LOOKUP_HMAC_KEYS"):
        wanted = needed.get(setting) or []
        here = set(_key_ids(getattr(settings, setting)))
        missing = [key for key in wanted if key not in here]
        if missing:
            report.warnings.append(
                f"{setting}: {len(missing)} of the {len(wanted)} keys in use when this backup "
                f"was made are not set here (ids {', '.join(missing)}); values or sign-ins "
                "that need them will fail. Set the keys the backup was made with."
            )


def _check_decryption(alias: str, manifest: dict, report: RestoreReport) -> None:
    """One stored value of each encrypted model, decrypted with the keys
    configured here (nothing is shown or kept)."""
    from core.encryption import DecryptionError, encrypted_field_names, models_with_encrypted_fields

    restored = {table.split(".", 1)[1] for table in manifest["tables"]}
    connection = connections[alias]
    for model in models_with_encrypted_fields():
        if model._meta.db_table not in restored:
            continue
        for field_name in encrypted_field_names(model):
            model_field = model._meta.get_field(field_name)
            query = sql.SQL("SELECT {} FROM {} WHERE {} IS NOT NULL LIMIT 1").format(
                sql.Identifier(model_field.column),
                sql.Identifier(model._meta.db_table),
                sql.Identifier(model_field.column),
            )
            with connection.cursor() as cursor:
                cursor.execute(query.as_string(cursor.cursor))
                row = cursor.fetchone()
            if row is None:
                continue
            try:
                model_field.from_db_value(row[0], None, connection)
            except DecryptionError:
                report.problems.append(
                    f"{model._meta.label}.{field_name} does not decrypt with the "
                    "FIELD_ENCRYPTION_KEY set here: set the keys this backup was made with."
                )
            else:
                report.decrypted.append(model._meta.label)
            break


def _check_migrations(alias: str, report: RestoreReport) -> None:
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[alias])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if plan:
        report.warnings.append(
            f"This version of Tinig has {len(plan)} migrations the backup had not applied: "
            "run `manage.py migrate` before starting the web, worker and beat."
        )


# --- Keeping the right ones --------------------------------------------------------------------


def backup_prune(*, now: datetime.datetime | None = None, alias: str = "default") -> list[str]:
    """Delete the archives the retention rule no longer keeps; returns their names."""
    now = now or timezone.now()
    storage = backups_storage()
    with _locked(alias):
        try:
            _folders, names = storage.listdir("")
        except FileNotFoundError:
            return []
        statuses = dict(
            BackupRecord.objects.using(alias)
            .filter(name__in=names, deleted_at=None)
            .values_list("name", "status")
        )
        archives = []
        for name in names:
            moment = retention.made_at(name)
            if moment is not None:
                good = statuses.get(name, BackupRecord.Status.GOOD) == BackupRecord.Status.GOOD
                archives.append(retention.Archive(name=name, made_at=moment, good=good))
        doomed = retention.to_delete(
            archives,
            now=now,
            daily_days=settings.BACKUP_KEEP_DAILY_DAYS,
            monthly_days=settings.BACKUP_KEEP_MONTHLY_DAYS,
        )
        for name in doomed:
            storage.delete(name)
        if doomed:
            BackupRecord.objects.using(alias).filter(name__in=doomed, deleted_at=None).update(
                deleted_at=now
            )
    return doomed
