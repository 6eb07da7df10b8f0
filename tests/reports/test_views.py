"""The reports pages: who may do what, bad input, and the download."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from reports.models import ReportJob
from reports.storage import private_storage
from tests.helpers import client_for
from tests.reports.factories import PDF_BYTES, ReportJobFactory, ready_job

pytestmark = pytest.mark.django_db

LIST = reverse("reports:list")
REQUEST = reverse("reports:request", args=["access_log"])


def _period(date_from="2026-01-01", date_to="2026-01-31"):
    return {"access_log-date_from": date_from, "access_log-date_to": date_to}


# --- Who gets in ----------------------------------------------------------------------


def test_anonymous_is_sent_to_sign_in():
    client = client_for(None)
    job = ReportJobFactory()
    for url in [
        LIST,
        reverse("reports:detail", args=[job.pk]),
        reverse("reports:download", args=[job.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))
    response = client.post(REQUEST, _period())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert ReportJob.objects.count() == 1


def test_a_person_without_a_role_is_refused(no_role_user):
    assert client_for(no_role_user).get(LIST).status_code == 403


@pytest.mark.parametrize("role", [Role.PROGRAMME_STAFF, Role.FINANCE_OFFICER, Role.CONSULTANT])
def test_staff_and_consultants_see_the_list_without_the_access_log(make_user, role):
    response = client_for(make_user(role)).get(LIST)
    assert response.status_code == 200
    assert b"Sensitive access log" not in response.content
    assert b"You have not requested any documents yet." in response.content


def test_consultants_get_the_portal_layout(consultant_user):
    response = client_for(consultant_user).get(LIST)
    assert b"site-portal" in response.content
    assert b"site-staff" not in response.content


def test_documents_are_cards_in_the_portal_and_a_table_for_staff(consultant_user, admin_user):
    """A phone-wide portal gets cards (the table hid Download past the
    screen's edge); the staff keep the table. The browser check is in
    tests/e2e/test_compensation_portal.py."""
    for user, shown, not_shown in [
        (consultant_user, b'<ul class="cards">', b"<table"),
        (admin_user, b"<table", b'<ul class="cards">'),
    ]:
        job = ready_job(requested_by=user)
        page = client_for(user).get(LIST).content
        assert shown in page and not_shown not in page
        assert reverse("reports:download", args=[job.pk]).encode() in page


def test_administrators_may_request_the_access_log(admin_user):
    response = client_for(admin_user).get(LIST)
    assert response.status_code == 200
    assert b"site-staff" in response.content
    assert b"Sensitive access log" in response.content
    assert f'action="{REQUEST}"'.encode() in response.content
    assert b'name="access_log-date_from"' in response.content


# --- Requesting ---------------------------------------------------------------------------


def test_request_creates_a_job_and_shows_its_progress(admin_user):
    client = client_for(admin_user)
    response = client.post(REQUEST, _period())

    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", args=[job.pk])
    assert job.requested_by == admin_user
    assert job.params == {"date_from": "2026-01-01", "date_to": "2026-01-31"}

    page = client.get(response["Location"])
    assert page.status_code == 200
    assert b'<meta http-equiv="refresh" content="2">' in page.content
    assert b"<progress" in page.content
    assert b"Your document is being prepared." in page.content  # the flash message


def test_unknown_kind_is_404(admin_user):
    response = client_for(admin_user).post(reverse("reports:request", args=["everything"]), {})
    assert response.status_code == 404


def test_request_is_post_only(admin_user):
    assert client_for(admin_user).get(REQUEST).status_code == 405


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.PROGRAMME_MANAGER, Role.FINANCE_OFFICER])
def test_others_may_not_request_the_access_log(make_user, role):
    response = client_for(make_user(role)).post(REQUEST, _period())
    assert response.status_code == 403
    assert not ReportJob.objects.exists()


@pytest.mark.parametrize(
    ("period", "message"),
    [
        (_period("2016-01-01", "2026-01-01"), "The period can be at most 366 days long."),
        (_period("2026-01-31", "2026-01-01"), "The end date must be on or after the start date."),
        (_period("2026-01-01", "2999-01-01"), "The period cannot end in the future."),
        (_period("", ""), "This field is required."),
    ],
)
def test_bad_periods_show_errors_and_create_nothing(admin_user, period, message):
    response = client_for(admin_user).post(REQUEST, period)
    assert response.status_code == 200  # the page again, with the errors
    assert message.encode() in response.content
    assert b'aria-invalid="true"' in response.content
    assert not ReportJob.objects.exists()


# --- Progress, retry ------------------------------------------------------------------------


def test_ready_page_offers_the_download_and_stops_refreshing(admin_user):
    job = ready_job(requested_by=admin_user)
    response = client_for(admin_user).get(reverse("reports:detail", args=[job.pk]))
    assert response.status_code == 200
    assert b"http-equiv" not in response.content
    assert reverse("reports:download", args=[job.pk]).encode() in response.content


def test_failed_page_explains_and_offers_to_try_again(admin_user):
    job = ReportJobFactory(requested_by=admin_user, failed=True)
    job.failure_message = "The document could not be prepared. Nothing was lost."
    job.save()
    client = client_for(admin_user)
    response = client.get(reverse("reports:detail", args=[job.pk]))
    assert b"The document could not be prepared. Nothing was lost." in response.content
    retry = reverse("reports:retry", args=[job.pk])
    assert retry.encode() in response.content

    response = client.post(retry)
    new_job = ReportJob.objects.exclude(pk=job.pk).get()
    assert response["Location"] == reverse("reports:detail", args=[new_job.pk])
    assert new_job.params == job.params


def test_expired_page_says_it_was_deleted(admin_user):
    job = ready_job(requested_by=admin_user, finished_at=timezone.now() - timedelta(days=2))
    response = client_for(admin_user).get(reverse("reports:detail", args=[job.pk]))
    assert b"deleted automatically to protect the privacy" in response.content
    assert reverse("reports:download", args=[job.pk]).encode() not in response.content


# --- A job is its requester's alone ----------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.PROGRAMME_MANAGER, Role.CONSULTANT])
def test_another_persons_job_is_404_everywhere(admin_user, make_user, role):
    job = ready_job(requested_by=admin_user)
    failed = ReportJobFactory(requested_by=admin_user, failed=True)
    client = client_for(make_user(role))
    assert client.get(reverse("reports:detail", args=[job.pk])).status_code == 404
    assert client.get(reverse("reports:download", args=[job.pk])).status_code == 404
    assert client.post(reverse("reports:retry", args=[failed.pk])).status_code == 404
    assert job.reference.encode() not in client.get(LIST).content


def test_a_superuser_does_not_see_other_peoples_jobs(admin_user, make_user):
    superuser = make_user(Role.ADMINISTRATOR, is_superuser=True)
    job = ready_job(requested_by=admin_user)
    client = client_for(superuser)
    assert client.get(reverse("reports:download", args=[job.pk])).status_code == 404


def test_an_unknown_id_is_404(admin_user):
    url = reverse("reports:detail", args=["00000000-0000-0000-0000-000000000000"])
    assert client_for(admin_user).get(url).status_code == 404
    assert client_for(admin_user).get("/reports/1/").status_code == 404


# --- Download ---------------------------------------------------------------------------------


def test_download_is_a_private_attachment_with_a_discreet_name(admin_user):
    job = ready_job(requested_by=admin_user)
    response = client_for(admin_user).get(reverse("reports:download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="tinig-document-{job.pk.hex[:8]}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_download_is_audited_like_its_creation(consultant_user):
    from auditlog.models import LogEntry

    remote_addr = "203.0.113.9"
    job = ready_job(requested_by=consultant_user)
    response = client_for(consultant_user).get(
        reverse("reports:download", args=[job.pk]), REMOTE_ADDR=remote_addr
    )
    assert response.status_code == 200
    b"".join(response.streaming_content)

    entries = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk=str(job.pk))
    [entry] = entries
    assert entry.actor == consultant_user
    assert entry.remote_addr == remote_addr
    assert entry.additional_data == {"fields": ["file"], "reason": "downloaded"}
    # Its creation is in the same trail, for the same object.
    assert LogEntry.objects.filter(action=LogEntry.Action.CREATE, object_pk=str(job.pk)).exists()


def test_download_that_cannot_be_audited_sends_nothing(admin_user, monkeypatch):
    from reports import services

    def refuse(**kwargs):
        raise RuntimeError("audit trail unavailable")

    monkeypatch.setattr(services, "record_access", refuse)
    job = ready_job(requested_by=admin_user)
    client = client_for(admin_user)
    client.raise_request_exception = False
    response = client.get(reverse("reports:download", args=[job.pk]))
    assert response.status_code == 500
    assert PDF_BYTES not in response.content


def test_a_download_that_does_not_happen_is_not_recorded(admin_user):
    from auditlog.models import LogEntry

    lost = ready_job(requested_by=admin_user)
    private_storage.delete(lost.file.name)
    pending = ReportJobFactory(requested_by=admin_user)
    client = client_for(admin_user)
    client.get(reverse("reports:download", args=[lost.pk]))
    client.get(reverse("reports:download", args=[pending.pk]))
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()


def test_download_after_retention_is_410(admin_user):
    job = ready_job(requested_by=admin_user, finished_at=timezone.now() - timedelta(days=2))
    response = client_for(admin_user).get(reverse("reports:download", args=[job.pk]))
    assert response.status_code == 410
    assert b"deleted 24 hours after it is ready" in response.content


def test_download_of_a_purged_job_is_410(admin_user):
    job = ready_job(requested_by=admin_user)
    private_storage.delete(job.file.name)
    job.mark_expired()
    job.save()
    response = client_for(admin_user).get(reverse("reports:download", args=[job.pk]))
    assert response.status_code == 410


def test_download_while_pending_goes_back_with_a_message(admin_user):
    job = ReportJobFactory(requested_by=admin_user)
    client = client_for(admin_user)
    response = client.get(reverse("reports:download", args=[job.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:detail", args=[job.pk])
    assert b"This document is not ready to download." in client.get(response["Location"]).content


def test_download_of_a_lost_file_is_410_and_sends_nothing(admin_user):
    job = ready_job(requested_by=admin_user)
    private_storage.delete(job.file.name)
    response = client_for(admin_user).get(reverse("reports:download", args=[job.pk]))
    assert response.status_code == 410
    assert b"could not be found" in response.content


# --- The list ------------------------------------------------------------------------------------


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST)
    assert response.status_code == 200
    return len(queries)


def test_list_queries_do_not_grow_with_jobs(admin_user, django_assert_num_queries):
    client = client_for(admin_user)
    ReportJobFactory.create_batch(3, requested_by=admin_user)
    ready_job(requested_by=admin_user)
    few = _list_queries(client)

    ReportJobFactory.create_batch(27, requested_by=admin_user, failed=True)
    with django_assert_num_queries(few):
        response = client.get(LIST)
    assert response.status_code == 200
    assert few <= 12


def test_list_is_newest_first_and_paginated(admin_user, time_machine):
    start = timezone.now() - timedelta(days=1)
    jobs = []
    for minute in range(25):
        time_machine.move_to(start + timedelta(minutes=minute))
        jobs.append(ReportJobFactory(requested_by=admin_user, failed=True))
    time_machine.move_to(start + timedelta(hours=1))
    client = client_for(admin_user)

    first = client.get(LIST).content.decode()
    assert first.index(jobs[-1].reference) < first.index(jobs[-2].reference)
    assert jobs[0].reference not in first
    assert "Page 1 of 2" in first

    second = client.get(LIST, {"page": 2}).content.decode()
    assert jobs[0].reference in second
    assert jobs[-1].reference not in second
