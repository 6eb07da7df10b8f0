"""Every page of a survivor leader's area (/portal/lead/) x every persona.

A cell is the status the persona gets from the page itself (no redirects
followed). Anonymous visitors go to sign-in (302); signed-in people who are
not consultants get 403 (the portal's rule), and so do consultants who are
not leaders, the leader role without an open leadership included
("role_only"). The leader (named in a network, no second factor asked
here) opens every page; the second-factor page sends her home (302) when
her network asks for none. test_every_url_is_in_the_matrix fails until a
new URL has its row.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from network.models import AdvisoryReview
from network.urls_lead import urlpatterns
from tests.consultants.factories import ConsultantFactory
from tests.fixtures import make_survivor_leader
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "no_role",
    "consultant",
    "role_only",  # the survivor_leader role, no leadership
    "survivor_leader",  # named in a network (a Leadership)
    "programme_staff",
    "manager",
    "finance",
    "wellbeing",
    "admin",
]

S, D, N, OK = 302, 403, 404, 200

# fmt: off
MATRIX: dict[str, tuple[str, list[int]]] = {
    #                              anon no_r cons role lead staff mgr fin  wb  admin
    "lead:home":          ("get",  [S,   D,   D,   D,   OK,  D,    D,  D,   D,  D]),
    "lead:second_factor": ("get",  [S,   D,   D,   D,   S,   D,    D,  D,   D,  D]),
    "lead:request":       ("get",  [S,   D,   D,   D,   OK,  D,    D,  D,   D,  D]),
    "lead:review":        ("get",  [S,   D,   D,   D,   OK,  D,    D,  D,   D,  D]),
}
# fmt: on


def _persona(name, make_user, lead_leader):
    match name:
        case "anonymous":
            return None
        case "no_role":
            return make_user(None)
        case "consultant":
            user = make_user(Role.CONSULTANT)
            ConsultantFactory(user=user)
            return user
        case "role_only":
            user = make_survivor_leader(make_user)
            ConsultantFactory(user=user)
            return user
        case "survivor_leader":
            return lead_leader[0]
        case "programme_staff":
            return make_user(Role.PROGRAMME_STAFF)
        case "manager":
            return make_user(Role.PROGRAMME_MANAGER)
        case "finance":
            return make_user(Role.FINANCE_OFFICER)
        case "wellbeing":
            return make_user(Role.WELLBEING_LEAD)
        case "admin":
            return make_user(Role.ADMINISTRATOR)
    raise AssertionError(name)


def _kwargs(name, engagement):
    return {} if name in ("lead:home", "lead:second_factor") else {"pk": engagement.pk}


CELLS = [
    (name, method, persona, expected)
    for name, (method, row) in MATRIX.items()
    for persona, expected in zip(PERSONAS, row, strict=True)
]


@pytest.mark.parametrize(("name", "method", "persona_name", "expected"), CELLS)
def test_matrix(name, method, persona_name, expected, make_user, lead_leader, media_request):
    user = _persona(persona_name, make_user, lead_leader)
    url = reverse(name, kwargs=_kwargs(name, media_request))
    response = getattr(client_for(user), method)(url)
    assert response.status_code == expected, (name, persona_name)


@pytest.mark.parametrize("persona_name", PERSONAS)
def test_only_the_leader_may_post_a_review(persona_name, make_user, lead_leader, media_request):
    user = _persona(persona_name, make_user, lead_leader)
    response = client_for(user).post(
        reverse("lead:review", args=[media_request.pk]),
        {"recommendation": "recommend", "changes": "", "notes": ""},
    )
    if persona_name == "survivor_leader":
        assert response.status_code == 302
        assert AdvisoryReview.objects.count() == 1
    else:
        assert response.status_code in (S, D)
        assert not AdvisoryReview.objects.exists()


def test_every_url_is_in_the_matrix():
    names = {f"lead:{pattern.name}" for pattern in urlpatterns}
    assert names == set(MATRIX)
