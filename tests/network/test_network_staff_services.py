# ruff: noqa: F811  (the fixtures of tests/network/circles_world.py, imported by name)
"""The network itself (issue #18, part 4): creating and changing it, the
leader role following a portal account that comes later, and marking
engagements and works as network-led (with the report's counts)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts.roles import Role, is_survivor_leader, roles_of
from consultants import services as consultant_services
from impact.models import Work
from network.models import Network, NetworkLedEngagement, NetworkLedWork
from network.selectors import led
from network.services import circles as circle_services
from network.services import leaders
from network.services import network as services
from tests.consultants.factories import ConsultantFactory
from tests.helpers import past_engagement
from tests.network.circles_world import circles_world, network  # noqa: F401

pytestmark = pytest.mark.django_db


def test_create_and_change_the_network(manager_user):
    assert services.current_network() is None
    network = services.network_create(
        by=manager_user,
        name="  Philippine   Survivor Network ",
        short_name="PSN",
        review_required_audiences=["media", "government", "media"],
        review_fee=Decimal("450.00"),
        circle_allowance=Decimal("250.00"),
    )
    assert network.name == "Philippine Survivor Network"
    assert network.review_required_audiences == ["government", "media"]
    assert services.current_network() == network
    assert LogEntry.objects.filter(additional_data__event="network_created").exists()

    changed = services.network_update(
        network=network, by=manager_user, circle_allowance=Decimal("350.00"), short_name="PSN"
    )
    assert changed == ["circle_allowance"]
    network.refresh_from_db()
    assert network.circle_allowance == Decimal("350.00")
    assert services.network_update(network=network, by=manager_user, short_name="PSN") == []


@pytest.mark.parametrize(
    "fields",
    [
        {"name": ""},
        {"name": "X", "review_fee": Decimal("-1")},
        {"name": "X", "circle_allowance": Decimal("-0.01")},
        {"name": "X", "circle_allowance": Decimal("10000000")},
        {"name": "X", "review_required_audiences": ["nobody"]},
        {"name": "X" * 161},
    ],
)
def test_bad_networks_are_refused(manager_user, fields):
    with pytest.raises(ValidationError):
        services.network_create(by=manager_user, **fields)
    assert not Network.objects.exists()


def test_a_name_is_taken_once(manager_user, network):
    with pytest.raises(ValidationError) as refused:
        services.network_create(by=manager_user, name=network.name)
    assert "name" in refused.value.message_dict


def test_the_role_follows_an_account_that_comes_after_the_naming(
    network, manager_user, texts, django_capture_on_commit_callbacks
):
    consultant = ConsultantFactory(pseudonym="Liwayway", user=None)
    leaders.leader_name(network=network, consultant=consultant, by=manager_user)
    with django_capture_on_commit_callbacks(execute=True):
        user = consultant_services.consultant_invite_to_portal(
            consultant=consultant, by=manager_user
        )
    user.refresh_from_db()
    assert Role.SURVIVOR_LEADER in roles_of(user)
    assert is_survivor_leader(user)


def test_an_account_without_leadership_gets_no_leader_role(
    network, manager_user, texts, django_capture_on_commit_callbacks
):
    consultant = ConsultantFactory(pseudonym="Tahimik", user=None)
    with django_capture_on_commit_callbacks(execute=True):
        user = consultant_services.consultant_invite_to_portal(
            consultant=consultant, by=manager_user
        )
    assert not is_survivor_leader(user)


def test_an_ended_leadership_gives_no_role_to_a_later_account(
    network, manager_user, texts, django_capture_on_commit_callbacks
):
    consultant = ConsultantFactory(pseudonym="Dating", user=None)
    leadership = leaders.leader_name(network=network, consultant=consultant, by=manager_user)
    leaders.leader_end(leadership=leadership, by=manager_user)
    with django_capture_on_commit_callbacks(execute=True):
        user = consultant_services.consultant_invite_to_portal(
            consultant=consultant, by=manager_user
        )
    assert not is_survivor_leader(user)


def test_marking_network_led_engagements_and_works(network, programme_staff_user):
    engagement = past_engagement(programme_staff_user, days_ago=5)
    work = Work.objects.create(
        title="Guide", kind="report", created_by=programme_staff_user, published_on=None
    )
    work.engagements.add(engagement)
    by = programme_staff_user
    assert services.engagement_led_set(engagement=engagement, led=True, by=by)
    assert not services.engagement_led_set(engagement=engagement, led=True, by=by)
    assert NetworkLedEngagement.objects.get().network == network
    assert services.work_led_set(work=work, led=True, by=by)
    assert not services.work_led_set(work=work, led=True, by=by)
    counts = led.led_counts(network=network)
    assert counts["engagements_led"] == 1 and counts["works_led"] == 1
    today = timezone.localdate()
    assert led.led_counts(date_from=today + datetime.timedelta(days=1))["works_led"] == 0
    assert led.led_counts(date_to=today - datetime.timedelta(days=10))["engagements_led"] == 0
    assert services.engagement_led_set(engagement=engagement, led=False, by=by)
    assert not services.engagement_led_set(engagement=engagement, led=False, by=by)
    assert services.work_led_set(work=work, led=False, by=by)
    assert not NetworkLedEngagement.objects.exists() and not NetworkLedWork.objects.exists()
    events = set(
        LogEntry.objects.filter(additional_data__event__startswith="network_led").values_list(
            "additional_data__event", flat=True
        )
    )
    assert events == {"network_led_marked", "network_led_unmarked"}


def test_marking_needs_the_network(programme_staff_user):
    engagement = past_engagement(programme_staff_user, days_ago=5)
    with pytest.raises(ValidationError):
        services.engagement_led_set(engagement=engagement, led=True, by=programme_staff_user)


def test_circle_counts_for_the_report(circles_world):
    world = circles_world
    circle_services.attendance_mark(
        meeting=world["meeting"],
        present={world["amihan"].pk, world["bayani"].pk},
        by=world["contact"],
    )
    counts = led.led_counts(network=world["network"])
    assert counts["circle_meetings_held"] == 2
    assert counts["circle_attendances"] == 2
    assert counts["circle_allowances"] == Decimal("600.00")
