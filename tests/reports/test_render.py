"""report_render: the whole path from a pending job to a PDF in private storage,
without a worker. The PDFs are also written to test-artifacts/ to look at."""

from __future__ import annotations

import logging

import pytest
from django.db import OperationalError
from django.utils import timezone

from reports import services
from reports.models import GENERIC_FAILURE, ReportJob
from reports.registry import register_report, unregister_report
from tests.helpers import ARTIFACTS, pdf_metadata, pdf_page_count, pdf_text
from tests.reports.conftest import EMAIL_PATTERN
from tests.reports.factories import ReportJobFactory

JANUARY = {"date_from": "2026-01-01", "date_to": "2026-01-31"}


def _save_artifact(name: str, content: bytes) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / name).write_bytes(content)


@pytest.mark.pdf
def test_renders_the_access_log(reveals, admin_user):
    job = ReportJobFactory(requested_by=admin_user, params=JANUARY)

    services.report_render(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ReportJob.Status.READY
    assert job.progress == 100
    assert job.file.name == f"reports/{job.download_name}"
    assert job.expires_at is not None and job.expires_at > timezone.now()
    content = job.file.read()
    _save_artifact("report-access-log.pdf", content)

    text = pdf_text(content)
    assert "Sensitive access log" in text
    assert "Tinig" in text
    assert "Page 1 of 1" in text
    assert "Period: 1 January 2026 to 31 January 2026" in text
    assert "Ana Admin" in text and "Ben Finance" in text
    assert "Tala" in text and "Dalisay" in text  # the records, by pseudonym
    assert "Contact check" in text
    assert "January payment" in text
    assert "Travel allowance" in text
    assert "Outside the period" not in text
    assert "2026-01-01 00:05" in text  # Manila time, not UTC
    assert "2001:db8::42" in text
    assert "e-mail address" in text  # field names as their labels
    assert not EMAIL_PATTERN.search(text), "an e-mail address is in the PDF"
    metadata = " ".join(str(value) for value in pdf_metadata(content).values())
    assert not EMAIL_PATTERN.search(metadata)


@pytest.mark.pdf
def test_long_log_runs_over_pages_with_numbers(admin_user, consultant_user):
    from datetime import datetime, timedelta

    from tests.reports.conftest import MANILA
    from tests.reports.factories import access_entry

    start = datetime(2026, 1, 2, 8, 0, tzinfo=MANILA)
    for number in range(90):
        access_entry(
            actor=admin_user,
            instance=consultant_user,
            fields=["email"],
            reason=f"Reason number {number}",
            when=start + timedelta(hours=number),
        )
    job = ReportJobFactory(requested_by=admin_user, params=JANUARY)

    services.report_render(job_id=job.pk)

    job.refresh_from_db()
    content = job.file.read()
    _save_artifact("report-access-log-long.pdf", content)
    text = pdf_text(content)
    pages = pdf_page_count(content)
    assert pages > 1
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    assert text.count("Reason given") == 90  # each reveal a block that names its parts
    assert "Reason number 0" in text and "Reason number 89" in text


@pytest.mark.pdf
def test_empty_period_says_so(admin_user):
    job = ReportJobFactory(requested_by=admin_user, params=JANUARY)

    services.report_render(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ReportJob.Status.READY
    content = job.file.read()
    _save_artifact("report-access-log-empty.pdf", content)
    assert "No protected data was revealed in this period." in pdf_text(content)


@pytest.mark.pdf
def test_rendering_twice_renders_once(reveals, admin_user, monkeypatch):
    from reports import pdf

    calls = []
    real = pdf.html_to_pdf
    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: calls.append(1) or real(html))
    job = ReportJobFactory(requested_by=admin_user, params=JANUARY)

    services.report_render(job_id=job.pk)
    first_name = ReportJob.objects.get(pk=job.pk).file.name
    services.report_render(job_id=job.pk)

    assert len(calls) == 1
    job.refresh_from_db()
    assert job.status == ReportJob.Status.READY
    assert job.file.name == first_name


def test_a_running_job_is_not_claimed_again(admin_user, monkeypatch):
    from reports import pdf

    monkeypatch.setattr(pdf, "html_to_pdf", lambda html: pytest.fail("rendered twice"))
    job = ReportJobFactory(requested_by=admin_user, params=JANUARY, running=True)

    services.report_render(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ReportJob.Status.RUNNING


@pytest.fixture
def broken_kind():
    """A kind whose builder fails with a message that quotes personal data."""

    from reports.kinds.access_log import AccessLogForm

    @register_report(
        kind="broken_test",
        label="Broken",
        form_class=AccessLogForm,
        can_request=lambda user: True,
    )
    def build(job, progress):
        raise ValueError("could not parse Maria Clara Santos <maria@example.net>")

    yield "broken_test"
    unregister_report("broken_test")


def test_failure_is_generic_and_logs_only_the_type(broken_kind, admin_user, caplog):
    job = ReportJobFactory(requested_by=admin_user, kind=broken_kind, params=JANUARY)

    with caplog.at_level(logging.INFO, logger="reports"):
        services.report_render(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED
    assert job.failure_message == GENERIC_FAILURE
    assert not job.file
    assert "ValueError" in caplog.text
    assert "Maria" not in caplog.text and "example.net" not in caplog.text


def test_requester_who_lost_the_role_gets_a_failure(admin_user, make_user):
    from accounts.roles import Role, forget_roles
    from accounts.services import user_set_roles

    job = ReportJobFactory(requested_by=admin_user, params=JANUARY)
    user_set_roles(user=admin_user, roles={Role.PROGRAMME_STAFF})
    forget_roles(admin_user)

    services.report_render(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED


def test_params_changed_behind_the_form_fail(admin_user):
    job = ReportJobFactory(
        requested_by=admin_user, params={"date_from": "2010-01-01", "date_to": "2026-01-01"}
    )

    services.report_render(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ReportJob.Status.FAILED


def test_transient_database_error_gives_the_job_back(admin_user, monkeypatch):
    from reports.kinds import access_log

    def unreachable(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(access_log, "access_log_entries", unreachable)
    job = ReportJobFactory(requested_by=admin_user, params=JANUARY)

    with pytest.raises(OperationalError):
        services.report_render(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ReportJob.Status.PENDING
    assert job.started_at is None


@pytest.mark.pdf
def test_progress_is_recorded_in_steps(admin_user, monkeypatch):
    seen = []
    real = services._progress_recorder

    def recording(job_id):
        record = real(job_id)

        def progress(percent, message):
            record(percent, message)
            job = ReportJob.objects.get(pk=job_id)
            seen.append((job.progress, job.progress_message))

        return progress

    monkeypatch.setattr(services, "_progress_recorder", recording)
    job = ReportJobFactory(requested_by=admin_user, params=JANUARY)

    services.report_render(job_id=job.pk)

    assert seen == [
        (10, "Records loaded"),
        (30, "Laying out the pages"),
        (60, "Saving the document"),
    ]
    job.refresh_from_db()
    assert (job.progress, job.progress_message) == (100, "Ready")
