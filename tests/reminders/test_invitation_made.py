"""A consultant is told of an invitation at once (``reminders.invitations``):
one discreet e-mail after the commit, in her language, with a link to the
invitation and nothing else; exactly once whatever is retried or clicked
twice; quiet hours, her choice and the kind's switch respected; a failing
mail server costs the request nothing."""

from __future__ import annotations

import datetime
import threading

import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from engagements import services as engagement_services
from engagements.models import Engagement, Participation
from reminders import invitations, services
from reminders.models import ConsultantReminderPreference, ReminderDelivery, ReminderSetting
from tests.consultants.factories import ConsultantFactory, WeeklyAvailabilityFactory
from tests.engagements.factories import EngagementFactory, at
from tests.helpers import client_for
from tests.reminders.conftest import DAY

D = ReminderDelivery.Status
R = ReminderDelivery.Reason
P = Participation.Status
MORNING = at(DAY - datetime.timedelta(days=10), 10)  # Manila, outside quiet hours
NIGHT = at(DAY - datetime.timedelta(days=10), 22, 30)


@pytest.fixture
def invite_setup(db, make_user):
    """A staffing engagement on DAY 10:00-12:00 and a consultant free then,
    with the consents it needs."""

    from consultants import services as consultant_services
    from consultants.models import ConsentScope
    from tests.consultants.factories import published_text

    owner = make_user(Role.PROGRAMME_STAFF)
    engagement = EngagementFactory(
        owner=owner,
        status=Engagement.Status.STAFFING,
        start=at(DAY, 10),
        end=at(DAY, 12),
        title="Secret roundtable title",
    )
    portal_user = make_user(Role.CONSULTANT)
    consultant = ConsultantFactory(
        pseudonym="Tala",
        legal_name="Maria Legal",
        message_name="Ising",
        email="tala@example.net",
        preferred_languages=["fil"],
        user=portal_user,
    )
    WeeklyAvailabilityFactory(
        consultant=consultant,
        weekday=DAY.weekday(),
        start_time=datetime.time(8),
        end_time=datetime.time(18),
    )
    for scope in (ConsentScope.PARTICIPATION, ConsentScope.DATA_PROCESSING):
        published_text(scope, body="Text")
        consultant_services.consent_grant(consultant=consultant, scope=scope, by=owner)
    return {"owner": owner, "engagement": engagement, "consultant": consultant}


def _invite(setup, **kwargs) -> Participation:
    return engagement_services.participation_invite(
        engagement=setup["engagement"],
        consultant=setup["consultant"],
        role="participant",
        by=setup["owner"],
        **kwargs,
    )


def _ours() -> list:
    return [m for m in mail.outbox if m.to == ["tala@example.net"]]


@pytest.mark.django_db
def test_invitation_sends_one_discreet_email_once_it_commits(
    invite_setup, clock, django_capture_on_commit_callbacks
):
    clock(MORNING)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        participation = _invite(invite_setup)
    # Recorded with the invitation, in its transaction; nothing sent yet.
    delivery = ReminderDelivery.objects.get(kind="invitation_made")
    assert (delivery.target_id, delivery.consultant_id, delivery.status) == (
        participation.pk,
        invite_setup["consultant"].pk,
        D.PENDING,
    )
    assert delivery.due_at == participation.invited_at
    assert _ours() == []

    for callback in callbacks:
        callback()

    (message,) = _ours()
    assert message.subject == "Tinig: a new invitation for you"
    link = reverse("my_engagements:detail", args=[participation.pk])
    body = message.body
    assert body.startswith("Hello Ising,")
    assert f"{link}\n" in body and "://" in body.split(link)[0].splitlines()[-1]
    # Nothing about the work, nor her legal name; no date or place.
    for secret in (
        "Secret roundtable",
        "Roundtable",
        "Maria Legal",
        "Partner team",
        "2031",
        "10:00",
    ):
        assert secret not in body and secret not in message.subject
    assert message.extra_headers["Message-ID"].startswith(f"<tinig.reminder.{delivery.pk}@")
    delivery.refresh_from_db()
    assert delivery.status == D.SENT


@pytest.mark.django_db
def test_in_her_language(invite_setup, clock, django_capture_on_commit_callbacks, monkeypatch):
    seen = []
    from reminders.services import sending

    original = sending.render_message

    def spy(kind, *, recipient, context, language=None, **options):
        seen.append(language or services._language_of(recipient))
        return original(kind, recipient=recipient, context=context, language=language, **options)

    monkeypatch.setattr(sending, "render_message", spy)
    portal_user = invite_setup["consultant"].user
    portal_user.language = "fil"
    portal_user.save(update_fields=["language"])
    clock(MORNING)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(invite_setup)
    assert seen == ["fil"] and len(_ours()) == 1
    assert "Inimbitahan ka" in mail.outbox[-1].body or "imbitasyon" in mail.outbox[-1].body


