"""Re-encrypt every encrypted value and private file with the newest key in
FIELD_ENCRYPTION_KEY.

Rotation, step by step:

1. put the new key first in FIELD_ENCRYPTION_KEY, keep the old ones after it;
2. deploy that list to every web and worker process (they can then read
   both old and new values, and write new ones with the new key);
3. run this command; re-run it until it reports nothing left to rotate;
4. drop the old keys from the list.

Each table is walked in batches by primary key. A batch is one transaction
that locks its rows (``SELECT ... FOR UPDATE``) before reading them, so a
value the application writes at the same moment is either read here and
re-encrypted, or written after this batch commits: never overwritten with
an older value. Values the newest key already reads are left alone, which
makes the command safe to re-run and to interrupt.

Raw SQL on purpose: no model code, signal or audit hook runs, and nothing
is ever decrypted into a model instance. A value that no configured key can
decrypt stops the command with an error naming table, field and primary key
(never the value); its batch is rolled back and batches before it stay
committed, which is harmless since they hold the same plaintext under the
newest key.

Private files (receipts, consent and checklist evidence, generated PDFs)
come after the tables: every file of the private storage, walked folder by
folder in a stable order and taken ``--batch-size`` at a time, is
re-encrypted with the newest key, or encrypted if it was written before
files were encrypted (``core.encrypted_files``). Each file is replaced
atomically, so a download at that moment reads the old file (its key is
still in the list) or the new one. A file no key reads stops the command
with its name; files before it stay done.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from core import encrypted_files, encryption
from core.files import encrypted_private_storage


@dataclass
class Tally:
    rows: int = 0
    values: int = 0
    rotated: int = 0

    @property
    def current(self) -> int:
        return self.values - self.rotated

    def add(self, other: Tally) -> None:
        self.rows += other.rows
        self.values += other.values
        self.rotated += other.rotated


@dataclass(frozen=True)
class Target:
    """One table to rotate: which columns hold encrypted data, and how.

    ``rotate_row(pk, values, tally)`` returns the columns to write (empty
    when every value is already current).
    """

    label: str
    table: str
    pk_column: str
    columns: tuple[str, ...]
    rotate_row: Callable[[object, tuple, Tally], dict[str, str]]


def _rotate_value(token: str, *, where: str, tally: Tally) -> str | None:
    """The token re-encrypted with the newest key, or None when it already is."""
    tally.values += 1
    if encryption.is_current(token):
        return None
    tally.rotated += 1
    return encryption.rotate_token(token, where=where)


def _field_target(model) -> Target:
    fields = [
        field for field in model._meta.concrete_fields if encryption.is_encrypted_field(field)
    ]
    label = model._meta.label
    columns = tuple(field.column for field in fields)

    def rotate_row(pk, values, tally):
        changed = {}
        for field, token in zip(fields, values, strict=True):
            if token is None:
                continue
            new = _rotate_value(token, where=f"{label}.{field.name} (pk={pk})", tally=tally)
            if new is not None:
                changed[field.column] = new
        return changed

    return Target(
        label=label,
        table=model._meta.db_table,
        pk_column=model._meta.pk.column,
        columns=columns,
        rotate_row=rotate_row,
    )


# Keys of mfa.Authenticator.data that core.mfa.MFAAdapter encrypts:
# the TOTP secret, the recovery-code seed, and recovery codes migrated from
# another library (a list).
MFA_ENCRYPTED_KEYS = ("secret", "seed")
MFA_ENCRYPTED_LISTS = ("migrated_codes",)


def _mfa_target() -> Target | None:
    from django.apps import apps

    if not apps.is_installed("allauth.mfa"):
        return None
    model = apps.get_model("mfa", "Authenticator")
    label = model._meta.label
    data_field = model._meta.get_field("data")

    def rotate_row(pk, values, tally):
        (raw,) = values
        data = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(data, dict):
            return {}
        changed = False
        for key in MFA_ENCRYPTED_KEYS:
            token = data.get(key)
            if isinstance(token, str):
                where = f'{label}.data["{key}"] (pk={pk})'
                new = _rotate_value(token, where=where, tally=tally)
                if new is not None:
                    data[key] = new
                    changed = True
        for key in MFA_ENCRYPTED_LISTS:
            tokens = data.get(key)
            if isinstance(tokens, list):
                for index, token in enumerate(tokens):
                    where = f'{label}.data["{key}"][{index}] (pk={pk})'
                    new = _rotate_value(token, where=where, tally=tally)
                    if new is not None:
                        tokens[index] = new
                        changed = True
        return {data_field.column: json.dumps(data)} if changed else {}

    return Target(
        label=label,
        table=model._meta.db_table,
        pk_column=model._meta.pk.column,
        columns=(data_field.column,),
        rotate_row=rotate_row,
    )


def targets() -> list[Target]:
    found = [_field_target(model) for model in encryption.models_with_encrypted_fields()]
    mfa = _mfa_target()
    if mfa is not None:
        found.append(mfa)
    return sorted(found, key=lambda target: target.label)


def _select_batch(target: Target, *, after, batch_size: int, lock: bool) -> list[tuple]:
    """The next ``batch_size`` rows after primary key ``after``, locked when asked."""
    quote = connection.ops.quote_name
    pk = quote(target.pk_column)
    columns = ", ".join(quote(column) for column in (target.pk_column, *target.columns))
    where = "" if after is None else f" WHERE {pk} > %s"
    sql = (
        f"SELECT {columns} FROM {quote(target.table)}{where}"  # noqa: S608 (names from model meta)
        f" ORDER BY {pk} LIMIT %s" + (" FOR UPDATE" if lock else "")
    )
    params = [batch_size] if after is None else [after, batch_size]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _write(target: Target, pk, changed: dict[str, str]) -> None:
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(column)} = %s" for column in changed)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(target.table)} SET {assignments}"  # noqa: S608 (names from model meta)
            f" WHERE {quote(target.pk_column)} = %s",
            [*changed.values(), pk],
        )


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value (model fields and MFA secrets) and every private "
        "file with the newest key in FIELD_ENCRYPTION_KEY (files written before encryption "
        "are encrypted). Safe to re-run; prints counts, never values."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--batch-size",
            type=int,
            default=500,
            help="Rows per transaction, files per batch (default 500).",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be re-encrypted; change nothing and lock nothing.",
        )

    def handle(self, *args, batch_size: int, dry_run: bool, **options) -> None:
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        # Fail before touching anything if the key list itself is wrong.
        keys = encryption.configured_keys()
        encryption.cipher()
        verb = "would re-encrypt" if dry_run else "re-encrypted"
        self.stdout.write(
            f"Rotating to key 1 of {len(keys)} in FIELD_ENCRYPTION_KEY"
            + (" (dry run: nothing is changed)" if dry_run else "")
        )

        total = Tally()
        for target in targets():
            tally = Tally()
            try:
                self._rotate(target, tally, batch_size=batch_size, dry_run=dry_run)
            except encryption.DecryptionError as error:
                self.stdout.write(self._line(target.label, tally, verb) + " (stopped)")
                raise CommandError(
                    f"{error} The batch holding that row was rolled back; earlier batches "
                    "are committed. Add the missing key to FIELD_ENCRYPTION_KEY (or repair "
                    "that row) and run the command again."
                ) from None
            self.stdout.write(self._line(target.label, tally, verb))
            total.add(tally)

        files = encrypted_files.FileTally()
        try:
            self._rotate_files(files, batch_size=batch_size, dry_run=dry_run)
        except encryption.DecryptionError as error:
            self.stdout.write(self._files_line(files, verb) + " (stopped)")
            raise CommandError(
                f"{error} Files before it are done. Add the missing key to "
                "FIELD_ENCRYPTION_KEY (or restore that file) and run the command again."
            ) from None
        self.stdout.write(self._files_line(files, verb))

        if total.rotated == 0 and files.changed == 0:
            self.stdout.write(
                self.style.SUCCESS(
                    "Nothing left to rotate: every value and file reads with the newest key. "
                    "Older keys may now be removed from FIELD_ENCRYPTION_KEY."
                )
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Done: {verb} {total.rotated} of {total.values} values. "
                    f"Private files: {files.changed} of {files.files}."
                )
                if not dry_run
                else f"Dry run: {total.rotated} of {total.values} values would be re-encrypted. "
                f"Private files: {files.changed} of {files.files}."
            )

    @staticmethod
    def _rotate(target: Target, tally: Tally, *, batch_size: int, dry_run: bool) -> None:
        last_pk = None
        while True:
            # One transaction per batch: the rows stay locked from the read
            # to the write, and an error rolls back this batch only.
            with transaction.atomic():
                rows = _select_batch(target, after=last_pk, batch_size=batch_size, lock=not dry_run)
                if not rows:
                    return
                batch = Tally()
                for pk, *values in rows:
                    batch.rows += 1
                    changed = target.rotate_row(pk, tuple(values), batch)
                    if changed and not dry_run:
                        _write(target, pk, changed)
            # Counted once the batch is committed, so a stopped run reports
            # only what it really changed.
            tally.add(batch)
            last_pk = rows[-1][0]

    @staticmethod
    def _rotate_files(tally: encrypted_files.FileTally, *, batch_size: int, dry_run: bool) -> None:
        storage = encrypted_private_storage()
        names = encrypted_files.walk(storage)
        for batch in encrypted_files.batches(names, batch_size):
            done = encrypted_files.FileTally()
            try:
                for name in batch:
                    encrypted_files.rotate_file(storage, name, dry_run=dry_run, tally=done)
            finally:
                # Each file is replaced on its own: what was done stays done.
                tally.add(done)

    @staticmethod
    def _files_line(tally: encrypted_files.FileTally, verb: str) -> str:
        return (
            f"private files: {tally.files} files, {verb} {tally.rotated}, "
            f"encrypted {tally.encrypted} written before encryption, "
            f"already current {tally.current}"
        )

    @staticmethod
    def _line(label: str, tally: Tally, verb: str) -> str:
        return (
            f"{label}: {tally.rows} rows, {tally.values} encrypted values, "
            f"{verb} {tally.rotated}, already current {tally.current}"
        )
