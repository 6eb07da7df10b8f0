# ruff: noqa: F811  (the fixtures of tests/network/circles_world.py, imported by name)
"""The network's staff page (issue #18, part 4): the empty state and
creating the network, changing it, naming and ending leaders by search,
network-led engagements and works, with bad and hostile input."""

from __future__ import annotations

from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from accounts.roles import Role, is_survivor_leader
from impact.models import Work
from network.models import Leadership, Network, NetworkLedEngagement, NetworkLedWork
from network.services import leaders
from tests.consultants.factories import ConsultantFactory
from tests.helpers import client_for, past_engagement
from tests.network.circles_world import circles_world, network  # noqa: F401

pytestmark = pytest.mark.django_db

XSS = '<script>alert("x")</script>'
VALID = {
    "name": "Philippine Survivor Network",
    "short_name": "PSN",
    "description": "Survivors leading.",
    "review_required_audiences": ["government", "media"],
    "leaders_need_mfa": "on",
    "review_fee": "500.00",
    "circle_allowance": "300.00",
}


def test_no_network_yet_offers_creating_it(manager_user, programme_staff_user):
    page = client_for(manager_user).get(reverse("network:index")).content.decode()
    assert reverse("network:create") in page
    page = client_for(programme_staff_user).get(reverse("network:index")).content.decode()
    assert reverse("network:create") not in page
    # Pages that need the network send managers to create it first.
    client = client_for(manager_user)
    assert client.get(reverse("network:edit"))["Location"] == reverse("network:create")
    assert client.get(reverse("network:leader_add")).status_code == 404
    response = client.get(reverse("network:circle_create"))
    assert response.status_code == 302 and response["Location"] == reverse("network:index")


def test_create_then_change_the_network(manager_user):
    client = client_for(manager_user)
    assert client.post(reverse("network:create"), VALID).status_code == 302
    network = Network.objects.get()
    assert network.review_required_audiences == ["government", "media"]
    assert network.circle_allowance == Decimal("300.00")
    assert LogEntry.objects.filter(additional_data__event="network_created").exists()
    # A second one is not created: the page goes to changing the first.
    assert client.get(reverse("network:create"))["Location"] == reverse("network:edit")
    changed = dict(VALID, circle_allowance="350.50", review_required_audiences=[])
    assert client.post(reverse("network:edit"), changed).status_code == 302
    network.refresh_from_db()
    assert network.circle_allowance == Decimal("350.50")
    assert network.review_required_audiences == []
    page = client.get(reverse("network:index")).content.decode()
    assert "₱350.50" in page and "Philippine Survivor Network" in page


@pytest.mark.parametrize(
    "changes",
    [
        {"name": ""},
        {"review_fee": "-1"},
        {"circle_allowance": "-0.01"},
        {"circle_allowance": "abc"},
        {"circle_allowance": "99999999999"},
        {"review_required_audiences": ["nobody"]},
        {"name": "x" * 500},
    ],
)
def test_bad_networks_are_refused(manager_user, changes):
    response = client_for(manager_user).post(reverse("network:create"), dict(VALID, **changes))
    assert response.status_code == 400
    assert not Network.objects.exists()


def test_hostile_names_are_shown_as_text(admin_user):
    client = client_for(admin_user)
    client.post(reverse("network:create"), dict(VALID, name=XSS, description=XSS))
    page = client.get(reverse("network:index")).content.decode()
    assert XSS not in page and "&lt;script&gt;" in page


def test_name_a_leader_by_search_then_end_it(network, manager_user, make_user):
    candidate = ConsultantFactory(pseudonym="Liwanag", user=make_user(Role.CONSULTANT))
    client = client_for(manager_user)
    page = client.get(reverse("network:leader_add"), {"consultant_q": "Liwa"}).content.decode()
    assert "Liwanag" in page and candidate.legal_name not in page
    response = client.post(reverse("network:leader_add"), {"consultant": candidate.pk})
    assert response.status_code == 302
    leadership = Leadership.objects.get(consultant=candidate)
    assert is_survivor_leader(type(candidate.user).objects.get(pk=candidate.user.pk))
    # Twice: refused with her pseudonym.
    again = client.post(reverse("network:leader_add"), {"consultant": candidate.pk})
    assert again.status_code == 400 and "Liwanag" in again.content.decode()
    # End it, after the confirmation page.
    url = reverse("network:leader_end", args=[leadership.pk])
    assert "Liwanag" in client.get(url).content.decode()
    assert client.post(url).status_code == 302
    leadership.refresh_from_db()
    assert leadership.until is not None
    assert not is_survivor_leader(type(candidate.user).objects.get(pk=candidate.user.pk))
    assert client.get(url).status_code == 404  # already ended


