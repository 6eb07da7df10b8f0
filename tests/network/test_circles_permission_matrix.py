# ruff: noqa: F811  (the fixtures of tests/network/circles_world.py, imported by name)
"""Every page of the network's staff side and peer circles (issue #18,
parts 2 and 4) x every persona, as one table, and the portal's "Your peer
circle".

A cell is the status the persona gets from the page itself (no redirects
followed). Anonymous visitors go to sign-in (302); people without the
site's role get 403; a circle the persona does not run is 404, as is an
engagement or work she may not see; one she sees but may not change is
403. "contact" is the programme staff member who is the circle's staff
contact and owns the engagement; "staff" is programme staff who is not.
test_every_url_is_in_the_matrix fails until a new URL has its row.
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from compensation.models import PaymentLine
from impact.models import Work
from network.models import (
    CircleAttendance,
    CircleMeeting,
    CircleMembership,
    Leadership,
    Network,
    NetworkLedEngagement,
    NetworkLedWork,
    PeerCircle,
)
from network.services import leaders
from network.urls_portal_circles import urlpatterns as portal_urls
from network.urls_staff import urlpatterns as staff_urls
from tests.consultants.factories import ConsultantFactory
from tests.fixtures import make_survivor_leader
from tests.helpers import client_for, past_engagement
from tests.network.circles_world import circles_world, network  # noqa: F401

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "no_role",
    "consultant",  # Amihan, a member of the circle
    "survivor_leader",
    "staff",  # programme staff, not the circle's contact
    "contact",  # programme staff, the circle's contact, owns the engagement
    "manager",
    "finance",
    "wellbeing",
    "admin",
]

S, D, N, OK, R = 302, 403, 404, 200, "redirect"

# fmt: off
MATRIX: dict[str, tuple[str, list]] = {
    #                              anon no_r cons lead staff cont mgr fin  wb  admin
    "network:index":           ("get", [S, D,   D,   D,   OK,   OK,  OK, OK,  OK, OK]),
    "network:create":          ("get", [S, D,   D,   D,   D,    D,   R,  D,   D,  R]),
    "network:edit":            ("get", [S, D,   D,   D,   D,    D,   OK, D,   D,  OK]),
    "network:leader_add":      ("get", [S, D,   D,   D,   D,    D,   OK, D,   D,  OK]),
    "network:leader_end":      ("get", [S, D,   D,   D,   D,    D,   OK, D,   D,  OK]),
    "network:engagement_led":  ("get", [S, D,   D,   D,   N,    OK,  OK, D,   N,  OK]),
    "network:work_led":        ("get", [S, D,   D,   D,   N,    OK,  OK, D,   N,  OK]),
    "network:circles":         ("get", [S, D,   D,   D,   OK,   OK,  OK, OK,  OK, OK]),
    "network:circle_create":   ("get", [S, D,   D,   D,   D,    D,   OK, D,   D,  OK]),
    "network:circle":          ("get", [S, D,   D,   D,   N,    OK,  OK, N,   N,  OK]),
    "network:circle_edit":     ("get", [S, D,   D,   D,   N,    OK,  OK, N,   N,  OK]),
    "network:member_add":      ("get", [S, D,   D,   D,   N,    OK,  OK, N,   N,  OK]),
    "network:member_remove":   ("get", [S, D,   D,   D,   N,    OK,  OK, N,   N,  OK]),
    "network:meeting_add":     ("get", [S, D,   D,   D,   N,    OK,  OK, N,   N,  OK]),
    "network:meeting_cancel":  ("get", [S, D,   D,   D,   N,    OK,  OK, N,   N,  OK]),
    "network:attendance":      ("get", [S, D,   D,   D,   N,    OK,  OK, N,   N,  OK]),
    "my_circles:index":        ("get", [S, D,   OK,  OK,  D,    D,   D,  D,   D,  D]),
}
# fmt: on


@pytest.fixture
def matrix_world(circles_world, manager_user):
    world = circles_world
    contact = world["contact"]
    engagement = past_engagement(contact, days_ago=5)
    work = Work.objects.create(title="Guide", kind="report", created_by=contact)
    work.engagements.add(engagement)
    leader = ConsultantFactory(pseudonym="Pinuno")
    leadership = leaders.leader_name(network=world["network"], consultant=leader, by=manager_user)
    later = CircleMeeting.objects.create(
        circle=world["circle"],
        starts_at=timezone.now() + datetime.timedelta(days=7),
        mode="online",
        created_by=contact,
    )
    circle = world["circle"].pk
    world.update(engagement=engagement, work=work, leadership=leadership, later=later)
    world["kwargs"] = {
        "network:index": {},
        "network:create": {},
        "network:edit": {},
        "network:leader_add": {},
        "network:leader_end": {"pk": leadership.pk},
        "network:engagement_led": {"engagement_pk": engagement.pk},
        "network:work_led": {"pk": work.pk},
        "network:circles": {},
        "network:circle_create": {},
        "network:circle": {"pk": circle},
        "network:circle_edit": {"pk": circle},
        "network:member_add": {"pk": circle},
        "network:member_remove": {
            "pk": circle,
            "membership_pk": world["memberships"]["Bayani"].pk,
        },
        "network:meeting_add": {"pk": circle},
        "network:meeting_cancel": {"pk": circle, "meeting_pk": later.pk},
        "network:attendance": {"pk": circle, "meeting_pk": world["meeting"].pk},
        "my_circles:index": {},
    }
    return world


def _persona(name, world, make_user):
    match name:
        case "anonymous":
            return None
        case "no_role":
            return make_user(None)
        case "consultant":
            return world["amihan"].user
        case "survivor_leader":
            return make_survivor_leader(make_user)
        case "staff":
            return make_user(Role.PROGRAMME_STAFF)
        case "contact":
            return world["contact"]
        case "manager":
            return make_user(Role.PROGRAMME_MANAGER)
        case "finance":
            return make_user(Role.FINANCE_OFFICER)
        case "wellbeing":
            return make_user(Role.WELLBEING_LEAD)
        case "admin":
            return make_user(Role.ADMINISTRATOR)
    raise AssertionError(name)


CASES = [
    pytest.param(name, persona, method, expected, id=f"{name}-{persona}")
    for name, (method, row) in MATRIX.items()
    for persona, expected in zip(PERSONAS, row, strict=True)
]


def _snapshot():
    return (
        list(Network.objects.values_list("name", "short_name", "circle_allowance", "review_fee")),
        list(Leadership.objects.order_by("pk").values_list("pk", "until")),
        list(PeerCircle.objects.order_by("pk").values_list("pk", "name", "ended_on", "paid")),
        list(CircleMembership.objects.order_by("pk").values_list("pk", "left_on")),
        list(CircleMeeting.objects.order_by("pk").values_list("pk", "cancelled_at")),
        list(CircleAttendance.objects.order_by("pk").values_list("pk", "present")),
        NetworkLedEngagement.objects.count(),
        NetworkLedWork.objects.count(),
        PaymentLine.objects.count(),
    )


@pytest.mark.parametrize(("name", "persona", "method", "expected"), CASES)
def test_matrix(name, persona, method, expected, matrix_world, make_user):
    user = _persona(persona, matrix_world, make_user)
    url = reverse(name, kwargs=matrix_world["kwargs"][name])
    before = _snapshot()
    response = client_for(user).get(url)
    if expected == R:
        assert response.status_code == 302
        assert not response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == expected, response.content[:300]
    if expected == S:
        assert response["Location"].startswith("/accounts/login/")
    assert _snapshot() == before


def test_every_url_is_in_the_matrix():
    # Growth's staff pages share the prefix and the namespace: their rows are
    # in tests/network/test_growth_permission_matrix.py.
    names = {f"network:{p.name}" for p in staff_urls if not p.name.startswith("growth_")} | {
        f"my_circles:{p.name}" for p in portal_urls
    }
    assert names == set(MATRIX), (
        f"missing rows: {sorted(names - set(MATRIX))}; stale rows: {sorted(set(MATRIX) - names)}"
    )


# POSTs with valid data, each persona: only the cells that may change do.
MAY_MANAGE = {"manager", "admin"}
MAY_RUN_CIRCLE = {"contact", "manager", "admin"}
WRITES = {
    "network:edit": (
        lambda w: {
            "name": "Renamed",
            "short_name": "R",
            "description": "",
            "review_fee": "1.00",
            "circle_allowance": "2.00",
        },
        MAY_MANAGE,
    ),
    "network:leader_add": (lambda w: {"consultant": w["lakan"].pk}, MAY_MANAGE),
    "network:leader_end": (lambda w: {}, MAY_MANAGE),
    "network:engagement_led": (lambda w: {"led": "on"}, MAY_RUN_CIRCLE),
    "network:work_led": (lambda w: {"led": "on"}, MAY_RUN_CIRCLE),
    "network:circle_create": (
        lambda w: {
            "name": "Bago",
            "staff_contact": w["contact"].pk,
            "paid": "on",
            "started_on": timezone.localdate().isoformat(),
        },
        MAY_MANAGE,
    ),
    "network:circle_edit": (
        lambda w: {
            "name": "Renamed circle",
            "staff_contact": w["contact"].pk,
            "started_on": w["circle"].started_on.isoformat(),
        },
        MAY_RUN_CIRCLE,
    ),
    "network:member_add": (lambda w: {"consultant": w["lakan"].pk}, MAY_RUN_CIRCLE),
    "network:member_remove": (lambda w: {}, MAY_RUN_CIRCLE),
    "network:meeting_add": (
        lambda w: {
            "starts_at": (timezone.localtime() + datetime.timedelta(days=3)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "mode": "online",
        },
        MAY_RUN_CIRCLE,
    ),
    "network:meeting_cancel": (lambda w: {}, MAY_RUN_CIRCLE),
    "network:attendance": (lambda w: {"present": [w["amihan"].pk]}, MAY_RUN_CIRCLE),
}


@pytest.mark.parametrize("name", sorted(WRITES))
@pytest.mark.parametrize("persona", PERSONAS)
def test_writes_change_only_for_those_allowed(name, persona, matrix_world, make_user):
    user = _persona(persona, matrix_world, make_user)
    data_for, allowed = WRITES[name]
    url = reverse(name, kwargs=matrix_world["kwargs"][name])
    before = _snapshot()
    response = client_for(user).post(url, data_for(matrix_world))
    if persona in allowed:
        assert response.status_code == 302, response.content[:2000]
        assert _snapshot() != before
    else:
        assert response.status_code in (302, 403, 404)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/")
        assert _snapshot() == before
