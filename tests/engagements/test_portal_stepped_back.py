"""Stepping back and saying no have their own place on her engagements
page: never "Before" while the engagement is still to come. And the
selectors the portal home asks (her next engagement, the invitation count)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from engagements import selectors
from engagements.models import Engagement, Participation
from tests.engagements.factories import MONDAY, EngagementFactory, ParticipationFactory, at
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
S = Engagement.Status
P = Participation.Status


def _on(owner, consultant, *, days=0, status=P.CONFIRMED, state=S.CONFIRMED, title=None):
    start = at(MONDAY + datetime.timedelta(days=days), 10)
    engagement = EngagementFactory(
        owner=owner,
        status=state,
        start=start,
        end=start + datetime.timedelta(hours=2),
        **({"title": title} if title else {}),
    )
    return ParticipationFactory(engagement=engagement, consultant=consultant, status=status)


def _past(owner, consultant, *, status, title):
    start = timezone.now() - datetime.timedelta(days=10)
    engagement = EngagementFactory(
        owner=owner,
        status=S.COMPLETED,
        start=start,
        end=start + datetime.timedelta(hours=2),
        title=title,
    )
    return ParticipationFactory(engagement=engagement, consultant=consultant, status=status)


def test_stepped_back_and_declined_are_neither_upcoming_nor_before(own_consultant, owner):
    future_withdrawn = _on(owner, own_consultant, status=P.WITHDRAWN)
    declined = _on(owner, own_consultant, days=7, status=P.DECLINED, state=S.STAFFING)
    past_withdrawn = _past(owner, own_consultant, status=P.WITHDRAWN, title="Old one")
    attended = _past(owner, own_consultant, status=P.ATTENDED, title="Took part")
    confirmed = _on(owner, own_consultant, days=14)

    assert list(selectors.consultant_upcoming(consultant=own_consultant)) == [confirmed]
    assert list(selectors.consultant_past(consultant=own_consultant)) == [attended]
    assert list(selectors.consultant_stepped_back(consultant=own_consultant)) == [
        declined,
        future_withdrawn,
        past_withdrawn,
    ]


def test_the_engagements_page_has_a_place_for_stepping_back(own_consultant, consultant_user, owner):
    _on(owner, own_consultant, status=P.WITHDRAWN, title="Stepped back from")
    _on(owner, own_consultant, days=7, status=P.DECLINED, state=S.STAFFING, title="Said no to")
    _past(owner, own_consultant, status=P.ATTENDED, title="Took part in")
    page = client_for(consultant_user).get(reverse("my_engagements:index")).content.decode()
    place = page.index("You stepped back or said no")
    before = page.index("<h2>Before</h2>")
    assert place < page.index("Stepped back from") < before
    assert place < page.index("Said no to") < before
    assert "you stepped back" in page and "you said no" in page
    assert page.index("Took part in") > before


def test_no_place_when_she_never_stepped_back(own_consultant, consultant_user):
    page = client_for(consultant_user).get(reverse("my_engagements:index")).content.decode()
    assert "You stepped back or said no" not in page


def test_next_is_what_she_said_yes_to_then_an_invitation(
    own_consultant, owner, django_assert_num_queries
):
    with django_assert_num_queries(1):
        assert selectors.consultant_next(consultant=own_consultant) is None
    invitation = _on(owner, own_consultant, status=P.INVITED, state=S.STAFFING)
    later = _on(owner, own_consultant, days=14, status=P.INVITED, state=S.STAFFING)
    assert selectors.consultant_next(consultant=own_consultant) == invitation
    booked = _on(owner, own_consultant, days=7, status=P.ACCEPTED, state=S.STAFFING)
    sooner = _on(owner, own_consultant, days=3)
    _on(owner, own_consultant, days=1, status=P.WITHDRAWN)
    _on(owner, own_consultant, days=2, status=P.CONFIRMED, state=S.CANCELLED)
    with django_assert_num_queries(1):
        upcoming = selectors.consultant_next(consultant=own_consultant)
        assert upcoming == sooner and upcoming.engagement.title
    assert booked and later


def test_invitation_count(own_consultant, owner, django_assert_num_queries):
    _on(owner, own_consultant, status=P.INVITED, state=S.STAFFING)
    _on(owner, own_consultant, days=2, status=P.INVITED, state=S.STAFFING)
    _on(owner, own_consultant, days=4, status=P.INVITED, state=S.APPROVED)  # not answerable
    _on(owner, own_consultant, days=6, status=P.DECLINED, state=S.STAFFING)
    ParticipationFactory(engagement=EngagementFactory(owner=owner, status=S.STAFFING))
    with django_assert_num_queries(1):
        assert selectors.consultant_invitation_count(consultant=own_consultant) == 2
    assert selectors.consultant_invitations(consultant=own_consultant).count() == 2
