"""Matching: every exclusion with its reason, the fair ranking, and a fixed
number of queries whatever the number of consultants and engagements."""

import datetime

import pytest
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone

from consultants import services as consultant_services
from consultants.models import ConsentScope, Consultant, Language
from engagements import matching
from engagements.models import Audience, Engagement, EngagementType, Participation, PrivacyPlan
from tests.consultants.factories import BusyPeriodFactory, ExpertiseTopicFactory
from tests.engagements.factories import (
    MONDAY,
    EngagementFactory,
    ParticipationFactory,
    PrivacyPlanFactory,
    at,
)
from tests.fixtures import EVERYDAY

pytestmark = pytest.mark.django_db
P = Participation.Status


def _codes(result, consultant):
    for candidate in result.excluded:
        if candidate.consultant.pk == consultant.pk:
            return candidate.exclusion_codes
    return set()


def _suggested(result):
    return [candidate.consultant.pseudonym for candidate in result.suggestions]


def test_a_free_consultant_is_suggested_with_reasons_in_words(make_consultant, staffing):
    topic = ExpertiseTopicFactory(name="Lawmaking advice")
    staffing.expertise.set([topic])
    staffing.languages = [Language.CEBUANO]
    staffing.save()
    make_consultant(pseudonym="Amihan", expertise=[topic], spoken_languages=["ceb", "fil"])
    result = matching.match(engagement=staffing)
    assert _suggested(result) == ["Amihan"]
    reasons = " ".join(result.suggestions[0].reasons)
    assert "Lawmaking advice" in reasons
    assert "Cebuano" in reasons
    assert "Free at that time" in reasons
    assert "No engagements in the last 90 days" in reasons
    assert result.excluded == []


@pytest.mark.parametrize(
    ("status", "break_until", "code"),
    [
        (Consultant.Status.ONBOARDING, None, matching.NOT_ACTIVE),
        (Consultant.Status.ALUMNI, None, matching.NOT_ACTIVE),
        (Consultant.Status.ON_BREAK, MONDAY, matching.ON_BREAK),
    ],
)
def test_not_active_or_on_a_break_is_excluded(make_consultant, staffing, status, break_until, code):
    consultant = make_consultant(status=status, break_until=break_until)
    result = matching.match(engagement=staffing)
    assert _codes(result, consultant) == {code}
    assert _suggested(result) == []


def test_a_break_that_ends_before_the_engagement_does_not_exclude(make_consultant, staffing):
    consultant = make_consultant(
        status=Consultant.Status.ON_BREAK, break_until=MONDAY - datetime.timedelta(days=1)
    )
    assert _suggested(matching.match(engagement=staffing)) == [consultant.pseudonym]


def test_over_the_monthly_limit_is_excluded(make_consultant, staffing):
    consultant = make_consultant(monthly_engagement_limit=1)
    earlier = EngagementFactory(start=at(MONDAY - datetime.timedelta(days=1), 10))
    ParticipationFactory(engagement=earlier, consultant=consultant, status=P.CONFIRMED)
    result = matching.match(engagement=staffing)
    assert _codes(result, consultant) == {matching.OVER_MONTHLY_LIMIT}
    message = result.excluded[0].exclusions[0].message
    assert "June 2031" in message
    assert "limit is 1" in message


def test_engagements_in_another_month_or_not_booked_do_not_count(make_consultant, staffing):
    consultant = make_consultant(monthly_engagement_limit=1)
    other_month = EngagementFactory(start=at(datetime.date(2031, 5, 26), 10))
    ParticipationFactory(engagement=other_month, consultant=consultant, status=P.CONFIRMED)
    same_month = EngagementFactory(start=at(datetime.date(2031, 6, 10), 10))
    for status in (P.INVITED, P.DECLINED, P.WITHDRAWN, P.CANCELLED):
        ParticipationFactory(engagement=same_month, consultant=consultant, status=status)
        Participation.objects.filter(status=status).update(status=P.DECLINED)
    assert _suggested(matching.match(engagement=staffing)) == [consultant.pseudonym]


