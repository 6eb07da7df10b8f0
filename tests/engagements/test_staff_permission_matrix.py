"""Every staff page of the engagements app x every persona, as one table.

A cell is the status the persona gets from the page itself (no redirects
followed). Anonymous visitors go to sign-in (302); people without a staff
role get 403; an engagement the persona may not see is 404 (its existence
is not even confirmed); one they see but may not act on is 403.

POST pages are asked with a POST that carries no valid input, so a
permitted persona gets the page back with the refusal (400) and nothing
changes; the two actions that take no input (approving a privacy plan,
removing an assigned colleague) are done (R, a redirect).
test_every_url_is_in_the_matrix fails until a new URL of
engagements/urls_staff.py has its row.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from consultants import access as consultants_access
from engagements.models import Engagement, Participation, PrivacyPlan
from engagements.urls_staff import urlpatterns
from tests.consultants.factories import ConsultantFactory
from tests.engagements.factories import (
    EngagementFactory,
    ParticipationFactory,
    PrivacyPlanFactory,
)
from tests.fixtures import name_survivor_leader
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "no_role",
    "consultant",  # a consultant on this engagement, through the staff site
    "leader",  # a consultant named survivor leader, not on it: no staff page opens
    "staff",  # programme staff, not on this engagement
    "owner",  # programme staff who owns it
    "assigned",  # programme staff assigned to it
    "manager",
    "finance",
    "wellbeing",  # a wellbeing lead of nobody on it
    "wellbeing_assigned",  # the wellbeing lead of a consultant on it
    "admin",
]

# Legend: S  302 to sign-in   D  403   N  404   OK 200
#         B  400: permitted, refused for the empty input; nothing changed
#         R  302: permitted, done
# Columns: ano anonymous, nor no_role, con consultant, ldr leader, stf staff, own owner,
#          asg assigned, mgr manager, fin finance, wb wellbeing, wba wellbeing_assigned,
#          adm admin (the PERSONAS, in order)
S, D, N, OK, B, R = "S", 403, 404, 200, 400, "R"

# fmt: off
MATRIX: dict[str, tuple[str, list]] = {
    #                                     ano nor con ldr stf own asg mgr fin wb  wba adm
    "list":                     ("get",  [S,  D,  D,  D,  OK, OK, OK, OK, OK, OK, OK, OK]),
    "calendar":                 ("get",  [S,  D,  D,  D,  OK, OK, OK, OK, OK, OK, OK, OK]),
    "create":                   ("get",  [S,  D,  D,  D,  OK, OK, OK, OK, D,  D,  D,  OK]),
    "detail":                   ("get",  [S,  D,  D,  D,  N,  OK, OK, OK, OK, N,  OK, OK]),
    "edit":                     ("get",  [S,  D,  D,  D,  N,  OK, OK, OK, D,  N,  D,  OK]),
    "transition":               ("post", [S,  D,  D,  D,  N,  B,  D,  B,  D,  N,  D,  B]),
    "matching":                 ("get",  [S,  D,  D,  D,  N,  OK, OK, OK, D,  N,  D,  OK]),
    "invite":                   ("post", [S,  D,  D,  D,  N,  B,  B,  B,  D,  N,  D,  B]),
    "invite_pair":              ("post", [S,  D,  D,  D,  N,  B,  B,  B,  D,  N,  D,  B]),
    "privacy_plan":             ("get",  [S,  D,  D,  D,  N,  OK, OK, OK, D,  N,  D,  OK]),
    "privacy_plan_approve":     ("post", [S,  D,  D,  D,  N,  D,  D,  R,  D,  N,  D,  R]),
    "assign_staff":             ("get",  [S,  D,  D,  D,  N,  OK, D,  OK, D,  N,  D,  OK]),
    "unassign_staff":           ("post", [S,  D,  D,  D,  N,  R,  D,  R,  D,  N,  D,  R]),
    "participation_confirm":    ("post", [S,  D,  D,  D,  N,  B,  B,  B,  D,  N,  D,  B]),
    "participation_revoke":     ("post", [S,  D,  D,  D,  N,  B,  B,  B,  D,  N,  D,  B]),
    "participation_attendance": ("post", [S,  D,  D,  D,  N,  B,  B,  B,  D,  N,  D,  B]),
    "participation_answer":     ("post", [S,  D,  D,  D,  N,  B,  B,  B,  D,  N,  D,  B]),
    "debrief":                  ("get",  [S,  D,  D,  D,  N,  OK, OK, OK, D,  N,  D,  OK]),
    "feedback":                 ("get",  [S,  D,  D,  D,  N,  OK, OK, OK, D,  N,  D,  OK]),
}
# fmt: on


@pytest.fixture
def world(make_user):
    """A staffing engagement (public audience, a privacy plan not approved
    yet) with an owner, two assigned colleagues, an invited consultant
    (who has a wellbeing lead and a portal account) and a declined one."""
    owner = make_user(Role.PROGRAMME_STAFF)
    assigned = make_user(Role.PROGRAMME_STAFF)
    colleague = make_user(Role.PROGRAMME_STAFF)
    portal_user = make_user(Role.CONSULTANT)
    lead = make_user(Role.WELLBEING_LEAD)
    engagement = EngagementFactory(
        owner=owner,
        status=Engagement.Status.STAFFING,
        audience="public",
        assigned_staff=[assigned, colleague],
    )
    PrivacyPlanFactory(engagement=engagement)
    consultant = ConsultantFactory(user=portal_user)
    consultants_access.grant_wellbeing(lead, consultant)
    invited = ParticipationFactory(engagement=engagement, consultant=consultant)
    declined = ParticipationFactory(
        engagement=engagement, status=Participation.Status.DECLINED, consultant=ConsultantFactory()
    )
    pk = engagement.pk
    return {
        "engagement": engagement,
        "people": {
            "owner": owner,
            "assigned": assigned,
            "consultant": portal_user,
            "wellbeing_assigned": lead,
        },
        "kwargs": {
            "list": {},
            "calendar": {},
            "create": {},
            "transition": {"pk": pk, "name": "cancel"},
            "unassign_staff": {"pk": pk, "user_pk": colleague.pk},
            "participation_confirm": {"pk": pk, "participation_pk": invited.pk},
            "participation_revoke": {"pk": pk, "participation_pk": declined.pk},
            "participation_attendance": {"pk": pk, "participation_pk": invited.pk},
            "participation_answer": {"pk": pk, "participation_pk": invited.pk},
        },
    }


def _persona(name: str, world, make_user):
    if name == "anonymous":
        return None
    if name in world["people"]:
        return world["people"][name]
    if name == "leader":
        return name_survivor_leader(ConsultantFactory(user=make_user(Role.CONSULTANT)))
    roles = {
        "no_role": None,
        "staff": Role.PROGRAMME_STAFF,
        "manager": Role.PROGRAMME_MANAGER,
        "finance": Role.FINANCE_OFFICER,
        "wellbeing": Role.WELLBEING_LEAD,
        "admin": Role.ADMINISTRATOR,
    }
    return make_user(roles[name])


def _state(engagement):
    engagement = Engagement.objects.get(pk=engagement.pk)
    return (
        engagement.status,
        engagement.updated_at,
        engagement.transitions.count(),
        sorted(engagement.assigned_staff.values_list("pk", flat=True)),
        list(
            Participation.objects.filter(engagement=engagement)
            .order_by("pk")
            .values_list("status", "updated_at")
        ),
        list(PrivacyPlan.objects.filter(engagement=engagement).values_list("approved_at")),
    )


CASES = [
    pytest.param(name, persona, method, expected, id=f"{name}-{persona}")
    for name, (method, row) in MATRIX.items()
    for persona, expected in zip(PERSONAS, row, strict=True)
]


@pytest.mark.parametrize(("name", "persona", "method", "expected"), CASES)
def test_matrix(name, persona, method, expected, world, make_user):
    user = _persona(persona, world, make_user)
    engagement = world["engagement"]
    path = reverse(f"engagements:{name}", kwargs=world["kwargs"].get(name, {"pk": engagement.pk}))
    before = _state(engagement)

    client = client_for(user)
    response = client.get(path) if method == "get" else client.post(path, {})

    if expected == S:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    elif expected == R:
        assert response.status_code == 302
        assert response["Location"].startswith(f"/staff/engagements/{engagement.pk}/")
    else:
        assert response.status_code == expected, response.content[:500]
    if expected != R:
        # A refusal or a page view changes nothing.
        assert _state(engagement) == before
    if expected in (D, N, S):
        assert engagement.title.encode() not in response.content


def test_every_url_is_in_the_matrix():
    names = {pattern.name for pattern in urlpatterns}
    assert names, "the walk finds the URLs"
    assert names == set(MATRIX), (
        f"missing rows: {sorted(names - set(MATRIX))}; stale rows: {sorted(set(MATRIX) - names)}"
    )


@pytest.mark.parametrize("name", [n for n, (method, _row) in MATRIX.items() if method == "post"])
def test_post_pages_refuse_get(name, world):
    engagement = world["engagement"]
    path = reverse(f"engagements:{name}", kwargs=world["kwargs"].get(name, {"pk": engagement.pk}))
    assert client_for(world["people"]["owner"]).get(path).status_code == 405


def test_a_forged_pk_is_404_not_403(make_user):
    """An engagement that does not exist and one the persona may not see look the same."""
    staff = make_user(Role.PROGRAMME_STAFF)
    unseen = EngagementFactory()
    client = client_for(staff)
    for pk in (unseen.pk, unseen.pk + 10_000):
        assert client.get(reverse("engagements:detail", kwargs={"pk": pk})).status_code == 404
        response = client.post(
            reverse("engagements:transition", kwargs={"pk": pk, "name": "cancel"}),
            {"reason": "hostile"},
        )
        assert response.status_code == 404
    unseen.refresh_from_db()
    assert unseen.status == Engagement.Status.DRAFT
