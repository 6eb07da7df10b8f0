"""report_request, report_retry, report_purge_expired and report_fail_stale."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from reports import services
from reports.models import ReportJob
from reports.registry import UnknownReportKind
from reports.storage import private_storage
from tests.reports.conftest import MANILA
from tests.reports.factories import ReportJobFactory, ready_job

JANUARY = {"date_from": "2026-01-01", "date_to": "2026-01-31"}

pytestmark = pytest.mark.django_db


# --- report_request ---------------------------------------------------------------


def test_request_creates_a_pending_job_and_queues_it_on_commit(
    admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = services.report_request(user=admin_user, kind="access_log", params=JANUARY)

    assert job.status == ReportJob.Status.PENDING
    assert job.params == JANUARY
    assert job.requested_by == admin_user
    assert job.language == "en"
    assert len(callbacks) == 1
    assert callbacks[0].func.__self__.name == "reports.tasks.render_report"
    assert callbacks[0].args == (str(job.pk),)


def test_request_accepts_date_objects_and_stores_plain_values(admin_user):
    from datetime import date

    job = services.report_request(
        user=admin_user,
        kind="access_log",
        params={"date_from": date(2026, 1, 1), "date_to": date(2026, 1, 31)},
    )
    assert job.params == JANUARY


def test_unknown_kind(admin_user):
    with pytest.raises(UnknownReportKind):
        services.report_request(user=admin_user, kind="everything", params={})


@pytest.mark.parametrize("role_fixture", ["finance_user", "consultant_user", "no_role_user"])
def test_only_those_the_kind_allows(request, role_fixture):
    user = request.getfixturevalue(role_fixture)
    with pytest.raises(PermissionDenied):
        services.report_request(user=user, kind="access_log", params=JANUARY)
    assert not ReportJob.objects.exists()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2016-01-01", "date_to": "2026-01-01"}, "date_to"),
        ({"date_from": "2026-01-31", "date_to": "2026-01-01"}, "date_to"),
        ({"date_from": "2026-01-01"}, "date_to"),
        ({"date_from": "yesterday", "date_to": "2026-01-01"}, "date_from"),
    ],
)
def test_invalid_params_create_nothing(admin_user, params, field):
    with pytest.raises(ValidationError) as raised:
        services.report_request(user=admin_user, kind="access_log", params=params)
    assert field in raised.value.message_dict
    assert not ReportJob.objects.exists()


def test_a_limit_on_jobs_in_preparation(admin_user):
    for _ in range(services.MAX_ACTIVE_JOBS_PER_USER):
        services.report_request(user=admin_user, kind="access_log", params=JANUARY)
    with pytest.raises(ValidationError):
        services.report_request(user=admin_user, kind="access_log", params=JANUARY)
    assert ReportJob.objects.count() == services.MAX_ACTIVE_JOBS_PER_USER


def test_the_language_is_kept_and_falls_back_to_the_default(admin_user):
    from django.utils import translation

    with translation.override("en"):
        job = services.report_request(user=admin_user, kind="access_log", params=JANUARY)
    assert job.language == "en"
    job = services.report_request(user=admin_user, kind="access_log", params=JANUARY, language="xx")
    assert job.language == "en"


# --- report_retry -------------------------------------------------------------------


def test_retry_makes_a_new_job_with_the_same_request(admin_user):
    failed = ReportJobFactory(requested_by=admin_user, failed=True)
    job = services.report_retry(user=admin_user, job=failed)
    assert job.pk != failed.pk
    assert (job.kind, job.params, job.language) == (failed.kind, failed.params, failed.language)
    assert job.status == ReportJob.Status.PENDING


def test_only_a_failed_job_is_retried(admin_user):
    with pytest.raises(ValidationError):
        services.report_retry(user=admin_user, job=ReportJobFactory(requested_by=admin_user))


def test_only_its_requester_retries_a_job(admin_user, make_user):
    from accounts.roles import Role

    other_admin = make_user(Role.ADMINISTRATOR)
    with pytest.raises(PermissionDenied):
        services.report_retry(
            user=other_admin, job=ReportJobFactory(requested_by=admin_user, failed=True)
        )


# --- report_purge_expired -------------------------------------------------------------


def test_purge_deletes_files_after_retention(settings, time_machine):
    time_machine.move_to(datetime(2026, 3, 1, 9, 0, tzinfo=MANILA), tick=False)
    job = ready_job()
    fresh = ready_job(finished_at=timezone.now() + timedelta(hours=2))
    name = job.file.name
    assert private_storage.exists(name)

    time_machine.move_to(timezone.now() + settings.REPORT_RETENTION - timedelta(seconds=1))
    assert services.report_purge_expired() == 0
    assert private_storage.exists(name)

    time_machine.move_to(timezone.now() + timedelta(seconds=1))
    assert services.report_purge_expired() == 1

    job.refresh_from_db()
    assert job.status == ReportJob.Status.EXPIRED
    assert not job.file
    assert not private_storage.exists(name)
    fresh.refresh_from_db()
    assert fresh.status == ReportJob.Status.READY
    assert private_storage.exists(fresh.file.name)

    # Idempotent: nothing left to do, nothing raised.
    assert services.report_purge_expired() == 0


def test_purge_copes_with_a_file_already_gone():
    job = ready_job(finished_at=timezone.now() - timedelta(days=2))
    private_storage.delete(job.file.name)

    assert services.report_purge_expired() == 1
    job.refresh_from_db()
    assert job.status == ReportJob.Status.EXPIRED


def test_purge_leaves_failed_and_pending_jobs_alone():
    with time_machine.travel(timezone.now() - timedelta(days=3)):
        pending = ReportJobFactory()
        failed = ReportJobFactory(failed=True)
    assert services.report_purge_expired() == 0
    pending.refresh_from_db()
    failed.refresh_from_db()
    assert (pending.status, failed.status) == ("pending", "failed")


# --- report_fail_stale ----------------------------------------------------------------------


def test_jobs_no_worker_will_finish_are_failed(settings, time_machine):
    time_machine.move_to(datetime(2026, 3, 1, 9, 0, tzinfo=MANILA), tick=False)
    lost = ReportJobFactory()
    crashed = ReportJobFactory(running=True)
    time_machine.move_to(timezone.now() + timedelta(minutes=45))
    waiting = ReportJobFactory()
    working = ReportJobFactory(running=True)

    # 61 minutes after the first two: waiting longer than an hour, running
    # longer than twice the task time limit (20 minutes). The other two: 16.
    time_machine.move_to(timezone.now() + timedelta(minutes=16))
    assert services.report_fail_stale() == 2

    statuses = {
        name: ReportJob.objects.get(pk=job.pk).status
        for name, job in [
            ("lost", lost),
            ("crashed", crashed),
            ("waiting", waiting),
            ("working", working),
        ]
    }
    assert statuses == {
        "lost": "failed",
        "crashed": "failed",
        "waiting": "pending",
        "working": "running",
    }
    assert 16 * 60 < settings.CELERY_TASK_TIME_LIMIT * 2 < 61 * 60  # what the timings assume
