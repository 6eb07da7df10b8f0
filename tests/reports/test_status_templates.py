"""The document templates ask the shown status what it means (its badge
tone, in progress, ready) and render, for every status, what they rendered
when they compared status strings."""

import datetime
import uuid

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string

from reports.models import ReportJob
from tests.accounts.factories import UserFactory
from tests.rendering import render_page

S = ReportJob.Status
BADGES = {
    S.PENDING: '<span class="badge badge-info">Waiting to start</span> '
    '<span class="muted">40%</span>',
    S.RUNNING: '<span class="badge badge-info">Being prepared</span> '
    '<span class="muted">40%</span>',
    S.READY: '<span class="badge badge-success">Ready</span>',
    S.FAILED: '<span class="badge badge-danger">Failed</span>',
    S.EXPIRED: '<span class="badge">Deleted</span>',
}


def test_every_status_has_a_badge():
    assert set(BADGES) == set(S) == set(ReportJob.BADGE_TONES)


@pytest.mark.parametrize("status", list(S))
def test_status_badge(status):
    html = render_to_string(
        "reports/partials/status.html", {"status": status, "job": ReportJob(progress=40)}
    )
    assert html == BADGES[status] + "\n"


@pytest.mark.parametrize("status", list(S))
def test_list_offers_a_download_only_when_ready(db, status):
    now = datetime.datetime.now(datetime.UTC)
    job = ReportJob(
        pk=uuid.uuid4(),
        kind="x",
        status=status,
        progress=40,
        created_at=now,
        expires_at=now + datetime.timedelta(hours=1),
    )
    html = render_page(
        "reports/list.html",
        {
            "page_obj": Paginator([job], 10).page(1),
            "layout": "staff/layout.html",
            "retention_hours": 24,
        },
        user=UserFactory(),
    )
    assert BADGES[status] in html
    assert (f'href="/reports/{job.pk}/download/"' in html) == (status == S.READY)


def test_a_ready_job_past_its_retention_shows_as_deleted_without_a_download(db):
    now = datetime.datetime.now(datetime.UTC)
    job = ReportJob(
        pk=uuid.uuid4(),
        kind="x",
        status=S.READY,
        created_at=now,
        expires_at=now - datetime.timedelta(minutes=1),
    )
    html = render_page(
        "reports/list.html",
        {
            "page_obj": Paginator([job], 10).page(1),
            "layout": "staff/layout.html",
            "retention_hours": 24,
        },
        user=UserFactory(),
    )
    assert BADGES[S.EXPIRED] in html
    assert "/download/" not in html
