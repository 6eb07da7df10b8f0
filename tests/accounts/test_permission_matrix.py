"""Who reaches which page: every page x every persona, as one table.

Each cell is where the persona ends up after following redirects. When a
page is added, add its row (test_every_page_is_in_the_matrix fails until
then); when a role changes, change its column.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern

from accounts.roles import Role
from tests.helpers import client_for


@dataclass(frozen=True)
class Expect:
    status: int
    at: str | None = None  # path the persona lands on; None: the page itself

    def __repr__(self):
        return f"{self.status}@{self.at or 'same'}"


OK = Expect(200)
DENIED = Expect(403)
SIGN_IN = Expect(200, "/accounts/login/")
# Django's admin sends anyone without permission to its login view, which
# answers 403 to a signed-in person (accounts.decorators.admin_site_login).
ADMIN_DENIED = Expect(403, "/admin/login/")
HOME_DENIED = Expect(403, "/")  # signed in, but no role yet


def to(path: str) -> Expect:
    return Expect(200, path)


PERSONAS = [
    "anonymous",
    "no_role",
    Role.CONSULTANT.value,
    # A consultant who also holds the survivor leader role (no profile, like
    # the consultant persona): the role opens nothing beyond a consultant's.
    Role.SURVIVOR_LEADER.value,
    Role.PROGRAMME_STAFF.value,
    Role.PROGRAMME_MANAGER.value,
    Role.FINANCE_OFFICER.value,
    Role.WELLBEING_LEAD.value,
    Role.ADMINISTRATOR.value,
]

# Legend: OK  200 on the page itself      S  sent to sign-in (200 there)
#         D   403 on the page itself      A  403 from the admin's login view
#         H   403 "no role yet" at /      P  lands on /portal/   T  lands on /staff/
S, D, A, H = SIGN_IN, DENIED, ADMIN_DENIED, HOME_DENIED
P, T = to("/portal/"), to("/staff/")
#         X   lands on EXIT_URL          K  204 (still signed in)  U  401
X, K, U = to("/healthz"), Expect(204), Expect(401)
#         N   405: that method is not allowed
N = Expect(405)

# fmt: off
MATRIX: dict[str, list[Expect]] = {
    #                   anon  no_role consult. leader   staff  manager finance wellb. admin
    "/":                [S,   H,      P,       P,       T,     T,      T,      T,     T],
    "/healthz":         [OK,  OK,     OK,      OK,      OK,    OK,     OK,     OK,    OK],
    "/staff/":          [S,   D,      D,       D,       OK,    OK,     OK,     OK,    OK],
    "/portal/":         [S,   D,      OK,      OK,      D,     D,      D,      D,     D],
    "/admin/":          [S,   A,      A,       A,       A,     A,      A,      A,     OK],
    "/accounts/login/": [OK,  H,      P,       P,       T,     T,      T,      T,     T],
    "/reports/":        [S,   D,      OK,      OK,      OK,    OK,     OK,     OK,    OK],
    # Leaving quickly: everyone, signed in or not, to EXIT_URL (here /healthz).
    "/exit":            [X,   X,      X,       X,       X,     X,      X,      X,     X],
    "/help/":           [OK,  OK,     OK,      OK,      OK,    OK,     OK,     OK,    OK],
    "/keep-alive":      [U,   K,      K,       K,       K,     K,      K,      K,     K],
    # The language switch takes a POST (tests/i18n/test_language_preference.py).
    "/i18n/setlang/":   [N,   N,      N,       N,       N,     N,      N,      N,     N],
    # Every consultants staff page: tests/consultants/test_staff_permission_matrix.py
    "/staff/consultants/":     [S, D,  D,  D,  OK, OK, OK, OK, OK],
    "/staff/consultants/new/": [S, D,  D,  D,  D,  OK, D,  D,  OK],
    # People (accounts.views_staff): administrators only. Pages with an id:
    # tests/accounts/test_people_views.py
    "/staff/people/":          [S, D,  D,  D,  D,  D,  D,  D,  OK],
    "/staff/people/invite/":   [S, D,  D,  D,  D,  D,  D,  D,  OK],
    # Choosing by search (core.search): JSON, for whoever the source serves.
    # The brief's engagements and consultants: those who may request a brief.
    "/staff/search/brief_engagement/":     [S, D, D, D, OK, OK, D,  D, OK],
    "/staff/search/brief_consultant/":     [S, D, D, D, OK, OK, D,  D, OK],
    # Statements: finance (a consultant's own needs no search; not staff).
    "/staff/search/statement_consultant/": [S, D, D, D, D,  D,  OK, D, D],
    # What her voice changed (impact): her own; every impact page with an id:
    # tests/impact/test_permission_matrix.py
    "/portal/voice/":   [S,   D,      OK,      OK,      D,     D,      D,      D,     D],
    # The staff's impact page: every staff member, the engagements they see.
    "/staff/impact/":   [S,   D,      D,       D,       OK,    OK,     OK,     OK,    OK],
}
# fmt: on

CASES = [
    pytest.param(path, persona, expected, id=f"{path}-{persona}")
    for path, row in MATRIX.items()
    for persona, expected in zip(PERSONAS, row, strict=True)
]


@pytest.fixture(autouse=True)
def _local_exit_url(settings):
    """/exit leaves for EXIT_URL, a page on another site in production."""
    settings.EXIT_URL = "/healthz"


@pytest.fixture
def healthy(monkeypatch):
    """/healthz answers the same to everyone; no worker is needed to see that."""
    from core import views

    monkeypatch.setattr(views, "_check_worker", lambda: True)


@pytest.mark.parametrize(("path", "persona", "expected"), CASES, indirect=["persona"])
def test_matrix(path, persona, expected, healthy):
    response = client_for(persona).get(path, follow=True)

    landed = response.request["PATH_INFO"]
    assert (response.status_code, landed) == (expected.status, expected.at or path)
    if response.redirect_chain:
        # A redirect never passes through a page that answered 200.
        assert all(status in (301, 302) for _url, status in response.redirect_chain)
    if expected == SIGN_IN and path != "/":
        # Back to the page after signing in.
        assert "next=" in response.redirect_chain[-1][0]


# Sections whose pages are allauth's or Django's own, covered by their rows
# above and by test_sign_in / test_admin_access / test_mfa_required.
NOT_IN_MATRIX = ("accounts/", "admin/", "i18n/")
# Sections with a matrix of their own (personas with the objects they need).
NOT_IN_MATRIX += ("portal/me/",)  # tests/consultants/test_portal_permission_matrix.py
NOT_IN_MATRIX += ("staff/reminders/", "portal/reminders/")  # tests/reminders/test_views.py
# tests/checklists/test_staff_permission_matrix.py, test_portal_permission_matrix.py
NOT_IN_MATRIX += ("staff/checklists/", "portal/checklist/")
# tests/engagements/test_staff_permission_matrix.py, test_portal_permission_matrix.py
NOT_IN_MATRIX += ("staff/engagements/", "portal/engagements/")
# tests/compensation/test_staff_permission_matrix.py, test_portal_permission_matrix.py
NOT_IN_MATRIX += ("staff/compensation/", "portal/pay/")
# tests/network/test_growth_permission_matrix.py (her growth page)
NOT_IN_MATRIX += ("portal/growth/",)
NOT_IN_MATRIX += ("portal/lead/",)  # tests/network/test_lead_permission_matrix.py
NOT_IN_MATRIX += ("portal/lead/figures/",)  # tests/insights/test_leader_figures.py
# tests/network/test_circles_permission_matrix.py (the network's staff pages, circles)
NOT_IN_MATRIX += ("staff/network/", "portal/circles/")


def _pages_without_parameters(patterns=None, prefix: str = "") -> set[str]:
    pages = set()
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        pattern = entry.pattern
        if not isinstance(pattern, RoutePattern) or pattern.converters:
            continue  # parameterised pages are tested with their objects
        route = prefix + str(pattern)
        if isinstance(entry, URLResolver):
            if route in NOT_IN_MATRIX:
                continue
            pages |= _pages_without_parameters(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            pages.add("/" + route)
    return pages


def test_every_page_is_in_the_matrix():
    pages = _pages_without_parameters()

    assert {"/", "/healthz", "/staff/", "/portal/"} <= pages  # the walk finds pages
    missing = sorted(pages - set(MATRIX))
    assert not missing, f"add a row to MATRIX for: {missing}"
