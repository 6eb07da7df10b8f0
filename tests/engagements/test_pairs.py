"""Pairs (issue #18, peers): matching proposes a pair when a consultant
would rather go with a peer, with a partner who worked with her before or,
for someone newer, an experienced one, then the fairest; never when nobody
prefers it or fewer than two places are left; one query whatever the data;
and "invite both" on the staff page invites both or neither."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from consultants.models import Consultant
from engagements import access, matching
from engagements.models import Engagement, Participation
from tests.engagements.factories import EngagementFactory, ParticipationFactory
from tests.helpers import client_for, past_engagement

pytestmark = pytest.mark.django_db
P = Participation.Status


@pytest.fixture
def two_places(owner):
    """Staffing, Monday 10:00-12:00, two consultants wanted."""
    return EngagementFactory(owner=owner, status=Engagement.Status.STAFFING, consultants_wanted=2)


def _attended(consultants, *, owner, days_ago, title=None):
    """One past engagement (long ago: no weight on fairness) they all attended."""
    kwargs = {"title": title} if title else {}
    engagement = past_engagement(owner, days_ago=days_ago, **kwargs)
    for consultant in consultants:
        ParticipationFactory(engagement=engagement, consultant=consultant, status=P.ATTENDED)
    return engagement


def _pairs(engagement, user):
    result = matching.match(engagement=engagement)
    return matching.propose_pairs(
        engagement=engagement, result=result, visible=access.engagements_visible_to(user)
    )


def _names(pairs):
    return [(p.first.consultant.pseudonym, p.second.consultant.pseudonym) for p in pairs]


def test_matching_proposes_a_pair_when_a_consultant_prefers_going_with_a_peer(
    make_consultant, two_places, owner
):
    make_consultant(pseudonym="Amihan")
    hiraya = make_consultant(pseudonym="Hiraya", prefers_peer=True)
    bituin = make_consultant(pseudonym="Bituin")
    _attended([hiraya, bituin], owner=owner, days_ago=200, title="Roundtable on safety")

    pairs = _pairs(two_places, owner)

    assert _names(pairs) == [("Hiraya", "Bituin")]
    assert pairs[0].reasons[:2] == [
        "Hiraya would rather go with a peer.",
        "They worked together on Roundtable on safety.",
    ]


def test_no_pair_when_nobody_prefers_going_with_a_peer(make_consultant, two_places, owner):
    hiraya = make_consultant(pseudonym="Hiraya")
    bituin = make_consultant(pseudonym="Bituin")
    _attended([hiraya, bituin], owner=owner, days_ago=200)
    assert _pairs(two_places, owner) == []


def test_no_pair_for_one_place_or_when_one_place_is_left(make_consultant, staffing, owner):
    make_consultant(pseudonym="Hiraya", prefers_peer=True)
    make_consultant(pseudonym="Bituin")
    assert staffing.consultants_wanted == 1
    assert _pairs(staffing, owner) == []
    # Three wanted, two already on it (invited, accepted): one place left.
    staffing.consultants_wanted = 3
    staffing.save()
    for status in (P.INVITED, P.ACCEPTED):
        ParticipationFactory(engagement=staffing, status=status)
    assert _pairs(staffing, owner) == []


def test_newer_goes_with_experienced(make_consultant, two_places, owner):
    """Hiraya attended once; Dalisay six times; Amihan, first by fairness
    otherwise, never."""
    make_consultant(pseudonym="Amihan")
    hiraya = make_consultant(pseudonym="Hiraya", prefers_peer=True)
    dalisay = make_consultant(pseudonym="Dalisay")
    _attended([hiraya], owner=owner, days_ago=300)
    for n in range(6):
        _attended([dalisay], owner=owner, days_ago=200 + n)

    pairs = _pairs(two_places, owner)

    assert _names(pairs) == [("Hiraya", "Dalisay")]
    assert pairs[0].reasons == [
        "Hiraya would rather go with a peer.",
        "Newer with experienced (engagements attended: Hiraya 1, Dalisay 6).",
    ]


def test_worked_together_comes_before_newer_with_experienced(make_consultant, two_places, owner):
    hiraya = make_consultant(pseudonym="Hiraya", prefers_peer=True)
    dalisay = make_consultant(pseudonym="Dalisay")
    bituin = make_consultant(pseudonym="Bituin")
    for n in range(6):
        _attended([dalisay], owner=owner, days_ago=200 + n)
    _attended([hiraya, bituin], owner=owner, days_ago=300, title="Circle day")
    assert _names(_pairs(two_places, owner)) == [("Hiraya", "Bituin")]


def test_otherwise_the_fairest_partner_and_each_consultant_in_one_pair(make_consultant, owner):
    engagement = EngagementFactory(
        owner=owner, status=Engagement.Status.STAFFING, consultants_wanted=4
    )
    amihan = make_consultant(pseudonym="Amihan", prefers_peer=True)
    bituin = make_consultant(pseudonym="Bituin", prefers_peer=True)
    make_consultant(pseudonym="Carmela")
    make_consultant(pseudonym="Dalisay")
    # A recent engagement each makes Amihan and Bituin the least fair partners.
    _attended([amihan], owner=owner, days_ago=5)
    _attended([bituin], owner=owner, days_ago=6)

    pairs = _pairs(engagement, owner)

    # Carmela and Dalisay come first (fewer recent engagements); each of
    # the two who prefer a peer gets the fairest partner left.
    assert _names(pairs) == [("Amihan", "Carmela"), ("Bituin", "Dalisay")]
    assert pairs[0].reasons == [
        "Amihan would rather go with a peer.",
        "Carmela comes next by fit and fairness.",
    ]


def test_the_reason_names_only_an_engagement_the_viewer_may_see(
    make_consultant, two_places, owner, make_user
):
    """The owner of this engagement may not see the one they worked on
    together (someone else ran it): the reason says they did, not where."""
    hiraya = make_consultant(pseudonym="Hiraya", prefers_peer=True)
    bituin = make_consultant(pseudonym="Bituin")
    elsewhere = make_user(Role.PROGRAMME_STAFF)
    _attended([hiraya, bituin], owner=elsewhere, days_ago=200, title="Closed hearing")

    pairs = _pairs(two_places, owner)

    assert pairs[0].reasons[1] == "They have worked together once before."
    assert "Closed hearing" not in " ".join(pairs[0].reasons)


def _queries(action) -> int:
    with CaptureQueriesContext(connection) as captured:
        action()
    return len(captured)


def test_pairing_is_one_query_whatever_the_data(make_consultant, owner):
    counts = []
    for size in (2, 12):
        engagement = EngagementFactory(
            owner=owner, status=Engagement.Status.STAFFING, consultants_wanted=size
        )
        people = [
            make_consultant(pseudonym=f"Peer{size}-{n}", prefers_peer=n % 2 == 0)
            for n in range(size)
        ]
        _attended(people, owner=owner, days_ago=200 + size)
        result = matching.match(engagement=engagement)
        visible = access.engagements_visible_to(owner)
        with CaptureQueriesContext(connection) as captured:
            pairs = matching.propose_pairs(engagement=engagement, result=result, visible=visible)
        counts.append(len(captured))
        assert len(pairs) >= 1
    assert counts == [1, 1]


# --- The staff page and "invite both" ------------------------------------------------------


def test_the_matching_page_shows_the_pair_and_invite_both(make_consultant, two_places, owner):
    hiraya = make_consultant(pseudonym="Hiraya", prefers_peer=True)
    bituin = make_consultant(pseudonym="Bituin")
    _attended([hiraya, bituin], owner=owner, days_ago=200, title="Roundtable on safety")

    page = client_for(owner).get(reverse("engagements:matching", args=[two_places.pk]))

    html = page.content.decode()
    assert "Hiraya with Bituin" in html
    assert "They worked together on Roundtable on safety." in html
    assert reverse("engagements:invite_pair", args=[two_places.pk]) in html
    assert html.index('id="pairs"') < html.index('id="suggested-heading"')


def test_the_page_costs_the_same_with_a_pair_or_many(make_consultant, owner):
    counts = []
    for size in (2, 10):
        engagement = EngagementFactory(
            owner=owner, status=Engagement.Status.STAFFING, consultants_wanted=size
        )
        people = [
            make_consultant(pseudonym=f"Page{size}-{n}", prefers_peer=True) for n in range(size)
        ]
        _attended(people, owner=owner, days_ago=200 + size)
        client = client_for(owner)
        url = reverse("engagements:matching", args=[engagement.pk])
        client.get(url)
        counts.append(_queries(lambda c=client, u=url: c.get(u)))
    assert counts[0] == counts[1]


def _invite_pair(client, engagement, data):
    return client.post(reverse("engagements:invite_pair", args=[engagement.pk]), data)


def _on(engagement):
    return sorted(
        Participation.objects.filter(engagement=engagement).values_list(
            "consultant__pseudonym", "status"
        )
    )


def test_invite_both_invites_both(make_consultant, two_places, owner, mailoutbox):
    hiraya = make_consultant(pseudonym="Hiraya", prefers_peer=True)
    bituin = make_consultant(pseudonym="Bituin")

    client = client_for(owner)
    response = _invite_pair(
        client, two_places, {"first": hiraya.pk, "second": bituin.pk, "role": "participant"}
    )

    assert response.status_code == 302
    assert _on(two_places) == [("Bituin", P.INVITED), ("Hiraya", P.INVITED)]
    page = client.get(response["Location"]).content.decode()
    assert "Hiraya and Bituin are invited together as participant." in page


def test_invite_both_refuses_both_when_one_is_excluded(make_consultant, two_places, owner):
    hiraya = make_consultant(pseudonym="Hiraya", prefers_peer=True)
    resting = make_consultant(
        pseudonym="Bituin", status=Consultant.Status.ON_BREAK, break_until=two_places.start.date()
    )

    response = _invite_pair(
        client_for(owner),
        two_places,
        {"first": hiraya.pk, "second": resting.pk, "role": "participant"},
    )

    assert response.status_code == 400
    assert _on(two_places) == []
    html = response.content.decode()
    assert "Neither Hiraya nor Bituin was invited: both go, or neither." in html
    assert "Bituin: On a break until" in html


def test_invite_both_refuses_one_booked_on_another_engagement_at_that_time(
    make_consultant, two_places, owner
):
    """A consultant of another engagement at the same time (double booked)."""
    hiraya = make_consultant(pseudonym="Hiraya", prefers_peer=True)
    bituin = make_consultant(pseudonym="Bituin")
    other = EngagementFactory(status=Engagement.Status.CONFIRMED, start=two_places.start)
    ParticipationFactory(engagement=other, consultant=bituin, status=P.CONFIRMED)

    response = _invite_pair(
        client_for(owner),
        two_places,
        {"first": hiraya.pk, "second": bituin.pk, "role": "participant"},
    )

    assert response.status_code == 400
    assert _on(two_places) == []
    assert "Bituin: Already booked on an overlapping engagement." in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"first": "{a}", "role": "participant"},
        {"first": "{a}", "second": "{a}", "role": "participant"},
        {"first": "{a}", "second": "999999", "role": "participant"},
        {"first": "{a}", "second": "<script>alert(1)</script>", "role": "participant"},
        {"first": "{a}", "second": "{b}", "role": "<script>alert(1)</script>"},
        {"first": "-1", "second": "{b}", "role": "participant"},
    ],
    ids=["empty", "one", "twice", "missing-consultant", "xss-id", "xss-role", "negative"],
)
def test_invite_both_refuses_bad_input_and_invites_nobody(make_consultant, two_places, owner, data):
    ids = {
        "a": str(make_consultant(pseudonym="Hiraya").pk),
        "b": str(make_consultant(pseudonym="Bituin").pk),
    }
    posted = {
        key: value.format(**ids) if "{" in value[:1] else value for key, value in data.items()
    }

    response = _invite_pair(client_for(owner), two_places, posted)

    assert response.status_code == 400
    assert _on(two_places) == []
    assert b"<script>alert(1)</script>" not in response.content


def test_invite_both_on_an_engagement_one_may_not_see_is_404_and_get_is_405(
    make_consultant, two_places, owner, make_user
):
    hiraya = make_consultant(pseudonym="Hiraya")
    bituin = make_consultant(pseudonym="Bituin")
    data = {"first": hiraya.pk, "second": bituin.pk, "role": "participant"}
    stranger = make_user(Role.PROGRAMME_STAFF)
    assert _invite_pair(client_for(stranger), two_places, data).status_code == 404
    finance = make_user(Role.FINANCE_OFFICER)
    assert _invite_pair(client_for(finance), two_places, data).status_code == 403
    url = reverse("engagements:invite_pair", args=[two_places.pk])
    assert client_for(owner).get(url, data).status_code == 405
    assert _on(two_places) == []


def test_invite_both_while_not_staffing_invites_nobody(make_consultant, owner):
    draft = EngagementFactory(owner=owner, status=Engagement.Status.DRAFT, consultants_wanted=2)
    hiraya = make_consultant(pseudonym="Hiraya")
    bituin = make_consultant(pseudonym="Bituin")

    response = _invite_pair(
        client_for(owner), draft, {"first": hiraya.pk, "second": bituin.pk, "role": "participant"}
    )

    assert response.status_code == 400
    assert _on(draft) == []


def test_the_consultants_shown_carry_their_own_values(make_consultant, staffing):
    """The suggestion rows are Consultant objects built from the statement:
    each field its own value (the page shows "0 of 3" for the limit)."""
    make_consultant(
        pseudonym="Hiraya", monthly_engagement_limit=3, spoken_languages=["ceb"], prefers_peer=True
    )
    consultant = matching.match(engagement=staffing).suggestions[0].consultant
    assert (
        consultant.pseudonym,
        consultant.monthly_engagement_limit,
        consultant.spoken_languages,
        consultant.status,
        consultant.prefers_peer,
    ) == ("Hiraya", 3, ["ceb"], Consultant.Status.ACTIVE, True)
