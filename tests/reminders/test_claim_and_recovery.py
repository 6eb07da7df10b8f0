"""Claim before the send, confirm after; recovery of sends cut short (per
kind: resend or hold) and of messages lost on the way to a worker; what a
person decides about a "possibly sent" reminder (audited)."""

from __future__ import annotations

import datetime
import threading

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from reminders import registry, services
from reminders.models import ReminderDelivery
from reminders.registry import OnUncertain
from reminders.services import sending
from tests.engagements.factories import at
from tests.helpers import client_for
from tests.reminders.conftest import DAY

pytestmark = pytest.mark.django_db
D = ReminderDelivery.Status
DAY_BEFORE = at(DAY - datetime.timedelta(days=1), 10, 5)
GRACE = datetime.timedelta(seconds=31)


def _due(booked, clock) -> ReminderDelivery:
    booked()
    clock(DAY_BEFORE)
    services.reminders_sweep()
    return ReminderDelivery.objects.get()


def _cut_short(delivery: ReminderDelivery) -> sending.Claim:
    """What a worker killed between claim and confirm leaves: the claim
    committed, nothing confirmed, no lock held."""
    with transaction.atomic():
        return sending._claim([delivery], timezone.now())


def _uncertain_payment(consultant) -> ReminderDelivery:
    return ReminderDelivery.objects.create(
        kind="payment_sent",
        target_type="compensation.payment",
        target_id=1,
        consultant=consultant,
        due_at=timezone.now(),
        send_after=timezone.now(),
        status=D.SENDING,
        claimed_at=timezone.now(),
        attempts=1,
    )


def test_policy_per_kind_is_declared():
    held = {kind.key for kind in registry.kinds() if kind.on_uncertain == OnUncertain.HOLD}
    assert held == {"consent_renewal", "payment_sent"}


def test_claimed_then_confirmed(booked, clock):
    delivery = _due(booked, clock)
    assert services.delivery_send(delivery_id=delivery.pk) == "sent"
    delivery.refresh_from_db()
    assert delivery.status == D.SENT
    assert delivery.claim is not None
    assert delivery.claimed_at is not None
    assert delivery.attempts == 1
    assert len(mail.outbox) == 1
    # A second task for the same row: taken, nothing sent.
    assert services.delivery_send(delivery_id=delivery.pk) == "taken"
    assert len(mail.outbox) == 1


def test_a_claimed_row_is_not_sent_by_a_second_task(booked, clock):
    delivery = _due(booked, clock)
    _cut_short(delivery)
    assert services.delivery_send(delivery_id=delivery.pk) == "taken"
    assert mail.outbox == []


def test_cut_short_is_resent_or_held_per_kind(booked, clock):
    delivery = _due(booked, clock)
    _cut_short(delivery)
    payment = _uncertain_payment(delivery.consultant)
    # Within the grace a worker may still be on it: nothing happens.
    result = services.deliveries_recover(now=timezone.now())
    assert (result.resent, result.held) == ([], [])

    result = services.deliveries_recover(now=timezone.now() + GRACE)
    assert result.resent == [delivery.pk]
    assert result.held == [payment.pk]
    assert result.chunks == [[delivery.pk]]  # handed out again at once
    delivery.refresh_from_db()
    payment.refresh_from_db()
    assert (delivery.status, delivery.interrupted, delivery.last_error) == (
        D.PENDING,
        1,
        "Interrupted",
    )
    assert (payment.status, payment.interrupted) == (D.UNCERTAIN, 1)

    assert services.delivery_send(delivery_id=delivery.pk, now=timezone.now() + GRACE) == "sent"
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (D.SENT, 2)
    # A held row stays for a person: no recovery or dispatch sends it.
    services.deliveries_recover(now=timezone.now() + 2 * GRACE)
    assert services.delivery_send(delivery_id=payment.pk, now=timezone.now() + GRACE) == "taken"
    assert ReminderDelivery.objects.get(pk=payment.pk).status == D.UNCERTAIN


def test_late_confirmation_wins_until_the_row_is_claimed_again(booked, clock):
    delivery = _due(booked, clock)
    claim = _cut_short(delivery)
    services.deliveries_recover(now=timezone.now() + GRACE)
    # The old worker got the database back and says its message went.
    assert sending._settle(claim, sent=True, now=timezone.now())
    delivery.refresh_from_db()
    assert delivery.status == D.SENT
    assert services.delivery_send(delivery_id=delivery.pk) == "taken"
    assert mail.outbox == []


def test_late_confirmation_of_an_old_claim_changes_nothing(booked, clock):
    delivery = _due(booked, clock)
    old = _cut_short(delivery)
    services.deliveries_recover(now=timezone.now() + GRACE)
    ReminderDelivery.objects.filter(pk=delivery.pk).update(send_after=timezone.now())
    _cut_short(ReminderDelivery.objects.get(pk=delivery.pk))  # claimed again
    sending._settle(old, sent=True, now=timezone.now())
    assert ReminderDelivery.objects.get(pk=delivery.pk).status == D.SENDING


