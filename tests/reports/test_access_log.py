"""The access log's request form: a period of at most 366 days, not in the future."""

from __future__ import annotations

from datetime import datetime

import pytest

from reports.access import can_request_access_log
from reports.kinds.access_log import AccessLogForm
from tests.reports.conftest import MANILA

# Noon on 10 March 2026 in Manila; 04:00 UTC.
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=MANILA)


@pytest.fixture(autouse=True)
def _frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def _errors(date_from, date_to):
    form = AccessLogForm({"date_from": date_from, "date_to": date_to})
    form.is_valid()
    return form.errors


def test_a_valid_period():
    assert _errors("2026-01-01", "2026-03-10") == {}
    assert _errors("2026-03-10", "2026-03-10") == {}


def test_366_days_but_not_367():
    assert _errors("2025-03-10", "2026-03-10") == {}  # 366 days, both included
    assert "date_to" in _errors("2025-03-09", "2026-03-10")


def test_ten_years_is_refused():
    assert _errors("2016-03-10", "2026-03-10") == {
        "date_to": ["The period can be at most 366 days long."]
    }


def test_end_before_start_is_refused():
    assert _errors("2026-02-10", "2026-02-01") == {
        "date_to": ["The end date must be on or after the start date."]
    }


def test_future_is_refused():
    errors = _errors("2026-03-11", "2026-03-12")
    assert errors["date_from"] == ["The period cannot start in the future."]
    assert errors["date_to"] == ["The period cannot end in the future."]


def test_today_is_manila_today(time_machine):
    # 23:30 UTC on 10 March is already 11 March in Manila.
    time_machine.move_to(datetime.fromisoformat("2026-03-10T23:30:00+00:00"), tick=False)
    assert _errors("2026-03-11", "2026-03-11") == {}


def test_both_dates_are_required():
    errors = _errors("", "")
    assert set(errors) == {"date_from", "date_to"}


def test_the_date_inputs_stop_at_today():
    form = AccessLogForm()
    assert 'type="date"' in str(form["date_to"])
    assert 'max="2026-03-10"' in str(form["date_to"])


def test_administrators_only(admin_user, manager_user, finance_user, consultant_user):
    assert can_request_access_log(admin_user)
    assert not can_request_access_log(manager_user)
    assert not can_request_access_log(finance_user)
    assert not can_request_access_log(consultant_user)
