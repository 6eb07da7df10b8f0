"""Real processes where behaviour depends on them: a worker killed between
claim and confirm leaves a "possibly sent" row handled per kind; a message
lost from the broker is recovered by the next recovery run, or by the
recovery a worker asks for when it connects."""

from __future__ import annotations

import datetime
import email
import time
from pathlib import Path

import pytest
from django.utils import timezone

from engagements.models import Engagement, Participation
from reminders import services, tasks
from reminders.models import ReminderDelivery
from tests.consultants.factories import ConsultantFactory
from tests.engagements.factories import EngagementFactory, ParticipationFactory
from tests.processes import worker_environment
from tests.reminders.test_kinds_compensation import attended, fee_line
from tests.reminders.test_worker import Processes

D = ReminderDelivery.Status


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings):
    # Whatever the hour the tests run at (test_staff_quiet_hours.py and
    # test_kinds.py cover quiet hours with a moving clock).
    settings.REMINDERS_QUIET_START = settings.REMINDERS_QUIET_END = "00:00"


def _wait(condition, *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def _upcoming(count: int = 1) -> None:
    """Engagements tomorrow: their "day before" reminder is due now."""
    start = timezone.now() + datetime.timedelta(hours=24, minutes=-1)
    for _ in range(count):
        engagement = EngagementFactory(
            status=Engagement.Status.CONFIRMED, start=start, end=start + datetime.timedelta(hours=2)
        )
        ParticipationFactory(
            engagement=engagement,
            consultant=ConsultantFactory(),
            status=Participation.Status.CONFIRMED,
        )


def _paid_a_minute_ago(finance_user, finance_colleague) -> None:
    from compensation import services as pay

    participation = attended()
    fee_line(participation, due_on=timezone.localdate() + datetime.timedelta(days=7))
    payment = pay.payment_group(consultant=participation.consultant, by=finance_user)
    payment = pay.payment_approve(payment=payment, by=finance_colleague)
    pay.payment_mark_paid(
        payment=payment,
        by=finance_user,
        method="cash",
        paid_at=timezone.now() - datetime.timedelta(minutes=1),
    )


def _env(settings, outbox: Path, **extra: str) -> dict[str, str]:
    # This xdist worker's database and broker keys (tests/processes.py).
    return worker_environment(
        settings,
        DJANGO_SETTINGS_MODULE="tests.reminders.worker_settings",
        EMAIL_FILE_PATH=str(outbox),
        REMINDERS_QUIET_START="00:00",
        REMINDERS_QUIET_END="00:00",
        **extra,
    )


def _sent(outbox: Path) -> list[str]:
    return [
        email.message_from_bytes(path.read_bytes())["Message-ID"]
        for path in sorted(outbox.glob("*.eml"))
    ]


@pytest.mark.django_db(transaction=True)
def test_worker_killed_between_claim_and_confirm(
    settings, tmp_path, finance_user, finance_colleague
):
    from config.celery import app

    _upcoming()  # engagement_upcoming: resends a send cut short
    _paid_a_minute_ago(finance_user, finance_colleague)  # payment_sent: holds it for a person
    services.reminders_sweep()
    rows = {row.kind: row for row in ReminderDelivery.objects.filter(status=D.PENDING)}
    assert set(rows) == {"engagement_upcoming", "payment_sent"}

    outbox = tmp_path / "mail"
    outbox.mkdir()
    app.control.purge()
    processes = Processes(_env(settings, outbox, REMINDERS_TEST_SEND_DELAY="60"), tmp_path)
    try:
        worker = processes.worker(concurrency=2)
        for chunk in services.deliveries_dispatch(chunk=1):
            tasks.deliver_reminders.delay(chunk)
        # Both claims committed, both sends under way: kill the worker.
        _wait(lambda: len(list(outbox.glob(".started-*"))) == 2, timeout=60, what="two sends")
        worker.kill()
        assert _sent(outbox) == []
        assert set(ReminderDelivery.objects.values_list("status", flat=True)) == {D.SENDING}

        # Recovery (here with no grace) once PostgreSQL has dropped the
        # dead worker's locks.
        settings.REMINDERS_CLAIM_GRACE_SECONDS = 0
        resent: list[int] = []
        held: list[int] = []

        def recovered() -> bool:
            result = services.deliveries_recover()
            resent.extend(result.resent)
            held.extend(result.held)
            tasks._enqueue(result.chunks)
            return len(resent) + len(held) == 2

        _wait(recovered, timeout=20, what="the dead worker's locks to go")
        assert resent == [rows["engagement_upcoming"].pk]
        assert held == [rows["payment_sent"].pk]

        processes.env["REMINDERS_TEST_SEND_DELAY"] = "0"
        processes.worker()
        upcoming = rows["engagement_upcoming"]
        _wait(
            lambda: ReminderDelivery.objects.get(pk=upcoming.pk).status == D.SENT,
            timeout=60,
            what="the resend",
        )
    finally:
        processes.stop_all()

    assert _sent(outbox) == [f"<tinig.reminder.{upcoming.pk}@tinig.invalid>"]
    upcoming.refresh_from_db()
    assert (upcoming.interrupted, upcoming.attempts) == (1, 2)
    payment = ReminderDelivery.objects.get(pk=rows["payment_sent"].pk)
    assert (payment.status, payment.interrupted) == (D.UNCERTAIN, 1)


@pytest.mark.django_db(transaction=True)
def test_a_message_lost_from_the_broker_is_recovered(settings, tmp_path):
    from config.celery import app

    _upcoming(2)
    services.reminders_sweep()
    outbox = tmp_path / "mail"
    app.control.purge()
    # Grace of one second: the worker's on-connect recovery runs at once.
    processes = Processes(_env(settings, outbox, REMINDERS_CLAIM_GRACE_SECONDS="1"), tmp_path)
    try:
        # Handed out before the worker connects, their messages lost (never
        # queued, as when Redis dies with them): the recovery the worker
        # asks for when it connects hands them out again.
        (first,) = services.deliveries_dispatch()
        processes.worker()
        _wait(
            lambda: ReminderDelivery.objects.filter(pk__in=first, status=D.SENT).count() == 2,
            timeout=30,
            what="the reconnect recovery",
        )
        # Lost more than a minute ago while the worker ran: the next
        # recovery run (the beat entry, here queued by hand) finds it.
        _upcoming(1)
        services.reminders_sweep()
        (lost,) = services.deliveries_dispatch()
        ReminderDelivery.objects.filter(pk__in=lost).update(
            dispatched_at=timezone.now() - datetime.timedelta(seconds=61)
        )
        tasks.recover_reminders.delay()
        _wait(
            lambda: ReminderDelivery.objects.get(pk=lost[0]).status == D.SENT,
            timeout=30,
            what="the recovery run",
        )
    finally:
        processes.stop_all()
    assert len(_sent(outbox)) == 3
    assert ReminderDelivery.objects.filter(status=D.SENT).count() == 3
