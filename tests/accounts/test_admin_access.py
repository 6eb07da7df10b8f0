"""The admin site is the administrators' alone, and is entered through allauth."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.helpers import client_for

NOT_ADMINISTRATORS = [
    "no_role",
    Role.CONSULTANT.value,
    Role.SURVIVOR_LEADER.value,
    Role.PROGRAMME_STAFF.value,
    Role.PROGRAMME_MANAGER.value,
    Role.FINANCE_OFFICER.value,
    Role.WELLBEING_LEAD.value,
]


def test_anonymous_is_sent_to_allauth_sign_in_not_the_admin_form(client, db):
    response = client.get("/admin/", follow=True)

    final_path = response.redirect_chain[-1][0]
    assert final_path.startswith(reverse("account_login") + "?next=")
    assert response.status_code == 200
    templates = [t.name for t in response.templates]
    assert "account/login.html" in templates
    assert "admin/login.html" not in templates


def test_admin_login_url_itself_goes_to_allauth(client, db):
    response = client.get("/admin/login/?next=/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_admin_login_form_cannot_be_posted_to(client, db, admin_user):
    from tests.accounts.factories import TEST_PASSWORD

    response = client.post(
        "/admin/login/", {"username": admin_user.email, "password": TEST_PASSWORD}
    )

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("persona", NOT_ADMINISTRATORS, indirect=True)
def test_everyone_else_gets_403(persona):
    response = client_for(persona).get("/admin/", follow=True)

    assert response.status_code == 403
    assert "403.html" in [t.name for t in response.templates]


@pytest.mark.parametrize("path", ["/admin/", "/admin/auth/group/", "/admin/login/"])
def test_a_stale_admin_flag_without_the_role_does_not_open_the_admin(make_user, path):
    """is_staff left set after the administrator group was removed by hand."""
    user = make_user(Role.PROGRAMME_MANAGER)
    user.is_staff = True
    user.save(update_fields=["is_staff"])

    response = client_for(user).get(path, follow=True)

    assert response.status_code == 403


def test_administrator_gets_in(admin_user):
    assert client_for(admin_user).get("/admin/").status_code == 200


def test_superuser_gets_in(make_user):
    user = make_user(None, is_superuser=True, is_staff=True)

    assert client_for(user).get("/admin/").status_code == 200
