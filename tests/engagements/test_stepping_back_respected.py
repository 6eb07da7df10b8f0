"""Stepping back (or saying no) is respected everywhere: matching lists her
among the excluded with that as the reason, staff cannot invite her to the
engagement again, she may rejoin herself while it needs people, the staff
pages say when it needs people again (in the rows' own query), and her
optional words reach programme managers only."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from consultants import access as consultants_access
from engagements import matching, services, workflow
from engagements.models import Engagement, Participation
from tests.engagements.factories import (
    MONDAY,
    EngagementFactory,
    ParticipationFactory,
    at,
)
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
S = Engagement.Status
P = Participation.Status
NEEDS = "Needs people again"


@pytest.fixture
def stepped_back(own_consultant, consultant_user, owner):
    """Tala accepted the one place of a staffing engagement, then stepped back
    with a few words of her own."""
    engagement = EngagementFactory(owner=owner, status=S.STAFFING, title="Secret title")
    participation = services.participation_invite(
        engagement=engagement, consultant=own_consultant, role="participant", by=owner
    )
    services.participation_accept(participation=participation, by=consultant_user)
    services.participation_withdraw(
        participation=participation, by=consultant_user, reason="My mother is unwell"
    )
    participation.refresh_from_db()
    return participation


@pytest.fixture
def declined(own_consultant, consultant_user, owner):
    engagement = EngagementFactory(owner=owner, status=S.STAFFING)
    participation = services.participation_invite(
        engagement=engagement, consultant=own_consultant, role="participant", by=owner
    )
    services.participation_decline(
        participation=participation, by=consultant_user, reason="Exams that week"
    )
    participation.refresh_from_db()
    return participation


def _page(response) -> str:
    return response.content.decode()


# --- Matching and inviting -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "code", "words"),
    [
        ("stepped_back", matching.STEPPED_BACK, "Stepped back from this engagement."),
        ("declined", matching.SAID_NO, "Said no to this engagement."),
    ],
)
def test_matching_excludes_her_with_that_reason_and_no_invite_button(
    request, fixture, code, words, owner
):
    participation = request.getfixturevalue(fixture)
    engagement = participation.engagement
    result = matching.match(engagement=engagement)
    assert participation.consultant not in [c.consultant for c in result.suggestions]
    (candidate,) = [c for c in result.excluded if c.consultant == participation.consultant]
    assert candidate.exclusion_codes == {code}
    assert [e.message for e in candidate.exclusions] == [words]

    page = _page(
        client_for(owner).get(
            reverse("engagements:matching", args=[engagement.pk]), {"excluded": "1"}
        )
    )
    assert words in page
    assert "Invite Tala" not in page
    assert f'name="consultant" value="{participation.consultant.pk}"' not in page
    # Her words never reach matching.
    assert "unwell" not in page and "Exams" not in page


@pytest.mark.parametrize("fixture", ["stepped_back", "declined"])
def test_staff_cannot_invite_her_again_by_post(request, fixture, owner, manager_user):
    participation = request.getfixturevalue(fixture)
    engagement = participation.engagement
    before = Participation.objects.count()
    for staff in (owner, manager_user):
        response = client_for(staff).post(
            reverse("engagements:invite", args=[engagement.pk]),
            {"consultant": participation.consultant.pk, "role": "participant"},
        )
        assert response.status_code == 400
        page = _page(response)
        assert "Tala was not invited." in page
        assert "Only they can change that" in page
    assert Participation.objects.count() == before

    attempt = Participation(engagement=engagement, consultant=participation.consultant)
    action = workflow.participation_action(participation=attempt, name="invite", user=owner)
    assert (action.allowed, action.code) == (False, "turned_away")


def test_a_revoked_or_full_invitation_may_be_made_again(own_consultant, owner):
    """Only her own no binds staff: an invitation staff withdrew, or one
    closed as full, may be made again."""
    engagement = EngagementFactory(owner=owner, status=S.STAFFING)
    for status in (P.REVOKED, P.FULL):
        ParticipationFactory(engagement=engagement, consultant=own_consultant, status=status)
    again = services.participation_invite(
        engagement=engagement, consultant=own_consultant, role="participant", by=owner
    )
    assert again.status == P.INVITED


# --- Rejoining from her portal -------------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["stepped_back", "declined"])
def test_she_rejoins_from_her_engagement_page(request, fixture, consultant_user):
    participation = request.getfixturevalue(fixture)
    client = client_for(consultant_user)
    detail = reverse("my_engagements:detail", args=[participation.pk])
    rejoin = reverse("my_engagements:rejoin", args=[participation.pk])

    page = _page(client.get(detail))
    assert "Join again" in page and rejoin in page
    confirm = client.get(rejoin)
    assert confirm.status_code == 200
    assert "You are welcome back" in _page(confirm)

    response = client.post(rejoin, follow=True)
    assert response.redirect_chain[-1][0] == detail
    assert "Welcome back." in _page(response)
    participation.refresh_from_db()
    assert participation.status == P.ACCEPTED
    assert participation.withdrawal_reason == "" and participation.decline_reason == ""
    assert participation.changes.order_by("at", "id").last().by == consultant_user
    # Nothing to rejoin any more: the button is gone, a second POST is refused.
    assert rejoin not in _page(client.get(detail))
    again = client.post(rejoin)
    assert again.status_code == 400
    assert "nothing to rejoin" in _page(again)


def test_rejoining_is_refused_when_full_started_or_cancelled(
    stepped_back, consultant_user, owner, make_consultant
):
    engagement = stepped_back.engagement
    client = client_for(consultant_user)
    rejoin = reverse("my_engagements:rejoin", args=[stepped_back.pk])

    # Full: someone else took the place.
    other = services.participation_invite(
        engagement=engagement, consultant=make_consultant(), role="participant", by=owner
    )
    services.participation_accept(participation=other, by=owner, on_behalf=True)
    page = _page(client.get(rejoin))
    assert "This one is now full. Thank you for being ready to help." in page
    assert "Yes, join again" not in page
    response = client.post(rejoin)
    assert response.status_code == 400
    assert "now full" in _page(response)

    # Started.
    services.participation_revoke(participation=other, by=owner)
    with pytest.raises(services.ParticipationStateError) as refused:
        services.participation_rejoin(
            participation=stepped_back, by=consultant_user, now=at(MONDAY, 10, 30)
        )
    assert refused.value.code == "started"

    # Cancelled.
    workflow.engagement_transition(engagement=engagement, name="cancel", by=owner, reason="Off")
    response = client.post(rejoin)
    assert response.status_code == 400
    assert "no longer looking for consultants" in _page(response)
    stepped_back.refresh_from_db()
    assert stepped_back.status == P.WITHDRAWN


def test_staff_may_not_rejoin_on_her_behalf(stepped_back, owner):
    with pytest.raises(PermissionDenied):
        services.participation_rejoin(participation=stepped_back, by=owner)


# --- The staff pages say it needs people again ---------------------------------------------------


def test_the_engagement_list_and_calendar_say_it_needs_people_again(stepped_back, owner):
    engagement = stepped_back.engagement
    client = client_for(owner)
    assert NEEDS in _page(client.get(reverse("engagements:detail", args=[engagement.pk])))
    assert NEEDS in _page(client.get(reverse("engagements:list")))
    assert NEEDS in _page(client.get(reverse("engagements:calendar"), {"month": "2031-06"}))

    # Filled again: the sign goes.
    services.participation_rejoin(participation=stepped_back, by=stepped_back.consultant.user)
    assert NEEDS not in _page(client.get(reverse("engagements:detail", args=[engagement.pk])))
    assert NEEDS not in _page(client.get(reverse("engagements:list")))


def test_no_sign_when_it_never_lost_anyone_or_is_over(owner, make_consultant):
    untouched = EngagementFactory(owner=owner, status=S.STAFFING, title="Untouched")
    ParticipationFactory(engagement=untouched, status=P.DECLINED)
    over = EngagementFactory(owner=owner, status=S.COMPLETED, title="Over")
    ParticipationFactory(engagement=over, status=P.WITHDRAWN)
    page = _page(client_for(owner).get(reverse("engagements:list")))
    assert "Untouched" in page and "Over" in page and NEEDS not in page


def _seed_stepped_back(owner, count: int, start: datetime.datetime) -> None:
    for n in range(count):
        begins = start + datetime.timedelta(hours=3 * n)
        engagement = EngagementFactory(
            owner=owner,
            status=S.STAFFING,
            consultants_wanted=2,
            start=begins,
            end=begins + datetime.timedelta(hours=1),
        )
        ParticipationFactory(engagement=engagement, status=P.WITHDRAWN)
        ParticipationFactory(engagement=engagement, status=P.ACCEPTED)
        ParticipationFactory(engagement=engagement, status=P.INVITED)


def _queries(client, path, params=None) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params or {})
    assert response.status_code == 200
    return len(queries), _page(response)


@pytest.mark.parametrize("view", ["engagements:list", "engagements:calendar"])
def test_the_sign_costs_no_query_per_row(view, owner):
    client = client_for(owner)
    start = at(MONDAY, 0)
    params = {"month": "2031-06"} if view.endswith("calendar") else {}
    _seed_stepped_back(owner, 2, start)
    client.get(reverse(view), params)  # warm caches, as a running server has
    small, page = _queries(client, reverse(view), params)
    assert page.count(NEEDS) == 2

    _seed_stepped_back(owner, 18, start + datetime.timedelta(hours=6))
    large, page = _queries(client, reverse(view), params)
    if view.endswith("calendar"):
        # The calendar shows each day's first few (and "N more"): every
        # row shown carries the sign.
        from engagements import selectors

        days = selectors.engagement_calendar(user=owner, year=2031, month=6)
        shown = [e for day in days.values() for e in day.engagements]
        assert all(e.needs_people_again for e in shown)
        assert page.count(NEEDS) == len(shown) > 2
    else:
        assert page.count(NEEDS) == 20
    assert large == small


# --- Her words: programme managers only ----------------------------------------------------------


@pytest.mark.parametrize("fixture", ["stepped_back", "declined"])
@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("manager", True),
        ("owner", False),
        ("assigned", False),
        ("finance", False),
        ("wellbeing_assigned", False),
        ("admin", False),
    ],
)
def test_her_words_reach_programme_managers_only(request, fixture, persona, sees, make_user):
    participation = request.getfixturevalue(fixture)
    engagement = participation.engagement
    words = participation.withdrawal_reason or participation.decline_reason
    assert words
    if persona == "owner":
        user = engagement.owner
    elif persona == "assigned":
        user = make_user(Role.PROGRAMME_STAFF)
        engagement.assigned_staff.add(user)
    elif persona == "wellbeing_assigned":
        user = make_user(Role.WELLBEING_LEAD)
        consultants_access.grant_wellbeing(user, participation.consultant)
    else:
        roles = {
            "manager": Role.PROGRAMME_MANAGER,
            "finance": Role.FINANCE_OFFICER,
            "admin": Role.ADMINISTRATOR,
        }
        user = make_user(roles[persona])
    response = client_for(user).get(reverse("engagements:detail", args=[engagement.pk]))
    assert response.status_code == 200
    page = _page(response)
    assert "Tala" in page  # her row is there for everyone who sees the page
    assert (words in page) is sees
    assert ("managers only" in page) is sees
    # Never on the list, for anyone.
    assert words not in _page(client_for(user).get(reverse("engagements:list")))
