"""Bring a backup archive back: into an empty database and empty private
storage, or, with ``--force``, after deleting everything in both.

    manage.py restore ARCHIVE [--force]
    manage.py restore ARCHIVE --check     read and check it, change nothing

ARCHIVE is a path, or the name of an archive in the backups storage
(BACKUP_DIR). The whole archive is read and checked first (a wrong key or
a changed byte stops here, before anything is touched); then the database
is restored with pg_restore of the target server's version in one
transaction, the private files are written back, the runtime role gets its
grants, and every table's rows, every file's checksum and one value of each
encrypted model are checked. Stop the web, worker and beat first. Connects
as the owner (DATABASE_OWNER_URL). Step by step: docs/OPERATIONS.md.
"""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from core.backups import services
from core.backups.archive import BackupError


class Command(BaseCommand):
    help = (
        "Restore a backup archive into an empty database and private storage "
        "(--force: empty them first; --check: only check the archive)."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="A path, or an archive's name in BACKUP_DIR.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Delete everything in the database and the private storage first.",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Read and check the whole archive and print its manifest; change nothing.",
        )

    def handle(self, *args, **options):
        opener = self._opener(options["archive"])
        try:
            if options["check"]:
                checked = services.backup_verify(opener)
                self._describe(checked.manifest)
                self.stdout.write(
                    self.style.SUCCESS(
                        f"The archive is good: every frame decrypts and every checksum fits "
                        f"({filesizeformat(checked.size)}, SHA-256 {checked.sha256})."
                    )
                )
                return
            report = services.backup_restore(opener, force=options["force"], log=self.stdout.write)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self._describe(report.manifest)
        self.stdout.write(
            self.style.SUCCESS(
                f"Restored and checked: {report.tables} tables, {report.rows} rows (each table "
                f"as counted at backup time), {report.files} private files (checksums equal)."
            )
        )
        if report.decrypted:
            self.stdout.write(
                f"One value of each of {len(report.decrypted)} encrypted models decrypts with "
                "the keys set here."
            )
        for warning in report.warnings:
            self.stdout.write(self.style.WARNING(warning))
        if report.problems:
            raise CommandError("\n".join(report.problems))

    def _opener(self, archive: str):
        if os.path.isfile(archive):
            return lambda: open(archive, "rb")
        storage = services.backups_storage()
        try:
            found = storage.exists(archive)
        except Exception:
            found = False
        if found:
            return lambda: storage.open(archive, "rb")
        raise CommandError(
            f"No archive {archive}: neither a file nor an archive in the backups storage."
        )

    def _describe(self, manifest: dict) -> None:
        app = manifest.get("app") or {}
        self.stdout.write(
            f"Archive {manifest.get('archive')} made {manifest.get('started_at')}"
            f"\n  Tinig {app.get('version') or '?'} (commit {app.get('commit') or 'unknown'}), "
            f"Django {manifest.get('django')}, PostgreSQL {manifest['postgresql']['server']}"
            f"\n  {len(manifest['tables'])} tables, {sum(manifest['tables'].values())} rows, "
            f"{len(manifest['files'])} private files, {len(manifest['migrations'])} migrations"
        )
