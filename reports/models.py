"""A requested document and the state of its preparation.

A ReportJob is created when someone asks for a document, filled in by a
Celery task (reports.services.report_render) and deleted from disk when its
retention has passed. Its primary key is a UUID so that no URL reveals how
many documents exist or invites guessing the next one; only the person who
requested it may ever see it (reports.access).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from reports.storage import get_private_storage

FILE_DATE_ZONE = ZoneInfo("Asia/Manila")

# Safe, user-facing failure text. Stored untranslated (the English message
# id) and translated when shown, in the reader's language.
GENERIC_FAILURE = gettext_noop(
    "Something went wrong while preparing it. Nothing was lost: please try again, "
    "and tell the administrator if it keeps failing."
)


class InvalidReportTransition(Exception):
    """A job was asked to move to a status it cannot reach from its current one."""

    def __init__(self, job: ReportJob, target: str):
        self.job_id = job.pk
        self.source = job.status
        self.target = target
        super().__init__(f"Report job {job.pk}: {self.source} -> {target} is not allowed.")


def report_upload_to(job: ReportJob, filename: str) -> str:
    # The name on disk is as discreet as the download name: no kind, no person.
    return f"reports/{job.download_name}"


class ReportJob(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to start")
        RUNNING = "running", _("Being prepared")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Deleted")

        # Asked of the status a job is shown with (``shown_status``), which
        # is what reports/partials/status.html and the list are given.
        @property
        def badge_tone(self) -> str:
            """ "info", "success", "danger" or "" (see ``BADGE_TONES``)."""
            return ReportJob.BADGE_TONES[self]

        @property
        def is_in_progress(self) -> bool:
            return self in (ReportJob.Status.PENDING, ReportJob.Status.RUNNING)

        @property
        def is_ready(self) -> bool:
            """Ready and kept: the file may be downloaded."""
            return self == ReportJob.Status.READY

    # Which status each status may move to. RUNNING -> PENDING gives a job
    # back to the queue after a transient error (the task retries it).
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.PENDING: frozenset({Status.RUNNING, Status.FAILED}),
        Status.RUNNING: frozenset({Status.READY, Status.FAILED, Status.PENDING}),
        Status.READY: frozenset({Status.EXPIRED}),
        Status.FAILED: frozenset(),
        Status.EXPIRED: frozenset(),
    }
    # The badge each shown status wears ("" is a plain badge).
    BADGE_TONES: dict[str, str] = {
        Status.PENDING: "info",
        Status.RUNNING: "info",
        Status.READY: "success",
        Status.FAILED: "danger",
        Status.EXPIRED: "",
    }

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.SlugField(_("kind"), max_length=50)
    params = models.JSONField(
        _("parameters"),
        default=dict,
        blank=True,
        help_text=_("Plain values validated by the kind's form; never personal data."),
    )
    language = models.CharField(
        _("language"), max_length=10, default="en", help_text=_("The document is written in it.")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="report_jobs",
        verbose_name=_("requested by"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    progress_message = models.CharField(_("progress message"), max_length=120, blank=True)
    file = models.FileField(
        _("file"),
        storage=get_private_storage,
        upload_to=report_upload_to,
        max_length=200,
        blank=True,
    )
    failure_message = models.CharField(_("failure message"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("deleted after"), null=True, blank=True)

    class Meta:
        verbose_name = _("report job")
        verbose_name_plural = _("report jobs")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(progress__gte=0) & Q(progress__lte=100),
                name="reports_reportjob_progress_0_to_100",
            ),
            # Only a ready job holds a file, and a ready job always has one
            # and a time at which it will be deleted.
            models.CheckConstraint(
                condition=Q(status="ready") | Q(file=""),
                name="reports_reportjob_file_only_when_ready",
            ),
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(file="") & Q(expires_at__isnull=False)),
                name="reports_reportjob_ready_has_file_and_expiry",
            ),
        ]
        indexes = [
            # The list page: one person's jobs, newest first
            # (selectors.report_job_list).
            models.Index(fields=["requested_by", "-created_at"], name="reports_job_owner_recent"),
            # The purge: ready jobs whose retention has passed
            # (services.report_purge_expired).
            models.Index(
                fields=["expires_at"],
                condition=Q(status="ready"),
                name="reports_job_ready_expiry",
            ),
            # The stale sweep: jobs still waiting or running long after they
            # should have finished (services.report_fail_stale).
            models.Index(
                fields=["created_at"],
                condition=Q(status__in=["pending", "running"]),
                name="reports_job_unfinished",
            ),
        ]

    def __str__(self):
        # Shown in the admin and the audit trail: a reference, never a kind or a person.
        return _("Document %(reference)s") % {"reference": self.reference}

    # --- Presentation -------------------------------------------------------

    @property
    def reference(self) -> str:
        return self.pk.hex[:8]

    @property
    def download_name(self) -> str:
        """The discreet file name: nothing in it names a kind of work or a
        person. A kind may give a stem of its own (``file_stem``), followed
        by the day it was requested (Asia/Manila)."""
        from reports.registry import file_stem

        stem = file_stem(self.kind)
        if stem and self.created_at:
            day = timezone.localtime(self.created_at, FILE_DATE_ZONE).date()
            return f"{stem}-{day:%Y-%m-%d}.pdf"
        return f"tinig-document-{self.reference}.pdf"

    @property
    def kind_label(self) -> str:
        from reports.registry import kind_label

        return kind_label(self.kind)

    @property
    def is_in_progress(self) -> bool:
        return self.status in (self.Status.PENDING, self.Status.RUNNING)

    def is_past_retention(self, now: datetime) -> bool:
        """Ready, but its retention has passed: treated as deleted even
        before the purge has removed the file."""
        return (
            self.status == self.Status.READY
            and self.expires_at is not None
            and (self.expires_at <= now)
        )

    def shown_status(self, now: datetime | None = None) -> ReportJob.Status:
        """The status to show: a ready job past its retention reads as deleted."""
        if self.is_past_retention(now or timezone.now()):
            return self.Status.EXPIRED
        return self.Status(self.status)

    @property
    def visible_status(self) -> ReportJob.Status:
        return self.shown_status()

    # --- Guarded transitions ------------------------------------------------
    # Each checks the move, changes the instance and leaves saving to the
    # service, which owns the transaction. PENDING -> RUNNING is the one
    # move made by a conditional UPDATE instead (services._claim), so that two
    # deliveries of the same message cannot both win it.

    def _move_to(self, target: str) -> None:
        if target not in self.TRANSITIONS[self.status]:
            raise InvalidReportTransition(self, target)
        self.status = target

    def mark_ready(self, *, now: datetime, retention: timedelta, message: str) -> None:
        """The file must already be attached (``file.save(..., save=False)``)."""
        if not self.file:
            raise InvalidReportTransition(self, self.Status.READY)
        self._move_to(self.Status.READY)
        self.progress = 100
        self.progress_message = message
        self.finished_at = now
        self.expires_at = now + retention

    def mark_failed(self, *, now: datetime, message: str = GENERIC_FAILURE) -> None:
        self._move_to(self.Status.FAILED)
        self.failure_message = message
        self.finished_at = now

    def mark_pending_again(self) -> None:
        """Give a claimed job back to the queue after a transient error."""
        self._move_to(self.Status.PENDING)
        self.started_at = None
        self.progress = 0
        self.progress_message = ""

    def mark_expired(self) -> None:
        """The caller has deleted the file from storage."""
        self._move_to(self.Status.EXPIRED)
        self.file = ""
