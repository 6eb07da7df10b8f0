"""Writes for the reports app: request a document, render it, delete it.

Every PDF in Tinig is produced here. A request is validated by its kind's
form and queued on commit; the worker claims the job with a conditional
UPDATE (so a retried or duplicated message never renders twice), asks the
kind's builder for a template and context, renders it offline
(reports.pdf), saves the file to private storage and marks the job ready
until ``settings.REPORT_RETENTION`` has passed. A failure leaves a generic
message for the person and only the exception's type and place in the log:
an exception's text may quote the data it failed on.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.models import User
from core.audit import record_access
from reports.access import can_use_reports
from reports.models import ReportJob
from reports.registry import ReportKind, get_report_kind
from reports.storage import private_storage

logger = logging.getLogger(__name__)

# Documents give times in the programme's time zone.
REPORT_TIME_ZONE = "Asia/Manila"
# A person may have this many documents waiting or in preparation at once.
MAX_ACTIVE_JOBS_PER_USER = 5
# A job still waiting this long after it was requested will not be started
# by anyone: the message was lost (broker restart, purged queue).
STALE_PENDING_AFTER = timedelta(hours=1)

# Progress messages: English message ids, translated when shown.
STARTING = gettext_noop("Starting")
LAYING_OUT = gettext_noop("Laying out the pages")
SAVING = gettext_noop("Saving the document")
DONE = gettext_noop("Ready")

TRANSIENT_ERRORS = (OperationalError, InterfaceError)


class ReportNotAllowed(Exception):
    """The requester may no longer request this kind (checked again when rendering)."""


class ReportParamsInvalid(Exception):
    """The stored parameters no longer pass the kind's form."""


# --- Download ----------------------------------------------------------------


DOWNLOADED = gettext_noop("downloaded")  # stored in English; core.audit.reason_text


def report_open(*, job: ReportJob, by: User, request=None):
    """The job's file, open for reading, once its download is in the audit
    trail (an access entry: who, the file, "downloaded", from where), as
    its creation is. Nothing is sent if the entry cannot be written.
    Raises FileNotFoundError when the file is gone (nothing recorded)."""
    handle = job.file.open("rb")
    try:
        record_access(actor=by, instance=job, fields=["file"], reason=DOWNLOADED, request=request)
    except BaseException:
        handle.close()
        raise
    return handle


# --- Request ----------------------------------------------------------------


def report_request(
    *, user: User, kind: str, params: Mapping[str, Any], language: str | None = None
) -> ReportJob:
    """Queue a document of ``kind`` for ``user``.

    Raises UnknownReportKind, PermissionDenied, or ValidationError (with the
    form's errors, or a non-field error when too many jobs are active).
    """
    entry = get_report_kind(kind)
    if not (can_use_reports(user) and entry.can_request(user)):
        raise PermissionDenied
    if entry.language_for is not None:
        language = entry.language_for(user) or language
    form = entry.bind(dict(params), user=user)
    if not form.is_valid():
        raise ValidationError(form.errors.as_data())

    from reports.tasks import render_report

    with transaction.atomic():
        active = ReportJob.objects.filter(
            requested_by=user, status__in=[ReportJob.Status.PENDING, ReportJob.Status.RUNNING]
        ).count()
        if active >= MAX_ACTIVE_JOBS_PER_USER:
            raise ValidationError(
                _(
                    "You already have %(count)s documents being prepared. "
                    "Please wait until one of them is ready."
                ),
                code="too_many_active",
                params={"count": active},
            )
        job = ReportJob(
            kind=entry.kind,
            params=form.params(),
            requested_by=user,
            language=_supported_language(language),
        )
        job.full_clean()
        job.save()
        render_report.delay_on_commit(str(job.pk))
    return job


def report_retry(*, user: User, job: ReportJob) -> ReportJob:
    """A new request with the kind and parameters of a failed job."""
    if job.requested_by_id != user.pk:
        raise PermissionDenied
    if job.status != ReportJob.Status.FAILED:
        raise ValidationError(_("Only a document that failed can be tried again."))
    return report_request(user=user, kind=job.kind, params=job.params, language=job.language)


def _supported_language(language: str | None) -> str:
    try:
        return translation.get_supported_language_variant(
            language or translation.get_language() or settings.LANGUAGE_CODE
        )
    except LookupError:
        return settings.LANGUAGE_CODE


# --- Render (the worker) ------------------------------------------------------


def report_render(*, job_id: UUID | str) -> None:
    """Render a pending job into its PDF. Safe to call any number of times."""
    # WeasyPrint is loaded here, by the worker, and never by a web process.
    from reports.pdf import FatalURLFetchingError

    if not _claim(job_id):
        logger.info("Report job %s: not pending, nothing to do.", job_id)
        return
    job = ReportJob.objects.select_related("requested_by").get(pk=job_id)
    try:
        pdf = _render(job)
        _store(job.pk, pdf)
    except TRANSIENT_ERRORS:
        # The task retries with backoff; give the job back so it can be claimed.
        _give_back(job.pk)
        raise
    except (Exception, FatalURLFetchingError) as error:
        _log_failure(job, error)
        report_fail(job_id=job.pk)


