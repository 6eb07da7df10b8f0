"""The staff reminder (one, three and six months after the end, while an
outcome is unknown) and the sweep's view of the consultants' kind."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from impact import services
from impact.models import OutcomeStatus
from impact.reminders import MONTHS
from reminders import services as reminder_services
from reminders.models import ReminderDelivery

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def _staff_rows():
    return ReminderDelivery.objects.filter(kind="staff_outcome_unknown")


def test_the_owner_is_asked_at_one_three_and_six_months(world, contribution):
    end = world["engagement"].end
    for offset in MONTHS:
        reminder_services.reminders_sweep(now=end + offset * HOUR + HOUR)
    rows = list(_staff_rows().order_by("due_at"))
    assert [row.due_at - end for row in rows] == [offset * HOUR for offset in MONTHS]
    assert {row.user_id for row in rows} == {world["owner"].pk}


def test_nobody_is_asked_once_every_outcome_is_known(world, contribution):
    services.outcome_record(
        contribution=contribution,
        by=world["owner"],
        status=OutcomeStatus.NOT_ADOPTED,
        decided_on=timezone.localdate(),
    )
    end = world["engagement"].end
    reminder_services.reminders_sweep(now=end + MONTHS[0] * HOUR + HOUR)
    assert not _staff_rows().exists()


def test_a_reminder_recorded_then_answered_is_skipped(world, contribution, settings):
    settings.REMINDERS_QUIET_START = settings.REMINDERS_QUIET_END = "00:00"
    end = world["engagement"].end
    now = end + MONTHS[0] * HOUR + HOUR
    reminder_services.reminders_sweep(now=now)
    services.outcome_record(
        contribution=contribution,
        by=world["owner"],
        status=OutcomeStatus.ADOPTED,
        decided_on=timezone.localdate(),
    )
    row = _staff_rows().get()
    from impact.reminders import _prepare_unknown

    assert _prepare_unknown(row, now=now).reason == ReminderDelivery.Reason.NOT_DUE


def test_the_sweep_finds_the_consultants_message_once(world, contribution, settings):
    settings.REMINDERS_QUIET_START = settings.REMINDERS_QUIET_END = "00:00"
    outcome = services.outcome_record(
        contribution=contribution,
        by=world["owner"],
        status=OutcomeStatus.ADOPTED,
        decided_on=timezone.localdate(),
    )
    assert ReminderDelivery.objects.filter(kind="outcome_changed").count() == 2
    reminder_services.reminders_sweep(now=outcome.recorded_at + HOUR)
    assert ReminderDelivery.objects.filter(kind="outcome_changed").count() == 2
