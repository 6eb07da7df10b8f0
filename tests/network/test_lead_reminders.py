"""Leaders are told when a request waits for their review (the reminder
kind ``review_requested``, network/reminders.py): a request submitted with
an audience the network reviews → each leader gets one discreet message
linking to the request in her area, a plain consultant none → she reviews
→ nothing more for that submission; submitted again, a new one; an ended
leadership, none. The kind is offered in a leader's preferences only."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts.roles import Role
from engagements import workflow
from engagements.models import Audience, Engagement
from network.services.leaders import leader_end
from reminders import registry, services
from reminders.models import ConsultantReminderPreference, ReminderDelivery
from tests.consultants.factories import ConsultantFactory
from tests.engagements.factories import EngagementFactory, at
from tests.helpers import client_for
from tests.network.lead_world import make_leader, make_network, mfa_client

pytestmark = pytest.mark.django_db

KEY = "review_requested"
# A weekday morning in Manila, outside quiet hours.
MORNING = at(datetime.date(2031, 5, 20), 10)
D = ReminderDelivery.Status


@pytest.fixture
def morning():
    with time_machine.travel(MORNING, tick=True):
        mail.outbox = []
        yield


@pytest.fixture
def world(morning, make_user, manager_user, programme_staff_user):
    network = make_network()
    leader_user, leadership = make_leader(make_user, network, manager_user, pseudonym="Liwayway")
    consultant = leadership.consultant
    consultant.message_name = "Ising"
    consultant.email = "leader@example.net"
    consultant.legal_name = "Maria Secret Legal"
    consultant.save()
    plain_user = make_user(Role.CONSULTANT)
    plain = ConsultantFactory(user=plain_user, email="plain@example.net")
    return {
        "network": network,
        "leader_user": leader_user,
        "leadership": leadership,
        "leader": consultant,
        "plain_user": plain_user,
        "plain": plain,
        "manager": manager_user,
        "staff": programme_staff_user,
    }


def _submit(engagement, by, capture) -> None:
    with capture(execute=True):
        workflow.engagement_transition(engagement=engagement, name="submit", by=by)
    engagement.refresh_from_db()


def _media_request(world, capture) -> Engagement:
    engagement = EngagementFactory(
        owner=world["staff"],
        title="Radio feature on online safety",
        audience=Audience.MEDIA,
        type="media_interview",
    )
    _submit(engagement, world["staff"], capture)
    return engagement


def _to(address: str) -> list:
    return [m for m in mail.outbox if m.to == [address]]


def _send_back(engagement) -> None:
    # The workflow has no "send back" yet: a request returned to its
    # owner, as one would be, so that it can be submitted again.
    Engagement.objects.filter(pk=engagement.pk).update(status=Engagement.Status.DRAFT)


def test_the_loop_told_once_reviewed_then_quiet(
    world, django_capture_on_commit_callbacks, settings
):
    engagement = _media_request(world, django_capture_on_commit_callbacks)

    (message,) = _to("leader@example.net")
    assert _to("plain@example.net") == []
    assert message.subject == "Tinig: a request is waiting for your review"
    link = reverse("lead:request", args=[engagement.pk])
    assert link in message.body
    assert "Hello Ising," in message.body
    # Discreet: nothing about the work, its audience or anyone.
    for secret in ("Radio", "online safety", "media", "Media", "Maria", "Legal", "interview"):
        assert secret not in message.body and secret not in message.subject
    delivery = ReminderDelivery.objects.get(kind=KEY)
    assert (delivery.status, delivery.consultant_id) == (D.SENT, world["leader"].pk)
    submission = engagement.transitions.get(to_status=Engagement.Status.SUBMITTED)
    assert delivery.due_at == submission.at

    # She follows the link and reviews.
    client = mfa_client(world["leader_user"])
    assert client.get(link).status_code == 200
    response = client.post(
        reverse("lead:review", args=[engagement.pk]),
        {"recommendation": "recommend", "changes": "", "notes": ""},
    )
    assert response.status_code == 302

    # A later sweep sends nothing more for it.
    later = MORNING + datetime.timedelta(minutes=30)
    result = services.reminders_sweep(now=later)
    assert result.per_kind.get(KEY, 0) == 0
    assert services.deliveries_dispatch(now=later) == []
    assert len(_to("leader@example.net")) == 1


def test_a_reminder_not_yet_sent_is_skipped_once_she_reviewed(
    world, django_capture_on_commit_callbacks
):
    from network.services.reviews import review_give

    engagement = EngagementFactory(owner=world["staff"], audience=Audience.MEDIA)
    with django_capture_on_commit_callbacks(execute=False):
        workflow.engagement_transition(engagement=engagement, name="submit", by=world["staff"])
    engagement.refresh_from_db()
    review_give(engagement=engagement, by=world["leader_user"], recommendation="recommend")
    delivery = ReminderDelivery.objects.get(kind=KEY)
    services.delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.reason) == (D.SKIPPED, ReminderDelivery.Reason.NOT_DUE)
    assert mail.outbox == []


def test_submitted_again_after_being_sent_back_is_a_new_message(
    world, django_capture_on_commit_callbacks
):
    from network.services.reviews import review_give

    engagement = _media_request(world, django_capture_on_commit_callbacks)
    review_give(engagement=engagement, by=world["leader_user"], recommendation="recommend")
    assert len(_to("leader@example.net")) == 1

    _send_back(engagement)
    with time_machine.travel(MORNING + datetime.timedelta(hours=2), tick=True):
        _submit(engagement, world["staff"], django_capture_on_commit_callbacks)
    assert len(_to("leader@example.net")) == 2
    assert ReminderDelivery.objects.filter(kind=KEY, status=D.SENT).count() == 2


def test_an_earlier_submission_still_pending_is_not_sent(world, django_capture_on_commit_callbacks):
    engagement = EngagementFactory(owner=world["staff"], audience=Audience.MEDIA)
    with django_capture_on_commit_callbacks(execute=False):
        workflow.engagement_transition(engagement=engagement, name="submit", by=world["staff"])
    first = ReminderDelivery.objects.get(kind=KEY)
    _send_back(engagement)
    with time_machine.travel(MORNING + datetime.timedelta(hours=1), tick=True):
        _submit(engagement, world["staff"], django_capture_on_commit_callbacks)
        services.delivery_send(delivery_id=first.pk)
    first.refresh_from_db()
    assert first.status == D.SKIPPED
    assert len(_to("leader@example.net")) == 1  # the second submission's


def test_no_message_without_an_open_leadership_or_for_other_audiences(
    world, django_capture_on_commit_callbacks
):
    leader_end(leadership=world["leadership"], by=world["manager"])
    _media_request(world, django_capture_on_commit_callbacks)
    internal = EngagementFactory(owner=world["staff"], audience="internal")
    _submit(internal, world["staff"], django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert not ReminderDelivery.objects.filter(kind=KEY).exists()
    later = MORNING + datetime.timedelta(minutes=30)
    assert services.reminders_sweep(now=later).per_kind.get(KEY, 0) == 0


def test_a_leadership_ended_before_sending_skips_it(world, django_capture_on_commit_callbacks):
    engagement = EngagementFactory(owner=world["staff"], audience=Audience.MEDIA)
    with django_capture_on_commit_callbacks(execute=False):
        workflow.engagement_transition(engagement=engagement, name="submit", by=world["staff"])
    leader_end(leadership=world["leadership"], by=world["manager"])
    delivery = ReminderDelivery.objects.get(kind=KEY)
    services.delivery_send(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status in (D.SKIPPED, D.VOID)
    assert mail.outbox == []


def test_the_sweep_finds_a_submission_the_receiver_missed(
    world, django_capture_on_commit_callbacks
):
    engagement = _media_request(world, django_capture_on_commit_callbacks)
    ReminderDelivery.objects.filter(kind=KEY).delete()
    result = services.reminders_sweep(now=MORNING + datetime.timedelta(minutes=5))
    assert result.per_kind[KEY] == 1
    delivery = ReminderDelivery.objects.get(kind=KEY)
    assert (delivery.engagement_id, delivery.consultant_id) == (engagement.pk, world["leader"].pk)


def test_in_her_language(world, django_capture_on_commit_callbacks):
    world["leader_user"].language = "fil"
    world["leader_user"].save(update_fields=["language"])
    _media_request(world, django_capture_on_commit_callbacks)
    (message,) = _to("leader@example.net")
    assert message.subject == "Tinig: may request na naghihintay ng pagsusuri mo"
    assert "Ising" in message.body


# --- Offered to leaders only ----------------------------------------------------------------


def test_offered_in_a_leaders_preferences_and_not_a_plain_consultants(world):
    kind = registry.get_kind(KEY)
    assert kind.is_offered_to(world["leader_user"])
    assert not kind.is_offered_to(world["plain_user"])
    path = reverse("my_reminders:preferences")
    leader_page = client_for(world["leader_user"]).get(path)
    assert leader_page.status_code == 200
    assert f'name="{KEY}"' in leader_page.content.decode()
    plain_page = client_for(world["plain_user"]).get(path)
    assert plain_page.status_code == 200
    assert f'name="{KEY}"' not in plain_page.content.decode()
    assert 'name="invitation_made"' in plain_page.content.decode()


def test_a_plain_consultant_cannot_choose_about_it(world):
    data = {k.key: "email" for k in registry.kinds_offered_to(world["plain_user"], "consultant")}
    data[KEY] = "none"
    response = client_for(world["plain_user"]).post(reverse("my_reminders:preferences"), data)
    assert response.status_code == 302
    assert not ConsultantReminderPreference.objects.filter(kind=KEY).exists()
    with pytest.raises(ValidationError):
        services.consultant_preferences_save(
            consultant=world["plain"], choices={KEY: "none"}, by=world["plain_user"]
        )
    assert not ConsultantReminderPreference.objects.filter(kind=KEY).exists()


def test_a_leader_may_turn_it_off(world, django_capture_on_commit_callbacks):
    services.consultant_preferences_save(
        consultant=world["leader"], choices={KEY: "none"}, by=world["leader_user"]
    )
    _media_request(world, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert ReminderDelivery.objects.get(kind=KEY).reason == ReminderDelivery.Reason.OPTED_OUT


def test_the_staff_log_filter_still_lists_it(world):
    from reminders.forms import LogFilterForm

    assert KEY in dict(LogFilterForm().fields["kind"].choices)


def test_offering_it_costs_her_preferences_page_no_query(world):
    """The leader check reads the roles the page has already read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    path = reverse("my_reminders:preferences")
    counts = []
    for user in (world["plain_user"], world["leader_user"]):
        client = client_for(user)
        client.get(path)  # warm: the session, the site
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        counts.append(len(captured))
    assert counts[0] == counts[1]
