"""Staff and administrators reach nothing without an authenticator, and
cannot set one up by signing in: only their invitation link does that."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.helpers import STAFF_ROLES, client_for

NEEDED = reverse("account_invitation_needed")

# Pages outside the invitation link and sign-out, allauth's own MFA setup
# included (the language switch, /static/ and /healthz stay open on purpose).
GUARDED_PATHS = [
    "/",
    "/staff/",
    "/admin/",
    "/admin/auth/group/",
    "/portal/",
    "/reports/",
    "/staff/people/",
    reverse("mfa_activate_totp"),
    reverse("mfa_index"),
    reverse("account_email"),
]


@pytest.mark.parametrize("role", STAFF_ROLES, ids=lambda role: role.value)
@pytest.mark.parametrize("path", GUARDED_PATHS)
def test_staff_without_mfa_is_signed_out_and_told_to_ask_for_a_link(make_user, role, path):
    client = client_for(make_user(role, mfa=False))

    response = client.get(path)

    assert response.status_code == 302
    assert response["Location"] == NEEDED
    assert "_auth_user_id" not in client.session
    page = client.get(NEEDED)
    assert page.status_code == 200
    assert b"Ask an administrator for a new invitation" in page.content


def test_staff_without_mfa_cannot_post_to_allauths_setup(make_user):
    user = make_user(Role.PROGRAMME_STAFF, mfa=False)
    client = client_for(user)

    response = client.post(reverse("mfa_activate_totp"), {"code": "123456"})

    assert response["Location"] == NEEDED
    assert not user.authenticator_set.exists()


def test_signing_in_with_the_password_alone_leads_nowhere(make_user):
    from tests.accounts.factories import TEST_PASSWORD

    user = make_user(Role.PROGRAMME_MANAGER, mfa=False)
    client = client_for(None)

    response = client.post(
        reverse("account_login"), {"login": user.email, "password": TEST_PASSWORD}, follow=True
    )

    assert response.request["PATH_INFO"] == NEEDED
    assert "_auth_user_id" not in client.session
    assert not user.authenticator_set.exists()


def test_sign_out_stays_open(make_user):
    client = client_for(make_user(Role.PROGRAMME_STAFF, mfa=False))

    assert client.post(reverse("account_logout"))["Location"] != NEEDED


def test_superuser_without_mfa_is_signed_out(make_user):
    user = make_user(None, is_superuser=True, is_staff=True, mfa=False)

    response = client_for(user).get("/admin/")

    assert response["Location"] == NEEDED


@pytest.mark.parametrize("role", STAFF_ROLES, ids=lambda role: role.value)
def test_staff_with_mfa_get_through(make_user, role):
    client = client_for(make_user(role))

    assert client.get("/staff/").status_code == 200
    expected_admin = 200 if role == Role.ADMINISTRATOR else 403
    assert client.get("/admin/", follow=True).status_code == expected_admin


def test_consultant_needs_no_mfa(consultant_user):
    response = client_for(consultant_user).get("/portal/")

    assert response.status_code == 200
