"""The access log as blocks: a fixed number of queries whatever the period
holds, totals for the whole period, and a log cut to whole days when the
period holds more than one document does, which the PDF says."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from reports import services
from reports.kinds import access_log
from reports.models import ReportJob
from tests.helpers import pdf_text
from tests.reports.conftest import MANILA
from tests.reports.factories import ReportJobFactory, access_entry

pytestmark = pytest.mark.django_db
JANUARY = {"date_from": "2026-01-01", "date_to": "2026-01-31"}


def _reveals(admin_user, instance, per_day: dict[int, int]) -> None:
    for day, count in per_day.items():
        for number in range(count):
            access_entry(
                actor=admin_user,
                instance=instance,
                fields=["email"],
                reason=f"Day {day} reason {number}",
                when=datetime(2026, 1, day, 9, tzinfo=MANILA) + timedelta(minutes=number),
            )


def _build(admin_user, job=None):
    job = job or ReportJobFactory(requested_by=admin_user, params=JANUARY)
    return access_log.build_access_log(job, lambda *args: None)[1]


def test_gathering_takes_the_same_queries_small_and_large(
    admin_user, consultant_user, django_assert_num_queries
):
    _reveals(admin_user, consultant_user, {2: 2})
    job = ReportJobFactory(requested_by=admin_user, params=JANUARY)
    _build(admin_user, job)  # content types cached
    with django_assert_num_queries(2):
        small = _build(admin_user, job)
    _reveals(admin_user, consultant_user, {3: 40, 4: 40})
    with django_assert_num_queries(2):
        large = _build(admin_user, job)
    assert (small["total"], large["total"]) == (2, 82)
    assert (large["people"], large["records"], large["cut"]) == (1, 1, None)


def test_a_busy_period_is_cut_to_whole_days(admin_user, consultant_user, monkeypatch):
    monkeypatch.setattr(access_log, "MAX_ROWS", 5)
    _reveals(admin_user, consultant_user, {2: 2, 3: 2, 4: 3})
    context = _build(admin_user)
    # 2 + 2 fit; the 4th of January would pass five: it is left out whole.
    assert context["shown"] == 4 and context["total"] == 7
    assert context["cut"].through.isoformat() == "2026-01-03"
    assert context["cut"].resume_on.isoformat() == "2026-01-04"


def test_one_day_alone_too_busy_is_cut_within_it(admin_user, consultant_user, monkeypatch):
    monkeypatch.setattr(access_log, "MAX_ROWS", 3)
    _reveals(admin_user, consultant_user, {5: 6})
    context = _build(admin_user)
    assert context["shown"] == 3
    assert context["cut"].moment is not None
    assert context["cut"].resume_on.isoformat() == "2026-01-06"


@pytest.mark.pdf
def test_the_pdf_says_it_was_cut(admin_user, consultant_user, monkeypatch):
    monkeypatch.setattr(access_log, "MAX_ROWS", 5)
    _reveals(admin_user, consultant_user, {2: 2, 3: 2, 4: 3})
    job = ReportJobFactory(requested_by=admin_user, params=JANUARY)
    services.report_render(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.READY
    content = job.file.read()
    assert content.startswith(b"%PDF-")
    text = " ".join(pdf_text(content).split())
    assert "Cut short of the period asked: it held 7 reveals" in text
    assert "from 1 January 2026 to 3 January 2026" in text
    assert "ask for another log from 4 January 2026 for the rest" in text
    assert "Day 3 reason 1" in text and "Day 4 reason 0" not in text


@pytest.mark.pdf
def test_a_log_that_fits_says_nothing_of_a_cut(admin_user, consultant_user):
    _reveals(admin_user, consultant_user, {2: 3})
    job = ReportJobFactory(requested_by=admin_user, params=JANUARY)
    services.report_render(job_id=job.pk)
    job.refresh_from_db()
    text = pdf_text(job.file.read())
    assert "Cut short" not in text
    assert text.count("Fields shown") == 3
