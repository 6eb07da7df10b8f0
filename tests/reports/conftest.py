"""Fixtures for the reports tests: a sample of audited reveals."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from tests.helpers import EMAIL_PATTERN  # noqa: F401 (the reports tests import it from here)
from tests.reports.factories import access_entry

MANILA = ZoneInfo("Asia/Manila")


@pytest.fixture
def reveals(admin_user, finance_user, consultant_user, make_user):
    """Three reveals in January 2026 (Manila time) and one just outside it."""
    admin_user.display_name = "Ana Admin"
    admin_user.save()
    finance_user.display_name = "Ben Finance"
    finance_user.save()
    other = make_user(display_name="Dalisay")
    entries = [
        access_entry(
            actor=admin_user,
            instance=consultant_user,
            fields=["email"],
            reason="Contact check",
            when=datetime(2026, 1, 1, 0, 5, tzinfo=MANILA),
        ),
        access_entry(
            actor=finance_user,
            instance=consultant_user,
            fields=["email", "display_name"],
            reason="January payment",
            when=datetime(2026, 1, 15, 9, 30, tzinfo=MANILA),
            ip="2001:db8::42",
        ),
        access_entry(
            actor=finance_user,
            instance=other,
            fields=["email"],
            reason="Travel allowance",
            when=datetime(2026, 1, 31, 23, 59, tzinfo=MANILA),
            ip=None,
        ),
        # 1 February 00:00 in Manila: outside a January period.
        access_entry(
            actor=admin_user,
            instance=other,
            fields=["email"],
            reason="Outside the period",
            when=datetime(2026, 2, 1, 0, 0, tzinfo=MANILA),
        ),
    ]
    return entries
