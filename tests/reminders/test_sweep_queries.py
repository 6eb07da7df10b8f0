"""The sweep's queries per batch do not grow with the volume."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from engagements.models import Engagement, Participation
from reminders import registry, services
from reminders.models import ReminderDelivery, StaffReminderPreference
from tests.consultants.factories import ConsultantFactory
from tests.engagements.factories import EngagementFactory, ParticipationFactory, at
from tests.reminders.conftest import DAY

pytestmark = pytest.mark.django_db
BATCH = 5
NOW = at(DAY - datetime.timedelta(days=1), 10, 5)


def _seed(count: int, make_user) -> None:
    staff = make_user(Role.PROGRAMME_STAFF)
    StaffReminderPreference.objects.create(user=staff, daily_digest=True)
    for n in range(count):
        start = at(DAY, 10) - datetime.timedelta(minutes=n)
        # Due for the consultant (a day before) ...
        engagement = EngagementFactory(
            status=Engagement.Status.CONFIRMED, start=start, end=start + datetime.timedelta(hours=1)
        )
        ParticipationFactory(
            engagement=engagement,
            consultant=ConsultantFactory(),
            status=Participation.Status.CONFIRMED,
        )
        # ... and for staff: ended 48 hours ago without a debrief.
        end = NOW - datetime.timedelta(hours=48, minutes=n + 1)
        EngagementFactory(
            status=Engagement.Status.COMPLETED,
            start=end - datetime.timedelta(hours=1),
            end=end,
            assigned_staff=[staff],
        )


def _sweep() -> tuple[int, int]:
    with CaptureQueriesContext(connection) as captured:
        result = services.reminders_sweep(now=NOW, batch_size=BATCH)
    return len(captured), result.batches


@pytest.mark.parametrize("count", [12, 32])
def test_queries_per_batch_are_bounded(count, make_user):
    _seed(count, make_user)
    queries, batches = _sweep()
    # Two kinds with work: ceil(count / BATCH) batches each.
    assert batches == 2 * -(-count // BATCH)
    assert ReminderDelivery.objects.count() == 3 * count  # consultant; owner + assigned staff
    # Fixed: settings (1) + one empty first query per kind without work
    # (every registered kind but the two with work here).
    fixed = 1 + len(registry.kinds()) - 2
    # Per batch: the read, the assigned staff (staff kinds), the digest
    # choices (staff kinds), the insert and the revive: at most 5.
    assert queries - fixed <= 5 * batches
    per_batch = (queries - fixed) / batches
    assert per_batch <= 5


def test_query_count_grows_only_with_batches(make_user):
    _seed(12, make_user)
    small, small_batches = _sweep()
    ReminderDelivery.objects.all().delete()
    _seed(20, make_user)  # 32 in all
    large, large_batches = _sweep()
    assert large_batches > small_batches
    growth = (large - small) / (large_batches - small_batches)
    assert growth <= 5
    # A second sweep records nothing new, in the same number of queries.
    again, again_batches = _sweep()
    assert (again, again_batches) == (large, large_batches)
    assert ReminderDelivery.objects.count() == 3 * 32
