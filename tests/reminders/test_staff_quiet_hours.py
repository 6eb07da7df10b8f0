"""Staff keep quiet hours too, each their own: 21:00-08:00 in Asia/Manila
unless they chose others (a frozen, moving clock: time-machine)."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.core import mail

from accounts.roles import Role
from engagements.models import Engagement
from reminders import services
from reminders.models import ReminderDelivery, StaffReminderPreference
from tests.engagements.factories import EngagementFactory, at
from tests.reminders.conftest import DAY
from tests.reminders.helpers import run_beat_once

pytestmark = pytest.mark.django_db
D = ReminderDelivery.Status
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")


def _debrief_due_at(owner, moment: datetime.datetime) -> None:
    """A completed engagement whose "debrief not written" reminder (48 hours
    after the end) is due at ``moment``."""
    end = moment - 48 * HOUR
    EngagementFactory(
        owner=owner, status=Engagement.Status.COMPLETED, start=end - 2 * HOUR, end=end
    )


def _debrief() -> ReminderDelivery:
    return ReminderDelivery.objects.get(kind="staff_debrief_missing")


def test_due_at_two_in_the_morning_waits_for_eight(make_user, clock):
    owner = make_user(Role.PROGRAMME_STAFF)
    due = at(DAY, 2)
    _debrief_due_at(owner, due)
    clock(due + MINUTE)
    run_beat_once()
    assert mail.outbox == []
    assert _debrief().send_after == at(DAY, 8)
    clock(at(DAY, 7, 59))
    run_beat_once()
    assert mail.outbox == []
    clock(at(DAY, 8, 1))
    run_beat_once()
    assert [m.to for m in mail.outbox] == [[owner.email]]
    assert _debrief().status == D.SENT


def test_each_person_their_own_hours_and_time_zone(make_user, clock):
    berliner = make_user(Role.PROGRAMME_STAFF)
    StaffReminderPreference.objects.create(
        user=berliner,
        quiet_start=datetime.time(22),
        quiet_end=datetime.time(7),
        time_zone="Europe/Berlin",
    )
    due = at(DAY, 2)  # 02:00 Manila is 20:00 in Berlin (summer): not quiet there
    _debrief_due_at(berliner, due)
    clock(due + MINUTE)
    run_beat_once()
    assert [m.to for m in mail.outbox] == [[berliner.email]]

    mail.outbox.clear()
    later = at(DAY + datetime.timedelta(days=1), 6)  # 00:00 in Berlin: quiet until 07:00 there
    _debrief_due_at(berliner, later)
    clock(later + MINUTE)
    run_beat_once()
    assert mail.outbox == []
    waiting = ReminderDelivery.objects.get(kind="staff_debrief_missing", status=D.PENDING)
    assert waiting.send_after.astimezone(BERLIN).time() == datetime.time(7)


def test_no_quiet_hours_when_start_equals_end(make_user, clock):
    owl = make_user(Role.PROGRAMME_STAFF)
    StaffReminderPreference.objects.create(
        user=owl, quiet_start=datetime.time(0), quiet_end=datetime.time(0)
    )
    due = at(DAY, 3)
    _debrief_due_at(owl, due)
    clock(due + MINUTE)
    run_beat_once()
    assert len(mail.outbox) == 1


def test_hours_chosen_after_recording_apply_at_send_time(make_user, clock):
    owner = make_user(Role.PROGRAMME_STAFF)
    due = at(DAY, 12)
    _debrief_due_at(owner, due)
    clock(due - 10 * MINUTE)
    services.reminders_sweep(now=due + MINUTE)
    services.staff_preference_save(
        user=owner,
        daily_digest=False,
        quiet_start=datetime.time(11),
        quiet_end=datetime.time(14),
        time_zone="Asia/Manila",
    )
    clock(due + MINUTE)
    (chunk,) = services.deliveries_dispatch()
    assert services.delivery_send(delivery_id=chunk[0]) == "quiet"
    assert _debrief().send_after == at(DAY, 14)
    assert mail.outbox == []


def test_the_digest_keeps_its_morning_hour(make_user, clock):
    owner = make_user(Role.PROGRAMME_STAFF)
    StaffReminderPreference.objects.create(user=owner, daily_digest=True)
    due = at(DAY, 2)
    _debrief_due_at(owner, due)
    clock(due + MINUTE)
    run_beat_once()
    assert _debrief().send_after == due  # in the 08:00 digest, not held past it
