"""Each reminder is recorded once and sent once: duplicate sweeps, a task
run twice, two processes at once, a failing mail server."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection

from reminders import services
from reminders.models import ReminderDelivery
from tests.engagements.factories import at
from tests.reminders.backends import FailingBackend
from tests.reminders.conftest import DAY
from tests.reminders.helpers import run_beat_once

pytestmark = pytest.mark.django_db
D = ReminderDelivery.Status
DAY_BEFORE = at(DAY - datetime.timedelta(days=1), 10, 5)


def test_one_reminder_from_many_sweeps(booked, clock):
    booked()
    clock(DAY_BEFORE)
    for _ in range(3):
        services.reminders_sweep()
    assert ReminderDelivery.objects.count() == 1
    delivery = ReminderDelivery.objects.get()
    assert delivery.kind == "engagement_upcoming"
    assert delivery.due_at == at(DAY - datetime.timedelta(days=1), 10)

    run_beat_once()
    run_beat_once()
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert delivery.status == D.SENT
    assert delivery.attempts == 1


def test_a_task_run_twice_sends_once(booked, clock):
    booked()
    clock(DAY_BEFORE)
    services.reminders_sweep()
    (chunk,) = services.deliveries_dispatch()
    assert [services.delivery_send(delivery_id=pk) for pk in chunk] == ["sent"]
    # acks_late: the same message delivered again after a crash.
    assert [services.delivery_send(delivery_id=pk) for pk in chunk] == ["taken"]
    assert services.deliveries_dispatch() == []
    assert len(mail.outbox) == 1


def test_message_id_is_stable_per_reminder(booked, clock):
    booked()
    clock(DAY_BEFORE)
    run_beat_once()
    delivery = ReminderDelivery.objects.get()
    assert mail.outbox[0].extra_headers["Message-ID"].startswith(f"<tinig.reminder.{delivery.pk}@")


@pytest.mark.django_db(transaction=True)
def test_two_beats_and_workers_at_once_send_once(booked, clock):
    """Two processes sweep and send the same due reminders at the same time."""
    for _ in range(5):
        booked()
    clock(DAY_BEFORE)
    barrier = threading.Barrier(2)
    errors = []

    def beat():
        try:
            barrier.wait()
            for _ in range(3):
                run_beat_once()
        except Exception as error:  # pragma: no cover - reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=beat) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert ReminderDelivery.objects.count() == 5
    assert ReminderDelivery.objects.filter(status=D.SENT).count() == 5
    assert len(mail.outbox) == 5
    assert len({message.to[0] for message in mail.outbox}) == 5


def test_failing_backend_is_retried_with_backoff_and_sends_once(booked, clock, settings):
    settings.EMAIL_BACKEND = "tests.reminders.backends.FailingBackend"
    FailingBackend.failures = 2
    FailingBackend.calls = 0
    booked()
    clock(DAY_BEFORE)
    run_beat_once()
    delivery = ReminderDelivery.objects.get()
    assert delivery.status == D.PENDING
    assert delivery.attempts == 1
    # The class only: the error's text held an address.
    assert delivery.last_error == "SMTPServerDisconnected"
    first_wait = delivery.send_after - DAY_BEFORE
    assert datetime.timedelta(seconds=55) < first_wait < datetime.timedelta(seconds=70)

    # Not before its time, even when a task asks.
    assert services.delivery_send(delivery_id=delivery.pk) == "not_yet"
    clock(DAY_BEFORE + datetime.timedelta(minutes=2))
    run_beat_once()
    delivery.refresh_from_db()
    assert delivery.attempts == 2
    # Exponential: the second wait is twice the first.
    second_wait = delivery.send_after - (DAY_BEFORE + datetime.timedelta(minutes=2))
    assert datetime.timedelta(seconds=115) < second_wait < datetime.timedelta(seconds=130)
    clock(DAY_BEFORE + datetime.timedelta(minutes=5))
    run_beat_once()
    run_beat_once()
    delivery.refresh_from_db()
    assert delivery.status == D.SENT
    assert delivery.attempts == 3
    assert len(mail.outbox) == 1
    assert FailingBackend.calls == 3


def test_gives_up_then_staff_retry_sends_once(booked, clock, settings, manager_user):
    settings.EMAIL_BACKEND = "tests.reminders.backends.FailingBackend"
    settings.REMINDERS_MAX_ATTEMPTS = 2
    FailingBackend.failures = 2
    booked()
    clock(DAY_BEFORE)
    run_beat_once()
    clock(DAY_BEFORE + datetime.timedelta(minutes=5))
    run_beat_once()
    delivery = ReminderDelivery.objects.get()
    assert delivery.status == D.FAILED
    assert mail.outbox == []
    run_beat_once()  # a failed reminder is not picked up again by itself
    assert mail.outbox == []

    services.delivery_retry(delivery=delivery, by=manager_user)
    delivery.refresh_from_db()
    assert delivery.status == D.PENDING
    assert delivery.retried_by == manager_user
    assert services.delivery_send(delivery_id=delivery.pk) == "sent"
    run_beat_once()
    assert len(mail.outbox) == 1
    with pytest.raises(Exception, match="Only a failed reminder"):
        services.delivery_retry(delivery=delivery, by=manager_user)
