import pytest
from django.urls import reverse

from tests.helpers import client_for


@pytest.mark.django_db
def test_sign_in_page_answers(client):
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    assert b"Sign In" in response.content or b"Sign in" in response.content


def test_staff_dashboard_for_staff_with_mfa(programme_staff_user):
    response = client_for(programme_staff_user).get(reverse("staff:dashboard"))
    assert response.status_code == 200


def test_staff_without_mfa_is_told_to_ask_for_a_link(make_user):
    from accounts.roles import Role

    user = make_user(Role.PROGRAMME_STAFF, mfa=False)
    response = client_for(user).get(reverse("staff:dashboard"))
    assert response.status_code == 302
    assert response["Location"] == reverse("account_invitation_needed")
