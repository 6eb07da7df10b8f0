"""The dashboard's "needs people" card counts places the way it always did
(fewer invited, accepted or confirmed than wanted) now that it asks "is
there a wanted-th one?" instead of counting them all, and its count of all
and its rows agree; the "debriefs to write" card's count too."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from accounts.roles import Role
from engagements.models import Debrief, Engagement, Participation
from engagements.selectors import debriefs_missing_card, needing_people_card, needs_people
from tests.engagements.factories import EngagementFactory, ParticipationFactory

pytestmark = pytest.mark.django_db
S = Engagement.Status
P = Participation.Status


def _upcoming(title: str, *, wanted: int, holding: list[str], status: str = S.STAFFING):
    start = timezone.now() + datetime.timedelta(days=10 + len(title))
    engagement = EngagementFactory(
        title=title,
        status=status,
        consultants_wanted=wanted,
        start=start,
        end=start + datetime.timedelta(hours=2),
    )
    for participation_status in holding:
        ParticipationFactory(engagement=engagement, status=participation_status)
    return engagement


def test_fewer_holding_a_place_than_wanted_and_only_those(make_user):
    manager = make_user(Role.PROGRAMME_MANAGER)
    short = [
        _upcoming("none of one", wanted=1, holding=[]),
        _upcoming("two of three", wanted=3, holding=[P.INVITED, P.ACCEPTED]),
        # Declined and stepped back hold no place.
        _upcoming("one of two", wanted=2, holding=[P.CONFIRMED, P.DECLINED, P.WITHDRAWN]),
        _upcoming("confirmed, one of two", wanted=2, holding=[P.CONFIRMED], status=S.CONFIRMED),
    ]
    # Full, over-full, not staffing, or past: not on the card.
    _upcoming("three of three", wanted=3, holding=[P.INVITED, P.ACCEPTED, P.CONFIRMED])
    _upcoming("two of one", wanted=1, holding=[P.INVITED, P.CONFIRMED])
    _upcoming("approved", wanted=2, holding=[], status=S.APPROVED)
    past = _upcoming("past", wanted=2, holding=[])
    Engagement.objects.filter(pk=past.pk).update(
        start=timezone.now() - datetime.timedelta(days=2),
        end=timezone.now() - datetime.timedelta(days=2) + datetime.timedelta(hours=2),
    )

    card = needing_people_card(user=manager, limit=10)
    assert card is not None
    assert {row.pk for row in card.rows} == {engagement.pk for engagement in short}
    assert card.count == len(short)
    people = {row.title: (row.people, row.said_yes) for row in card.rows}
    assert people["two of three"] == (2, 1)
    assert people["one of two"] == (1, 1)
    # The same answer as counting and comparing, engagement by engagement.
    holding = {P.INVITED, P.ACCEPTED, P.CONFIRMED}
    counted = [
        engagement.pk
        for engagement in Engagement.objects.filter(
            status__in=[S.STAFFING, S.CONFIRMED], start__gt=timezone.now()
        )
        if engagement.participations.filter(status__in=holding).count()
        < engagement.consultants_wanted
    ]
    assert sorted(counted) == sorted(engagement.pk for engagement in short)
    assert sorted(
        needs_people(Engagement.objects.filter(start__gt=timezone.now())).values_list(
            "pk", flat=True
        )
    ) == sorted(counted)

    first = needing_people_card(user=manager, limit=2)
    assert first is not None
    assert len(first.rows) == 2 and first.count == len(short) and first.more == 2


def test_debriefs_counted_over_all_beside_the_first_rows(make_user):
    manager = make_user(Role.PROGRAMME_MANAGER)
    now = timezone.now()
    done = [
        EngagementFactory(
            title=f"Done {i}",
            status=S.COMPLETED,
            start=now - datetime.timedelta(days=10 - i),
            end=now - datetime.timedelta(days=10 - i) + datetime.timedelta(hours=2),
        )
        for i in range(4)
    ]
    Debrief.objects.create(engagement=done[0], author=manager, note="Went well")

    card = debriefs_missing_card(user=manager, limit=2)
    assert card is not None
    assert [row.pk for row in card.rows] == [done[1].pk, done[2].pk]
    assert card.count == 3
