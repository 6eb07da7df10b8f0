"""The staff directory: scoped, searched by pseudonym, filtered, and a
fixed number of queries whatever the number of consultants."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from consultants import access, selectors
from consultants.models import ConsentScope, Consultant, ExpertiseTopic, Language, Region
from tests.consultants.factories import (
    BusyPeriodFactory,
    ConsultantFactory,
    WeeklyAvailabilityFactory,
)

pytestmark = pytest.mark.django_db

MONDAY = datetime.date(2026, 6, 15)
assert MONDAY.weekday() == 0


def _render_row(consultant) -> str:
    """What a directory row shows."""
    return " ".join(
        [
            consultant.pseudonym,
            consultant.get_status_display(),
            consultant.get_region_display(),
            ", ".join(consultant.spoken_languages),
            ", ".join(topic.name for topic in consultant.expertise.all()),
            str(consultant.monthly_engagement_limit),
        ]
    )


def _make_consultants(count: int, topics, staff=None):
    consultants = ConsultantFactory.create_batch(count, expertise=topics)
    if staff is not None:
        for consultant in consultants:
            access.grant_consultant_view(staff, consultant)
    return consultants


def _rows(user_pk, **filters) -> list[str]:
    from accounts.models import User

    user = User.objects.get(pk=user_pk)  # as a request would load it
    return [_render_row(c) for c in selectors.consultant_directory(user=user, **filters)]


def _count_queries(user_pk, **filters) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        rows = _rows(user_pk, **filters)
    return len(queries), len(rows)


@pytest.mark.parametrize("persona", ["manager_user", "programme_staff_user"])
def test_directory_query_count_is_the_same_at_10_and_500(
    request, persona, django_assert_num_queries
):
    user = request.getfixturevalue(persona)
    staff = user if persona == "programme_staff_user" else None
    topics = list(ExpertiseTopic.objects.all()[:3])
    filters = {"available_on": MONDAY, "language": Language.FILIPINO}

    for consultant in _make_consultants(10, topics, staff):
        WeeklyAvailabilityFactory(consultant=consultant)
    _rows(user.pk)  # warm Django's content-type cache, as any running server has
    small, small_rows = _count_queries(user.pk)
    small_filtered, _ = _count_queries(user.pk, **filters)

    for consultant in _make_consultants(490, topics, staff):
        WeeklyAvailabilityFactory(consultant=consultant)
    with django_assert_num_queries(small):
        rows = _rows(user.pk)
    assert len(rows) == 500 and small_rows == 10
    with django_assert_num_queries(small_filtered):
        rows = _rows(user.pk, **filters)
    assert len(rows) == 500
    # Load the user, their roles, the rows, the rows' expertise topics.
    assert small == 4


def test_directory_is_scoped_by_access(programme_staff_user, manager_user, consultant_user):
    visible, hidden = ConsultantFactory(), ConsultantFactory()
    own = ConsultantFactory(user=consultant_user)
    access.grant_consultant_view(programme_staff_user, visible)
    assert list(selectors.consultant_directory(user=programme_staff_user)) == [visible]
    assert set(selectors.consultant_directory(user=manager_user)) == {visible, hidden, own}
    assert list(selectors.consultant_directory(user=consultant_user)) == [own]
    assert list(selectors.consultant_directory(user=None)) == []


def test_search_by_pseudonym_only(manager_user):
    amihan = ConsultantFactory(pseudonym="Amihan", legal_name="Searchable Legalname")
    ConsultantFactory(pseudonym="Bituin")
    assert list(selectors.consultant_directory(user=manager_user, search="  miha ")) == [amihan]
    assert list(selectors.consultant_directory(user=manager_user, search="Legalname")) == []
    assert list(selectors.consultant_directory(user=manager_user, search=amihan.email)) == []


def test_filters(manager_user):
    policy = ExpertiseTopic.objects.get(slug="policy-advocacy")
    media = ExpertiseTopic.objects.get(slug="media")
    a = ConsultantFactory(
        pseudonym="A", expertise=[policy, media], spoken_languages=["ceb"], region=Region.VII
    )
    b = ConsultantFactory(
        pseudonym="B",
        expertise=[media],
        spoken_languages=["en", "fil"],
        region=Region.NCR,
        status=Consultant.Status.ALUMNI,
    )

    def directory(**filters):
        return list(selectors.consultant_directory(user=manager_user, **filters))

    assert directory(status="alumni") == [b]
    assert directory(expertise="policy-advocacy") == [a]
    assert directory(expertise="media") == [a, b]
    assert directory(language=Language.CEBUANO) == [a]
    assert directory(language=Language.ENGLISH) == [b]
    assert directory(region=Region.VII) == [a]
    assert directory(status="active", expertise="media", region=Region.VII) == [a]
    assert [t.slug for t in directory(expertise="policy-advocacy")[0].expertise.all()] == [
        "media",
        "policy-advocacy",
    ]


def test_available_on_a_date(manager_user):
    def available(day):
        return {
            c.pseudonym for c in selectors.consultant_directory(user=manager_user, available_on=day)
        }

    free = ConsultantFactory(pseudonym="Free")
    WeeklyAvailabilityFactory(consultant=free, weekday=0)
    no_window_that_day = ConsultantFactory(pseudonym="Tuesday")
    WeeklyAvailabilityFactory(consultant=no_window_that_day, weekday=1)
    busy = ConsultantFactory(pseudonym="Busy")
    WeeklyAvailabilityFactory(consultant=busy, weekday=0)
    BusyPeriodFactory(consultant=busy, starts_on=MONDAY, ends_on=MONDAY)
    on_break = ConsultantFactory(
        pseudonym="Break", status=Consultant.Status.ON_BREAK, break_until=MONDAY
    )
    WeeklyAvailabilityFactory(consultant=on_break, weekday=0)
    back = ConsultantFactory(
        pseudonym="Back",
        status=Consultant.Status.ON_BREAK,
        break_until=MONDAY - datetime.timedelta(days=1),
    )
    WeeklyAvailabilityFactory(consultant=back, weekday=0)
    onboarding = ConsultantFactory(pseudonym="New", status=Consultant.Status.ONBOARDING)
    WeeklyAvailabilityFactory(consultant=onboarding, weekday=0)

    assert available(MONDAY) == {"Free", "Back"}
    next_monday = MONDAY + datetime.timedelta(days=7)
    assert available(next_monday) == {"Free", "Busy", "Break", "Back"}
    assert available(MONDAY + datetime.timedelta(days=1)) == {"Tuesday"}


def test_consent_texts_current(manager_user, published_texts):
    from consultants import services

    draft = services.consent_text_create(
        scope="photo", body="v2", translations={"fil": "v2 sa Filipino"}, by=manager_user
    )
    assert selectors.consent_texts_current()["photo"].version == 1
    services.consent_text_publish(text=draft, by=manager_user)
    assert selectors.consent_texts_current()["photo"].version == 2
    assert selectors.consent_text_current(scope="photo").version == 2
    assert len(selectors.consent_texts_current()) == len(ConsentScope.values)


def test_consultant_with_details(consultant):
    WeeklyAvailabilityFactory(consultant=consultant)
    BusyPeriodFactory(
        consultant=consultant,
        starts_on=datetime.date(2020, 1, 1),
        ends_on=datetime.date(2020, 1, 2),
    )
    upcoming = BusyPeriodFactory(consultant=consultant)
    detailed = selectors.consultant_with_details(consultant=consultant)
    assert detailed.upcoming_busy_periods == [upcoming]
    assert len(detailed.weekly_windows.all()) == 1
