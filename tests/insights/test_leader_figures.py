"""The survivor leaders' figures page (/portal/lead/figures/): who may open
it (every persona), small counts hidden as "fewer than 5", the median days
to pay from PostgreSQL, a fixed number of queries at any volume, and
nothing personal on it."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from compensation.models import Payment
from impact.models import Contribution, OutcomeStatus
from insights import figures
from insights.urls_portal import urlpatterns
from tests.fixtures import make_survivor_leader
from tests.helpers import client_for
from tests.network.leadership_world import grow, leaders

pytestmark = pytest.mark.django_db

URL = "/portal/lead/figures/"
S, D, N, OK = 302, 403, 404, 200

# Every persona, the status the page gives (no redirect followed). Staff
# use the staff site: 403 as on every portal page; a consultant who is not
# a leader: 404, the page is not there for her.
MATRIX = {
    "anonymous": S,
    "no_role": D,
    Role.CONSULTANT.value: N,
    Role.SURVIVOR_LEADER.value: OK,
    Role.PROGRAMME_STAFF.value: D,
    Role.PROGRAMME_MANAGER.value: D,
    Role.FINANCE_OFFICER.value: D,
    Role.WELLBEING_LEAD.value: D,
    Role.ADMINISTRATOR.value: D,
}


def test_the_url_is_where_the_leader_area_expects_it():
    assert reverse("leader_figures:index") == URL
    assert len(urlpatterns) == 1  # a new URL needs its rows here


@pytest.mark.parametrize("persona", list(MATRIX), indirect=True)
def test_every_persona(persona, request):
    name = request.node.callspec.params["persona"]
    response = client_for(persona).get(URL)
    assert response.status_code == MATRIX[name], name
    if response.status_code == S:
        assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_only_get(make_user, method):
    leader = make_survivor_leader(make_user)
    response = getattr(client_for(leader), method)(URL, {"x": "<script>alert(1)</script>"})
    assert response.status_code == 405


def test_the_leader_role_alone_without_the_consultant_role_gives_nothing(make_user):
    from accounts.services.users import user_set_roles

    user = make_user(Role.PROGRAMME_STAFF)
    user_set_roles(user=user, roles={Role.SURVIVOR_LEADER})
    assert client_for(user).get(URL).status_code == D


def test_an_inactive_leader_is_refused(make_user):
    leader = make_survivor_leader(make_user)
    leader.is_active = False
    leader.save(update_fields=["is_active"])
    assert client_for(leader).get(URL).status_code != OK


def test_hostile_query_strings_change_nothing(make_user):
    leader = make_survivor_leader(make_user)
    response = client_for(leader).get(URL, {"consultant": "1", "q": "<script>x</script>"})
    assert response.status_code == OK
    assert b"<script>x</script>" not in response.content


# --- Suppression ---------------------------------------------------------------


def test_counts_below_five_are_hidden_and_never_exactly_one_in_a_list():
    cells = figures.suppressed([("a", 7), ("b", 2), ("c", 9), ("d", 12)])
    assert [c.value for c in cells] == [None, None, 9, 12]  # 7 goes with 2
    cells = figures.suppressed([("a", 0), ("b", 3), ("c", 9)])
    assert [c.value for c in cells] == [None, None, 9]  # two hidden: enough
    cells = figures.suppressed([("a", 5), ("b", 6)])
    assert [c.value for c in cells] == [5, 6]
    assert figures.cell("x", 4).hidden and not figures.cell("x", 5).hidden
    assert figures.cell("x", 0).hidden


def _paid(consultant, *, days: int, by) -> Payment:
    today = timezone.localdate()
    return Payment.objects.create(
        consultant=consultant,
        status=Payment.Status.PAID,
        payable_since=today - datetime.timedelta(days=days),
        due_on=today,
        paid_at=timezone.now() - datetime.timedelta(hours=1),
        days_to_pay=days,
        on_time=True,
        method="cash",
        created_by=by,
        approved_by=by,
        approved_at=timezone.now() - datetime.timedelta(hours=2),
        paid_by=by,
    )


def test_an_empty_programme_shows_fewer_than_five_everywhere(make_user):
    leader = make_survivor_leader(make_user)
    response = client_for(leader).get(URL)
    text = response.content.decode()
    assert response.status_code == OK
    assert text.count("fewer than 5") >= 12 + 3 + 4
    assert "not enough to show" in text


@pytest.fixture
def world(make_consultant, manager_user):
    return leaders(make_consultant=make_consultant, manager=manager_user)


def test_the_figures_show_above_five_and_hide_below(world, owner, make_user):
    grow(world, owner=owner, rounds=6)  # 6 camps with 4 attendees, 6 meetings with 3
    leader = make_survivor_leader(make_user)
    figures_now = figures.leader_figures()
    assert figures_now.learning_events.value == 6
    assert figures_now.learning_attendance.value == 24
    assert figures_now.circle_meetings.value == 6
    assert figures_now.circle_attendance.value == 18
    by_type = {c.label: c.value for c in figures_now.by_type}
    assert by_type["Leadership camp"] == 6
    assert by_type["Media interview"] == 6
    assert by_type["Training"] is None  # none: hidden like any small count
    response = client_for(leader).get(URL)
    text = response.content.decode()
    assert 'id="learning-events">6<' in text
    assert 'id="circle-attendance">18<' in text
    # No pseudonym, no title of an engagement or a work.
    for name in ("Liwayway", "Kislap", "Dalo0", "Camp guide"):
        assert name not in text


def test_the_median_days_to_pay_comes_from_postgresql_and_needs_five_payments(
    world, make_user, finance_user
):
    for days in (1, 3, 10):
        _paid(world.named, days=days, by=finance_user)
    result = figures.leader_figures()
    assert result.payments.hidden and result.median_days is None
    for days in (4, 30):
        _paid(world.unnamed, days=days, by=finance_user)
    result = figures.leader_figures()
    assert result.payments.value == 5
    assert result.median_days == Decimal("4.0")
    _paid(world.named, days=6, by=finance_user)
    assert figures.leader_figures().median_days == Decimal("5.0")  # (4 + 6) / 2
    text = client_for(make_survivor_leader(make_user)).get(URL).content.decode()
    assert "within 5.0 days" in text


def test_outcomes_hide_a_lone_small_count(world, owner):
    grow(world, owner=owner, rounds=1)
    camp = world.network.led_engagements.first().engagement
    rows = []
    for status, count in (
        (OutcomeStatus.ADOPTED, 6),
        (OutcomeStatus.PARTLY_ADOPTED, 2),
        (OutcomeStatus.NOT_ADOPTED, 8),
    ):
        rows += [
            Contribution(
                engagement=camp, kind="recommendation", summary="x", status=status, created_by=owner
            )
            for _ in range(count)
        ]
    Contribution.objects.bulk_create(rows)
    outcomes = [c.value for c in figures.leader_figures().outcomes]
    assert outcomes == [None, None, 8]


def test_the_same_queries_at_a_small_and_a_larger_volume(
    world, owner, make_user, django_assert_num_queries
):
    leader = make_survivor_leader(make_user)
    client = client_for(leader)
    client.get(URL)  # sessions and roles settle
    grow(world, owner=owner, rounds=1)
    with django_assert_num_queries(figures.FIGURES_QUERIES):
        figures.leader_figures()
    with django_assert_num_queries(figures.FIGURES_QUERIES + PAGE_OVERHEAD) as small:
        assert client.get(URL).status_code == OK
    grow(world, owner=owner, rounds=10, start_day=40)
    with django_assert_num_queries(figures.FIGURES_QUERIES):
        figures.leader_figures()
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(URL).status_code == OK


# Session, user, roles, whether her network asks for a second factor, and
# the portal layout's own reads.
PAGE_OVERHEAD = 7


def test_the_page_reads_in_filipino(world, owner, make_user, filipino_requests):
    from tests.i18n.english import english_lines, visible_text

    grow(world, owner=owner, rounds=6)
    leader = filipino_requests(make_survivor_leader(make_user))
    response = client_for(leader).get(URL)
    text = visible_text(response.content.decode())
    assert "Ang programa sa mga bilang" in text
    assert "wala pang 5" in text
    assert english_lines(text) == []
