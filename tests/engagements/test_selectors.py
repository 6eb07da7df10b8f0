"""Reads: scoped, filtered, and a fixed number of queries at 10 and at 1,000."""

import datetime

import pytest
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from accounts.roles import Role
from engagements import selectors
from engagements.models import Engagement, Participation
from tests.consultants.factories import ConsultantFactory
from tests.engagements.factories import (
    MONDAY,
    DebriefFactory,
    EngagementFactory,
    FeedbackFactory,
    ParticipationFactory,
    at,
)

pytestmark = pytest.mark.django_db
S = Engagement.Status
P = Participation.Status


def _many(owner, count, consultant):
    rows = Engagement.objects.bulk_create(
        Engagement(
            title=f"Load {n}",
            type="roundtable" if n % 2 else "training",
            owner=owner,
            start=at(MONDAY, 10) + datetime.timedelta(days=n % 28, minutes=n),
            end=at(MONDAY, 12) + datetime.timedelta(days=n % 28, minutes=n),
            mode="online",
            audience="internal",
            status=S.STAFFING,
        )
        for n in range(count)
    )
    Participation.objects.bulk_create(
        Participation(
            engagement=engagement,
            consultant=consultant,
            role="participant",
            status=P.INVITED,
            period=DateTimeTZRange(engagement.start, engagement.end, "[)"),
            story_sharing="nothing",
            invited_by=owner,
        )
        for engagement in rows
    )


def _render(engagement) -> str:
    return (
        f"{engagement.title} {engagement.get_status_display()} {engagement.owner} "
        f"{engagement.confirmed_count}/{engagement.consultants_wanted} {engagement.invited_count}"
    )


@pytest.mark.parametrize("count", [10, 1000])
@pytest.mark.parametrize("persona", ["manager_user", "programme_staff_user"])
def test_list_query_count_is_the_same_at_10_and_1000(
    request, persona, count, django_assert_num_queries
):
    user = request.getfixturevalue(persona)
    _many(
        user if persona == "programme_staff_user" else EngagementFactory().owner,
        count,
        ConsultantFactory(),
    )
    with django_assert_num_queries(1):
        rows = [_render(e) for e in selectors.engagement_list(user=user, status=S.STAFFING)[:50]]
    assert len(rows) == min(count, 50)


def test_list_is_scoped_and_filtered(owner, make_user):
    mine = EngagementFactory(owner=owner, title="Mine", audience="public", type="training")
    assigned = EngagementFactory(title="Assigned", assigned_staff=[owner], requested_by="DSWD")
    EngagementFactory(title="Someone else's")
    assert {e.title for e in selectors.engagement_list(user=owner)} == {"Mine", "Assigned"}
    assert [e.title for e in selectors.engagement_list(user=owner, search="dswd")] == ["Assigned"]
    assert [e.title for e in selectors.engagement_list(user=owner, audience="public")] == ["Mine"]
    assert [e.title for e in selectors.engagement_list(user=owner, type="training")] == ["Mine"]
    assert [e.title for e in selectors.engagement_list(user=owner, owner=owner)] == ["Mine"]
    assert len(selectors.engagement_list(user=make_user(Role.PROGRAMME_MANAGER))) == 3
    assert len(selectors.engagement_list(user=make_user(Role.CONSULTANT))) == 0
    assert (
        selectors.engagement_list(user=owner, starts_from=MONDAY + datetime.timedelta(1)).count()
        == 0
    )
    assert selectors.engagement_list(user=owner, starts_until=MONDAY).count() == 2
    del mine, assigned


def test_wellbeing_lead_sees_engagements_of_their_consultants(wellbeing_user):
    from consultants import access as consultants_access

    participation = ParticipationFactory()
    EngagementFactory()
    assert selectors.engagement_list(user=wellbeing_user).count() == 0
    consultants_access.grant_wellbeing(wellbeing_user, participation.consultant)
    assert list(selectors.engagement_list(user=wellbeing_user)) == [participation.engagement]


def test_calendar_month_in_two_queries(manager_user, django_assert_num_queries):
    EngagementFactory(start=at(MONDAY, 10), end=at(MONDAY + datetime.timedelta(days=1), 12))
    EngagementFactory(start=at(datetime.date(2031, 5, 31), 22), end=at(MONDAY, 9))
    EngagementFactory(status=S.CANCELLED)
    with django_assert_num_queries(2):
        days = selectors.engagement_calendar(user=manager_user, year=2031, month=6)
        assert days[MONDAY].engagements[0].needs_people_again is False
    assert len(days) == 30
    assert days[datetime.date(2031, 6, 1)].count == 1
    assert days[MONDAY].count == 2
    assert days[MONDAY + datetime.timedelta(days=1)].count == 1
    assert not days[datetime.date(2031, 6, 30)]