def test_a_database_error_before_the_send_gives_the_row_back(booked, clock):
    delivery = _due(booked, clock)
    claim = _cut_short(delivery)
    assert sending._settle(claim, sent=False, now=timezone.now())
    delivery.refresh_from_db()
    assert (delivery.status, delivery.dispatched_at) == (D.PENDING, None)


@pytest.mark.django_db(transaction=True)
def test_a_row_a_live_worker_holds_is_not_recovered(booked, clock):
    delivery = _due(booked, clock)
    claim = _cut_short(delivery)
    locked, release = threading.Event(), threading.Event()

    def live_worker():
        try:
            with transaction.atomic():
                ReminderDelivery.objects.select_for_update().filter(
                    pk=delivery.pk, claim=claim.token
                ).first()
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=live_worker)
    thread.start()
    try:
        assert locked.wait(10)
        result = services.deliveries_recover(now=timezone.now() + 10 * GRACE)
        assert (result.resent, result.held) == ([], [])
    finally:
        release.set()
        thread.join()
    assert ReminderDelivery.objects.get(pk=delivery.pk).status == D.SENDING
    result = services.deliveries_recover(now=timezone.now() + 10 * GRACE)
    assert result.resent == [delivery.pk]


def test_lost_messages_are_handed_out_again_after_a_minute(booked, clock):
    delivery = _due(booked, clock)
    assert services.deliveries_dispatch() == [[delivery.pk]]  # its message is lost
    now = timezone.now()
    assert services.deliveries_recover(now=now + datetime.timedelta(seconds=30)).chunks == []
    assert services.deliveries_recover(now=now + datetime.timedelta(seconds=61)).chunks == [
        [delivery.pk]
    ]


def test_after_a_reconnect_everything_handed_out_before_goes_again(booked, clock):
    delivery = _due(booked, clock)
    services.deliveries_dispatch()
    reconnected = timezone.now() + datetime.timedelta(seconds=1)
    result = services.deliveries_recover(now=reconnected, stale_before=reconnected)
    assert result.chunks == [[delivery.pk]]


# --- What a person decides ------------------------------------------------------------------


@pytest.fixture
def held(booked, clock):
    delivery = _due(booked, clock)
    payment = _uncertain_payment(delivery.consultant)
    services.deliveries_recover(now=timezone.now() + GRACE)
    payment.refresh_from_db()
    assert payment.status == D.UNCERTAIN
    return payment


def _events(row) -> list[str]:
    return [
        entry.additional_data["event"]
        for entry in LogEntry.objects.get_for_object(row).order_by("timestamp")
    ]


def test_mark_as_sent_is_audited(held, manager_user):
    services.delivery_mark_sent(delivery=held, by=manager_user)
    held.refresh_from_db()
    assert (held.status, held.resolved_by) == (D.SENT, manager_user)
    assert _events(held) == ["reminder_marked_sent"]
    entry = LogEntry.objects.get_for_object(held).get()
    assert entry.actor == manager_user
    assert entry.additional_data["status_before"] == D.UNCERTAIN
    with pytest.raises(ValidationError):
        services.delivery_mark_sent(delivery=held, by=manager_user)


def test_send_again_is_audited(held, admin_user, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.delivery_retry(delivery=held, by=admin_user)
    assert len(callbacks) == 1  # the task, once committed
    held.refresh_from_db()
    assert (held.status, held.retried_by, held.attempts) == (D.PENDING, admin_user, 0)
    assert _events(held) == ["reminder_send_again"]


def test_only_managers_and_administrators_decide(held, make_user):
    from accounts.roles import Role

    for role in (Role.PROGRAMME_STAFF, Role.FINANCE_OFFICER, Role.WELLBEING_LEAD):
        user = make_user(role)
        with pytest.raises(PermissionDenied):
            services.delivery_mark_sent(delivery=held, by=user)
        with pytest.raises(PermissionDenied):
            services.delivery_retry(delivery=held, by=user)
    held.refresh_from_db()
    assert held.status == D.UNCERTAIN
    assert _events(held) == []


def test_a_failed_reminder_cannot_be_marked_sent(held, manager_user):
    ReminderDelivery.objects.filter(pk=held.pk).update(status=D.FAILED)
    held.refresh_from_db()
    with pytest.raises(ValidationError):
        services.delivery_mark_sent(delivery=held, by=manager_user)


def test_failed_page_lists_possibly_sent_with_their_actions(held, manager_user):
    failed = ReminderDelivery.objects.create(
        kind="engagement_upcoming",
        target_type="engagements.participation",
        target_id=2,
        consultant=held.consultant,
        due_at=timezone.now(),
        send_after=timezone.now(),
        status=D.FAILED,
        attempts=5,
    )
    page = client_for(manager_user).get(reverse("reminders:failed")).content.decode()
    assert "Possibly sent" in page
    assert "send cut short once" in page
    assert reverse("reminders:mark_sent", args=[held.pk]) in page
    assert reverse("reminders:retry", args=[held.pk]) in page
    assert reverse("reminders:retry", args=[failed.pk]) in page
    assert reverse("reminders:mark_sent", args=[failed.pk]) not in page
    assert "Mark as sent" in page
    assert "Send again" in page
    assert "Try again" in page
