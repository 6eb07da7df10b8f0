"""Every page of the impact app x every persona, as one table (staff pages,
the portal page, the partner's form).

A cell is the status the persona gets from the page itself (no redirects
followed). Anonymous visitors go to sign-in (302) on staff and portal
pages; people without the site's role get 403; an engagement the persona
may not see is 404; one they see but may not run is 403. The partner's
form needs no account: a valid link opens it for whoever holds it.
test_every_url_is_in_the_matrix fails until a new URL has its row.
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from impact import services
from impact.models import (
    Contribution,
    FeedbackRequest,
    Outcome,
    PartnerFeedback,
    Work,
    WorkCredit,
)
from impact.urls_partner import urlpatterns as partner_urls
from impact.urls_portal import urlpatterns as portal_urls
from impact.urls_staff import urlpatterns as staff_urls
from tests.consultants.factories import ConsultantFactory
from tests.fixtures import name_survivor_leader
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "no_role",
    "consultant",  # credited on the contribution
    "leader",  # another consultant, named survivor leader, not credited
    "staff",  # programme staff, not on this engagement
    "owner",
    "assigned",
    "manager",
    "finance",
    "wellbeing",  # a wellbeing lead, none of whose consultants take part
    "admin",
]

S, D, N, OK = 302, 403, 404, 200

# fmt: off
MATRIX: dict[str, tuple[str, list[int]]] = {
    #                                      anon no_r cons lead staff owner asgn mgr fin  wb  admin
    "impact:index":             ("get",  [S,   D,   D,   D,   OK,   OK,   OK,  OK, OK,  OK, OK]),
    "impact:engagement":        ("get",  [S,   D,   D,   D,   N,    OK,   OK,  OK, OK,  N,  OK]),
    "impact:contribution_add":  ("get",  [S,   D,   D,   D,   N,    OK,   OK,  OK, D,   N,  OK]),
    "impact:feedback_link":     ("get",  [S,   D,   D,   D,   N,    OK,   OK,  OK, D,   N,  OK]),
    "impact:contribution":      ("get",  [S,   D,   D,   D,   N,    OK,   OK,  OK, OK,  N,  OK]),
    "impact:contribution_edit": ("get",  [S,   D,   D,   D,   N,    OK,   OK,  OK, D,   N,  OK]),
    "impact:outcome_add":       ("get",  [S,   D,   D,   D,   N,    OK,   OK,  OK, D,   N,  OK]),
    "impact:outcome_evidence":  ("post", [S,   D,   D,   D,   N,    OK,   OK,  OK, OK,  N,  OK]),
    "impact:work_add":          ("get",  [S,   D,   D,   D,   N,    OK,   OK,  OK, D,   N,  OK]),
    "my_impact:index":          ("get",  [S,   D,   OK,  OK,  D,    D,    D,   D,  D,   D,  D]),
    "my_impact:credit":         ("get",  [S,   D,   OK,  N,   D,    D,    D,   D,  D,   D,  D]),
    "partner_feedback:form":    ("get",  [OK,  OK,  OK,  OK,  OK,   OK,   OK,  OK, OK,  OK, OK]),
}
# POSTs that would change something, each persona, with valid data: the
# same table's "may change" cells must be the only ones that change rows.
# fmt: on


@pytest.fixture
def matrix_world(world, contribution, mailoutbox, django_capture_on_commit_callbacks):
    outcome = services.outcome_record(
        contribution=contribution,
        by=world["owner"],
        status="considering",
        decided_on=timezone.localdate(),
        evidence_file=SimpleUploadedFile("e.pdf", b"%PDF-1.4 evidence"),
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_link_send(
            engagement=world["engagement"], by=world["owner"], address="p@example.org"
        )
    token = mailoutbox[-1].body.split("/feedback/")[1].split("/")[0]
    work = services.work_create(
        engagement=world["engagement"],
        by=world["owner"],
        title="Video testimony guide",
        kind="checklist",
        consultants=[world["amihan"], world["bayani"]],
    )
    engagement = world["engagement"].pk
    world["kwargs"] = {
        "impact:index": {},
        "impact:engagement": {"engagement_pk": engagement},
        "impact:contribution_add": {"engagement_pk": engagement},
        "impact:feedback_link": {"engagement_pk": engagement},
        "impact:contribution": {"pk": contribution.pk},
        "impact:contribution_edit": {"pk": contribution.pk},
        "impact:outcome_add": {"pk": contribution.pk},
        "impact:outcome_evidence": {"pk": outcome.pk},
        "impact:work_add": {"engagement_pk": engagement},
        "my_impact:index": {},
        "my_impact:credit": {"pk": work.credits.get(consultant=world["amihan"]).pk},
        "partner_feedback:form": {"token": token},
    }
    world["contribution"] = contribution
    return world


def _persona(name, world, make_user):
    match name:
        case "anonymous":
            return None
        case "no_role":
            return make_user(None)
        case "consultant":
            return world["amihan"].user
        case "leader":
            return name_survivor_leader(
                ConsultantFactory(pseudonym="Liwayway", user=make_user(Role.CONSULTANT))
            )
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


def _snapshot():
    return (
        list(Contribution.objects.order_by("pk").values_list("pk", "kind", "summary", "status")),
        Outcome.objects.count(),
        list(FeedbackRequest.objects.order_by("pk").values_list("pk", "used_at", "revoked_at")),
        PartnerFeedback.objects.count(),
        Work.objects.count(),
        list(WorkCredit.objects.order_by("pk").values_list("credit_as", "chosen_name")),
    )


@pytest.mark.parametrize(("name", "persona", "method", "expected"), CASES)
def test_matrix(name, persona, method, expected, matrix_world, make_user):
    user = _persona(persona, matrix_world, make_user)
    url = reverse(name, kwargs=matrix_world["kwargs"][name])
    before = _snapshot()
    client = client_for(user)
    response = client.get(url) if method == "get" else client.post(url)
    assert response.status_code == expected, response.content[:300]
    if expected == S:
        assert response["Location"].startswith("/accounts/login/")
    if name == "impact:index" and expected == OK:
        # Each sees the contributions of the engagements she sees, no more.
        sees = persona not in ("staff", "wellbeing")
        assert ("Let children testify" in response.content.decode()) == sees, persona
    if persona == "leader" and expected == OK and name.startswith("my_impact:"):
        # Leading the network shows her nobody else's work or credit.
        content = response.content.decode()
        for other in ("Amihan", "Bayani", "Video testimony guide", "Let children testify"):
            assert other not in content
    assert _snapshot() == before


def test_every_url_is_in_the_matrix():
    names = (
        {f"impact:{p.name}" for p in staff_urls}
        | {f"my_impact:{p.name}" for p in portal_urls}
        | {f"partner_feedback:{p.name}" for p in partner_urls}
    )
    assert names == set(MATRIX), (
        f"missing rows: {sorted(names - set(MATRIX))}; stale rows: {sorted(set(MATRIX) - names)}"
    )


WRITES = {
    "impact:contribution_add": {
        "kind": "review",
        "summary": "Reviewed the guide.",
        "consultants": ["AMIHAN"],
    },
    "impact:contribution_edit": {
        "kind": "review",
        "summary": "Changed.",
        "consultants": ["AMIHAN"],
    },
    "impact:outcome_add": {"status": "adopted", "decided_on": "TODAY"},
    "impact:feedback_link": {"address": "q@example.org", "language": "en"},
    "impact:work_add": {"title": "A guide", "kind": "report", "consultants": ["AMIHAN"]},
}
MAY_WRITE = {"owner", "assigned", "manager", "admin"}


@pytest.mark.parametrize("name", sorted(WRITES))
@pytest.mark.parametrize("persona", PERSONAS)
def test_writes_change_only_for_those_who_run_it(name, persona, matrix_world, make_user):
    user = _persona(persona, matrix_world, make_user)
    data = {
        key: (
            [matrix_world["amihan"].pk]
            if value == ["AMIHAN"]
            else str(timezone.localdate())
            if value == "TODAY"
            else value
        )
        for key, value in WRITES[name].items()
    }
    before = _snapshot()
    response = client_for(user).post(reverse(name, kwargs=matrix_world["kwargs"][name]), data)
    if persona in MAY_WRITE:
        assert response.status_code == 302, response.content[:500]
        assert _snapshot() != before
    else:
        assert response.status_code in (302, 403, 404)
        if response.status_code == 302:
            assert response["Location"].startswith("/accounts/login/")
        assert _snapshot() == before


def test_a_forged_pk_is_404(matrix_world):
    client = client_for(matrix_world["owner"])
    assert client.get(reverse("impact:contribution", args=[10**9])).status_code == 404
    assert client.get(reverse("impact:engagement", args=[10**9])).status_code == 404
    assert client.post(reverse("impact:outcome_evidence", args=[10**9])).status_code == 404


def test_only_she_chooses_her_credit(matrix_world, make_user):
    url = reverse("my_impact:credit", kwargs=matrix_world["kwargs"]["my_impact:credit"])
    data = {"credit_as": "chosen_name", "chosen_name": "Ami"}
    for user in (matrix_world["bayani"].user, matrix_world["owner"], make_user(Role.ADMINISTRATOR)):
        assert client_for(user).post(url, data).status_code in (403, 404)
    assert not WorkCredit.objects.exclude(credit_as="none").exists()
    response = client_for(matrix_world["amihan"].user).post(url, data)
    assert response.status_code == 302
    assert WorkCredit.objects.filter(credit_as="chosen_name", chosen_name="Ami").count() == 1
