"""The programme report's "Survivor leadership": the figures of
network.selectors.leadership match what happened, in a fixed number of
queries at any volume, and the rendered PDF names a leader only while her
consent to be quoted by pseudonym stands."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from consultants.models import ConsentScope
from consultants.selectors import consultants_with_consent
from insights import selectors as insights_selectors
from network.selectors.leadership import LEADERSHIP_QUERIES, programme_leadership
from tests.insights.conftest import render
from tests.network.leadership_world import grow, leaders

pytestmark = pytest.mark.django_db


def _period():
    today = timezone.localdate()
    return today - datetime.timedelta(days=200), today


def _bounds():
    return insights_selectors.period_bounds(*_period())


@pytest.fixture
def world(make_consultant, manager_user):
    return leaders(make_consultant=make_consultant, manager=manager_user)


def _may_name():
    return consultants_with_consent(scope=ConsentScope.QUOTING)


def test_an_empty_period_has_nothing_and_takes_the_same_queries(db, django_assert_num_queries):
    with django_assert_num_queries(LEADERSHIP_QUERIES):
        section = programme_leadership(*_bounds(), may_name=_may_name())
    assert section.is_empty
    assert section.leaders == 0 and section.leaders_named == []


def test_the_figures_count_what_happened(world, owner):
    grow(world, owner=owner, rounds=2)
    section = programme_leadership(*_bounds(), may_name=_may_name())
    assert [(row.name, row.leaders) for row in section.networks] == [
        ("Philippine Survivor Network (test)", 2)
    ]
    assert section.leaders == 2
    # Kislap has not consented to be quoted: counted, never named.
    assert section.leaders_named == ["Liwayway"] and section.leaders_more == 1
    assert section.reviews == 2
    assert section.reviews_by_recommendation == {"with_changes": 2}
    assert (section.approved, section.approved_after_review) == (4, 2)
    assert section.approved_without_review == 2
    learning = section.learning
    assert learning.events == 2 and learning.by_kind == {"leadership_camp": 2}
    assert learning.led_by_consultants == 2 and learning.facilitations == 2
    assert learning.attendance == 2 * 4  # three attendees and the facilitator
    circles = section.circles
    assert (circles.circles, circles.meetings, circles.attendance) == (1, 2, 6)
    assert section.led_engagements == 2 and section.led_works == 2
    assert section.works_co_authored == 2


def test_nobody_is_named_without_may_name(world, owner):
    grow(world, owner=owner, rounds=1)
    section = programme_leadership(*_bounds())
    assert section.leaders == 2 and section.leaders_named == []


def test_outside_the_period_nothing_counts(world, owner):
    grow(world, owner=owner, rounds=1, start_day=250)
    section = programme_leadership(*_bounds(), may_name=_may_name())
    assert section.reviews == 0 and section.learning.events == 0
    assert section.circles.meetings == 0 and section.led_engagements == 0
    assert section.works_co_authored == 0
    assert section.leaders == 2  # still leaders in the period


def test_an_ended_leadership_before_the_period_is_not_counted(world, manager_user):
    from network.models import Leadership

    start, _end = _period()
    Leadership.objects.filter(consultant=world.unnamed).update(
        since=start - datetime.timedelta(days=30), until=start - datetime.timedelta(days=1)
    )
    section = programme_leadership(*_bounds(), may_name=_may_name())
    assert section.leaders == 1


def test_the_same_queries_at_a_small_and_a_larger_volume(world, owner, django_assert_num_queries):
    grow(world, owner=owner, rounds=1)
    with django_assert_num_queries(LEADERSHIP_QUERIES):
        small = programme_leadership(*_bounds(), may_name=_may_name())
    grow(world, owner=owner, rounds=8, start_day=20)
    with django_assert_num_queries(LEADERSHIP_QUERIES):
        large = programme_leadership(*_bounds(), may_name=_may_name())
    assert (small.learning.events, large.learning.events) == (1, 9)
    assert (small.circles.attendance, large.circles.attendance) == (3, 27)


@pytest.mark.pdf
def test_the_pdf_shows_the_section_and_names_only_with_consent(world, owner, manager_user):
    grow(world, owner=owner, rounds=3)
    date_from, date_to = _period()
    _, text = render(
        kind="programme_report",
        user=manager_user,
        params={"date_from": date_from.isoformat(), "date_to": date_to.isoformat()},
        artifact="insights-programme-report-leadership.pdf",
    )
    flat = " ".join(text.split())
    assert "Survivor leadership" in flat
    assert "Philippine Survivor Network (test): 2 survivor leaders in the period." in flat
    assert "Liwayway" in flat
    assert "Kislap" not in flat
    assert "And 1 more leader, counted but not named." in flat
    assert "Advisory reviews given: 3." in flat
    assert "Recommend with changes 3" in flat
    assert (
        "Requests approved in the period, whenever they take place: 6. "
        "Reviewed by a leader before approval: 3. Approved without a review: 3." in flat
    )
    assert "Learning events held: 3. Led or co-facilitated by consultants: 3" in flat
    assert "Attendance: 12." in flat
    assert "Peer circle meetings held: 3. Circles that met: 1. Attendance: 9." in flat
    assert "Network-led engagements: 3. Network-led works published: 3." in flat
    assert "Works published with a survivor leader among their co-authors: 3." in flat


@pytest.mark.pdf
def test_withdrawing_the_consent_to_be_quoted_unnames_the_leader(world, owner, manager_user):
    from consultants import services as consultant_services

    grow(world, owner=owner, rounds=1)
    consultant_services.consent_withdraw(
        consultant=world.named, scope=ConsentScope.QUOTING, by=manager_user
    )
    date_from, date_to = _period()
    _, text = render(
        kind="programme_report",
        user=manager_user,
        params={"date_from": date_from.isoformat(), "date_to": date_to.isoformat()},
    )
    flat = " ".join(text.split())
    assert "Survivor leadership" in flat
    assert "Liwayway" not in flat and "Kislap" not in flat
    assert "2 leaders, counted but not named." in flat
