"""The admin's pages for accounts (accounts/admin.py): users, allauth's
e-mail addresses and staff invitations, with no consultant's address (her
lookup token, her sealed address, or a plain one left on an account with
the consultant role) in any list, search, filter or form."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse

from accounts import sealing, services
from accounts.models import StaffInvitation
from accounts.roles import Role, roles_held
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

SEALED = "tala.private@home.example"
PLAIN = "bituin@home.example"


@pytest.fixture
def consultants(make_user):
    sealed = services.user_create(
        email=SEALED, display_name="Tala", roles={Role.CONSULTANT}, verified=True, sealed=True
    )
    plain = make_user(Role.CONSULTANT, display_name="Bituin", email=PLAIN)
    return {"sealed": sealed, "plain": plain}


def _hidden(consultants) -> list[str]:
    return [SEALED, PLAIN, consultants["sealed"].email, sealing.LOOKUP_DOMAIN]


def _assert_no_consultant_address(content: bytes, consultants, *, searched: str = "") -> None:
    text = content.decode().lower()
    if searched:  # the search box and the links show back what was typed
        for shown in (searched, quote(searched)):
            text = text.replace(shown.lower(), "")
    for needle in _hidden(consultants):
        assert needle.lower() not in text, needle


def test_the_user_list_shows_staff_addresses_and_no_consultant_address(
    admin_user, finance_user, consultants
):
    response = client_for(admin_user).get(reverse("admin:accounts_user_changelist"))

    assert response.status_code == 200
    page = response.content.decode()
    assert finance_user.email in page
    assert "Tala" in page and "Bituin" in page  # by pseudonym
    assert "Finance officer" in page
    _assert_no_consultant_address(response.content, consultants)


@pytest.mark.parametrize("term", [SEALED, PLAIN, "home.example", "lookup.invalid", "@"])
def test_a_search_never_finds_a_consultant_by_address(admin_user, consultants, term):
    response = client_for(admin_user).get(reverse("admin:accounts_user_changelist"), {"q": term})

    assert response.status_code == 200
    shown = {str(user) for user in response.context["cl"].result_list}
    assert "Tala" not in shown and "Bituin" not in shown
    _assert_no_consultant_address(response.content, consultants, searched=term)


def test_a_search_finds_staff_by_name_or_work_address(admin_user, finance_user):
    client = client_for(admin_user)
    url = reverse("admin:accounts_user_changelist")
    for term in (finance_user.display_name, finance_user.email.upper()):
        shown = list(client.get(url, {"q": term}).context["cl"].result_list)
        assert shown == [finance_user], term


def test_the_role_filter_lists_consultants_by_pseudonym_only(admin_user, consultants):
    response = client_for(admin_user).get(
        reverse("admin:accounts_user_changelist"), {"role": "consultant"}
    )

    assert {str(user) for user in response.context["cl"].result_list} == {"Tala", "Bituin"}
    _assert_no_consultant_address(response.content, consultants)


@pytest.mark.parametrize("which", ["sealed", "plain"])
def test_a_consultants_change_page_shows_no_address(admin_user, consultants, which):
    user = consultants[which]
    response = client_for(admin_user).get(reverse("admin:accounts_user_change", args=[user.pk]))

    assert response.status_code == 200
    _assert_no_consultant_address(response.content, consultants)
    assert b"sealed_email" not in response.content
    assert b"Consultants are managed on the consultants pages" in response.content


def test_roles_and_activity_are_read_only_here(admin_user, finance_user):
    url = reverse("admin:accounts_user_change", args=[finance_user.pk])
    client = client_for(admin_user)
    page = client.get(url).content.decode()
    assert reverse("people:person", args=[finance_user.pk]) in page

    response = client.post(
        url,
        {
            "display_name": "Fe Renamed",
            "language": "en",
            "is_active": "",
            "is_superuser": "on",
            "is_staff": "on",
            "groups": [],
            "email": "mallory@example.org",
        },
    )

    assert response.status_code == 302
    finance_user.refresh_from_db()
    assert finance_user.display_name == "Fe Renamed"
    assert finance_user.is_active and not finance_user.is_superuser and not finance_user.is_staff
    assert finance_user.email != "mallory@example.org"
    assert roles_held(finance_user) == {Role.FINANCE_OFFICER}


def test_accounts_are_neither_added_nor_deleted_here(admin_user, finance_user):
    client = client_for(admin_user)
    assert client.get(reverse("admin:accounts_user_add")).status_code == 403
    assert (
        client.post(reverse("admin:accounts_user_delete", args=[finance_user.pk])).status_code
        == 403
    )
    finance_user.refresh_from_db()


def test_the_address_list_holds_staff_addresses_only(admin_user, finance_user, consultants):
    client = client_for(admin_user)
    response = client.get(reverse("admin:account_emailaddress_changelist"))

    assert response.status_code == 200
    assert finance_user.email in response.content.decode()
    _assert_no_consultant_address(response.content, consultants)
    for term in (SEALED, PLAIN, "lookup.invalid"):
        found = client.get(reverse("admin:account_emailaddress_changelist"), {"q": term})
        assert list(found.context["cl"].result_list) == []
        _assert_no_consultant_address(found.content, consultants, searched=term)


@pytest.mark.parametrize("which", ["sealed", "plain"])
def test_a_consultants_address_row_cannot_be_opened(admin_user, consultants, which):
    row = EmailAddress.objects.get(user=consultants[which])
    response = client_for(admin_user).get(
        reverse("admin:account_emailaddress_change", args=[row.pk]), follow=True
    )
    _assert_no_consultant_address(response.content, consultants)


def test_invitations_are_listed_without_their_token(admin_user, make_user):
    waiting = make_user(Role.PROGRAMME_STAFF, mfa=False)
    issued = services.staff_invitation_resend(user=waiting, by=admin_user)
    token = issued.url.rstrip("/").rsplit("/", 1)[-1]
    client = client_for(admin_user)

    listing = client.get(reverse("admin:accounts_staffinvitation_changelist"))
    detail = client.get(
        reverse("admin:accounts_staffinvitation_change", args=[issued.invitation.pk])
    )

    for response in (listing, detail):
        assert response.status_code == 200
        assert token.encode() not in response.content
        assert issued.invitation.token_hash.encode() not in response.content
    assert StaffInvitation.objects.count() == 1


@pytest.mark.parametrize("persona", ["programme_manager", "finance_officer"], indirect=True)
def test_nobody_else_opens_these_pages(persona):
    for name in (
        "admin:accounts_user_changelist",
        "admin:account_emailaddress_changelist",
        "admin:accounts_staffinvitation_changelist",
    ):
        assert client_for(persona).get(reverse(name), follow=True).status_code == 403
