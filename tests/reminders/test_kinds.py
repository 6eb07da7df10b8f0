"""Each kind: due when it should be, skipped when no longer wanted, voided
when the dates change; discreet messages in the consultant's language."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from accounts.roles import Role
from consultants import services as consultant_services
from consultants.models import ConsentScope
from engagements import services as engagement_services
from engagements import workflow
from engagements.models import Engagement, Participation
from reminders import services
from reminders.models import ConsultantReminderPreference, ReminderDelivery
from reminders.services import sending
from tests.consultants.factories import ConsentTextFactory, ConsultantFactory
from tests.engagements.factories import (
    DebriefFactory,
    EngagementFactory,
    ParticipationFactory,
    at,
)
from tests.reminders.conftest import DAY
from tests.reminders.helpers import run_beat_once

pytestmark = pytest.mark.django_db
D = ReminderDelivery.Status
R = ReminderDelivery.Reason
HOUR = datetime.timedelta(hours=1)
DAY_BEFORE = at(DAY - datetime.timedelta(days=1), 10, 5)


def kinds_recorded():
    return sorted(ReminderDelivery.objects.values_list("kind", flat=True))


# --- Engagement coming up -------------------------------------------------------------


def test_upcoming_three_days_and_one_day_before(booked, clock):
    participation = booked(pseudonym="Bituin", message_name="Bee", legal_name="Maria Secret")
    clock(at(DAY - datetime.timedelta(days=3), 10, 1))
    run_beat_once()
    clock(DAY_BEFORE)
    run_beat_once()
    assert len(mail.outbox) == 2
    dues = sorted(ReminderDelivery.objects.values_list("due_at", flat=True))
    start = participation.engagement.start
    assert dues == [start - 72 * HOUR, start - 24 * HOUR]
    message = mail.outbox[1]
    assert message.subject == "Tinig: a meeting on 3 June"
    assert "Hello Bee," in message.body
    assert "10:00" in message.body and "12:00" in message.body
    assert participation.engagement.online_link in message.body
    assert "Maria Secret" not in message.body + message.subject
    assert participation.engagement.title not in message.body + message.subject
    assert message.to == [participation.consultant.email]


def test_upcoming_names_the_venue_and_support_person(booked, clock):
    from tests.engagements.factories import PrivacyPlanFactory

    participation = booked()
    engagement = participation.engagement
    Engagement.objects.filter(pk=engagement.pk).update(
        mode="in_person", venue="Room 4, Quezon City", online_link=""
    )
    PrivacyPlanFactory(engagement=engagement, support_person_present="Ate Liza")
    clock(DAY_BEFORE)
    run_beat_once()
    body = mail.outbox[0].body
    assert "Where: Room 4, Quezon City" in body
    assert "Support person: Ate Liza" in body


def test_message_in_the_consultants_language(booked, clock):
    booked(preferred_languages=["fil"], message_name="Bee")
    clock(DAY_BEFORE)
    with pytest.MonkeyPatch.context() as patch:
        seen = []
        original = services.render_message

        def spy(kind, *, recipient, context, language=None, channel="email"):
            seen.append(language or services._language_of(recipient))
            return original(
                kind, recipient=recipient, context=context, language=language, channel=channel
            )

        patch.setattr(sending, "render_message", spy)
        run_beat_once()
    assert seen == ["fil"]
    assert len(mail.outbox) == 1


def test_cancelled_engagement_is_skipped(booked, clock, manager_user):
    participation = booked()
    clock(DAY_BEFORE)
    services.reminders_sweep()
    workflow.engagement_transition(
        engagement=participation.engagement, name="cancel", by=manager_user, reason="Venue lost"
    )
    delivery = ReminderDelivery.objects.get()
    assert (delivery.status, delivery.reason) == (D.SKIPPED, R.CANCELLED)
    run_beat_once()
    assert mail.outbox == []


def test_cancelled_behind_our_back_is_skipped_at_send_time(booked, clock):
    participation = booked()
    clock(DAY_BEFORE)
    services.reminders_sweep()
    Engagement.objects.filter(pk=participation.engagement_id).update(status="cancelled")
    run_beat_once()
    assert mail.outbox == []
    delivery = ReminderDelivery.objects.get()
    assert (delivery.status, delivery.reason) == (D.SKIPPED, R.CANCELLED)


def test_consultant_who_stepped_back_is_skipped(booked, clock):
    participation = booked()
    clock(DAY_BEFORE)
    services.reminders_sweep()
    Participation.objects.filter(pk=participation.pk).update(status="withdrawn")
    run_beat_once()
    assert mail.outbox == []
    delivery = ReminderDelivery.objects.get()
    assert (delivery.status, delivery.reason) == (D.SKIPPED, R.STEPPED_BACK)
    # A withdrawn participation is not even recorded by a later sweep.
    services.reminders_sweep()
    assert ReminderDelivery.objects.count() == 1


def test_consultant_who_turned_it_off_is_skipped(booked, clock):
    participation = booked()
    ConsultantReminderPreference.objects.create(
        consultant=participation.consultant, kind="engagement_upcoming", channel="none"
    )
    clock(DAY_BEFORE)
    run_beat_once()
    assert mail.outbox == []
    assert ReminderDelivery.objects.get().reason == R.OPTED_OUT


def test_kind_turned_off_is_not_swept(booked, clock, manager_user):
    booked()
    services.reminder_setting_save(
        kind="engagement_upcoming", enabled=False, offsets=[72, 24], by=manager_user
    )
    clock(DAY_BEFORE)
    run_beat_once()
    assert ReminderDelivery.objects.count() == 0


def test_no_address_is_skipped(booked, clock):
    booked(email="")
    clock(DAY_BEFORE)
    run_beat_once()
    assert ReminderDelivery.objects.get().reason == R.NO_ADDRESS
    assert mail.outbox == []


def test_change_of_dates_voids_and_reschedules(booked, clock):
    participation = booked()
    engagement = participation.engagement
    clock(at(DAY - datetime.timedelta(days=1), 9, 0))
    # Recorded a moment early by a sweep that ran with a longer lookback.
    services.reminders_sweep(now=DAY_BEFORE)
    old = ReminderDelivery.objects.get()
    assert old.status == D.PENDING

    later = engagement.start + 2 * HOUR
    engagement_services.engagement_update(
        engagement=engagement,
        by=engagement.owner,
        data={"start": later, "end": later + 2 * HOUR},
    )
    old.refresh_from_db()
    assert (old.status, old.reason) == (D.VOID, R.DATES_CHANGED)

    clock(later - 24 * HOUR + datetime.timedelta(minutes=1))
    run_beat_once()
    assert len(mail.outbox) == 1
    new = ReminderDelivery.objects.get(status=D.SENT)
    assert new.due_at == later - 24 * HOUR
    assert ReminderDelivery.objects.filter(status=D.VOID).count() == 1


def test_dates_that_come_back_revive_the_voided_reminder(booked, clock):
    participation = booked()
    engagement = participation.engagement
    original = engagement.start
    clock(at(DAY - datetime.timedelta(days=1), 9, 0))
    services.reminders_sweep(now=DAY_BEFORE)
    for start in (original + 2 * HOUR, original):
        engagement.refresh_from_db()
        engagement_services.engagement_update(
            engagement=engagement, by=engagement.owner, data={"start": start, "end": start + HOUR}
        )
    assert ReminderDelivery.objects.get().status == D.VOID
    clock(DAY_BEFORE)
    run_beat_once()
    assert len(mail.outbox) == 1
    assert ReminderDelivery.objects.get().status == D.SENT


# --- Quiet hours ------------------------------------------------------------------------


def test_due_at_night_is_delivered_at_eight_not_before(booked, clock):
    """An engagement at 23:00: its reminder a day before falls at 23:00."""
    booked(start=at(DAY, 23))
    night = at(
        DAY - datetime.timedelta(days=1),
        23,
        0,
    )
    clock(night + datetime.timedelta(seconds=30))
    run_beat_once()
    assert mail.outbox == []
    delivery = ReminderDelivery.objects.get()
    assert delivery.due_at == night
    assert delivery.send_after == at(DAY, 8)
    assert services.delivery_send(delivery_id=delivery.pk) == "not_yet"

    for moment in (at(DAY, 0, 30), at(DAY, 5), at(DAY, 7, 59)):
        clock(moment)
        run_beat_once()
        assert mail.outbox == [], moment
    clock(at(DAY, 8, 0))
    run_beat_once()
    assert len(mail.outbox) == 1
    delivery.refresh_from_db()
    assert delivery.status == D.SENT
    assert timezone.localtime(delivery.finished_at).time() >= datetime.time(8)
    assert delivery.finished_at < at(DAY, 8, 1)


def test_a_retry_that_lands_at_night_waits_for_morning(booked, clock):
    booked()
    clock(DAY_BEFORE)
    services.reminders_sweep()
    delivery = ReminderDelivery.objects.get()
    clock(at(DAY - datetime.timedelta(days=1), 21, 30))
    assert services.delivery_send(delivery_id=delivery.pk) == "quiet"
    delivery.refresh_from_db()
    assert delivery.send_after == at(DAY, 8)
    assert mail.outbox == []


def test_quiet_hours_are_a_setting(booked, clock, settings):
    settings.REMINDERS_QUIET_START = "09:00"
    settings.REMINDERS_QUIET_END = "11:00"
    booked()
    clock(DAY_BEFORE)  # 10:05, quiet under this setting
    run_beat_once()
    assert mail.outbox == []
    assert ReminderDelivery.objects.get().send_after == at(DAY - datetime.timedelta(days=1), 11)


def test_staff_reminders_keep_the_staff_members_own_quiet_hours(make_user, clock):
    """Staff have quiet hours of their own (more in test_staff_quiet_hours.py)."""
    owner = make_user(Role.PROGRAMME_STAFF)
    end = at(DAY, 23)
    EngagementFactory(
        owner=owner, status=Engagement.Status.COMPLETED, start=end - 2 * HOUR, end=end
    )
    clock(end + 48 * HOUR + datetime.timedelta(minutes=1))
    run_beat_once()
    assert mail.outbox == []  # 23:01 Manila: quiet until 08:00
    clock(at(DAY + datetime.timedelta(days=3), 8, 1))
    run_beat_once()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Tinig: a debrief to write"


# --- The other kinds ----------------------------------------------------------------------


def test_invitation_waiting_and_unanswered(make_user, clock):
    owner = make_user(Role.PROGRAMME_STAFF)
    colleague = make_user(Role.PROGRAMME_STAFF)
    engagement = EngagementFactory(
        owner=owner, status=Engagement.Status.STAFFING, assigned_staff=[colleague]
    )
    invited_at = at(DAY - datetime.timedelta(days=20), 10)
    participation = ParticipationFactory(
        engagement=engagement, status=Participation.Status.INVITED, invited_at=invited_at
    )
    clock(invited_at + 48 * HOUR + datetime.timedelta(minutes=1))
    run_beat_once()
    assert kinds_recorded() == ["invitation_waiting"]
    assert mail.outbox[0].to == [participation.consultant.email]
    assert mail.outbox[0].subject == "Tinig: an invitation is waiting for your answer"

    clock(invited_at + 96 * HOUR + datetime.timedelta(minutes=1))
    run_beat_once()
    staff_messages = mail.outbox[1:]
    assert sorted(m.to[0] for m in staff_messages) == sorted([owner.email, colleague.email])
    assert participation.consultant.pseudonym in staff_messages[0].body
    assert engagement.title not in staff_messages[0].body + staff_messages[0].subject


def test_answered_invitation_is_not_reminded(make_user, clock):
    engagement = EngagementFactory(status=Engagement.Status.STAFFING)
    invited_at = at(DAY - datetime.timedelta(days=20), 10)
    participation = ParticipationFactory(engagement=engagement, invited_at=invited_at)
    clock(invited_at + 48 * HOUR + datetime.timedelta(minutes=1))
    services.reminders_sweep()
    Participation.objects.filter(pk=participation.pk).update(status="declined")
    run_beat_once()
    assert mail.outbox == []
    assert ReminderDelivery.objects.get().reason == R.STEPPED_BACK


def test_confirmation_blocked_counts_reasons(make_user, clock):
    owner = make_user(Role.PROGRAMME_STAFF)
    engagement = EngagementFactory(owner=owner, status=Engagement.Status.STAFFING)
    clock(engagement.start - 72 * HOUR + datetime.timedelta(minutes=1))
    run_beat_once()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [owner.email]
    assert "not confirmed yet" in message.subject
    assert "One thing still blocks its confirmation." in message.body


def test_debrief_written_is_not_reminded(make_user, clock):
    engagement = EngagementFactory(status=Engagement.Status.COMPLETED)
    clock(engagement.end + 48 * HOUR + datetime.timedelta(minutes=1))
    services.reminders_sweep()
    DebriefFactory(engagement=engagement)
    run_beat_once()
    assert mail.outbox == []
    assert ReminderDelivery.objects.get().reason == R.NOT_DUE


def test_availability_refresh_on_the_first_of_the_month(clock, consultant_user):
    consultant = ConsultantFactory(user=consultant_user)
    ConsultantFactory(user=None)  # no portal account: staff keep theirs
    first = at(datetime.date(2031, 7, 1), 9)
    clock(first - datetime.timedelta(minutes=5))
    run_beat_once()
    assert mail.outbox == []
    clock(first + datetime.timedelta(minutes=1))
    run_beat_once()
    run_beat_once()
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [consultant.email]
    assert "July" in mail.outbox[0].body


def test_consent_renewal_after_a_new_version(clock, manager_user):
    consultant = ConsultantFactory()
    other = ConsultantFactory()
    ConsentTextFactory(scope=ConsentScope.PHOTO, version=1, body="v1", published_at=timezone.now())
    consultant_services.consent_grant(
        consultant=consultant, scope=ConsentScope.PHOTO, by=manager_user
    )
    published = at(DAY, 10)
    clock(published)
    ConsentTextFactory(scope=ConsentScope.PHOTO, version=2, body="v2", published_at=published)
    consultant_services.consent_grant(consultant=other, scope=ConsentScope.PHOTO, by=manager_user)
    clock(published + 24 * HOUR + datetime.timedelta(minutes=1))
    run_beat_once()
    assert [m.to for m in mail.outbox] == [[consultant.email]]
    body = mail.outbox[0].body
    assert "Photo" not in body and "photo" not in body


def test_staff_digest_sends_one_message(make_user, clock):
    from reminders.models import StaffReminderPreference

    owner = make_user(Role.PROGRAMME_STAFF)
    StaffReminderPreference.objects.create(user=owner, daily_digest=True)
    for hours in (0, 1):
        EngagementFactory(
            owner=owner,
            status=Engagement.Status.COMPLETED,
            start=at(DAY, 8 + hours),
            end=at(DAY, 9 + hours),
        )
    clock(at(DAY + datetime.timedelta(days=2), 12))
    run_beat_once()
    assert mail.outbox == []
    assert ReminderDelivery.objects.filter(digest=True, status=D.PENDING).count() == 2
    assert services.digest_recipients() == [owner.pk]
    assert services.digest_send(user_id=owner.pk) == "sent"
    assert services.digest_send(user_id=owner.pk) == "taken"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Tinig: 2 reminders for today"
    assert ReminderDelivery.objects.filter(status=D.SENT).count() == 2


def test_inactive_staff_member_is_skipped(make_user, clock):
    owner = make_user(Role.PROGRAMME_STAFF)
    engagement = EngagementFactory(owner=owner, status=Engagement.Status.COMPLETED)
    clock(engagement.end + 48 * HOUR + datetime.timedelta(minutes=1))
    services.reminders_sweep()
    type(owner).objects.filter(pk=owner.pk).update(is_active=False)
    run_beat_once()
    assert mail.outbox == []
    assert ReminderDelivery.objects.get().reason == R.INACTIVE
