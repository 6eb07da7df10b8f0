"""Matching is never a dead end: for consultants excluded only by time, when
they are usually free and which nearby times would fit the most of them
(a fixed number of queries at 10 and 500 consultants); the edit page takes
the suggested time from its query string and ignores anything else; after
inviting, the page shows who was invited and what each answered."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from consultants.models import Consultant
from engagements import matching
from engagements.models import Engagement, Participation
from tests.consultants.factories import BusyPeriodFactory
from tests.engagements.factories import MONDAY, EngagementFactory, ParticipationFactory, at
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
P = Participation.Status
TUESDAY = MONDAY + datetime.timedelta(days=1)
SATURDAY = MONDAY + datetime.timedelta(days=5)
T = datetime.time
DASH = "\N{EN DASH}"

EVENINGS = ((1, T(18), T(21)), (3, T(18), T(21)))  # Tue, Thu evenings
SATURDAY_MORNING = ((5, T(9), T(12)),)


def _pseudonyms(candidates):
    return [c.consultant.pseudonym for c in candidates]


def test_usually_free_shows_the_nearest_windows_long_enough(make_consultant, staffing):
    consultant = make_consultant(
        windows=(
            (1, T(18), T(21)),
            (5, T(9), T(12)),
            (0, T(7), T(8)),  # Monday, but too short for two hours
            (3, T(18), T(19)),  # too short
            (4, T(13), T(17)),
            (6, T(8), T(10)),
        )
    )
    result = matching.match(engagement=staffing)
    [candidate] = result.excluded
    assert matching.excluded_only_by_time(candidate)
    windows = [str(w) for w in matching.usually_free(engagement=staffing, consultant=consultant)]
    # Monday 10:00: Tuesday evening, Sunday morning, Saturday morning are
    # nearest of those that hold two hours (Friday afternoon is further).
    assert windows == [f"Tue 18:00{DASH}21:00", f"Sat 09:00{DASH}12:00", f"Sun 08:00{DASH}10:00"]


def test_other_reasons_are_not_time_only(make_consultant, staffing):
    lacking = make_consultant(windows=EVENINGS, scopes=())
    away = make_consultant(windows=EVENINGS, status=Consultant.Status.ALUMNI)
    silent = make_consultant(windows=())
    result = matching.match(engagement=staffing)
    assert not any(matching.excluded_only_by_time(c) for c in result.excluded)
    assert {c.consultant.pk for c in result.excluded} == {lacking.pk, away.pk, silent.pk}


def test_times_that_fit_the_most_come_first(make_consultant, staffing):
    for _ in range(3):
        make_consultant(windows=EVENINGS)
    make_consultant(windows=SATURDAY_MORNING)
    busy = make_consultant(windows=EVENINGS)
    BusyPeriodFactory(consultant=busy, starts_on=TUESDAY, ends_on=TUESDAY)
    now = at(MONDAY - datetime.timedelta(days=10), 9)
    result = matching.match(engagement=staffing, now=now)
    times = matching.time_suggestions(engagement=staffing, result=result, now=now)
    assert 1 <= len(times) <= 3
    best = times[0]
    # Tuesday 18:00 is nearest but one of the four is busy that day; the
    # Thursday after fits all four, and so do the evenings of the week before.
    assert best.start == at(MONDAY + datetime.timedelta(days=3), 18)
    assert best.fits == 4
    assert best.end - best.start == staffing.end - staffing.start
    assert [t.fits for t in times] == [4, 4, 4]
    assert at(TUESDAY, 18) not in {t.start for t in times}
    assert [t.start for t in times][1:] == [
        at(MONDAY - datetime.timedelta(days=4), 18),  # Thursday before
        at(MONDAY - datetime.timedelta(days=6), 18),  # Tuesday before
    ]


def test_a_booked_consultant_does_not_count_at_that_time(make_consultant, staffing, owner):
    consultant = make_consultant(windows=((1, T(18), T(21)),))
    other = EngagementFactory(owner=owner, start=at(TUESDAY, 18), end=at(TUESDAY, 20))
    ParticipationFactory(engagement=other, consultant=consultant, status=P.CONFIRMED)
    now = at(MONDAY - datetime.timedelta(days=10), 9)
    result = matching.match(engagement=staffing, now=now)
    times = matching.time_suggestions(engagement=staffing, result=result, now=now)
    assert at(TUESDAY, 18) not in {t.start for t in times}
    assert [t.start for t in times] == [at(TUESDAY - datetime.timedelta(days=7), 18)]


def test_the_past_is_never_suggested(make_consultant, owner):
    make_consultant(windows=((0, T(18), T(21)), (1, T(18), T(21))))
    now = timezone.now()
    tomorrow = timezone.localtime(now).date() + datetime.timedelta(days=1)
    engagement = EngagementFactory(
        owner=owner, status=Engagement.Status.STAFFING, start=at(tomorrow, 10), end=at(tomorrow, 12)
    )
    result = matching.match(engagement=engagement)
    times = matching.time_suggestions(engagement=engagement, result=result, now=now)
    assert times and all(t.start > now for t in times)


# --- The page ------------------------------------------------------------------------------


def test_the_page_says_when_they_are_free_and_links_to_the_time(make_consultant, staffing, owner):
    make_consultant(pseudonym="Dalisay", windows=EVENINGS)
    html = client_for(owner).get(reverse("engagements:matching", args=[staffing.pk])).content
    html = html.decode()
    assert "Nobody fits at this time" in html
    assert "0 suggestions" not in html
    assert "When more consultants are free" in html
    assert f"Tue 18:00{DASH}21:00" in html
    link = re.search(r'href="([^"]*/edit/\?start=[^"]*)"', html).group(1).replace("&amp;", "&")
    assert "start=2031-06-0" in link
    page = client_for(owner).get(link).content.decode()
    start = re.search(r'name="start" value="([^"]*)"', page).group(1)
    end = re.search(r'name="end" value="([^"]*)"', page).group(1)
    assert link.endswith(f"start={start.replace(':', '%3A')}&end={end.replace(':', '%3A')}")
    assert "The suggested time is filled in" in page


@pytest.mark.parametrize(
    "query",
    [
        "start=garbage&end=2031-06-03T20:00",
        "start=2031-06-03T25:00&end=2031-06-03T26:00",
        "start=2031-06-03T20:00&end=2031-06-03T18:00",
        "start=0001-01-01T00:00&end=0001-01-01T02:00",
        "start=9999-12-31T22:00&end=9999-12-31T23:59",
        "start=2031-06-03T18:00",
        "start=2031-06-03T18:00&end=2031-06-03T20:00&start=x",
        "start=" + "9" * 5000 + "&end=%00",
        "start[]=1&end[]=2",
    ],
)
def test_hostile_prefill_is_ignored(staffing, owner, query):
    response = client_for(owner).get(reverse("engagements:edit", args=[staffing.pk]) + "?" + query)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="start" value="2031-06-02T10:00"' in page
    assert "The suggested time is filled in" not in page


def test_after_inviting_the_page_shows_who_and_what_they_answered(make_consultant, staffing, owner):
    amihan = make_consultant(pseudonym="Amihan")
    bituin = make_consultant(pseudonym="Bituin")
    dakila = make_consultant(pseudonym="Dakila", windows=EVENINGS)
    make_consultant(pseudonym="Ella", windows=EVENINGS)
    ParticipationFactory(engagement=staffing, consultant=amihan, status=P.INVITED)
    ParticipationFactory(engagement=staffing, consultant=bituin, status=P.ACCEPTED)
    ParticipationFactory(engagement=staffing, consultant=dakila, status=P.DECLINED)
    html = client_for(owner).get(reverse("engagements:matching", args=[staffing.pk])).content
    html = html.decode()
    section = html[html.index('id="participants"') : html.index('id="suggested-heading"')]
    assert "Amihan" in section and "Invited" in section
    assert "Bituin" in section and "Accepted" in section
    assert "Dakila" in section and "Declined" in section
    assert "0 suggestions" not in html
    assert "No consultant fits right now" not in html
    assert "Nobody else fits at this time" in html
    assert "1 invited consultant has not answered yet" in html
    assert 'href="#times"' in html  # another time would suit Ella


# --- Query counts --------------------------------------------------------------------------


def _matching_queries(owner, engagement) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(owner)
    url = reverse("engagements:matching", args=[engagement.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url + "?excluded=1")
    assert response.status_code == 200
    assert "When more consultants are free" in response.content.decode()
    return len(captured)


def _add(make_consultant, count: int, offset: int = 0) -> None:
    for n in range(offset, offset + count):
        kind = n % 4
        if kind == 0:
            make_consultant()  # free on Mondays: suggested
        elif kind == 1:
            make_consultant(windows=EVENINGS)  # excluded by time only
        elif kind == 2:
            person = make_consultant(windows=SATURDAY_MORNING)
            BusyPeriodFactory(consultant=person, starts_on=SATURDAY, ends_on=SATURDAY)
        else:
            make_consultant(windows=EVENINGS, status=Consultant.Status.ALUMNI)


def test_matching_with_time_suggestions_runs_the_same_queries_at_10_and_500(
    make_consultant, staffing, owner
):
    ParticipationFactory(engagement=staffing, consultant=make_consultant(), status=P.INVITED)
    _add(make_consultant, 9)
    small = _matching_queries(owner, staffing)
    _add(make_consultant, 490, offset=9)
    assert Consultant.objects.count() == 500
    large = _matching_queries(owner, staffing)
    assert small == large
