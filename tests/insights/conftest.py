"""Fixtures for the insights documents, on top of the compensation world of
tests/fixtures.py (a past engagement run by ``owner`` with Tala's
acknowledged agreement): render a job through the real report path and
read its PDF back."""

from __future__ import annotations

import pytest

from reports import services as report_services
from reports.models import ReportJob
from tests.helpers import ARTIFACTS, pdf_text
from tests.reports.factories import ReportJobFactory

ROLES = [
    "consultant",
    "survivor_leader",  # a consultant who leads the network: requests as a consultant
    "programme_staff",
    "programme_manager",
    "finance_officer",
    "wellbeing_lead",
    "administrator",
    "no_role",
    "anonymous",
]


def render(*, kind: str, user, params: dict, artifact: str | None = None) -> tuple[bytes, str]:
    """Render a job of ``kind`` for ``user`` the way the worker does; return
    the PDF and its text."""
    job = ReportJobFactory(kind=kind, requested_by=user, params=params)
    report_services.report_render(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.READY, job.progress_message
    content = job.file.read()
    if artifact:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / artifact).write_bytes(content)
    return content, pdf_text(content)


@pytest.fixture
def quoting_texts(db):

    from consultants.models import ConsentScope
    from tests.consultants.factories import published_text

    return {scope: published_text(scope) for scope in ConsentScope.values}
