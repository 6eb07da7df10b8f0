"""End to end with a real Celery worker: request the access log through the
page, let the worker render it, download it through the page, read it back."""

from __future__ import annotations

import time

import pytest
from django.urls import reverse

from reports.models import ReportJob
from tests.helpers import client_for, pdf_metadata, pdf_text
from tests.reports.conftest import EMAIL_PATTERN

pytestmark = [pytest.mark.worker, pytest.mark.pdf]


def _wait_until_finished(job_id, worker, timeout: float = 60) -> ReportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = ReportJob.objects.get(pk=job_id)
        if not job.is_in_progress:
            return job
        time.sleep(0.25)
    raise AssertionError(
        f"job still {job.status} after {timeout}s; worker log:\n"
        + worker.log_path.read_text()[-3000:]
    )


def test_access_log_through_the_worker(celery_worker, reveals, admin_user):
    client = client_for(admin_user)

    response = client.post(
        reverse("reports:request", args=["access_log"]),
        {"access_log-date_from": "2026-01-01", "access_log-date_to": "2026-01-31"},
    )
    assert response.status_code == 302
    job = ReportJob.objects.get(requested_by=admin_user)

    job = _wait_until_finished(job.pk, celery_worker)
    assert job.status == ReportJob.Status.READY, celery_worker.log_path.read_text()[-3000:]

    page = client.get(reverse("reports:detail", args=[job.pk]))
    assert b"Your document is ready" in page.content

    download = client.get(reverse("reports:download", args=[job.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"] == f'attachment; filename="{job.download_name}"'
    content = b"".join(download.streaming_content)
    assert content.startswith(b"%PDF-")

    text = pdf_text(content)
    assert "Sensitive access log" in text
    assert "Period: 1 January 2026 to 31 January 2026" in text
    for expected in ["Ana Admin", "Ben Finance", "Contact check", "January payment"]:
        assert expected in text
    assert "Travel allowance" in text
    assert "Outside the period" not in text
    assert not EMAIL_PATTERN.search(text), "an e-mail address is in the PDF"
    assert admin_user.email not in text
    metadata = " ".join(str(value) for value in pdf_metadata(content).values())
    assert not EMAIL_PATTERN.search(metadata)

    # The worker's log names the task and the job, never a person.
    worker_log = celery_worker.log_path.read_text()
    assert "reports.tasks.render_report" in worker_log
    for name in ["Ana Admin", "Ben Finance", "Tala", "Dalisay", admin_user.email]:
        assert name not in worker_log


def test_the_worker_writes_to_the_same_bucket_as_the_web(
    private_bucket, celery_worker, reveals, admin_user
):
    # private_bucket comes first: the worker starts with its variables.
    client = client_for(admin_user)
    client.post(
        reverse("reports:request", args=["access_log"]),
        {"access_log-date_from": "2026-01-01", "access_log-date_to": "2026-01-31"},
    )
    job = ReportJob.objects.get(requested_by=admin_user)

    job = _wait_until_finished(job.pk, celery_worker)

    assert job.status == ReportJob.Status.READY, celery_worker.log_path.read_text()[-3000:]
    assert list(private_bucket.objects()) == [job.file.name]
    assert private_bucket.raw(job.file.name).startswith(b"TINIGENC1\n")
    download = client.get(reverse("reports:download", args=[job.pk]))
    assert b"".join(download.streaming_content).startswith(b"%PDF-")
