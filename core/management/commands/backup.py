"""Write one encrypted backup archive: the database (pg_dump of the server's
own version), every private file as stored, and a manifest (versions,
migrations, rows per table, checksums), into the ``backups`` storage
(BACKUP_DIR). The keys are not in it: docs/OPERATIONS.md, "Back up and
restore", says where they are kept. ``--prune`` then applies the retention
rule, as the daily schedule does.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.template.defaultfilters import filesizeformat

from core.backups import services
from core.backups.archive import BackupError
from core.models import BackupRecord


class Command(BaseCommand):
    help = "Write one encrypted backup archive (database, private files, manifest) to BACKUP_DIR."

    def add_arguments(self, parser):
        parser.add_argument(
            "--prune",
            action="store_true",
            help="Then delete the archives the retention rule no longer keeps.",
        )

    def handle(self, *args, **options):
        try:
            record = services.backup_create(
                trigger=BackupRecord.Trigger.MANUAL, log=self.stdout.write
            )
        except BackupError as error:
            raise CommandError(str(error)) from None
        storage = services.backups_storage()
        try:
            where = storage.path(record.name)
        except NotImplementedError:
            where = record.name
        self.stdout.write(
            self.style.SUCCESS(f"Backup written and checked: {where}")
            + f"\n  size {filesizeformat(record.size or 0)}, SHA-256 {record.checksum}"
            + f"\n  {record.tables} tables, {record.rows} rows, {record.files} private files"
            + "\n  Keys are not in the archive: keep FIELD_ENCRYPTION_KEY, LOOKUP_HMAC_KEYS and"
            " BACKUP_ENCRYPTION_KEY apart from it, and a copy of the archive off this machine."
        )
        if options["prune"]:
            try:
                deleted = services.backup_prune()
            except BackupError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"Retention: {len(deleted)} older archives deleted.")
            for name in deleted:
                self.stdout.write(f"  {name}")
