"""The pattern pages (every component of tinig.css, with invented data) and
the error pages that are hard to reach on purpose pass the same checks as
real pages: no console errors, no CSP violations under
the site's real policy, no serious axe findings, and a screenshot to look at.

The pages have no URL: the test renders them as the signed-in person would
see them and hands the HTML to the browser at a live-server address.
"""

from __future__ import annotations

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.template.loader import render_to_string
from django.test import RequestFactory

from accounts.roles import Role
from tests.e2e.conftest import PHONE_VIEWPORT, STAFF_VIEWPORT, assert_tap_targets_are_large

pytestmark = pytest.mark.e2e


def _serve(session, path: str, html: str) -> None:
    """Show ``html`` at ``path`` under the policy the site really sends."""
    policy = session.page.request.get("/accounts/login/").headers["content-security-policy"]
    session.page.route(
        lambda url: url == session.base_url + path,
        lambda route: route.fulfill(
            status=200,
            content_type="text/html; charset=utf-8",
            headers={"Content-Security-Policy": policy},
            body=html,
        ),
    )
    session.page.goto(path)


def _render(template: str, user) -> str:
    if user is None:  # as Django's server_error view does: no request, no context
        return render_to_string(template)
    request = RequestFactory().get("/")
    request.user = user
    request.session = SessionStore()
    return render_to_string(template, request=request)


@pytest.mark.parametrize(
    ("template", "role", "viewport", "name"),
    [
        ("staff/styleguide.html", Role.PROGRAMME_MANAGER, STAFF_VIEWPORT, "components-staff"),
        ("portal/styleguide.html", Role.CONSULTANT, PHONE_VIEWPORT, "components-portal"),
        ("errors/csrf.html", Role.CONSULTANT, PHONE_VIEWPORT, "error-csrf"),
        ("errors/decryption.html", Role.FINANCE_OFFICER, STAFF_VIEWPORT, "error-decryption"),
        ("500.html", None, PHONE_VIEWPORT, "error-500"),
    ],
    ids=["staff", "portal", "csrf", "decryption", "500"],
)
def test_component_and_error_pages_are_clean_and_accessible(
    open_session, make_user, template, role, viewport, name
):
    html = _render(template, make_user(role) if role else None)
    session = open_session(viewport)
    _serve(session, "/__components__/", html)
    session.check(name)
    if viewport == PHONE_VIEWPORT and role == Role.CONSULTANT:
        assert_tap_targets_are_large(session.page)