@pytest.mark.parametrize("who", ["alumni", "erased", "missing", "text"])
def test_only_active_consultants_are_named(network, manager_user, who):
    value = {
        "alumni": lambda: ConsultantFactory(status="alumni").pk,
        "erased": lambda: ConsultantFactory(identity_erased_at="2026-01-01T00:00Z").pk,
        "missing": lambda: 999999,
        "text": lambda: "'; DROP TABLE x; --",
    }[who]()
    response = client_for(manager_user).post(reverse("network:leader_add"), {"consultant": value})
    assert response.status_code == 400
    assert not Leadership.objects.exists()


def test_the_leader_search_is_for_managers_only(network, programme_staff_user):
    url = reverse("core:search_choices", args=["network_leader"])
    assert client_for(programme_staff_user).get(url, {"q": "a"}).status_code == 403


def test_the_circle_search_gives_pseudonyms_only(circles_world):
    url = reverse("core:search_choices", args=["circle_consultant"])
    response = client_for(circles_world["contact"]).get(url, {"q": "Amih"})
    assert response.status_code == 200
    assert response.json()["results"] == [{"value": circles_world["amihan"].pk, "label": "Amihan"}]


def test_network_led_from_the_engagement_page(network, programme_staff_user, finance_user):
    owner = programme_staff_user
    engagement = past_engagement(owner, days_ago=3)
    work = Work.objects.create(title="Gabay", kind="report", created_by=owner)
    work.engagements.add(engagement)
    client = client_for(owner)
    page = client.get(reverse("engagements:detail", args=[engagement.pk])).content.decode()
    assert reverse("network:engagement_led", args=[engagement.pk]) in page
    assert reverse("network:work_led", args=[work.pk]) in page
    # Finance sees the engagement, does not run it: no panel, 403 on the page.
    page = client_for(finance_user).get(reverse("engagements:detail", args=[engagement.pk]))
    assert reverse("network:engagement_led", args=[engagement.pk]) not in page.content.decode()
    assert (
        client_for(finance_user)
        .post(reverse("network:engagement_led", args=[engagement.pk]), {"led": "on"})
        .status_code
        == 403
    )
    url = reverse("network:engagement_led", args=[engagement.pk])
    assert client.post(url, {"led": "on"}).status_code == 302
    assert client.post(url, {"led": "on"}).status_code == 302  # twice: once
    assert NetworkLedEngagement.objects.count() == 1
    assert client.post(url, {}).status_code == 302
    assert not NetworkLedEngagement.objects.exists()
    work_url = reverse("network:work_led", args=[work.pk])
    assert client.post(work_url, {"led": "on"}).status_code == 302
    assert NetworkLedWork.objects.get().work == work


def test_other_peoples_engagements_and_works_are_404(network, make_user):
    owner = make_user(Role.PROGRAMME_STAFF)
    stranger = make_user(Role.PROGRAMME_STAFF)
    engagement = past_engagement(owner, days_ago=3)
    work = Work.objects.create(title="Gabay", kind="report", created_by=owner)
    work.engagements.add(engagement)
    client = client_for(stranger)
    for url in (
        reverse("network:engagement_led", args=[engagement.pk]),
        reverse("network:work_led", args=[work.pk]),
        reverse("network:engagement_led", args=[999999]),
        reverse("network:work_led", args=[999999]),
    ):
        assert client.post(url, {"led": "on"}).status_code == 404
    assert not NetworkLedEngagement.objects.exists() and not NetworkLedWork.objects.exists()


def test_leaders_now_and_before_on_the_page(network, manager_user):
    now = ConsultantFactory(pseudonym="Kasalukuyan")
    before = ConsultantFactory(pseudonym="Dati")
    leaders.leader_name(network=network, consultant=now, by=manager_user)
    ended = leaders.leader_name(network=network, consultant=before, by=manager_user)
    leaders.leader_end(leadership=ended, by=manager_user)
    page = client_for(manager_user).get(reverse("network:index")).content.decode()
    assert "Kasalukuyan" in page and "Dati" in page
    assert now.legal_name not in page
