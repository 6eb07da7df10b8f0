"""Fixtures of the network's staff pages and peer circles tests (issue
#18, parts 2 and 4), imported by name into each test module (the network
tests share no conftest between parts).

The world: the network (circle allowance ₱300), a paid circle "Bukang
Liwayway" whose staff contact is ``contact`` (programme staff), with Amihan
(visible to peers), Bayani (visible to peers) and Dalisay (not) as
members and a meeting an hour ago; a second circle "Takipsilim" run by
``other_contact`` with Lakan as member and its own meeting.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.roles import Role
from network.models import Network
from network.services import circles as services
from network.services import network as network_services
from tests.consultants.factories import ConsultantFactory


@pytest.fixture
def network(manager_user):
    return network_services.network_create(
        by=manager_user,
        name="Philippine Survivor Network",
        short_name="PSN",
        description="Survivors leading.",
        review_required_audiences=["government"],
        leaders_need_mfa=True,
        review_fee=Decimal("500.00"),
        circle_allowance=Decimal("300.00"),
    )


@pytest.fixture
def circles_world(network, make_user, manager_user):
    contact = make_user(Role.PROGRAMME_STAFF, display_name="Contact Staff")
    other_contact = make_user(Role.PROGRAMME_STAFF, display_name="Other Staff")
    amihan = ConsultantFactory(
        pseudonym="Amihan", user=make_user(Role.CONSULTANT), visible_to_peers=True
    )
    bayani = ConsultantFactory(
        pseudonym="Bayani", user=make_user(Role.CONSULTANT), visible_to_peers=True
    )
    dalisay = ConsultantFactory(pseudonym="Dalisay", user=make_user(Role.CONSULTANT))
    lakan = ConsultantFactory(pseudonym="Lakan", user=make_user(Role.CONSULTANT))
    started = timezone.localdate() - datetime.timedelta(days=30)
    circle = services.circle_create(
        network=network,
        by=manager_user,
        name="Bukang Liwayway",
        facilitator=amihan,
        staff_contact=contact,
        paid=True,
        started_on=started,
    )
    other = services.circle_create(
        network=network,
        by=manager_user,
        name="Takipsilim",
        staff_contact=other_contact,
        paid=False,
        started_on=started,
    )
    memberships = {
        consultant.pseudonym: services.member_add(circle=circle, consultant=consultant, by=contact)
        for consultant in (amihan, bayani, dalisay)
    }
    other_membership = services.member_add(circle=other, consultant=lakan, by=other_contact)
    meeting = services.meeting_schedule(
        circle=circle,
        starts_at=timezone.now() - datetime.timedelta(hours=1),
        mode="online",
        by=contact,
    )
    other_meeting = services.meeting_schedule(
        circle=other,
        starts_at=timezone.now() - datetime.timedelta(hours=2),
        mode="in_person",
        by=other_contact,
    )
    return {
        "network": network,
        "manager": manager_user,
        "contact": contact,
        "other_contact": other_contact,
        "amihan": amihan,
        "bayani": bayani,
        "dalisay": dalisay,
        "lakan": lakan,
        "circle": circle,
        "other": other,
        "memberships": memberships,
        "other_membership": other_membership,
        "meeting": meeting,
        "other_meeting": other_meeting,
    }


__all__ = ["Network", "circles_world", "network"]
