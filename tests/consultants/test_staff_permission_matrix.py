"""Every staff page of the consultants app x every persona, as one table.

A cell is the status the persona gets from the page itself (no redirects
followed). Anonymous visitors go to sign-in (302); people without a staff
role get 403; a consultant the persona may not see is 404 (its existence
is not even confirmed); one they see but may not act on is 403.

POST-only pages are asked with a POST that carries no valid input (a
reveal carries a reason), so a permitted persona gets the form back
(400) and nothing changes. test_every_url_is_in_the_matrix fails until a
new URL of consultants/urls_staff.py has its row.
"""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import Role
from consultants import access, services
from consultants.models import ConsentScope, Consultant
from consultants.urls_staff import urlpatterns
from tests.consultants.factories import (
    BusyPeriodFactory,
    ConsentTextFactory,
    ConsultantFactory,
    WeeklyAvailabilityFactory,
)
from tests.fixtures import name_survivor_leader
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "no_role",
    "consultant",  # the very consultant of the page, through the staff site
    "leader",  # another consultant, named survivor leader: no staff page opens
    "staff",  # programme staff, not on this consultant's engagements
    "staff_granted",  # programme staff on an engagement of theirs (view + reveal)
    "manager",
    "finance",
    "wellbeing",  # a wellbeing lead, not theirs
    "wellbeing_assigned",  # their wellbeing lead
    "admin",
]

# Legend: S  302 to sign-in        D  403        N  404        OK 200
#         B  400: permitted, the form came back with its errors
S, D, N, OK, B = 302, 403, 404, 200, 400

# fmt: off
MATRIX: dict[str, tuple[str, list[int]]] = {
    #                                anon no_r cons lead staff granted mgr fin  wb  wb_as admin
    "directory":          ("get",  [S,   D,   D,   D,   OK,   OK,     OK, OK,  OK, OK,   OK]),
    "create":             ("get",  [S,   D,   D,   D,   D,    D,      OK, D,   D,  D,    OK]),
    "detail":             ("get",  [S,   D,   D,   D,   N,    OK,     OK, OK,  N,  OK,   OK]),
    "edit":               ("get",  [S,   D,   D,   D,   N,    D,      OK, D,   N,  D,    OK]),
    "reveal":             ("post", [S,   D,   D,   D,   N,    OK,     OK, D,   N,  OK,   OK]),
    "status":             ("get",  [S,   D,   D,   D,   N,    D,      OK, D,   N,  D,    OK]),
    "invite":             ("get",  [S,   D,   D,   D,   N,    D,      OK, D,   N,  D,    OK]),
    "availability":       ("get",  [S,   D,   D,   D,   N,    D,      OK, D,   N,  D,    OK]),
    "window_add":         ("post", [S,   D,   D,   D,   N,    D,      B,  D,   N,  D,    B]),
    "window_remove":      ("get",  [S,   D,   D,   D,   N,    D,      OK, D,   N,  D,    OK]),
    "busy_add":           ("post", [S,   D,   D,   D,   N,    D,      B,  D,   N,  D,    B]),
    "busy_remove":        ("get",  [S,   D,   D,   D,   N,    D,      OK, D,   N,  D,    OK]),
    "consent":            ("get",  [S,   D,   D,   D,   N,    D,      OK, D,   N,  D,    OK]),
    "consent_withdraw":   ("get",  [S,   D,   D,   D,   N,    D,      OK, D,   N,  D,    OK]),
    "consent_evidence":   ("get",  [S,   D,   D,   D,   N,    OK,     OK, D,   N,  OK,   OK]),
    "wellbeing":          ("get",  [S,   D,   D,   D,   N,    D,      D,  D,   N,  OK,   OK]),
    "wellbeing_note_add": ("post", [S,   D,   D,   D,   N,    D,      D,  D,   N,  B,    B]),
    "wellbeing_lead":     ("get",  [S,   D,   D,   D,   N,    D,      OK, D,   N,  D,    OK]),
}
# fmt: on

POST_DATA = {"reveal": {"group": "identity", "reveal-identity-reason": "Matrix check"}}


