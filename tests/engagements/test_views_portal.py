"""The consultant's engagement pages in the portal: answering, stepping back,
choosing what to share, feedback and the calendar file; bad and hostile
input (who reaches which page is test_portal_permission_matrix.py)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from engagements.models import Engagement, Feedback, Participation
from tests.engagements.factories import (
    MONDAY,
    EngagementFactory,
    ParticipationFactory,
    PrivacyPlanFactory,
    at,
)
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
S = Engagement.Status
P = Participation.Status


def url(view, participation=None):
    args = [participation.pk] if participation is not None else []
    return reverse(f"my_engagements:{view}", args=args)


def text(response) -> str:
    return response.content.decode()


@pytest.fixture
def invitation(own_consultant, owner):
    engagement = EngagementFactory(
        owner=owner,
        status=S.STAFFING,
        title="Youth roundtable",
        expected_contribution="Advise on the youth module.",
        online_link="https://meet.example.org/secret-room",
    )
    return ParticipationFactory(engagement=engagement, consultant=own_consultant, role="adviser")


@pytest.fixture
def client(consultant_user):
    return client_for(consultant_user)


# --- Lists ------------------------------------------------------------------------------


def test_invitations_and_engagements_are_the_consultants_own(client, invitation, make_consultant):
    ParticipationFactory(
        engagement=EngagementFactory(status=S.STAFFING, title="Someone else's"),
        consultant=make_consultant(),
    )
    page = text(client.get(url("invitations")))
    assert "Youth roundtable" in page and "waiting for your answer" in page
    assert "Someone else&#x27;s" not in page and "Someone else's" not in page
    index = text(client.get(url("index")))
    assert "1 invitation waiting for you" in index
    assert "Nothing coming up" in index
    # No script but safety.js (the exit shortcut; everything works without it).
    assert "<script" not in index.replace('<script src="/static/js/safety.js" defer></script>', "")


def test_empty_invitations_say_so_kindly(client, own_consultant):
    assert "No invitations right now" in text(client.get(url("invitations")))


def test_portal_home_links_to_engagements(client, own_consultant):
    page = text(client.get(reverse("portal:home")))
    assert url("invitations") in page and url("index") in page


# --- What they need to know --------------------------------------------------------------


def test_detail_says_what_they_need_to_know(client, invitation):
    engagement = invitation.engagement
    engagement.audience = "public"
    engagement.save(update_fields=["audience"])
    PrivacyPlanFactory(engagement=engagement, video="protected")
    page = text(client.get(url("detail", invitation)))
    assert "Monday 2 June 2031" in page and "10:00\N{EN DASH}12:00" in page  # Manila time
    assert "Philippine time" in page
    assert "Advise on the youth module." in page
    assert "Adviser" in page
    assert "Only your pseudonym is used." in page
    assert "Allowed, face or voice protected" in page
    assert "Secret Support Person" in page  # the plan's support person, theirs to know
    # The link is shown once they say yes.
    assert "secret-room" not in page
    assert "Saying no is always fine" in page
    assert f'action="{url("accept", invitation)}"' in page


def test_link_is_shown_once_accepted(client, invitation):
    client.post(url("accept", invitation))
    assert "secret-room" in text(client.get(url("detail", invitation)))


# --- Accepting and declining ---------------------------------------------------------------


def test_accept(client, invitation):
    response = client.post(url("accept", invitation), follow=True)
    assert "Thank you for saying yes." in text(response)
    invitation.refresh_from_db()
    assert invitation.status == P.ACCEPTED
    assert client.get(url("accept", invitation)).status_code == 405


def test_accepting_a_withdrawn_invitation_is_refused(client, invitation):
    Participation.objects.filter(pk=invitation.pk).update(status=P.REVOKED)
    response = client.post(url("accept", invitation))
    assert response.status_code == 400
    assert "it can no longer be accepted" in text(response)
    invitation.refresh_from_db()
    assert invitation.status == P.REVOKED


def test_accepting_twice_is_refused_the_second_time(client, invitation):
    client.post(url("accept", invitation))
    response = client.post(url("accept", invitation))
    assert response.status_code == 400
    assert invitation.changes.filter(to_status=P.ACCEPTED).count() == 1


def test_accepting_an_overlapping_engagement_is_refused(client, invitation, own_consultant):
    other = EngagementFactory(status=S.STAFFING, start=at(MONDAY, 11), end=at(MONDAY, 13))
    ParticipationFactory(engagement=other, consultant=own_consultant, status=P.ACCEPTED)
    response = client.post(url("accept", invitation))
    assert response.status_code == 400
    assert "already takes part in another engagement at that time" in text(response)
    invitation.refresh_from_db()
    assert invitation.status == P.INVITED


def test_decline_needs_no_reason(client, invitation):
    page = text(client.get(url("decline", invitation)))
    assert "You do not need to give a reason." in page
    assert "(optional)" in page
    response = client.post(url("decline", invitation), {"reason": ""}, follow=True)
    assert "Thank you for letting us know." in text(response)
    invitation.refresh_from_db()
    assert invitation.status == P.DECLINED and invitation.decline_reason == ""


def test_decline_with_a_reason_keeps_it(client, invitation):
    client.post(url("decline", invitation), {"reason": "Exams that week"})
    invitation.refresh_from_db()
    assert invitation.decline_reason == "Exams that week"


def test_decline_bad_input(client, invitation):
    response = client.post(url("decline", invitation), {"reason": "x" * 5000})
    assert response.status_code == 400
    assert "Please keep this to 2000 characters or fewer." in text(response)
    invitation.refresh_from_db()
    assert invitation.status == P.INVITED


# --- The right to stop ----------------------------------------------------------------------


def test_step_back_reassures_and_needs_no_reason(
    client, invitation, mailoutbox, django_capture_on_commit_callbacks
):
    client.post(url("accept", invitation))
    page = text(client.get(url("step_back", invitation)))
    assert "You do not need to give a reason" in page
    assert "The time you already gave is still paid." in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("step_back", invitation), {}, follow=True)
    assert "You have stepped back. That is completely fine." in text(response)
    invitation.refresh_from_db()
    assert invitation.status == P.WITHDRAWN and invitation.withdrawal_reason == ""
    assert len(mailoutbox) == 1
    assert "Youth roundtable" not in mailoutbox[0].subject
    # The detail page now says so, and offers nothing more.
    page = text(client.get(url("detail", invitation)))
    assert "You stepped back from this engagement." in page
    assert url("step_back", invitation) not in page


def test_step_back_during_the_engagement(client, own_consultant, owner):
    start = timezone.now() - datetime.timedelta(minutes=30)
    engagement = EngagementFactory(
        owner=owner, status=S.CONFIRMED, start=start, end=start + datetime.timedelta(hours=2)
    )
    participation = ParticipationFactory(
        engagement=engagement, consultant=own_consultant, status=P.CONFIRMED
    )
    assert url("step_back", participation) in text(client.get(url("detail", participation)))
    client.post(url("step_back", participation), {"reason": "Not feeling well"})
    participation.refresh_from_db()
    assert participation.status == P.WITHDRAWN


def test_step_back_after_the_end_is_refused(client, own_consultant, owner):
    start = timezone.now() - datetime.timedelta(days=2)
    engagement = EngagementFactory(
        owner=owner, status=S.COMPLETED, start=start, end=start + datetime.timedelta(hours=2)
    )
    participation = ParticipationFactory(
        engagement=engagement, consultant=own_consultant, status=P.ATTENDED
    )
    response = client.post(url("step_back", participation), {})
    assert response.status_code == 400
    participation.refresh_from_db()
    assert participation.status == P.ATTENDED


# --- Story sharing ---------------------------------------------------------------------------


def test_story_sharing_per_engagement(client, invitation):
    page = text(client.get(url("sharing", invitation)))
    assert "You never have to share your personal story." in page
    client.post(url("sharing", invitation), {"story_sharing": "chosen", "note": "Only school"})
    invitation.refresh_from_db()
    assert invitation.story_sharing == "chosen" and invitation.story_sharing_note == "Only school"
    client.post(url("sharing", invitation), {"story_sharing": "nothing", "note": "ignored"})
    invitation.refresh_from_db()
    assert invitation.story_sharing == "nothing" and invitation.story_sharing_note == ""


@pytest.mark.parametrize("data", [{}, {"story_sharing": "everything"}])
def test_story_sharing_bad_input(client, invitation, data):
    assert client.post(url("sharing", invitation), data).status_code == 400
    invitation.refresh_from_db()
    assert invitation.story_sharing == "nothing"


# --- Feedback ----------------------------------------------------------------------------------


SCORES = {
    "felt_safe": 5,
    "felt_respected": 5,
    "was_prepared": 4,
    "paid_fairly": 3,
    "would_again": 5,
}


@pytest.fixture
def attended(own_consultant, owner):
    start = timezone.now() - datetime.timedelta(days=3)
    engagement = EngagementFactory(
        owner=owner, status=S.COMPLETED, start=start, end=start + datetime.timedelta(hours=2)
    )
    return ParticipationFactory(engagement=engagement, consultant=own_consultant, status=P.ATTENDED)


def test_feedback_after_completion(client, attended):
    detail = text(client.get(url("detail", attended)))
    assert url("feedback", attended) in detail
    response = client.post(
        url("feedback", attended), {**SCORES, "comments": "Well run", "anonymous": "on"}
    )
    assert response.status_code == 302
    feedback = Feedback.objects.get()
    assert feedback.anonymous and feedback.paid_fairly == 3 and feedback.comments == "Well run"
    # Once only.
    response = client.post(url("feedback", attended), SCORES)
    assert response.status_code == 400
    assert "You have already given feedback" in text(response)
    assert Feedback.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Please choose one."),
        ({**SCORES, "felt_safe": 9}, "Please choose one of the options shown."),
        ({**SCORES, "would_again": "<b>"}, "Please choose one of the options shown."),
        ({**SCORES, "comments": "x" * 5000}, "characters or fewer."),
    ],
)
def test_feedback_bad_input(client, attended, data, message):
    response = client.post(url("feedback", attended), data)
    assert response.status_code == 400
    assert message in text(response)
    assert "This field is required" not in text(response)
    assert not Feedback.objects.exists()


def test_feedback_before_completion_is_refused(client, invitation):
    page = text(client.get(url("feedback", invitation)))
    assert "Feedback opens once the engagement is over" in page
    response = client.post(url("feedback", invitation), SCORES)
    assert response.status_code == 400
    assert not Feedback.objects.exists()


# --- The calendar file ----------------------------------------------------------------------------


def test_ics_is_discreet(client, invitation):
    response = client.get(url("ics", invitation))
    body = response.content.decode()
    assert response["Content-Disposition"] == 'attachment; filename="tinig-meeting.ics"'
    assert "SUMMARY:Tinig meeting" in body
    assert "DTSTART:20310602T020000Z" in body
    assert "Youth roundtable" not in body and "secret-room" not in body
