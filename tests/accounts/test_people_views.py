"""/staff/people/: administrators invite, send new links and reset second
factors; everyone else is refused (the pages without an id are also rows
of tests/accounts/test_permission_matrix.py)."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.urls import reverse

from accounts.models import StaffInvitation, User
from accounts.roles import Role
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

OUTSIDERS = [
    Role.CONSULTANT,
    Role.PROGRAMME_STAFF,
    Role.PROGRAMME_MANAGER,
    Role.FINANCE_OFFICER,
    Role.WELLBEING_LEAD,
]


@pytest.mark.parametrize("role", OUTSIDERS, ids=lambda role: role.value)
def test_only_administrators_reach_any_people_page(make_user, programme_staff_user, role):
    client = client_for(make_user(role))
    pk = programme_staff_user.pk
    for method, url in [
        ("get", reverse("people:list")),
        ("get", reverse("people:invite")),
        ("post", reverse("people:invite")),
        ("post", reverse("people:resend", args=[pk])),
        ("get", reverse("people:mfa_reset", args=[pk])),
        ("post", reverse("people:mfa_reset", args=[pk])),
    ]:
        response = getattr(client, method)(url, {"reason": "x", "email": "a@example.org"})
        assert response.status_code == 403, (method, url)
    assert Authenticator.objects.filter(user=programme_staff_user).exists()
    assert mail.outbox == []


def test_anonymous_is_sent_to_sign_in(programme_staff_user):
    response = client_for(None).get(reverse("people:mfa_reset", args=[programme_staff_user.pk]))
    assert response["Location"].startswith(reverse("account_login"))


def test_the_list_shows_who_is_set_up_and_who_has_a_link(admin_user, make_user):
    make_user(Role.FINANCE_OFFICER, display_name="Set Up")
    client = client_for(admin_user)
    client.post(
        reverse("people:invite"),
        {"email": "invited@example.org", "display_name": "Invited", "roles": ["finance_officer"]},
    )
    make_user(Role.CONSULTANT, display_name="A Consultant")

    page = client.get(reverse("people:list")).content.decode()

    assert "Set Up" in page and "Invited" in page
    assert "A Consultant" not in page
    assert "Link sent, open until" in page
    assert "Authenticator set up" in page


def test_invite_from_the_page(admin_user):
    response = client_for(admin_user).post(
        reverse("people:invite"),
        {"email": "new@example.org", "display_name": "New", "roles": ["programme_staff"]},
    )

    assert response["Location"] == reverse("people:list")
    assert StaffInvitation.objects.filter(user__email="new@example.org").exists()
    assert len(mail.outbox) == 1


def test_invite_errors_are_shown(admin_user, programme_staff_user):
    response = client_for(admin_user).post(
        reverse("people:invite"),
        {"email": programme_staff_user.email, "roles": ["programme_staff"]},
    )

    assert response.status_code == 400
    assert b"Someone already has this address" in response.content
    assert mail.outbox == []


def test_reset_from_the_page_needs_a_reason(admin_user, programme_staff_user):
    client = client_for(admin_user)
    url = reverse("people:mfa_reset", args=[programme_staff_user.pk])

    assert client.get(url).status_code == 200
    assert client.post(url, {"reason": ""}).status_code == 400
    assert Authenticator.objects.filter(user=programme_staff_user).exists()

    response = client.post(url, {"reason": "Lost phone"})

    assert response["Location"] == reverse("people:list")
    assert not Authenticator.objects.filter(user=programme_staff_user).exists()
    assert len(mail.outbox) == 1


def test_new_link_from_the_page(admin_user, make_user):
    waiting = make_user(Role.PROGRAMME_STAFF, mfa=False)

    response = client_for(admin_user).post(reverse("people:resend", args=[waiting.pk]))

    assert response["Location"] == reverse("people:list")
    assert StaffInvitation.objects.filter(user=waiting, used_at=None, revoked_at=None).exists()


def test_consultants_are_not_managed_here(admin_user, consultant_user):
    client = client_for(admin_user)
    assert client.get(reverse("people:mfa_reset", args=[consultant_user.pk])).status_code == 403
    assert client.post(reverse("people:resend", args=[consultant_user.pk])).status_code == 403


def test_the_list_is_bounded(admin_user, make_user, django_assert_max_num_queries):
    for _ in range(3):
        make_user(Role.PROGRAMME_STAFF)
    client = client_for(admin_user)
    client.get(reverse("people:list"))
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("people:list"))
    for _ in range(20):
        make_user(Role.PROGRAMME_STAFF)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("people:list"))
    assert User.objects.count() > 20
