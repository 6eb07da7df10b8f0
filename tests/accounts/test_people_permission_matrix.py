"""Every URL of the people pages (accounts/urls_staff.py) x every persona.

A cell is the status the persona gets from the page itself (no redirects
followed). Anonymous visitors go to sign-in (302); everyone but an
administrator gets 403, and a refusal changes nothing and writes no audit
entry. An administrator's POST carries no valid input, so the form comes
back (400) or the action is refused with a message and a redirect (302),
and nothing changes either. test_every_url_is_in_the_matrix fails until a
new URL has its row.
"""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from auditlog.models import LogEntry
from django.core import mail
from django.urls import reverse

from accounts.models import StaffInvitation, User
from accounts.roles import Role, roles_held
from accounts.urls_staff import urlpatterns
from tests.fixtures import make_survivor_leader
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "no_role",
    Role.CONSULTANT.value,
    Role.SURVIVOR_LEADER.value,  # a consultant who also leads: no more than one
    Role.PROGRAMME_STAFF.value,
    Role.PROGRAMME_MANAGER.value,
    Role.FINANCE_OFFICER.value,
    Role.WELLBEING_LEAD.value,
    Role.ADMINISTRATOR.value,
]

# Legend: S  302 to sign-in   D  403   OK 200   B  400: the form came back
#         R  302: refused or done, back to the person's page with a message
S, D, OK, B, R = 302, 403, 200, 400, 302

# fmt: off
MATRIX: dict[str, tuple[str, list[int]]] = {
    #                           anon no_r cons lead staff mgr fin  wb  admin
    "list":         ("get",  [S,   D,   D,   D,   D,    D,  D,   D,  OK]),
    "invite":       ("get",  [S,   D,   D,   D,   D,    D,  D,   D,  OK]),
    "person":       ("get",  [S,   D,   D,   D,   D,    D,  D,   D,  OK]),
    "roles":        ("get",  [S,   D,   D,   D,   D,    D,  D,   D,  OK]),
    "deactivate":   ("get",  [S,   D,   D,   D,   D,    D,  D,   D,  OK]),
    "mfa_reset":    ("get",  [S,   D,   D,   D,   D,    D,  D,   D,  OK]),
    # POSTs: no valid input, so a permitted persona changes nothing either.
    "reactivate":   ("post", [S,   D,   D,   D,   D,    D,  D,   D,  R]),   # she is active
    "resend":       ("post", [S,   D,   D,   D,   D,    D,  D,   D,  R]),   # she is set up
}
POSTS: dict[str, list[int]] = {
    "invite":       [S,   D,   D,   D,   D,    D,  D,   D,  B],
    "roles":        [S,   D,   D,   D,   D,    D,  D,   D,  B],
    "deactivate":   [S,   D,   D,   D,   D,    D,  D,   D,  B],
    "mfa_reset":    [S,   D,   D,   D,   D,    D,  D,   D,  B],
}
# fmt: on

WITHOUT_PK = {"list", "invite"}


@pytest.fixture
def target(make_user):
    """A finance officer, set up and active, with an open link left over."""
    return make_user(Role.FINANCE_OFFICER, display_name="Fe Finance")


def _persona(name: str, make_user):
    if name == "anonymous":
        return None
    if name == "no_role":
        return make_user(None)
    if name == Role.SURVIVOR_LEADER:
        return make_survivor_leader(make_user)
    return make_user(Role(name))


def _url(name: str, target: User) -> str:
    return reverse(f"people:{name}", args=[] if name in WITHOUT_PK else [target.pk])


def _state(user: User) -> tuple:
    user.refresh_from_db()
    return (
        user.is_active,
        roles_held(user),
        Authenticator.objects.filter(user=user).count(),
        StaffInvitation.objects.filter(user=user).count(),
        User.objects.count(),
    )


CASES = [
    pytest.param(name, persona, method, expected, id=f"{method}-{name}-{persona}")
    for name, (method, row) in MATRIX.items()
    for persona, expected in zip(PERSONAS, row, strict=True)
] + [
    pytest.param(name, persona, "post", expected, id=f"post-{name}-{persona}")
    for name, row in POSTS.items()
    for persona, expected in zip(PERSONAS, row, strict=True)
]


@pytest.mark.parametrize(("name", "persona", "method", "expected"), CASES)
def test_matrix(name, persona, method, expected, target, make_user):
    user = _persona(persona, make_user)
    url = _url(name, target)
    before = _state(target)
    entries = LogEntry.objects.count()

    client = client_for(user)
    response = client.get(url) if method == "get" else client.post(url, {})

    assert response.status_code == expected, response.content[:300]
    if persona == "anonymous":
        assert response["Location"].startswith(reverse("account_login"))
    elif expected == R:
        assert response["Location"] == reverse("people:person", args=[target.pk])
    assert _state(target) == before
    assert LogEntry.objects.count() == entries
    assert mail.outbox == []


def test_every_url_is_in_the_matrix():
    names = {pattern.name for pattern in urlpatterns}
    assert names, "the walk finds the URLs"
    assert names == set(MATRIX), (
        f"missing rows: {sorted(names - set(MATRIX))}; stale rows: {sorted(set(MATRIX) - names)}"
    )
    posting = {name for name, (method, _row) in MATRIX.items() if method == "post"}
    assert set(POSTS) | posting >= {"invite", "roles", "deactivate", "mfa_reset"}


@pytest.mark.parametrize("name", ["reactivate", "resend"])
def test_post_only_urls_refuse_a_get(name, admin_user, target):
    before = _state(target)

    response = client_for(admin_user).get(_url(name, target))

    assert response.status_code == 405
    assert _state(target) == before
