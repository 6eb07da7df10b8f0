"""Core's one model: the record of each backup (core/backups/).

The archives themselves live in the ``backups`` storage; a row says when
each was made, whether it is good (written, then read back and checked
whole), how large it is and its checksum, so the admin, ``/healthz`` and the
administrators' reminder can tell the age of the last good one. A row holds
no data of anyone: names, sizes, counts and times only.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BackupRecord(models.Model):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        # Written whole and read back: every frame decrypts, every checksum fits.
        GOOD = "good", _("Good")
        FAILED = "failed", _("Failed")

    class Trigger(models.TextChoices):
        SCHEDULED = "scheduled", _("Daily schedule")
        MANUAL = "manual", _("By hand")

    started_at = models.DateTimeField(_("started"), default=timezone.now, db_index=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.RUNNING
    )
    trigger = models.CharField(
        _("started by"), max_length=10, choices=Trigger.choices, default=Trigger.MANUAL
    )
    # The archive's name in the backups storage.
    name = models.CharField(_("archive"), max_length=200, blank=True, db_index=True)
    size = models.BigIntegerField(_("size (bytes)"), null=True, blank=True)
    # SHA-256 of the archive file as written (what an off-site copy should match).
    checksum = models.CharField(_("checksum (SHA-256)"), max_length=64, blank=True)
    tables = models.PositiveIntegerField(_("tables"), null=True, blank=True)
    rows = models.BigIntegerField(_("rows"), null=True, blank=True)
    files = models.PositiveIntegerField(_("private files"), null=True, blank=True)
    # What went wrong, in a line: the kind of error and its message, which
    # names a tool, a setting or a file, never a value from the database.
    error = models.CharField(_("error"), max_length=500, blank=True)
    # When the retention rule removed the archive (the row stays as history).
    deleted_at = models.DateTimeField(_("archive deleted"), null=True, blank=True)

    class Meta:
        verbose_name = _("backup")
        verbose_name_plural = _("backups")
        ordering = ["-started_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(status="good")
                | (
                    models.Q(finished_at__isnull=False)
                    & models.Q(size__isnull=False)
                    & ~models.Q(checksum="")
                    & ~models.Q(name="")
                ),
                name="core_backup_good_is_complete",
            ),
        ]

    def __str__(self):
        return self.name or f"backup {self.pk}"
