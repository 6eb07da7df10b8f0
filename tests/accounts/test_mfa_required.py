"""Staff and administrators reach nothing but MFA setup until they have MFA."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.helpers import STAFF_ROLES, client_for

# Pages outside /accounts/ (and the language switch, /static/, /healthz,
# which accounts.middleware leaves open on purpose).
GUARDED_PATHS = ["/", "/staff/", "/admin/", "/admin/auth/group/", "/portal/", "/reports/"]


@pytest.mark.parametrize("role", STAFF_ROLES, ids=lambda role: role.value)
@pytest.mark.parametrize("path", GUARDED_PATHS)
def test_staff_without_mfa_is_sent_to_mfa_setup(make_user, role, path):
    client = client_for(make_user(role, mfa=False))

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("role", STAFF_ROLES, ids=lambda role: role.value)
def test_staff_without_mfa_can_still_reach_account_pages(make_user, role):
    client = client_for(make_user(role, mfa=False))

    setup = client.get(reverse("mfa_activate_totp"))
    # Setting up TOTP first asks to confirm the password: still under /accounts/.
    assert setup.status_code in (200, 302)
    if setup.status_code == 302:
        assert setup["Location"].startswith("/accounts/")
    assert client.get(reverse("account_email")).status_code == 200
    assert client.post(reverse("account_logout")).status_code == 302


def test_superuser_without_mfa_is_sent_to_mfa_setup(make_user):
    user = make_user(None, is_superuser=True, is_staff=True, mfa=False)

    response = client_for(user).get("/admin/")

    assert response["Location"] == reverse("mfa_activate_totp")


@pytest.mark.parametrize("role", STAFF_ROLES, ids=lambda role: role.value)
def test_staff_with_mfa_get_through(make_user, role):
    client = client_for(make_user(role))

    assert client.get("/staff/").status_code == 200
    expected_admin = 200 if role == Role.ADMINISTRATOR else 403
    assert client.get("/admin/", follow=True).status_code == expected_admin


def test_consultant_needs_no_mfa(consultant_user):
    response = client_for(consultant_user).get("/portal/")

    assert response.status_code == 200