def test_a_busy_period_on_those_dates_excludes(make_consultant, staffing):
    consultant = make_consultant()
    BusyPeriodFactory(consultant=consultant, kind="exams", starts_on=MONDAY, ends_on=MONDAY)
    result = matching.match(engagement=staffing)
    assert _codes(result, consultant) == {matching.BUSY}
    assert "Exams" in result.excluded[0].exclusions[0].message


def test_a_busy_period_on_other_dates_does_not(make_consultant, staffing):
    consultant = make_consultant()
    BusyPeriodFactory(
        consultant=consultant,
        starts_on=MONDAY + datetime.timedelta(days=1),
        ends_on=MONDAY + datetime.timedelta(days=5),
    )
    assert _suggested(matching.match(engagement=staffing)) == [consultant.pseudonym]


@pytest.mark.parametrize(
    "windows",
    [
        (),  # no availability given
        ((1, datetime.time(8), datetime.time(18)),),  # Tuesdays only
        ((0, datetime.time(11), datetime.time(18)),),  # Mondays, but from 11:00
        ((0, datetime.time(8), datetime.time(11)),),  # Mondays, until 11:00
    ],
)
def test_outside_weekly_availability_is_excluded(make_consultant, staffing, windows):
    consultant = make_consultant(windows=windows)
    assert _codes(matching.match(engagement=staffing), consultant) == {
        matching.OUTSIDE_AVAILABILITY
    }


def test_touching_windows_join_up(make_consultant, staffing):
    consultant = make_consultant(
        windows=(
            (0, datetime.time(9), datetime.time(11)),
            (0, datetime.time(11), datetime.time(13)),
        )
    )
    assert _suggested(matching.match(engagement=staffing)) == [consultant.pseudonym]


def test_a_multi_day_engagement_needs_a_window_each_day(make_consultant, owner):
    engagement = EngagementFactory(
        owner=owner,
        status=Engagement.Status.STAFFING,
        start=at(MONDAY, 9),
        end=at(MONDAY + datetime.timedelta(days=1), 17),
    )
    monday_only = make_consultant()
    both = make_consultant(
        windows=(
            (0, datetime.time(9), datetime.time(17)),
            (1, datetime.time(9), datetime.time(17)),
        )
    )
    result = matching.match(engagement=engagement)
    assert _suggested(result) == [both.pseudonym]
    assert _codes(result, monday_only) == {matching.OUTSIDE_AVAILABILITY}


def test_already_booked_on_an_overlapping_engagement_is_excluded(make_consultant, staffing):
    consultant = make_consultant(monthly_engagement_limit=5)
    other = EngagementFactory(start=at(MONDAY, 11), end=at(MONDAY, 13))
    ParticipationFactory(engagement=other, consultant=consultant, status=P.ACCEPTED)
    assert _codes(matching.match(engagement=staffing), consultant) == {matching.DOUBLE_BOOKED}


def test_an_overlapping_invitation_only_does_not_exclude(make_consultant, staffing):
    consultant = make_consultant()
    other = EngagementFactory(start=at(MONDAY, 11), end=at(MONDAY, 13))
    ParticipationFactory(engagement=other, consultant=consultant, status=P.INVITED)
    assert _suggested(matching.match(engagement=staffing)) == [consultant.pseudonym]


def test_missing_participation_consent_excludes(make_consultant, staffing):
    consultant = make_consultant(scopes=(ConsentScope.DATA_PROCESSING,))
    result = matching.match(engagement=staffing)
    assert _codes(result, consultant) == {matching.MISSING_CONSENT}
    assert "Programme participation" in result.excluded[0].exclusions[0].message


def test_withdrawn_consent_excludes(make_consultant, staffing, manager_user):
    consultant = make_consultant()
    consultant_services.consent_withdraw(
        consultant=consultant, scope=ConsentScope.PARTICIPATION, by=manager_user
    )
    assert _codes(matching.match(engagement=staffing), consultant) == {matching.MISSING_CONSENT}


