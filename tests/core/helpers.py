"""Keys, values and raw-SQL helpers for the encryption, rotation and audit tests."""

from __future__ import annotations

import datetime

from cryptography.fernet import Fernet
from django.db import connection

# Made once per run: never a key that exists anywhere else.
KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
KEY_C = Fernet.generate_key().decode()

LEGAL_NAME = "Maria Clara Santos"
NOTES = "Prefers afternoon sessions; support person is her aunt."
EMAIL = "maria.santos@example.net"
BIRTH_DATE = datetime.date(1999, 4, 17)
PLAINTEXTS = (LEGAL_NAME, NOTES, EMAIL, "1999-04-17")


def raw_row(table: str, pk, columns: list[str]) -> dict:
    """What PostgreSQL holds, read past every model field."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table)} WHERE id = %s",  # noqa: S608
            [pk],
        )
        return dict(zip(columns, cursor.fetchone(), strict=True))


def raw_table_text(table: str) -> str:
    """Every row of a table as one JSON text, for "no plaintext anywhere" checks."""
    quoted = connection.ops.quote_name(table)
    sql = f"SELECT coalesce(json_agg(t)::text, '') FROM {quoted} t"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def write_raw(table: str, pk, **columns) -> None:
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(c)} = %s" for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(table)} SET {assignments} WHERE id = %s",  # noqa: S608
            [*columns.values(), pk],
        )
