"""ReportJob's guarded transitions and the invariants PostgreSQL keeps."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from reports.models import InvalidReportTransition, ReportJob
from tests.reports.factories import ReportJobFactory, ready_job

pytestmark = pytest.mark.django_db


def test_the_primary_key_is_a_uuid_and_names_are_discreet():
    job = ReportJobFactory()
    assert len(job.pk.hex) == 32
    assert job.download_name == f"tinig-document-{job.pk.hex[:8]}.pdf"
    assert "access" not in job.download_name
    assert str(job) == f"Document {job.pk.hex[:8]}"


@pytest.mark.parametrize(
    ("status", "move"),
    [
        (ReportJob.Status.PENDING, "mark_expired"),
        (ReportJob.Status.FAILED, "mark_pending_again"),
        (ReportJob.Status.EXPIRED, "mark_failed"),
        (ReportJob.Status.READY, "mark_failed"),
    ],
)
def test_invalid_transitions_raise(status, move):
    job = ReportJob(status=status)
    arguments = {"now": timezone.now()} if move == "mark_failed" else {}
    with pytest.raises(InvalidReportTransition):
        getattr(job, move)(**arguments)
    assert job.status == status


def test_ready_needs_a_file():
    job = ReportJobFactory(running=True)
    with pytest.raises(InvalidReportTransition):
        job.mark_ready(now=timezone.now(), retention=timedelta(hours=1), message="Ready")


def test_ready_then_expired():
    job = ready_job()
    assert job.expires_at == job.finished_at + timedelta(hours=24)
    job.mark_expired()
    assert job.status == ReportJob.Status.EXPIRED
    assert not job.file


def test_a_ready_job_past_retention_reads_as_deleted():
    job = ready_job(finished_at=timezone.now() - timedelta(days=2))
    assert job.status == ReportJob.Status.READY
    assert job.shown_status() == ReportJob.Status.EXPIRED


@pytest.mark.parametrize("progress", [-1, 101])
def test_progress_stays_between_0_and_100(progress):
    job = ReportJobFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportJob.objects.filter(pk=job.pk).update(progress=progress)


def test_only_a_ready_job_holds_a_file():
    job = ReportJobFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportJob.objects.filter(pk=job.pk).update(file="reports/x.pdf")


def test_a_ready_job_has_a_file_and_an_expiry():
    job = ReportJobFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ReportJob.objects.filter(pk=job.pk).update(status=ReportJob.Status.READY)


def test_changes_are_audited_without_progress_ticks():
    from auditlog.models import LogEntry

    job = ReportJobFactory(running=True)
    job.mark_failed(now=timezone.now())
    job.save()
    entries = LogEntry.objects.get_for_object(job)
    assert entries.count() == 2  # created, failed
    assert "status" in entries.first().changes
    assert "progress" not in entries.first().changes