@pytest.fixture
def world(make_user):
    """One consultant with something behind every URL."""
    owner = make_user(Role.CONSULTANT)
    manager = make_user(Role.PROGRAMME_MANAGER)
    consultant = ConsultantFactory(pseudonym="Bituin", legal_name="Maria Secret", user=owner)
    window = WeeklyAvailabilityFactory(consultant=consultant)
    period = BusyPeriodFactory(consultant=consultant)
    ConsentTextFactory(scope=ConsentScope.PARTICIPATION, version=1)
    record = services.consent_grant(
        consultant=consultant,
        scope=ConsentScope.PARTICIPATION,
        by=manager,
        evidence=SimpleUploadedFile("form.pdf", b"%PDF-1.4 signed", "application/pdf"),
    )
    return {
        "owner": owner,
        "consultant": consultant,
        "kwargs": {
            "directory": {},
            "create": {},
            "window_remove": {"pk": consultant.pk, "window_pk": window.pk},
            "busy_remove": {"pk": consultant.pk, "period_pk": period.pk},
            "consent_withdraw": {"pk": consultant.pk, "scope": ConsentScope.PARTICIPATION},
            "consent_evidence": {"pk": consultant.pk, "record_pk": record.pk},
        },
    }


def _persona(name: str, world, make_user):
    consultant = world["consultant"]
    match name:
        case "anonymous":
            return None
        case "no_role":
            return make_user(None)
        case "consultant":
            return world["owner"]
        case "leader":
            return name_survivor_leader(ConsultantFactory(user=make_user(Role.CONSULTANT)))
        case "staff":
            return make_user(Role.PROGRAMME_STAFF)
        case "staff_granted":
            user = make_user(Role.PROGRAMME_STAFF)
            access.grant_consultant_view(user, consultant)
            access.grant_identity_reveal(user, consultant)
            return user
        case "manager":
            return make_user(Role.PROGRAMME_MANAGER)
        case "finance":
            return make_user(Role.FINANCE_OFFICER)
        case "wellbeing":
            return make_user(Role.WELLBEING_LEAD)
        case "wellbeing_assigned":
            user = make_user(Role.WELLBEING_LEAD)
            access.grant_wellbeing(user, consultant)
            return user
        case "admin":
            return make_user(Role.ADMINISTRATOR)
    raise AssertionError(name)


CASES = [
    pytest.param(name, persona, method, expected, id=f"{name}-{persona}")
    for name, (method, row) in MATRIX.items()
    for persona, expected in zip(PERSONAS, row, strict=True)
]


@pytest.mark.parametrize(("name", "persona", "method", "expected"), CASES)
def test_matrix(name, persona, method, expected, world, make_user):
    user = _persona(persona, world, make_user)
    kwargs = world["kwargs"].get(name, {"pk": world["consultant"].pk})
    url = reverse(f"consultants:{name}", kwargs=kwargs)
    before = Consultant.objects.get(pk=world["consultant"].pk)
    entries = LogEntry.objects.count()

    client = client_for(user)
    response = client.get(url) if method == "get" else client.post(url, POST_DATA.get(name, {}))

    assert response.status_code == expected, response.content[:500]
    if expected == S:
        assert response["Location"].startswith("/accounts/login/")
    if expected in (D, N, S):
        # A refusal changes nothing and writes no reveal.
        assert LogEntry.objects.count() == entries
        after = Consultant.objects.get(pk=before.pk)
        assert after.updated_at == before.updated_at
    if expected != OK or name == "reveal":
        assert b"Maria Secret" not in response.content or (name == "reveal" and expected == OK)


def test_every_url_is_in_the_matrix():
    names = {pattern.name for pattern in urlpatterns}
    assert names, "the walk finds the URLs"
    assert names == set(MATRIX), (
        f"missing rows: {sorted(names - set(MATRIX))}; stale rows: {sorted(set(MATRIX) - names)}"
    )


def test_a_forged_pk_is_404_not_403(make_user):
    """A consultant that does not exist and one the persona may not see look the same."""
    staff = make_user(Role.PROGRAMME_STAFF)
    unseen = ConsultantFactory()
    client = client_for(staff)
    for pk in (unseen.pk, unseen.pk + 10_000):
        assert client.get(reverse("consultants:detail", kwargs={"pk": pk})).status_code == 404
        response = client.post(
            reverse("consultants:reveal", kwargs={"pk": pk}),
            {"group": "identity", "reveal-identity-reason": "curious"},
        )
        assert response.status_code == 404
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()