def test_calendar_shows_the_first_few_of_a_busy_day_and_counts_the_rest(
    manager_user, django_assert_num_queries
):
    shown = selectors.CALENDAR_SHOWN_PER_DAY
    made = [
        EngagementFactory(start=at(MONDAY, 8 + n), end=at(MONDAY, 9 + n)) for n in range(shown + 4)
    ]
    # Two days long: counted on both days, shown first on the second.
    early = EngagementFactory(start=at(MONDAY - datetime.timedelta(days=1), 7), end=at(MONDAY, 1))
    with django_assert_num_queries(2):
        days = selectors.engagement_calendar(user=manager_user, year=2031, month=6)
    day = days[MONDAY]
    assert day.count == shown + 5
    assert [e.pk for e in day.engagements] == [early.pk] + [e.pk for e in made[: shown - 1]]
    assert day.more == 5
    assert days[MONDAY - datetime.timedelta(days=1)].count == 1


def test_detail_in_a_fixed_number_of_queries(owner, django_assert_num_queries):
    engagement = EngagementFactory(owner=owner, status=S.COMPLETED)
    for status in (P.ATTENDED, P.WITHDRAWN, P.DECLINED):
        ParticipationFactory(engagement=engagement, status=status)
    DebriefFactory(engagement=engagement)
    with django_assert_num_queries(6):
        detail = selectors.engagement_detail(engagement=engagement)
        assert len(detail.shown_participations) == 3  # who said no too
        assert [p.consultant.pseudonym for p in detail.shown_participations]
        assert detail.privacy_plan_or_none is None
        assert detail.debrief_list[0].author == owner


def test_consultant_lists(own_consultant, owner):
    now = timezone.now()
    future = EngagementFactory(owner=owner, status=S.STAFFING)
    confirmed = EngagementFactory(
        owner=owner, status=S.CONFIRMED, start=at(MONDAY + datetime.timedelta(days=7), 10)
    )
    past = EngagementFactory(
        owner=owner,
        status=S.CLOSED,
        start=now - datetime.timedelta(days=10),
        end=now - datetime.timedelta(days=10) + datetime.timedelta(hours=2),
    )
    invite = ParticipationFactory(engagement=future, consultant=own_consultant)
    upcoming = ParticipationFactory(
        engagement=confirmed, consultant=own_consultant, status=P.CONFIRMED
    )
    attended = ParticipationFactory(engagement=past, consultant=own_consultant, status=P.ATTENDED)
    FeedbackFactory(participation=attended)
    ParticipationFactory(engagement=future)  # someone else's
    assert list(selectors.consultant_invitations(consultant=own_consultant)) == [invite]
    assert list(selectors.consultant_upcoming(consultant=own_consultant)) == [upcoming]
    assert list(selectors.consultant_past(consultant=own_consultant)) == [attended]
    assert selectors.consultant_past(consultant=own_consultant)[0].has_feedback


def test_feedback_anonymous_hides_the_pseudonym(owner):
    engagement = EngagementFactory(owner=owner, status=S.COMPLETED)
    named = FeedbackFactory(
        participation=ParticipationFactory(engagement=engagement, status=P.ATTENDED)
    )
    FeedbackFactory(
        participation=ParticipationFactory(engagement=engagement, status=P.ATTENDED), anonymous=True
    )
    shown = sorted(str(f.shown_as) for f in selectors.engagement_feedback(engagement=engagement))
    assert shown == sorted([named.participation.consultant.pseudonym, "None"])


def test_staff_today(owner, manager_user, django_assert_num_queries):
    now = timezone.now()
    soon = EngagementFactory(
        owner=owner,
        status=S.STAFFING,
        start=now + datetime.timedelta(days=3),
        end=now + datetime.timedelta(days=3, hours=2),
    )
    ParticipationFactory(engagement=soon, status=P.ACCEPTED)
    EngagementFactory(
        owner=owner,
        status=S.CONFIRMED,
        start=now - datetime.timedelta(hours=3),
        end=now - datetime.timedelta(hours=1),
    )
    EngagementFactory(
        owner=owner,
        status=S.COMPLETED,
        start=now - datetime.timedelta(days=2),
        end=now - datetime.timedelta(days=2) + datetime.timedelta(hours=1),
    )
    EngagementFactory(owner=owner, status=S.SUBMITTED)
    with django_assert_num_queries(5):
        today = selectors.staff_today(user=owner)
    assert today.awaiting_approval == []
    assert today.starting_soon_unconfirmed == [soon]
    assert len(today.awaiting_confirmation) == 1
    assert len(today.to_complete) == 1
    assert len(today.debriefs_due) == 1
    assert today
    assert len(selectors.staff_today(user=manager_user).awaiting_approval) == 1