@pytest.mark.django_db
def test_never_twice_retried_request_second_click_sweep_or_worker(
    invite_setup, clock, django_capture_on_commit_callbacks
):
    clock(MORNING)
    client = client_for(invite_setup["owner"])
    path = reverse("engagements:invite", args=[invite_setup["engagement"].pk])
    data = {"consultant": invite_setup["consultant"].pk, "role": "participant"}
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(path, data)
        again = client.post(path, data)  # the browser retried, or a second click
    assert first.status_code == 302 and again.status_code == 400
    assert len(_ours()) == 1

    # The sweep finds the same reminder and records nothing new; sending it
    # again (a worker handed the row) finds it sent.
    result = services.reminders_sweep(now=MORNING + datetime.timedelta(minutes=5))
    assert result.per_kind.get("invitation_made", 0) == 0
    delivery = ReminderDelivery.objects.get(kind="invitation_made")
    assert services.delivery_send(delivery_id=delivery.pk) == "taken"
    assert len(_ours()) == 1


@pytest.mark.django_db
def test_quiet_hours_hold_it_until_morning(invite_setup, clock, django_capture_on_commit_callbacks):
    clock(NIGHT)
    with django_capture_on_commit_callbacks(execute=True):
        _invite(invite_setup)
    assert _ours() == []
    delivery = ReminderDelivery.objects.get(kind="invitation_made")
    morning = at(NIGHT.date() + datetime.timedelta(days=1), 8)
    assert delivery.status == D.PENDING and delivery.send_after == morning

    clock(morning + datetime.timedelta(minutes=1))
    # Handed out at night, never sent: the dispatcher picks it up in the morning.
    assert services.deliveries_dispatch() == [[delivery.pk]]
    assert services.delivery_send(delivery_id=delivery.pk) == "sent"
    assert len(_ours()) == 1


@pytest.mark.django_db
def test_her_choice_and_the_switch_are_respected(
    invite_setup, clock, django_capture_on_commit_callbacks, make_user
):
    clock(MORNING)
    ConsultantReminderPreference.objects.create(
        consultant=invite_setup["consultant"], kind="invitation_made", channel="none"
    )
    with django_capture_on_commit_callbacks(execute=True):
        participation = _invite(invite_setup)
    assert _ours() == []
    assert ReminderDelivery.objects.get(kind="invitation_made").reason == R.OPTED_OUT

    # Staff turned the kind off: nothing is even recorded.
    engagement_services.participation_revoke(participation=participation, by=invite_setup["owner"])
    ReminderSetting.objects.create(kind="invitation_made", enabled=False, offsets=[0])
    ConsultantReminderPreference.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        _invite(invite_setup)
    assert ReminderDelivery.objects.filter(kind="invitation_made").count() == 1
    assert _ours() == []


@pytest.mark.django_db
def test_a_failing_mail_server_costs_the_request_nothing(
    invite_setup, clock, django_capture_on_commit_callbacks, settings
):
    from tests.reminders.backends import FailingBackend

    settings.EMAIL_BACKEND = "tests.reminders.backends.FailingBackend"
    FailingBackend.failures = 1
    clock(MORNING)
    client = client_for(invite_setup["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("engagements:invite", args=[invite_setup["engagement"].pk]),
            {"consultant": invite_setup["consultant"].pk, "role": "participant"},
        )
    assert response.status_code == 302
    delivery = ReminderDelivery.objects.get(kind="invitation_made")
    assert (delivery.status, delivery.attempts) == (D.PENDING, 1)
    # The retry (a worker, later) sends it.
    clock(MORNING + datetime.timedelta(minutes=30))
    assert services.delivery_send(delivery_id=delivery.pk) == "sent"
    assert len(_ours()) == 1


@pytest.mark.django_db
def test_not_sent_when_no_longer_an_open_invitation(invite_setup, clock):
    clock(MORNING)
    participation = _invite(invite_setup)  # callbacks never run: the send is later
    delivery = ReminderDelivery.objects.get(kind="invitation_made")
    Participation.objects.filter(pk=participation.pk).update(status=P.FULL)
    assert services.delivery_send(delivery_id=delivery.pk) == D.SKIPPED
    delivery.refresh_from_db()
    assert delivery.reason == R.FULL
    assert _ours() == []


def test_the_kind_is_registered_with_an_offset_of_zero():
    assert invitations.KIND.timing.default == (0,)
    assert invitations.KIND.key == "invitation_made"


# --- Two staff at once ------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_staff_inviting_her_at_once_send_one_email(invite_setup, make_user):
    engagement = invite_setup["engagement"]
    manager = make_user(Role.PROGRAMME_MANAGER)
    barrier = threading.Barrier(2)
    results = []

    def invite(user_pk):
        def run():
            try:
                user = User.objects.get(pk=user_pk)
                barrier.wait(timeout=30)
                engagement_services.participation_invite(
                    engagement=engagement,
                    consultant=invite_setup["consultant"],
                    role="participant",
                    by=user,
                )
                results.append("invited")
            except Exception as error:
                results.append(type(error).__name__)
            finally:
                connection.close()

        return run

    threads = [threading.Thread(target=invite(pk)) for pk in (invite_setup["owner"].pk, manager.pk)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(results) == ["ConsultantExcluded", "invited"], results
    assert Participation.objects.filter(engagement=engagement).count() == 1
    assert ReminderDelivery.objects.filter(kind="invitation_made").count() == 1
    # Quiet hours may hold it until the morning; it is never sent twice.
    delivery = ReminderDelivery.objects.get(kind="invitation_made")
    assert len(_ours()) == (1 if delivery.status == D.SENT else 0)
    assert delivery.status in (D.SENT, D.PENDING)
