"""The tasks: thin, retried on a database that is briefly away."""

from __future__ import annotations

from datetime import timedelta

import pytest
from celery.exceptions import Retry
from django.db import OperationalError
from django.utils import timezone

from reports import services, tasks
from reports.models import ReportJob
from tests.reports.factories import ReportJobFactory, ready_job

pytestmark = pytest.mark.django_db


def test_render_report_calls_the_service(monkeypatch):
    seen = []
    monkeypatch.setattr(services, "report_render", lambda *, job_id: seen.append(job_id))
    tasks.render_report.run("abc")
    assert seen == ["abc"]


def test_a_database_error_is_retried_with_backoff(monkeypatch):
    def unreachable(*, job_id):
        raise OperationalError("could not connect")

    monkeypatch.setattr(services, "report_render", unreachable)
    retried = {}

    def fake_retry(*, exc, countdown):
        retried.update(exc=exc, countdown=countdown)
        return Retry(exc=exc)

    monkeypatch.setattr(tasks.render_report, "retry", fake_retry)
    with pytest.raises(Retry):
        tasks.render_report.run("abc")
    assert isinstance(retried["exc"], OperationalError)
    assert 0 <= retried["countdown"] <= 300


def test_after_the_last_retry_the_job_is_failed(monkeypatch):
    job = ReportJobFactory()

    def unreachable(*, job_id):
        raise OperationalError("could not connect")

    monkeypatch.setattr(services, "report_render", unreachable)
    tasks.render_report.push_request(retries=tasks.MAX_RETRIES)
    try:
        tasks.render_report.run(str(job.pk))
    finally:
        tasks.render_report.pop_request()
    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED


def test_purge_task_purges_and_closes_stale_jobs():
    expired = ready_job(finished_at=timezone.now() - timedelta(days=2))
    ReportJob.objects.filter(pk=ReportJobFactory().pk).update(
        created_at=timezone.now() - timedelta(hours=2)
    )
    tasks.purge_expired_reports.run()
    expired.refresh_from_db()
    assert expired.status == ReportJob.Status.EXPIRED
    assert ReportJob.objects.filter(status=ReportJob.Status.FAILED).count() == 1


def test_the_beat_schedule_names_the_purge_task():
    from config.schedule import BEAT_SCHEDULE

    assert BEAT_SCHEDULE["reports-purge-expired"]["task"] == tasks.purge_expired_reports.name
