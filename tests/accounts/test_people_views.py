"""/staff/people/: administrators list staff by role and status, invite,
give and take roles, deactivate and reactivate, send new links and reset
second factors; everyone else is refused (every URL x every persona:
tests/accounts/test_people_permission_matrix.py; the rules themselves:
test_people_services.py)."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from auditlog.models import LogEntry
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils.html import escape

from accounts import services
from accounts.models import StaffInvitation, User
from accounts.roles import Role, roles_held
from accounts.services import user_create
from tests.consultants.factories import ConsultantFactory
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
def test_a_valid_looking_post_from_anyone_else_changes_nothing(
    make_user, programme_staff_user, role
):
    """Complete, well-formed POSTs (the matrix sends empty ones)."""
    client = client_for(make_user(role))
    pk = programme_staff_user.pk
    data = {
        "reason": "x",
        "email": "a@example.org",
        "roles": ["administrator"],
        "display_name": "Mallory",
    }
    for url in [
        reverse("people:invite"),
        reverse("people:resend", args=[pk]),
        reverse("people:mfa_reset", args=[pk]),
        reverse("people:roles", args=[pk]),
        reverse("people:deactivate", args=[pk]),
        reverse("people:reactivate", args=[pk]),
    ]:
        assert client.post(url, data).status_code == 403, url
    programme_staff_user.refresh_from_db()
    assert programme_staff_user.is_active
    assert roles_held(programme_staff_user) == {Role.PROGRAMME_STAFF}
    assert Authenticator.objects.filter(user=programme_staff_user).exists()
    assert not User.objects.filter(email="a@example.org").exists()
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

    assert response["Location"] == reverse("people:person", args=[programme_staff_user.pk])
    assert not Authenticator.objects.filter(user=programme_staff_user).exists()
    assert len(mail.outbox) == 1


def test_new_link_from_the_page(admin_user, make_user):
    waiting = make_user(Role.PROGRAMME_STAFF, mfa=False)

    response = client_for(admin_user).post(reverse("people:resend", args=[waiting.pk]))

    assert response["Location"] == reverse("people:person", args=[waiting.pk])
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


# --- The list: by role and status, staff only -------------------------------------------


@pytest.fixture
def crowd(make_user, admin_user):
    """Staff of every kind, one deactivated, and consultants who must never show."""
    people = {
        "fe": make_user(Role.FINANCE_OFFICER, display_name="Fe Finance", email="fe@org.example"),
        "mo": make_user(Role.PROGRAMME_MANAGER, display_name="Mo Manager"),
        "wen": make_user(Role.WELLBEING_LEAD, display_name="Wen Wellbeing"),
        "gone": make_user(Role.PROGRAMME_STAFF, display_name="Gone Staff"),
        "plain": make_user(Role.CONSULTANT, display_name="Bituin", email="bituin@home.example"),
        "sealed": user_create(
            email="Tala.Private@home.example",
            display_name="Tala",
            roles={Role.CONSULTANT},
            sealed=True,
        ),
    }
    services.staff_deactivate(user=people["gone"], by=admin_user, reason="Left")
    # Someone who is both: staff role and consultant, her address is not shown.
    both = make_user(Role.PROGRAMME_STAFF, display_name="Both Ways", email="both@home.example")
    services.user_set_roles(user=both, roles={Role.PROGRAMME_STAFF, Role.CONSULTANT})
    people["both"] = both
    return people


def _names(response) -> list[str]:
    return [str(person) for person in response.context["page_obj"]]


def test_the_list_is_staff_only_and_never_a_consultant_address(admin_user, crowd):
    response = client_for(admin_user).get(reverse("people:list"))
    page = response.content.decode()

    assert "Fe Finance" in page and "fe@org.example" in page
    assert "Gone Staff" in page and "Deactivated" in page
    assert "Bituin" not in page and "Tala" not in page
    assert "Both Ways" in page
    for hidden in ("bituin@home.example", "tala.private@home.example", "both@home.example"):
        assert hidden not in page.lower()
    assert "lookup.invalid" not in page
    assert "Finance officer" in page  # roles in the row


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"q": "fe fin"}, ["Fe Finance"]),
        ({"q": "FE@ORG"}, ["Fe Finance"]),
        ({"role": "wellbeing_lead"}, ["Wen Wellbeing"]),
        ({"status": "inactive"}, ["Gone Staff"]),
        ({"status": "active", "role": "programme_staff"}, ["Both Ways"]),
        # A consultant's address, a token, or a staff-and-consultant's
        # address find nobody.
        ({"q": "bituin@home"}, []),
        ({"q": "tala.private"}, []),
        ({"q": "lookup.invalid"}, []),
        ({"q": "both@home"}, []),
    ],
)
def test_search_and_filters(admin_user, crowd, query, expected):
    response = client_for(admin_user).get(reverse("people:list"), query)

    assert response.status_code == 200
    assert _names(response) == expected


@pytest.mark.parametrize(
    "query", [{"role": "consultant"}, {"role": "root"}, {"status": "deleted"}, {"page": "x"}]
)
def test_a_bad_filter_is_ignored_and_said(admin_user, crowd, query):
    response = client_for(admin_user).get(reverse("people:list"), query)

    assert response.status_code == 200
    assert "Bituin" not in _names(response)
    assert len(_names(response)) == 6  # admin, fe, mo, wen, gone, both


def test_the_roles_are_explained_from_one_place(admin_user):
    from accounts.roles import ROLE_DESCRIPTIONS

    for url in (reverse("people:list"), reverse("people:roles", args=[admin_user.pk])):
        page = client_for(admin_user).get(url).content.decode()
        for role in Role:
            assert escape(role.description) in page, (url, role)
    assert set(ROLE_DESCRIPTIONS) == set(Role)


# --- One person ---------------------------------------------------------------------------


def test_a_person_page_says_what_they_may_do(admin_user, finance_user):
    response = client_for(admin_user).get(reverse("people:person", args=[finance_user.pk]))

    page = response.content.decode()
    assert escape(Role.FINANCE_OFFICER.description) in page
    assert finance_user.email in page
    assert reverse("people:deactivate", args=[finance_user.pk]) in page


def test_ones_own_page_offers_no_deactivation(admin_user):
    page = client_for(admin_user).get(reverse("people:person", args=[admin_user.pk]))
    assert reverse("people:deactivate", args=[admin_user.pk]) not in page.content.decode()


@pytest.mark.parametrize(
    "name", ["person", "roles", "deactivate", "mfa_reset", "reactivate", "resend"]
)
def test_a_consultant_or_an_unknown_pk(admin_user, consultant_user, name):
    client = client_for(admin_user)
    send = client.get if name in {"person", "roles", "deactivate", "mfa_reset"} else client.post
    assert send(reverse(f"people:{name}", args=[consultant_user.pk])).status_code == 403
    assert send(reverse(f"people:{name}", args=[consultant_user.pk + 10_000])).status_code == 404
    consultant_user.refresh_from_db()
    assert consultant_user.is_active


def test_a_consultants_account_leads_to_her_page_under_consultants(admin_user, consultant_user):
    """Opened under People (from the admin or the audit log), a consultant's
    portal account leads to her page, where she is managed; her protected
    details are not shown there unrevealed."""
    consultant = ConsultantFactory(user=consultant_user)
    client = client_for(admin_user)

    response = client.get(reverse("people:person", args=[consultant_user.pk]))

    assert response.status_code == 302
    assert response["Location"] == reverse("consultants:detail", args=[consultant.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Consultants are not managed under People" in page
    assert consultant.pseudonym in page
    assert consultant.legal_name not in page and consultant.email not in page
    # Her account is still not managed here.
    for name in ["roles", "deactivate", "mfa_reset"]:
        url = reverse(f"people:{name}", args=[consultant_user.pk])
        assert client.get(url).status_code == 403


@pytest.mark.parametrize("role", OUTSIDERS, ids=lambda role: role.value)
def test_only_administrators_are_led_there(make_user, consultant_user, role):
    ConsultantFactory(user=consultant_user)
    url = reverse("people:person", args=[consultant_user.pk])
    assert client_for(make_user(role)).get(url).status_code == 403


# --- Roles --------------------------------------------------------------------------------


def test_give_a_role_from_the_page(admin_user, programme_staff_user):
    url = reverse("people:roles", args=[programme_staff_user.pk])

    response = client_for(admin_user).post(url, {"roles": ["programme_staff", "finance_officer"]})

    assert response["Location"] == reverse("people:person", args=[programme_staff_user.pk])
    assert roles_held(programme_staff_user) == {Role.PROGRAMME_STAFF, Role.FINANCE_OFFICER}
    entry = LogEntry.objects.get_for_object(programme_staff_user).latest("pk")
    assert entry.additional_data["event"] == "staff_roles_changed"
    assert entry.actor == admin_user and entry.remote_addr == "127.0.0.1"


@pytest.mark.parametrize(
    "roles", [[], ["root"], ["consultant"], ["administrator", "superuser"], ["' OR 1=1 --"]]
)
def test_a_bad_role_is_refused_and_nothing_changes(admin_user, programme_staff_user, roles):
    response = client_for(admin_user).post(
        reverse("people:roles", args=[programme_staff_user.pk]), {"roles": roles}
    )

    assert response.status_code == 400
    assert roles_held(programme_staff_user) == {Role.PROGRAMME_STAFF}
    programme_staff_user.refresh_from_db()
    assert not programme_staff_user.is_staff


def test_the_last_administrator_is_told_on_the_page(admin_user):
    response = client_for(admin_user).post(
        reverse("people:roles", args=[admin_user.pk]), {"roles": ["programme_manager"]}
    )

    assert response.status_code == 400
    assert b"You are the last active administrator" in response.content
    assert roles_held(admin_user) == {Role.ADMINISTRATOR}


def test_giving_up_ones_own_administrator_role_leads_out(admin_user, make_user):
    other = make_user(Role.ADMINISTRATOR)
    roles = {Role.ADMINISTRATOR, Role.PROGRAMME_MANAGER}
    services.staff_roles_set(user=admin_user, roles=roles, by=other)
    client = client_for(admin_user)

    response = client.post(
        reverse("people:roles", args=[admin_user.pk]), {"roles": ["programme_manager"]}
    )

    assert response["Location"] == reverse("staff:dashboard")
    assert client.get(reverse("people:list")).status_code == 403


# --- Deactivating and reactivating --------------------------------------------------------


def test_deactivate_asks_first_then_ends_their_sessions(admin_user, finance_user):
    theirs = client_for(finance_user)
    assert theirs.get(reverse("compensation:index")).status_code == 200
    client = client_for(admin_user)
    url = reverse("people:deactivate", args=[finance_user.pk])

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert b"Every session of theirs ends now" in confirm.content
    finance_user.refresh_from_db()
    assert finance_user.is_active  # a GET changes nothing

    assert client.post(url, {"reason": ""}).status_code == 400
    response = client.post(url, {"reason": "Contract ended"})

    assert response["Location"] == reverse("people:person", args=[finance_user.pk])
    finance_user.refresh_from_db()
    assert not finance_user.is_active
    after = theirs.get(reverse("compensation:index"))
    assert after.status_code == 302 and after["Location"].startswith(reverse("account_login"))
    entry = LogEntry.objects.get(additional_data__event="staff_deactivated")
    assert entry.actor == admin_user and entry.additional_data["reason"] == "Contract ended"
    assert entry.additional_data["sessions_ended"] == 1


def test_own_deactivation_is_refused_on_the_page(admin_user, make_user):
    make_user(Role.ADMINISTRATOR)
    client = client_for(admin_user)
    url = reverse("people:deactivate", args=[admin_user.pk])

    assert b"You cannot deactivate your own account" in client.get(url).content
    response = client.post(url, {"reason": "Leaving"})

    assert response.status_code == 400
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_reactivate_from_the_page(admin_user, finance_user):
    services.staff_deactivate(user=finance_user, by=admin_user, reason="On leave")
    client = client_for(admin_user)
    page = client.get(reverse("people:person", args=[finance_user.pk])).content.decode()
    assert reverse("people:reactivate", args=[finance_user.pk]) in page

    response = client.post(reverse("people:reactivate", args=[finance_user.pk]))

    assert response["Location"] == reverse("people:person", args=[finance_user.pk])
    finance_user.refresh_from_db()
    assert finance_user.is_active
    assert client_for(finance_user).get(reverse("compensation:index")).status_code == 200


def test_a_forged_post_without_the_csrf_token_is_refused(admin_user, finance_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)

    for url, data in [
        (reverse("people:deactivate", args=[finance_user.pk]), {"reason": "x"}),
        (reverse("people:roles", args=[finance_user.pk]), {"roles": ["administrator"]}),
    ]:
        assert client.post(url, data).status_code == 403
    finance_user.refresh_from_db()
    assert finance_user.is_active and roles_held(finance_user) == {Role.FINANCE_OFFICER}


def test_the_invitation_e_mail_greets_a_name_as_typed(admin_user):
    """The text part and the subject are not HTML-escaped; the HTML part is."""
    name = 'O\'Brien & "Jo" <b>'
    client_for(admin_user).post(
        reverse("people:invite"),
        {"email": "obrien@example.org", "display_name": name, "roles": ["programme_staff"]},
    )

    (message,) = mail.outbox
    assert f"Hello {name}," in message.body
    assert "&lt;" not in message.body and "&amp;" not in message.body
    assert "&" not in message.subject
    html, _type = message.alternatives[0]
    assert f"Hello {escape(name)}," in html


def test_an_administrator_cannot_tick_finance_on_her_own_account(admin_user, make_user):
    """A direct POST to her own roles page is refused and says why; the page
    says it before she tries."""
    make_user(Role.ADMINISTRATOR)
    client = client_for(admin_user)
    url = reverse("people:roles", args=[admin_user.pk])

    assert "you cannot give yourself a role" in client.get(url).content.decode()
    response = client.post(url, {"roles": ["administrator", "finance_officer"]})

    assert response.status_code == 400
    assert "You cannot give yourself a role" in response.content.decode()
    assert roles_held(admin_user) == {Role.ADMINISTRATOR}


def test_another_administrator_gives_her_finance(admin_user, make_user):
    other = make_user(Role.ADMINISTRATOR)
    client = client_for(other)
    url = reverse("people:roles", args=[admin_user.pk])

    assert "you cannot give yourself a role" not in client.get(url).content.decode()
    response = client.post(url, {"roles": ["administrator", "finance_officer"]})

    assert response.status_code == 302
    assert roles_held(admin_user) == {Role.ADMINISTRATOR, Role.FINANCE_OFFICER}