@pytest.mark.parametrize(
    ("audience", "type_", "needed"),
    [
        # Appearing before an outside audience is a consent of its own,
        # distinct from being quoted (which comes with the media).
        (Audience.PUBLIC, EngagementType.CONFERENCE, {ConsentScope.PUBLIC_EVENTS}),
        (Audience.GOVERNMENT, EngagementType.LEGISLATIVE_HEARING, {ConsentScope.PUBLIC_EVENTS}),
        (
            Audience.MEDIA,
            EngagementType.MEDIA_INTERVIEW,
            {ConsentScope.PUBLIC_EVENTS, ConsentScope.QUOTING, ConsentScope.MEDIA},
        ),
        (
            Audience.PARTNERS,
            EngagementType.MEDIA_INTERVIEW,
            {ConsentScope.QUOTING, ConsentScope.MEDIA},
        ),
    ],
)
def test_exposed_audiences_need_their_consents(make_consultant, owner, audience, type_, needed):
    engagement = EngagementFactory(
        owner=owner, status=Engagement.Status.STAFFING, audience=audience, type=type_
    )
    everyday = make_consultant()
    ready = make_consultant(scopes=(*EVERYDAY, *needed))
    result = matching.match(engagement=engagement)
    assert set(result.required_scopes) == {*EVERYDAY, *needed}
    assert _suggested(result) == [ready.pseudonym]
    assert _codes(result, everyday) == {matching.MISSING_CONSENT}


@pytest.mark.parametrize(
    ("field", "scope"),
    [("photo", ConsentScope.PHOTO), ("video", ConsentScope.VIDEO), ("audio", ConsentScope.AUDIO)],
)
def test_recording_rules_in_the_privacy_plan_need_recording_consent(
    make_consultant, staffing, field, scope
):
    PrivacyPlanFactory(engagement=staffing, **{field: PrivacyPlan.Recording.PROTECTED})
    without = make_consultant()
    with_consent = make_consultant(scopes=(*EVERYDAY, scope))
    result = matching.match(engagement=staffing)
    assert _suggested(result) == [with_consent.pseudonym]
    assert _codes(result, without) == {matching.MISSING_CONSENT}
    assert str(ConsentScope(scope).label) in result.excluded[0].exclusions[0].message


def test_already_on_the_engagement_is_listed_apart(make_consultant, staffing):
    consultant = make_consultant()
    ParticipationFactory(engagement=staffing, consultant=consultant, status=P.INVITED)
    assert _codes(matching.match(engagement=staffing), consultant) == {matching.ALREADY_INVITED}


def test_every_reason_is_given_not_only_the_first(make_consultant, staffing):
    consultant = make_consultant(
        status=Consultant.Status.ALUMNI, windows=(), scopes=(ConsentScope.DATA_PROCESSING,)
    )
    assert _codes(matching.match(engagement=staffing), consultant) == {
        matching.NOT_ACTIVE,
        matching.OUTSIDE_AVAILABILITY,
        matching.MISSING_CONSENT,
    }


def _past_booking(consultant, days_ago):
    start = timezone.now() - datetime.timedelta(days=days_ago)
    engagement = EngagementFactory(
        start=start, end=start + datetime.timedelta(hours=1), status=Engagement.Status.CLOSED
    )
    ParticipationFactory(engagement=engagement, consultant=consultant, status=P.ATTENDED)


def test_fewer_recent_engagements_rank_higher_at_equal_fit(make_consultant, staffing):
    topic = ExpertiseTopicFactory()
    staffing.expertise.set([topic])
    busy = make_consultant(pseudonym="Aa", expertise=[topic], monthly_engagement_limit=10)
    fresh = make_consultant(pseudonym="Zz", expertise=[topic])
    some = make_consultant(pseudonym="Mm", expertise=[topic], monthly_engagement_limit=10)
    for days in (5, 20, 40):
        _past_booking(busy, days)
    _past_booking(some, 10)
    _past_booking(fresh, 120)  # too long ago to count
    result = matching.match(engagement=staffing)
    assert _suggested(result) == ["Zz", "Mm", "Aa"]
    assert result.suggestions[2].recent_count == 3
    assert "3 engagements in the last 90 days" in " ".join(result.suggestions[2].reasons)


