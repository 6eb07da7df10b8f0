"""Every portal page of the checklists app x every persona."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from checklists import services
from checklists.models import ChecklistItem
from checklists.urls_portal import urlpatterns
from engagements.models import Participation
from tests.engagements.factories import ParticipationFactory
from tests.fixtures import name_survivor_leader
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "no_role",
    "consultant",
    "other_consultant",
    "leader",  # a survivor leader with a profile of her own, on no checklist here
    "owner",
    "manager",
    "admin",
]
S, D, N, OK = 302, 403, 404, 200

# fmt: off
MATRIX = {
    #                 anon no_r cons other lead owner mgr admin
    "index": ("get", [S,   D,   OK,  OK,   OK,  D,    D,  D]),
    "item":  ("get", [S,   D,   OK,  N,    N,   D,    D,  D]),
}
# fmt: on


@pytest.fixture
def world(internal_online, make_consultant, make_user, owner):
    user = make_user(Role.CONSULTANT)
    consultant = make_consultant(user=user)
    other = make_consultant(user=make_user(Role.CONSULTANT))
    for c in (consultant, other):
        ParticipationFactory(
            engagement=internal_online, consultant=c, status=Participation.Status.ACCEPTED
        )
        services.checklist_add_consultant(engagement=internal_online, consultant=c)
    item = ChecklistItem.objects.get(consultant=consultant, key="read-brief")
    leader = name_survivor_leader(make_consultant(user=make_user(Role.CONSULTANT)))
    return {
        "consultant": user,
        "other_consultant": other.user,
        "leader": leader,
        "owner": owner,
        "item": item,
    }


def _persona(name, world, make_user):
    if name == "anonymous":
        return None
    if name == "no_role":
        return make_user(None)
    if name in ("consultant", "other_consultant", "leader", "owner"):
        return world[name]
    return make_user(Role.PROGRAMME_MANAGER if name == "manager" else Role.ADMINISTRATOR)


@pytest.mark.parametrize(
    ("name", "persona", "method", "expected"),
    [
        pytest.param(name, persona, method, expected, id=f"{name}-{persona}")
        for name, (method, row) in MATRIX.items()
        for persona, expected in zip(PERSONAS, row, strict=True)
    ],
)
def test_matrix(name, persona, method, expected, world, make_user):
    user = _persona(persona, world, make_user)
    kwargs = {"pk": world["item"].pk} if name == "item" else {}
    response = client_for(user).get(reverse(f"my_checklist:{name}", kwargs=kwargs))
    assert response.status_code == expected
    if persona == "leader" and expected == OK:
        # Leading the network shows her none of the others' checklists.
        assert "I have read the brief" not in response.content.decode()


def test_every_url_is_in_the_matrix():
    assert {p.name for p in urlpatterns} == set(MATRIX)


def test_only_the_consultant_ticks_their_item(world):
    item = world["item"]
    url = reverse("my_checklist:item", args=[item.pk])
    assert client_for(world["other_consultant"]).post(url).status_code == 404
    assert client_for(world["owner"]).post(url).status_code == 403
    assert ChecklistItem.objects.get(pk=item.pk).is_open
    response = client_for(world["consultant"]).post(url, {"note": "Read it twice."})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == ChecklistItem.Status.DONE
    assert item.done_by == world["consultant"]
    # The list shows it done; the other consultant's list does not show it.
    page = client_for(world["consultant"]).get(reverse("my_checklist:index")).content.decode()
    assert "I have read the brief" in page
    other_page = client_for(world["other_consultant"]).get(reverse("my_checklist:index"))
    assert other_page.content.decode().count("I have read the brief") == 1
