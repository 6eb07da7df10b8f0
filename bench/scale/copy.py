"""Bulk loading for the scale seed: rows streamed into PostgreSQL with COPY.

``Loader(model, columns)`` takes rows of plain Python values for the named
columns (attnames: ``consultant_id``, not ``consultant``) and fills every
other column from the model: its default, ``""`` for a blank text field,
NULL where allowed, the seed moment for ``auto_now`` fields. A new column
the seed does not know therefore needs no change here unless it is
required and has no default; then the load stops and names it. Encrypted
fields are encrypted once per distinct value (cached): valid ciphertext,
cheap enough for a million rows. Row triggers (the money guards, and the
foreign-key checks, which PostgreSQL runs as triggers) are off while a
table loads: the seed is built consistent, so they would only slow it.
"""

from __future__ import annotations

import datetime
import decimal
import json
import sys
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

NULL = "\\N"
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


class SeedError(RuntimeError):
    """The seed cannot fill a column (a new required field it does not know)."""


def _array_item(value: Any) -> str:
    if value is None:
        return "NULL"
    text = _scalar(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, str):
        return value
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, int | float | decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return "{" + ",".join(_array_item(item) for item in value) + "}"
    if isinstance(value, dict):
        return json.dumps(value)
    adapted = getattr(value, "adapted", None)  # psycopg2.extras.Json
    if adapted is not None:
        return json.dumps(adapted)
    if hasattr(value, "lower") and hasattr(value, "upper") and hasattr(value, "_bounds"):
        bounds = value._bounds or "[)"
        lower = "" if value.lower is None else '"' + value.lower.isoformat() + '"'
        upper = "" if value.upper is None else '"' + value.upper.isoformat() + '"'
        return f"{bounds[0]}{lower},{upper}{bounds[1]}"
    raise SeedError(f"cannot write a {type(value).__name__} with COPY")


def copy_text(value: Any) -> str:
    if value is None:
        return NULL
    return _scalar(value).translate(_ESCAPES)


class _Stream:
    """A file-like object over an iterator of text lines, for copy_expert."""

    def __init__(self, lines: Iterator[str]):
        self._lines = lines
        self._buffer = b""

    def read(self, size: int = -1) -> bytes:
        size = 1 << 20 if size is None or size < 0 else size
        parts = [self._buffer]
        length = len(self._buffer)
        for line in self._lines:
            encoded = line.encode("utf-8")
            parts.append(encoded)
            length += len(encoded)
            if length >= size:
                break
        data = b"".join(parts)
        self._buffer = data[size:]
        return data[:size]

    readline = read


class Progress:
    """Rows and rows per second on one line, about once a second, unbuffered."""

    def __init__(self, label: str, total: int):
        self.label, self.total = label, total
        self.started = self.shown = time.perf_counter()
        self.count = 0

    def step(self, count: int = 1) -> None:
        self.count += count
        now = time.perf_counter()
        if now - self.shown >= 1.0:
            self.shown = now
            self._show(end="\r")

    def _show(self, end: str) -> None:
        elapsed = max(time.perf_counter() - self.started, 1e-9)
        sys.stdout.write(
            f"  {self.label:<28} {self.count:>10,}/{self.total:<10,} "
            f"{self.count / elapsed:>10,.0f} rows/s {elapsed:>7.1f}s{end}"
        )
        sys.stdout.flush()

    def done(self) -> float:
        self._show(end="\n")
        return time.perf_counter() - self.started


class Loader:
    def __init__(self, model, columns: Sequence[str], *, moment: datetime.datetime):
        from django.db import connection, models

        self.model = model
        self.table = model._meta.db_table
        self.connection = connection
        by_attname = {field.attname: field for field in model._meta.concrete_fields}
        unknown = [name for name in columns if name not in by_attname]
        if unknown:
            raise SeedError(f"{model._meta.label} has no column {', '.join(unknown)}")
        self.fields = [by_attname[name] for name in columns]
        self.encrypted = [bool(getattr(field, "encrypted", False)) for field in self.fields]
        self._cache: dict[tuple[str, Any], str] = {}
        fixed_columns, fixed_values = [], []
        for field in model._meta.concrete_fields:
            if field.attname in columns or (field.primary_key and field.attname not in columns):
                continue
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                value: Any = moment
            elif field.db_default is not models.NOT_PROVIDED and not field.has_default():
                continue  # PostgreSQL fills it
            else:
                value = field.get_default()
                if value is None and not field.null:
                    raise SeedError(
                        f"{model._meta.label}.{field.name} is required and has no default: "
                        "give it a value in bench/scale/seed.py"
                    )
            fixed_columns.append(field.column)
            fixed_values.append(self._prepare(field, value))
        self.columns = [field.column for field in self.fields] + fixed_columns
        self.suffix = "".join("\t" + text for text in fixed_values)

    def _prepare(self, field, value: Any) -> str:
        if getattr(field, "encrypted", False):
            key = (field.attname, value)
            text = self._cache.get(key)
            if text is None:
                text = copy_text(field.get_db_prep_save(value, self.connection))
                self._cache[key] = text
            return text
        return copy_text(value)

    def _lines(self, rows: Iterable[Sequence[Any]], progress: Progress) -> Iterator[str]:
        encrypted = self.encrypted
        fields = self.fields
        suffix = self.suffix + "\n"
        prepare = self._prepare
        for row in rows:
            parts = [
                prepare(fields[index], value) if encrypted[index] else copy_text(value)
                for index, value in enumerate(row)
            ]
            progress.step()
            yield "\t".join(parts) + suffix

    def load(self, rows: Iterable[Sequence[Any]], *, total: int, label: str | None = None) -> int:
        progress = Progress(label or self.model._meta.verbose_name_plural, total)
        columns = ", ".join(f'"{column}"' for column in self.columns)
        with self.connection.cursor() as cursor:
            # Row triggers off while loading (the money guards re-add every
            # line per row; foreign keys are checked by triggers too): the
            # seed is built consistent, and check constraints still apply.
            cursor.execute("SET session_replication_role = replica")
            try:
                cursor.cursor.copy_expert(
                    f'COPY "{self.table}" ({columns}) FROM STDIN',
                    _Stream(self._lines(rows, progress)),
                )
            finally:
                cursor.execute("SET session_replication_role = DEFAULT")
        progress.done()
        return progress.count


def next_id(model) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        table = model._meta.db_table  # a model's own table name, never input
        cursor.execute(f'SELECT COALESCE(MAX(id), 0) + 1 FROM "{table}"')  # noqa: S608
        return int(cursor.fetchone()[0])


def reset_sequence(model) -> None:
    from django.db import connection

    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "  # noqa: S608 (a model's table)
            f'GREATEST((SELECT MAX(id) FROM "{table}"), 1))',
            [table],
        )