def _claim(job_id: UUID | str) -> bool:
    claimed = ReportJob.objects.filter(pk=job_id, status=ReportJob.Status.PENDING).update(
        status=ReportJob.Status.RUNNING,
        started_at=timezone.now(),
        progress=0,
        progress_message=STARTING,
    )
    return claimed == 1


def _render(job: ReportJob) -> bytes:
    from reports.pdf import html_to_pdf

    requester = job.requested_by
    with translation.override(job.language), timezone.override(REPORT_TIME_ZONE):
        entry = get_report_kind(job.kind)
        if not (can_use_reports(requester) and entry.can_request(requester)):
            raise ReportNotAllowed
        if not entry.bind(job.params, user=requester).is_valid():
            raise ReportParamsInvalid
        progress = _progress_recorder(job.pk)
        template_name, context = entry.build(job, progress)
        html = render_to_string(template_name, {**_base_context(job, entry), **context})
        progress(30, LAYING_OUT)
        pdf = html_to_pdf(html)
        progress(60, SAVING)
    return pdf


def _base_context(job: ReportJob, entry: ReportKind) -> dict[str, Any]:
    from reports.pdf import css_page_counter

    return {
        "document_title": entry.label,
        "reference": job.reference,
        "generated_at": timezone.now(),
        "time_zone": REPORT_TIME_ZONE,
        "page_counter": css_page_counter(str(_("Page %(page)s of %(pages)s"))),
    }


def _progress_recorder(job_id: UUID):
    def progress(percent: int, message: str) -> None:
        percent = max(0, min(100, int(percent)))
        ReportJob.objects.filter(
            pk=job_id, status=ReportJob.Status.RUNNING, progress__lte=percent
        ).update(progress=percent, progress_message=_message_id(message))

    return progress


def _message_id(message) -> str:
    """The untranslated text of a (possibly lazy) message, for storing."""
    with translation.override(None):
        return str(message)[:120]


def _store(job_id: UUID, pdf: bytes) -> None:
    stored_name = None
    try:
        with transaction.atomic():
            job = ReportJob.objects.select_for_update().get(pk=job_id)
            if job.status != ReportJob.Status.RUNNING:
                # Given up on meanwhile (report_fail_stale): keep nothing.
                logger.warning("Report job %s: no longer running, result dropped.", job_id)
                return
            job.file.save(job.download_name, ContentFile(pdf), save=False)
            stored_name = job.file.name
            job.mark_ready(now=timezone.now(), retention=settings.REPORT_RETENTION, message=DONE)
            job.full_clean()
            job.save()
    except BaseException:
        if stored_name:
            private_storage.delete(stored_name)
        raise


def _give_back(job_id: UUID) -> None:
    try:
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
        with transaction.atomic():
            job = ReportJob.objects.select_for_update().get(pk=job_id)
            if job.status == ReportJob.Status.RUNNING:
                job.mark_pending_again()
                job.save()
    except TRANSIENT_ERRORS:
        # Still unreachable: report_fail_stale will close the job later.
        logger.warning("Report job %s: could not be given back after a database error.", job_id)


def _log_failure(job: ReportJob, error: BaseException) -> None:
    """Type and place only: never the message, which may quote data."""
    frames = traceback.extract_tb(error.__traceback__)
    place = f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"
    logger.error(
        "Report job %s (%s) failed: %s at %s", job.pk, job.kind, type(error).__name__, place
    )


# --- Give up, purge ---------------------------------------------------------------


def report_fail(*, job_id: UUID | str) -> ReportJob | None:
    """Mark a job that is still waiting or running as failed (generic message)."""
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or not job.is_in_progress:
            return job
        job.mark_failed(now=timezone.now())
        job.full_clean()
        job.save()
    return job


def report_fail_stale(*, now: datetime | None = None) -> int:
    """Fail jobs that no worker will finish: running for longer than a task
    may run (its worker died), or waiting for longer than STALE_PENDING_AFTER."""
    now = now or timezone.now()
    running_cutoff = now - timedelta(seconds=2 * settings.CELERY_TASK_TIME_LIMIT)
    stale = ReportJob.objects.filter(
        Q(status=ReportJob.Status.RUNNING, started_at__lt=running_cutoff)
        | Q(status=ReportJob.Status.PENDING, created_at__lt=now - STALE_PENDING_AFTER)
    ).values_list("pk", flat=True)
    failed = 0
    for job_id in list(stale):
        job = report_fail(job_id=job_id)
        if job is not None and job.status == ReportJob.Status.FAILED:
            logger.warning("Report job %s: no worker finished it; marked failed.", job_id)
            failed += 1
    return failed


def report_purge_expired(*, now: datetime | None = None) -> int:
    """Delete the files of ready jobs whose retention has passed and mark
    them expired. Idempotent: a second run finds nothing left to do."""
    now = now or timezone.now()
    due = ReportJob.objects.filter(status=ReportJob.Status.READY, expires_at__lte=now)
    purged = 0
    for job_id in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            job = (
                ReportJob.objects.select_for_update(skip_locked=True)
                .filter(pk=job_id, status=ReportJob.Status.READY)
                .first()
            )
            if job is None:
                continue
            name = job.file.name
            job.mark_expired()
            job.full_clean()
            job.save()
            # Inside the transaction: if the file cannot be deleted, the job
            # stays ready (and unreachable, being past retention) and the
            # next run tries again.
            private_storage.delete(name)
        purged += 1
    return purged
