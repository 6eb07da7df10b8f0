"""Reminders by text message: chosen per kind, sent once per channel on the
same lock-send-mark path as e-mail, delayed by quiet hours, retried, and
skipped (with a reason) when the number or the channel has gone."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail

from consultants.models import Consultant
from reminders import registry, selectors, services, sms, tasks
from reminders.models import ConsultantReminderPreference, ReminderDelivery
from reminders.registry import Audience
from tests.engagements.factories import at
from tests.reminders.conftest import DAY
from tests.reminders.helpers import run_beat_once
from tests.reminders.provider import accepted

pytestmark = pytest.mark.django_db
D = ReminderDelivery.Status
R = ReminderDelivery.Reason
DAY_BEFORE = at(DAY - datetime.timedelta(days=1), 10, 5)
KIND = "engagement_upcoming"


def _choose(consultant, channel: str, kind: str = KIND) -> None:
    ConsultantReminderPreference.objects.update_or_create(
        consultant=consultant, kind=kind, defaults={"channel": channel}
    )


def _rows() -> dict[str, ReminderDelivery]:
    return {row.channel: row for row in ReminderDelivery.objects.all()}


# --- One reminder, two channels, each exactly once ------------------------------------------


def test_both_is_one_email_and_one_text_across_sweeps_and_a_retried_task(booked, clock):
    participation = booked()
    consultant = participation.consultant
    _choose(consultant, "both")
    clock(DAY_BEFORE)
    first = run_beat_once()
    second = run_beat_once()
    assert first == {"sent": 2}
    assert second == {}
    rows = _rows()
    assert set(rows) == {"email", "sms"}
    assert {row.status for row in rows.values()} == {D.SENT}
    assert rows["email"].due_at == rows["sms"].due_at
    # acks_late: the task is delivered again after a crash; nothing more goes.
    again = tasks.deliver_reminders.apply(args=[[row.pk for row in rows.values()]]).get()
    assert again == {"taken": 2}
    services.reminders_sweep()
    assert ReminderDelivery.objects.count() == 2

    assert len(mail.outbox) == 1
    assert len(sms.outbox) == 1
    (text,) = sms.outbox
    assert text.to == consultant.phone
    assert text.reference == f"tinig.reminder.{rows['sms'].pk}"
    assert sms.fits_one_sms(text.text)
    assert text.text.startswith("Tinig: ")
    assert consultant.greeting_name in text.text
    assert "/portal/engagements/" in text.text


def test_sms_only_sends_no_email(booked, clock):
    _choose(booked().consultant, "sms")
    clock(DAY_BEFORE)
    run_beat_once()
    assert set(_rows()) == {"sms"}
    assert mail.outbox == []
    assert len(sms.outbox) == 1


def test_default_stays_email_only(booked, clock):
    booked()
    clock(DAY_BEFORE)
    run_beat_once()
    assert set(_rows()) == {"email"}
    assert len(mail.outbox) == 1
    assert sms.outbox == []


def test_a_choice_changed_before_sending_is_respected(booked, clock, settings):
    """Recorded for both at night, switched to e-mail only before the morning."""
    consultant = booked(start=at(DAY, 7)).consultant  # 24 hours before: 07:00, quiet
    _choose(consultant, "both")
    clock(at(DAY - datetime.timedelta(days=1), 7, 5))
    run_beat_once()
    assert {row.status for row in _rows().values()} == {D.PENDING}
    _choose(consultant, "email")
    clock(at(DAY - datetime.timedelta(days=1), 8, 1))
    run_beat_once()
    rows = _rows()
    assert rows["email"].status == D.SENT
    assert (rows["sms"].status, rows["sms"].reason) == (D.SKIPPED, R.OPTED_OUT)
    assert sms.outbox == []


# --- Quiet hours ---------------------------------------------------------------------------


def test_quiet_hours_delay_the_text_too(booked, clock):
    # Starts at 06:00: the day-before reminder falls due at 06:00, in quiet hours.
    consultant = booked(start=at(DAY, 6)).consultant
    _choose(consultant, "both")
    clock(at(DAY - datetime.timedelta(days=1), 6, 5))
    assert run_beat_once() == {}
    rows = _rows()
    assert set(rows) == {"email", "sms"}
    morning = at(DAY - datetime.timedelta(days=1), 8)
    assert {row.send_after for row in rows.values()} == {morning}
    # A task that asks early is told to wait.
    assert services.delivery_send(delivery_id=rows["sms"].pk) == "not_yet"
    assert sms.outbox == []

    clock(morning + datetime.timedelta(minutes=1))
    assert run_beat_once() == {"sent": 2}
    assert len(sms.outbox) == 1 and len(mail.outbox) == 1


def test_a_text_retried_into_quiet_hours_waits_for_the_morning(booked, clock, semaphore):
    consultant = booked(start=at(DAY, 20, 59) + datetime.timedelta(hours=24)).consultant
    _choose(consultant, "sms")
    semaphore.answer((503, "busy"))
    # Due 20:59 the day before the start; the first attempt fails ...
    clock(at(DAY, 20, 59) + datetime.timedelta(seconds=30))
    assert run_beat_once() == {"retry": 1}
    row = _rows()["sms"]
    # ... and the retry a minute later would land in quiet hours: it is moved.
    clock(row.send_after + datetime.timedelta(seconds=5))
    assert run_beat_once() == {"quiet": 1}
    row.refresh_from_db()
    assert row.send_after == at(DAY + datetime.timedelta(days=1), 8)
    assert len(semaphore.received) == 1


# --- Through Semaphore: a failure, a retry, one text ------------------------------------------


def test_provider_failure_is_retried_then_sent_once(booked, clock, semaphore):
    consultant = booked().consultant
    _choose(consultant, "sms")
    semaphore.answer((500, "Internal Server Error"), accepted())
    clock(DAY_BEFORE)
    assert run_beat_once() == {"retry": 1}
    row = _rows()["sms"]
    assert (row.status, row.attempts, row.last_error) == (D.PENDING, 1, "SmsProviderError")
    clock(DAY_BEFORE + datetime.timedelta(minutes=2))
    assert run_beat_once() == {"sent": 1}
    run_beat_once()
    row.refresh_from_db()
    assert (row.status, row.attempts) == (D.SENT, 2)
    assert len(semaphore.received) == 2
    assert semaphore.received[1]["number"] == consultant.phone.removeprefix("+")
    assert semaphore.received[0]["message"] == semaphore.received[1]["message"]


def test_provider_down_is_retried_then_on_the_failed_list(booked, clock, semaphore, settings):
    settings.REMINDERS_MAX_ATTEMPTS = 3
    _choose(booked().consultant, "both")
    semaphore.default = (503, "Service Unavailable")
    clock(DAY_BEFORE)
    assert run_beat_once() == {"sent": 1, "retry": 1}  # the e-mail goes regardless
    for minutes in (2, 5):
        clock(DAY_BEFORE + datetime.timedelta(minutes=minutes))
        run_beat_once()
    row = _rows()["sms"]
    assert (row.status, row.attempts, row.last_error) == (D.FAILED, 3, "SmsProviderError")
    assert list(selectors.failed_deliveries()) == [row]
    assert len(semaphore.received) == 3
    assert len(mail.outbox) == 1
    clock(DAY_BEFORE + datetime.timedelta(hours=1))
    run_beat_once()
    assert len(semaphore.received) == 3  # not picked up again by itself


def test_provider_unreachable_is_retried(booked, clock, semaphore):
    _choose(booked().consultant, "sms")
    semaphore.stop()
    clock(DAY_BEFORE)
    assert run_beat_once() == {"retry": 1}
    assert _rows()["sms"].last_error == "SmsProviderUnreachable"


# --- Bad input: a number removed, SMS turned off, staff --------------------------------------


def test_phone_removed_after_opting_in_is_skipped_with_a_reason(booked, clock):
    consultant = booked().consultant
    _choose(consultant, "both")
    Consultant.objects.filter(pk=consultant.pk).update(phone="")
    clock(DAY_BEFORE)
    assert run_beat_once() == {"sent": 1, "skipped": 1}
    rows = _rows()
    assert (rows["sms"].status, rows["sms"].reason) == (D.SKIPPED, R.NO_ADDRESS)
    assert rows["email"].status == D.SENT
    assert sms.outbox == []


def test_an_invalid_stored_number_is_not_guessed(booked, clock):
    consultant = booked().consultant
    _choose(consultant, "sms")
    Consultant.objects.filter(pk=consultant.pk).update(phone="12345")
    clock(DAY_BEFORE)
    run_beat_once()
    assert _rows()["sms"].reason == R.NO_ADDRESS
    assert sms.outbox == []


def test_sms_turned_off_skips_the_text_with_a_reason(booked, clock, settings):
    _choose(booked().consultant, "sms")
    settings.SMS_BACKEND = ""
    clock(DAY_BEFORE)
    run_beat_once()
    row = _rows()["sms"]
    assert (row.status, row.reason) == (D.SKIPPED, R.CHANNEL_OFF)
    assert mail.outbox == []


def test_staff_get_no_text(make_user):
    from reminders.channels import get_channel

    assert get_channel("sms").address_for(make_user(None)) == ""


# --- What a text says --------------------------------------------------------------------------


CONTEXTS = {
    "invitation_waiting": {"start": at(DAY, 10), "url": "https://tinig.example.org/portal/e/"},
    "engagement_upcoming": {
        "start": at(DAY, 10),
        "end": at(DAY, 12),
        "venue": "Secret Venue Hall",
        "online_link": "https://meet.example.org/xyz",
        "url": "https://tinig.example.org/portal/engagements/",
    },
    "availability_refresh": {
        "month": at(DAY, 9),
        "url": "https://tinig.example.org/portal/me/availability/",
    },
    "consent_renewal": {"url": "https://tinig.example.org/portal/me/consent/"},
    "checklist_item_due": {"due": at(DAY, 9), "url": "https://tinig.example.org/portal/c/"},
    "invitation_made": {"url": "https://tinig.example.org/portal/engagements/7/"},
    "outcome_changed": {"url": "https://tinig.example.org/portal/voice/"},
    "time_to_submit": {"end": at(DAY, 12), "url": "https://tinig.example.org/portal/pay/"},
    "payment_sent": {"paid_at": at(DAY, 9), "url": "https://tinig.example.org/portal/pay/"},
    "review_requested": {"url": "https://tinig.example.org/portal/lead/requests/7/"},
}
# Kinds that send the generic text for now (none: every kind has its own).
GENERIC_FOR_NOW: set[str] = set()


def _consultant(**kwargs) -> Consultant:
    from tests.consultants.factories import ConsultantFactory

    return ConsultantFactory(message_name="Ana", **kwargs)


def test_every_consultant_kind_has_a_text_that_fits():
    consultant = _consultant(legal_name="Maria Legal Secret")
    for kind in registry.kinds(Audience.CONSULTANT):
        context = CONTEXTS.get(kind.key, {"url": "https://tinig.example.org/portal/x/"})
        message = services.render_message(
            kind, recipient=consultant, context=context, channel="sms"
        )
        assert message.subject == ""
        assert sms.fits_one_sms(message.text), kind.key
        assert message.text.startswith("Tinig: "), kind.key
        assert message.text.endswith(context["url"]), kind.key
        assert "Maria" not in message.text and "Legal" not in message.text
        assert "Secret Venue" not in message.text and "meet.example" not in message.text
        if kind.key in GENERIC_FOR_NOW:
            continue
        assert kind.key in CONTEXTS, f"{kind.key}: add its SMS context here"
        assert "Ana" in message.text, kind.key
        assert "something to look at" not in message.text, kind.key


def test_hostile_greeting_is_plain_text_not_escaped():
    consultant = _consultant()
    consultant.message_name = '<b>O\'Neil & "Co"</b>'
    kind = registry.get_kind("invitation_waiting")
    message = services.render_message(
        kind, recipient=consultant, context=CONTEXTS["invitation_waiting"], channel="sms"
    )
    assert '<b>O\'Neil & "Co"</b>' in message.text
    assert "&amp;" not in message.text and "&#x27;" not in message.text
    assert "&lt;" not in message.text


def test_a_greeting_with_line_breaks_stays_one_line():
    consultant = _consultant()
    consultant.message_name = "Ana\r\n\r\nBay"
    kind = registry.get_kind("availability_refresh")
    message = services.render_message(
        kind, recipient=consultant, context=CONTEXTS["availability_refresh"], channel="sms"
    )
    assert "\n" not in message.text and "\r" not in message.text
    assert "Ana Bay" in message.text


@pytest.mark.parametrize(
    "greeting", ["A" * 80, "Ana \u2019the quick\u2019 Bay" + "x" * 20], ids=["long", "ucs2"]
)
def test_too_long_falls_back_to_the_generic_text_with_the_whole_link(greeting):
    consultant = _consultant()
    consultant.message_name = greeting
    kind = registry.get_kind("engagement_upcoming")
    context = CONTEXTS["engagement_upcoming"]
    message = services.render_message(kind, recipient=consultant, context=context, channel="sms")
    assert message.text == f"Tinig: you have something to look at. {context['url']}"
    assert sms.fits_one_sms(message.text)


def test_a_link_too_long_falls_back_to_the_portal_never_cut():
    consultant = _consultant()
    kind = registry.get_kind("consent_renewal")
    url = "https://tinig.example.org/portal/" + "x" * 150
    message = services.render_message(
        kind, recipient=consultant, context={"url": url}, channel="sms"
    )
    assert url not in message.text
    assert message.text.startswith("Tinig: you have something to look at. http")
    assert message.text.endswith("/portal/")


def test_nothing_fits_is_a_recorded_failure(booked, clock):
    """Even the generic text cannot fit (a long non-Latin domain makes the
    link UCS-2: 70 characters at most): never cut, a recorded failure."""
    from django.contrib.sites.models import Site

    _choose(booked().consultant, "sms")
    Site.objects.update(domain="тиниг" * 15 + ".example")
    Site.objects.clear_cache()
    try:
        clock(DAY_BEFORE)
        assert run_beat_once() == {"retry": 1}
    finally:
        Site.objects.clear_cache()
    assert _rows()["sms"].last_error == "SmsTooLong"
    assert sms.outbox == []