def test_fit_comes_before_fairness(make_consultant, staffing):
    policy, media = ExpertiseTopicFactory(), ExpertiseTopicFactory()
    staffing.expertise.set([policy, media])
    staffing.languages = [Language.CEBUANO]
    staffing.save()
    both = make_consultant(pseudonym="Both", expertise=[policy, media], monthly_engagement_limit=9)
    _past_booking(both, 3)
    one = make_consultant(pseudonym="One", expertise=[policy])
    one_speaks = make_consultant(
        pseudonym="OneSpeaks", expertise=[policy], spoken_languages=["ceb"]
    )
    none = make_consultant(pseudonym="None")
    assert _suggested(matching.match(engagement=staffing)) == ["Both", "OneSpeaks", "One", "None"]
    del one, one_speaks, none


def test_exclusions_for_one_consultant(make_consultant, staffing):
    free = make_consultant()
    alumni = make_consultant(status=Consultant.Status.ALUMNI)
    assert matching.exclusions_for(engagement=staffing, consultant=free) == []
    assert [e.code for e in matching.exclusions_for(engagement=staffing, consultant=alumni)] == [
        matching.NOT_ACTIVE
    ]


# --- Query counts -------------------------------------------------------------------------


def _world(make_consultant, owner, *, consultants: int, engagements: int):
    """``consultants`` consultants with expertise, windows, consents and busy
    periods, and ``engagements`` past and future engagements with booked
    participations spread over them."""
    topic = ExpertiseTopicFactory(slug="count-topic")
    people = [
        make_consultant(expertise=[topic], monthly_engagement_limit=10) for _ in range(consultants)
    ]
    for person in people[::3]:
        BusyPeriodFactory(consultant=person, starts_on=MONDAY, ends_on=MONDAY)
    now = timezone.now()
    rows = [
        Engagement(
            title=f"Load {n}",
            type="roundtable",
            owner=owner,
            start=now - datetime.timedelta(days=200) + datetime.timedelta(hours=7 * n),
            end=now - datetime.timedelta(days=200) + datetime.timedelta(hours=7 * n + 2),
            mode="online",
            audience="internal",
            status="closed",
        )
        for n in range(engagements)
    ]
    Engagement.objects.bulk_create(rows)
    Participation.objects.bulk_create(
        Participation(
            engagement=engagement,
            consultant=people[n % len(people)],
            role="participant",
            status=P.ATTENDED,
            period=DateTimeTZRange(engagement.start, engagement.end, "[)"),
            story_sharing="nothing",
            invited_by=owner,
        )
        for n, engagement in enumerate(rows)
    )
    staffing = EngagementFactory(owner=owner, status=Engagement.Status.STAFFING)
    staffing.expertise.set([topic])
    PrivacyPlanFactory(engagement=staffing)
    return staffing


def _render(result) -> str:
    return " ".join(
        [
            *(f"{c.consultant.pseudonym} {' '.join(c.reasons)}" for c in result.suggestions),
            *(
                f"{c.consultant.pseudonym} {' '.join(map(str, c.exclusions))}"
                for c in result.excluded
            ),
        ]
    )


@pytest.mark.parametrize(("consultants", "engagements"), [(5, 10), (40, 1000)])
def test_matching_runs_a_fixed_number_of_queries(
    make_consultant, owner, django_assert_num_queries, consultants, engagements
):
    engagement = _world(make_consultant, owner, consultants=consultants, engagements=engagements)
    engagement = Engagement.objects.get(pk=engagement.pk)  # as a view would load it
    with django_assert_num_queries(4):
        result = matching.match(engagement=engagement)
        _render(result)
    assert len(result.suggestions) + len(result.excluded) == consultants
    assert result.excluded  # the busy ones
