"""Who else is coming (issue #18, peers): on her page of an engagement she
holds a place on, the other consultants holding one, by pseudonym, only
where both chose to be visible to peers; never on an invitation not yet
accepted; a declined or stepped-back peer never; the same queries with one
peer or many."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from engagements.models import Engagement, Participation
from tests.engagements.factories import EngagementFactory, ParticipationFactory
from tests.helpers import client_for, past_engagement

pytestmark = pytest.mark.django_db
P = Participation.Status


@pytest.fixture
def confirmed(owner):
    return EngagementFactory(
        owner=owner, status=Engagement.Status.CONFIRMED, consultants_wanted=8, title="Roundtable"
    )


@pytest.fixture
def person(make_consultant, make_user):
    """``person(pseudonym, engagement, status, visible)``: a consultant with a
    portal account and her participation."""

    def _make(pseudonym, engagement, status, *, visible=True):
        consultant = make_consultant(
            pseudonym=pseudonym, user=make_user(Role.CONSULTANT), visible_to_peers=visible
        )
        return ParticipationFactory(engagement=engagement, consultant=consultant, status=status)

    return _make


def _page(participation):
    client = client_for(participation.consultant.user)
    response = client.get(reverse("my_engagements:detail", args=[participation.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_each_sees_the_other_only_when_both_agreed(confirmed, person):
    tala = person("Tala", confirmed, P.CONFIRMED)
    bituin = person("Bituin", confirmed, P.ACCEPTED)

    assert "<li>Bituin</li>" in _page(tala)
    assert "<li>Tala</li>" in _page(bituin)


def test_she_sees_nobody_who_did_not_agree_and_they_see_nobody(confirmed, person):
    tala = person("Tala", confirmed, P.CONFIRMED)
    bituin = person("Bituin", confirmed, P.CONFIRMED, visible=False)

    page = _page(tala)
    assert "Bituin" not in page
    assert "No other consultant who chose to be seen by peers is coming yet." in page

    page = _page(bituin)
    assert "Tala" not in page
    assert "Turn it on in “Going with peers”" in page
    assert reverse("my:peers") in page


def test_an_invitation_not_yet_accepted_shows_nobody_and_is_not_shown(confirmed, person):
    tala = person("Tala", confirmed, P.CONFIRMED)
    ester = person("Ester", confirmed, P.INVITED)

    page = _page(ester)
    assert "Tala" not in page
    assert "Who else is coming" not in page
    assert "Going with peers" not in page
    assert "Ester" not in _page(tala)


@pytest.mark.parametrize("status", [P.DECLINED, P.WITHDRAWN, P.REVOKED, P.FULL])
def test_a_peer_who_is_not_coming_is_not_listed(confirmed, person, status):
    tala = person("Tala", confirmed, P.CONFIRMED)
    person("Dalisay", confirmed, status)
    page = _page(tala)
    assert "Dalisay" not in page


def test_those_who_attended_see_each_other_afterwards(owner, person):
    past = past_engagement(owner)
    tala = person("Tala", past, P.ATTENDED)
    person("Bituin", past, P.ATTENDED)
    assert "<li>Bituin</li>" in _page(tala)


def test_another_engagement_s_consultants_are_never_listed(confirmed, person, owner):
    tala = person("Tala", confirmed, P.CONFIRMED)
    elsewhere = EngagementFactory(owner=owner, status=Engagement.Status.CONFIRMED)
    person("Gabi", elsewhere, P.CONFIRMED)
    assert "Gabi" not in _page(tala)


def test_a_pseudonym_is_escaped(confirmed, person):
    tala = person("Tala", confirmed, P.CONFIRMED)
    person("<b>Bold</b>", confirmed, P.CONFIRMED)
    page = _page(tala)
    assert "<b>Bold</b>" not in page
    assert "&lt;b&gt;Bold&lt;/b&gt;" in page


def _queries(participation) -> int:
    client = client_for(participation.consultant.user)
    url = reverse("my_engagements:detail", args=[participation.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_same_queries_with_one_peer_or_many(owner, person):
    counts = []
    for many in (1, 6):
        engagement = EngagementFactory(
            owner=owner, status=Engagement.Status.CONFIRMED, consultants_wanted=10
        )
        tala = person(f"Tala{many}", engagement, P.CONFIRMED)
        for n in range(many):
            person(f"Peer{many}-{n}", engagement, P.CONFIRMED)
        assert _page(tala).count("<li>Peer") == many
        counts.append(_queries(tala))
    assert counts[0] == counts[1]


def test_many_peers_are_bounded(confirmed, person, monkeypatch):
    from engagements import selectors

    monkeypatch.setattr(selectors, "PEERS_SHOWN", 2)
    monkeypatch.setattr(selectors.peers_coming, "__kwdefaults__", {"limit": 2})
    tala = person("Tala", confirmed, P.CONFIRMED)
    for name in ("Amihan", "Bituin", "Carmela", "Dalisay"):
        person(name, confirmed, P.CONFIRMED)
    page = _page(tala)
    assert "<li>Amihan</li>" in page and "<li>Bituin</li>" in page
    assert "Carmela" not in page
    assert "And 2 more." in page
