"""Every staff page of the checklists app x every persona, as one table.

A cell is the status the persona gets from the page itself (no redirects
followed). Anonymous visitors go to sign-in (302); people without a staff
role get 403; an engagement (or item) the persona may not see is 404; one
they see but may not tick is 403. test_every_url_is_in_the_matrix fails
until a new URL of checklists/urls_staff.py has its row.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import Role
from checklists import services
from checklists.models import ChecklistItem
from checklists.urls_staff import urlpatterns
from engagements.models import Audience, Engagement, Mode
from tests.consultants.factories import ConsultantFactory
from tests.engagements.factories import EngagementFactory
from tests.fixtures import name_survivor_leader
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "no_role",
    "consultant",
    "leader",  # a consultant named survivor leader: no staff page opens
    "staff",  # programme staff, not on this engagement
    "owner",  # the engagement's owner (the items' assignee)
    "assigned",  # programme staff assigned to the engagement
    "manager",
    "finance",
    "wellbeing",  # a wellbeing lead, none of whose consultants take part
    "admin",
]

S, D, N, OK = 302, 403, 404, 200

# fmt: off
MATRIX: dict[str, tuple[str, list[int]]] = {
    #                                  anon no_r cons lead staff owner asgn mgr fin  wb  admin
    "my_tasks":            ("get",  [S,   D,   D,   D,   OK,   OK,   OK,  OK, OK,  OK, OK]),
    "compliance":          ("get",  [S,   D,   D,   D,   OK,   OK,   OK,  OK, OK,  OK, OK]),
    # Handing over a leaving person's items: managers and administrators.
    "handover":            ("get",  [S,   D,   D,   D,   D,    D,    D,   OK, D,   D,  OK]),
    "engagement":          ("get",  [S,   D,   D,   D,   N,    OK,   OK,  OK, OK,  N,  OK]),
    "item_done":           ("get",  [S,   D,   D,   D,   N,    OK,   OK,  OK, D,   N,  OK]),
    "item_not_applicable": ("get",  [S,   D,   D,   D,   N,    OK,   OK,  OK, D,   N,  OK]),
    "item_reopen":         ("get",  [S,   D,   D,   D,   N,    OK,   OK,  OK, D,   N,  OK]),
    "item_evidence":       ("post", [S,   D,   D,   D,   N,    OK,   OK,  OK, OK,  N,  OK]),
    # The owner, managers and administrators hand an item on; assigned staff
    # and finance see the checklist but may not.
    "item_reassign":       ("get",  [S,   D,   D,   D,   N,    OK,   D,   OK, D,   N,  OK]),
}
# fmt: on


@pytest.fixture
def world(make_user, manager_user):
    owner = make_user(Role.PROGRAMME_STAFF)
    assigned = make_user(Role.PROGRAMME_STAFF)
    from engagements import workflow

    engagement = EngagementFactory(
        owner=owner,
        status=Engagement.Status.SUBMITTED,
        audience=Audience.PUBLIC,
        mode=Mode.IN_PERSON,
        venue="Hall",
        online_link="",
        assigned_staff=[assigned],
    )
    workflow.engagement_transition(engagement=engagement, name="approve", by=manager_user)
    items = {i.key: i for i in ChecklistItem.objects.filter(checklist__engagement=engagement)}
    services.item_mark_done(item=items["schedule-checked"], by=owner)
    services.item_mark_done(
        item=items["compensation-agreed"],
        by=owner,
        evidence=SimpleUploadedFile("agreement.pdf", b"%PDF-1.4 signed"),
    )
    return {
        "owner": owner,
        "assigned": assigned,
        "engagement": engagement,
        "kwargs": {
            "my_tasks": {},
            "compliance": {},
            "handover": {},
            "engagement": {"engagement_pk": engagement.pk},
            "item_done": {"pk": items["briefing-held"].pk},
            "item_not_applicable": {"pk": items["consent-recording"].pk},
            "item_reopen": {"pk": items["schedule-checked"].pk},
            "item_evidence": {"pk": items["compensation-agreed"].pk},
            "item_reassign": {"pk": items["briefing-held"].pk},
        },
    }


def _persona(name, world, make_user):
    match name:
        case "anonymous":
            return None
        case "no_role":
            return make_user(None)
        case "consultant":
            return make_user(Role.CONSULTANT)
        case "leader":
            return name_survivor_leader(ConsultantFactory(user=make_user(Role.CONSULTANT)))
        case "staff":
            return make_user(Role.PROGRAMME_STAFF)
        case "owner" | "assigned":
            return world[name]
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


def _snapshot(engagement):
    return list(
        ChecklistItem.objects.filter(checklist__engagement=engagement)
        .order_by("pk")
        .values_list("pk", "status", "done_at", "justification", "evidence_file", "assignee_id")
    )


@pytest.mark.parametrize(("name", "persona", "method", "expected"), CASES)
def test_matrix(name, persona, method, expected, world, make_user):
    user = _persona(persona, world, make_user)
    url = reverse(f"checklists:{name}", kwargs=world["kwargs"][name])
    before = _snapshot(world["engagement"])
    client = client_for(user)
    response = client.get(url) if method == "get" else client.post(url)
    assert response.status_code == expected, response.content[:300]
    if expected == S:
        assert response["Location"].startswith("/accounts/login/")
    assert _snapshot(world["engagement"]) == before


def test_every_url_is_in_the_matrix():
    names = {pattern.name for pattern in urlpatterns}
    assert names == set(MATRIX), (
        f"missing rows: {sorted(names - set(MATRIX))}; stale rows: {sorted(set(MATRIX) - names)}"
    )


def test_a_forged_pk_is_404(make_user, world):
    staff = make_user(Role.PROGRAMME_STAFF)
    client = client_for(staff)
    for pk in (world["kwargs"]["item_done"]["pk"], 10**9):
        assert client.get(reverse("checklists:item_done", args=[pk])).status_code == 404
        assert client.post(reverse("checklists:item_done", args=[pk])).status_code == 404
    assert client.get(reverse("checklists:engagement", args=[10**9])).status_code == 404
