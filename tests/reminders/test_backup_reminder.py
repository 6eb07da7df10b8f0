"""The administrators' reminder when the last good backup is older than two
days (reminders/backups.py): to every active administrator and nobody else,
once per last good backup, not when a newer one came, and discreet."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from core.models import BackupRecord
from reminders import backups, services
from reminders.models import ReminderDelivery
from reminders.registry import Window
from tests.engagements.factories import at
from tests.reminders.conftest import DAY
from tests.reminders.helpers import run_beat_once

pytestmark = pytest.mark.django_db
D = ReminderDelivery.Status
R = ReminderDelivery.Reason
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)
KIND = "staff_backup_overdue"


def good_backup(finished: datetime.datetime) -> BackupRecord:
    return BackupRecord.objects.create(
        started_at=finished - 10 * MINUTE,
        finished_at=finished,
        status=BackupRecord.Status.GOOD,
        name=f"tinig-{finished:%Y%m%dT%H%M%S}Z.tinigbak",
        size=1000,
        checksum="c" * 64,
    )


def deliveries():
    return list(ReminderDelivery.objects.filter(kind=KIND).order_by("id"))


@pytest.fixture
def administrators(make_user):
    first = make_user(Role.ADMINISTRATOR, display_name="Ana")
    second = make_user(Role.ADMINISTRATOR, display_name="Ben")
    make_user(Role.ADMINISTRATOR, is_active=False)
    make_user(Role.PROGRAMME_MANAGER)
    make_user(Role.FINANCE_OFFICER)
    return [first, second]


def test_two_days_after_the_last_good_backup_each_administrator_is_told_once(clock, administrators):
    finished = at(DAY, 10)
    record = good_backup(finished)
    clock(finished + 48 * HOUR - MINUTE)
    run_beat_once()
    assert deliveries() == []

    clock(finished + 48 * HOUR + MINUTE)
    run_beat_once()
    run_beat_once()
    services.reminders_sweep()
    sent = deliveries()
    assert [(d.user_id, d.status, d.target_id) for d in sent] == [
        (administrators[0].pk, D.SENT, record.pk),
        (administrators[1].pk, D.SENT, record.pk),
    ]
    assert {d.due_at for d in sent} == {finished + 48 * HOUR}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in administrators)
    message = mail.outbox[0]
    assert message.subject == "Tinig: backups need a look"
    assert "The last good backup was made on 3 June, and none since." in message.body
    assert "/admin/core/backuprecord/" in message.body
    assert record.name not in message.body


def test_a_newer_good_backup_moves_the_reminder_two_days_after_it(clock, administrators):
    first = good_backup(at(DAY, 10))
    newer = good_backup(at(DAY + datetime.timedelta(days=1), 10))
    clock(at(DAY, 10) + 48 * HOUR + MINUTE)
    run_beat_once()
    assert deliveries() == []
    clock(at(DAY, 10) + 72 * HOUR + MINUTE)
    run_beat_once()
    assert {d.target_id for d in deliveries()} == {newer.pk}
    assert first.pk != newer.pk


def test_a_good_backup_after_the_reminder_was_recorded_stops_it(clock, administrators):
    good_backup(at(DAY, 10))
    clock(at(DAY, 10) + 48 * HOUR + MINUTE)
    services.reminders_sweep()
    assert {d.status for d in deliveries()} == {D.PENDING}
    good_backup(at(DAY, 10) + 48 * HOUR)  # made by hand in the meantime
    for chunk in services.deliveries_dispatch():
        for delivery_id in chunk:
            services.delivery_send(delivery_id=delivery_id)
    assert {(d.status, d.reason) for d in deliveries()} == {(D.SKIPPED, R.NOT_DUE)}
    assert mail.outbox == []


def test_when_no_backup_was_ever_good_the_first_attempt_starts_the_clock(clock, administrators):
    started = at(DAY, 10)  # (at 02:30 the staff's quiet hours would hold it)
    BackupRecord.objects.create(
        started_at=started, status=BackupRecord.Status.FAILED, error="BackupKeyError: x"
    )
    BackupRecord.objects.create(
        started_at=started + 24 * HOUR, status=BackupRecord.Status.FAILED, error="x"
    )
    clock(started + 48 * HOUR + MINUTE)
    run_beat_once()
    run_beat_once()
    assert len(deliveries()) == 2
    assert "No backup has been good since backups were first tried on 3 June." in (
        mail.outbox[0].body
    )


def test_collecting_is_one_query_whatever_there_is(administrators):
    window = Window(since=at(DAY, 0), until=at(DAY, 1), offsets=(48,))
    with CaptureQueriesContext(connection) as nothing:
        assert list(backups.KIND.collect(window)) == []
    good_backup(at(DAY, 10))
    with CaptureQueriesContext(connection) as not_due:
        assert list(backups.KIND.collect(window)) == []
    assert len(nothing) == len(not_due) == 1
