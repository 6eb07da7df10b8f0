"""Every page of growth x every persona, as one table (the staff pages of
learning events and skills, her growth page in the portal).

A cell is the status the persona gets from the page itself (no redirects
followed). Anonymous visitors go to sign-in (302); people without the
site's role get 403; an engagement or consultant the persona may not see
is 404; one they see but may not change is 403; another consultant's
reflection is 404. test_every_url_is_in_the_matrix fails until a new URL
has its row; test_writes_change_only_for_those_who_may posts valid data
as every persona."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from engagements import access as engagements_access
from network.models import LearningEvent, Reflection, SkillEvidence, StepReached
from network.services import growth as services
from network.urls_growth_portal import urlpatterns as portal_urls
from network.urls_growth_staff import urlpatterns as staff_urls
from tests.consultants.factories import ConsultantFactory
from tests.fixtures import make_survivor_leader
from tests.helpers import client_for
from tests.network.growth_world import attend, build

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "no_role",
    "consultant",  # Amihan, who attended the camp
    "survivor_leader",  # a consultant and leader, with a profile of her own
    "programme_staff",  # not on the camp
    "owner",  # the camp's owner
    "manager",
    "finance",
    "wellbeing",  # a wellbeing lead, none of whose consultants took part
    "admin",
]

S, D, N, OK = 302, 403, 404, 200

# fmt: off
MATRIX: dict[str, list[int]] = {
    #                                 anon no_r cons lead staff owner mgr fin  wb  admin
    "network:growth_event_edit":     [S,   D,   D,   D,   N,    OK,   OK, D,   N,  OK],
    "network:growth_skills":         [S,   D,   D,   D,   N,    OK,   OK, OK,  N,  OK],
    "network:growth_skill_add":      [S,   D,   D,   D,   N,    OK,   OK, D,   N,  OK],
    "network:growth_skill_withdraw": [S,   D,   D,   D,   N,    OK,   OK, D,   N,  OK],
    "network:growth_step_add":       [S,   D,   D,   D,   N,    OK,   OK, D,   N,  OK],
    "my_growth:index":               [S,   D,   OK,  OK,  D,    D,    D,  D,   D,  D],
    "my_growth:reflection_add":      [S,   D,   OK,  OK,  D,    D,    D,  D,   D,  D],
    "my_growth:reflection_edit":     [S,   D,   OK,  N,   D,    D,    D,  D,   D,  D],
    "my_growth:reflection_delete":   [S,   D,   OK,  N,   D,    D,    D,  D,   D,  D],
}
# fmt: on


@pytest.fixture
def matrix_world(make_user, manager_user):
    world = build(make_user)
    attend(world, "Amihan")
    # The camp's staff see those they invited (the engagements app grants it).
    engagements_access.grant_staff_on_consultant(world["camp"], world["amihan"])
    evidence = SkillEvidence.objects.filter(consultant=world["amihan"]).first()
    reflection = services.reflection_add(
        consultant=world["amihan"], by=world["amihan"].user, body="Mine", shared_with_team=True
    )
    leader = make_survivor_leader(make_user)
    ConsultantFactory(pseudonym="Lakan", user=leader)
    world["leader"] = leader
    world["manager"] = manager_user
    amihan, camp = world["amihan"].pk, world["camp"].pk
    world["kwargs"] = {
        "network:growth_event_edit": {"engagement_pk": camp},
        "network:growth_skills": {"pk": amihan},
        "network:growth_skill_add": {"pk": amihan},
        "network:growth_skill_withdraw": {"pk": amihan, "evidence_pk": evidence.pk},
        "network:growth_step_add": {"pk": amihan},
        "my_growth:index": {},
        "my_growth:reflection_add": {},
        "my_growth:reflection_edit": {"pk": reflection.pk},
        "my_growth:reflection_delete": {"pk": reflection.pk},
    }
    world["evidence"] = evidence
    world["reflection"] = reflection
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
            return world["leader"]
        case "programme_staff":
            return make_user(Role.PROGRAMME_STAFF)
        case "owner":
            return world["owner"]
        case "manager":
            return world["manager"]
        case "finance":
            return make_user(Role.FINANCE_OFFICER)
        case "wellbeing":
            return make_user(Role.WELLBEING_LEAD)
        case "admin":
            return make_user(Role.ADMINISTRATOR)
    raise AssertionError(name)


CASES = [
    pytest.param(name, persona, expected, id=f"{name}-{persona}")
    for name, row in MATRIX.items()
    for persona, expected in zip(PERSONAS, row, strict=True)
]


def _snapshot():
    return (
        list(SkillEvidence.objects.order_by("pk").values_list("pk", "withdrawn_at", "skill_id")),
        StepReached.objects.count(),
        list(Reflection.objects.order_by("pk").values_list("pk", "shared_with_team")),
        list(LearningEvent.objects.values_list("kind", flat=True)),
    )


@pytest.mark.parametrize(("name", "persona", "expected"), CASES)
def test_matrix(name, persona, expected, matrix_world, make_user):
    user = _persona(persona, matrix_world, make_user)
    url = reverse(name, kwargs=matrix_world["kwargs"][name])
    before = _snapshot()
    response = client_for(user).get(url)
    assert response.status_code == expected, response.content[:300]
    if expected == S:
        assert response["Location"].startswith("/accounts/login/")
    assert _snapshot() == before


def test_every_url_is_in_the_matrix():
    names = {f"network:{p.name}" for p in staff_urls} | {f"my_growth:{p.name}" for p in portal_urls}
    assert names == set(MATRIX), (
        f"missing rows: {sorted(names - set(MATRIX))}; stale rows: {sorted(set(MATRIX) - names)}"
    )


def _writes(world):
    step = world["steps"][0].pk
    return {
        "network:growth_event_edit": {
            "kind": "training",
            "skills": [world["speaking"].pk],
            "staff_facilitators": [],
        },
        "network:growth_skill_add": {
            "skill": world["speaking"].pk,
            "source": "staff",
            "gained_on": timezone.localdate().isoformat(),
        },
        "network:growth_skill_withdraw": {"reason": "By mistake"},
        "network:growth_step_add": {
            "step": step,
            "reached_on": timezone.localdate().isoformat(),
        },
        "my_growth:reflection_add": {"body": "New words"},
        "my_growth:reflection_edit": {"body": "Other words"},
        "my_growth:reflection_delete": {},
    }


WRITE_NAMES = sorted(set(MATRIX) - {"network:growth_skills", "my_growth:index"})


@pytest.mark.parametrize("name", WRITE_NAMES)
@pytest.mark.parametrize("persona", PERSONAS)
def test_writes_change_only_for_those_who_may(name, persona, matrix_world, make_user):
    user = _persona(persona, matrix_world, make_user)
    url = reverse(name, kwargs=matrix_world["kwargs"][name])
    before = _snapshot()
    response = client_for(user).post(url, _writes(matrix_world)[name])
    changed = _snapshot() != before
    expected = MATRIX[name][PERSONAS.index(persona)]
    if expected == OK:
        assert response.status_code == 302, response.content[:500]
        assert changed
    else:
        assert response.status_code in (S, D, N), response.status_code
        assert not changed
    if name == "my_growth:reflection_add" and persona == "survivor_leader":
        # Her own words, on her own profile.
        assert Reflection.objects.filter(consultant__pseudonym="Lakan").exists()
