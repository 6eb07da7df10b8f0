"""Staff invitations: the account is made without a usable password, and
its one-time link sets the password and the authenticator in one visit;
an administrator's reset of someone's second factor (with a reason,
audited, the person told) sends a new link."""

from __future__ import annotations

import datetime
import re
from io import StringIO

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from auditlog.models import LogEntry
from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import StaffInvitation, User
from accounts.roles import Role, roles_of
from tests.accounts.factories import TEST_PASSWORD, totp_code
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-fresh-staff-password-42"
LINK = re.compile(r"https?://\S+/accounts/invitation/[\w-]+/")
REVEALING = re.compile(r"survivor|exploit|abuse|sexual|victim|trauma|consultant", re.I)


def _link(message) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(0)


def _path(url: str) -> str:
    return url[url.index("/accounts/") :]


def _accept(client: Client, path: str, *, code: str | None = None, **data):
    page = client.get(path)
    assert page.status_code == 200
    secret = page.context["secret"]
    response = client.post(
        path,
        {
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
            "code": code if code is not None else totp_code(secret),
            **data,
        },
    )
    return response, secret


def _invite(admin_user, email="new.staff@example.org", roles=frozenset({Role.PROGRAMME_STAFF})):
    return services.staff_invite(email=email, roles=set(roles), by=admin_user, display_name="Nina")


def _events(user) -> list[dict]:
    entries = LogEntry.objects.get_for_object(user).order_by("pk")
    return [entry.additional_data or {} for entry in entries]


# --- Inviting -------------------------------------------------------------------------------


def test_invite_makes_an_account_that_cannot_sign_in_yet_and_mails_the_link(admin_user):
    issued = _invite(admin_user, roles={Role.PROGRAMME_STAFF, Role.FINANCE_OFFICER})

    user = User.objects.get(email="new.staff@example.org")
    assert not user.has_usable_password()
    assert roles_of(user) == {Role.PROGRAMME_STAFF, Role.FINANCE_OFFICER}
    assert not Authenticator.objects.filter(user=user).exists()
    invitation = issued.invitation
    assert invitation.user == user and invitation.created_by == admin_user
    assert invitation.kind == StaffInvitation.Kind.INVITE
    assert invitation.expires_at - invitation.created_at == datetime.timedelta(days=3)
    # Only a hash of the token is kept.
    token = issued.url.rstrip("/").rsplit("/", 1)[-1]
    assert token not in invitation.token_hash
    [message] = mail.outbox
    assert message.to == ["new.staff@example.org"]
    assert message.subject == "Your Tinig account"
    assert _link(message) == issued.url
    assert not REVEALING.search(message.subject + message.body)
    assert {"event": "staff_invited"} in _events(user)
    # No password works until the link is used.
    client = Client()
    client.post(reverse("account_login"), {"login": user.email, "password": "any-password-1"})
    assert "_auth_user_id" not in client.session


def test_only_administrators_invite(manager_user):
    with pytest.raises(PermissionDenied):
        _invite(manager_user)
    assert not User.objects.filter(email="new.staff@example.org").exists()
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("roles", "code"),
    [(set(), "roles_required"), ({Role.CONSULTANT}, "not_staff_roles")],
)
def test_invite_needs_staff_roles(admin_user, roles, code):
    with pytest.raises(ValidationError) as error:
        services.staff_invite(email="x@example.org", roles=roles, by=admin_user)
    assert error.value.error_dict["roles"][0].code == code


def test_an_address_in_use_is_refused(admin_user, programme_staff_user):
    with pytest.raises(ValidationError) as error:
        _invite(admin_user, email=programme_staff_user.email.upper())
    assert error.value.error_dict["email"][0].code == "email_taken"


# --- The link --------------------------------------------------------------------------------


def test_the_link_sets_password_and_authenticator_in_one_visit_then_sign_in_works(admin_user):
    issued = _invite(admin_user)
    client = Client()

    response, secret = _accept(client, _path(issued.url))

    assert response.status_code == 200
    assert b"Your account is ready" in response.content
    assert len(response.context["codes"]) == 10
    user = User.objects.get(email="new.staff@example.org")
    assert user.check_password(NEW_PASSWORD)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert user.emailaddress_set.get().verified
    issued.invitation.refresh_from_db()
    assert issued.invitation.used_at is not None
    assert "_auth_user_id" not in client.session
    # Then the ordinary sign-in: password, then a code from the app.
    first = client.post(reverse("account_login"), {"login": user.email, "password": NEW_PASSWORD})
    assert first["Location"] == reverse("mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get("/staff/").status_code == 200


def test_the_link_works_once(admin_user):
    issued = _invite(admin_user)
    _accept(Client(), _path(issued.url))

    again = Client().get(_path(issued.url))

    assert again.status_code == 410
    assert b"Ask an administrator to send you a new one" in again.content


def test_a_wrong_code_changes_nothing(admin_user):
    issued = _invite(admin_user)

    response, _secret = _accept(Client(), _path(issued.url), code="000000")

    assert response.status_code == 400
    user = User.objects.get(email="new.staff@example.org")
    assert not user.has_usable_password()
    assert not Authenticator.objects.filter(user=user).exists()
    issued.invitation.refresh_from_db()
    assert issued.invitation.used_at is None


def test_a_weak_or_mismatched_password_changes_nothing(admin_user):
    issued = _invite(admin_user)

    response, _secret = _accept(
        Client(), _path(issued.url), new_password1="short", new_password2="short"
    )

    assert response.status_code == 400
    assert not User.objects.get(email="new.staff@example.org").has_usable_password()


def test_an_expired_link_is_refused(admin_user):
    issued = _invite(admin_user)

    with time_machine.travel(issued.invitation.expires_at + datetime.timedelta(seconds=1)):
        response = Client().get(_path(issued.url))

    assert response.status_code == 410


def test_an_unknown_link_gets_the_same_page():
    response = Client().get(reverse("account_invitation", args=["not-a-real-token"]))

    assert response.status_code == 410


def test_a_new_link_replaces_the_old_one(admin_user):
    first = _invite(admin_user)
    user = first.invitation.user

    second = services.staff_invitation_resend(user=user, by=admin_user)

    assert Client().get(_path(first.url)).status_code == 410
    assert Client().get(_path(second.url)).status_code == 200
    assert {"event": "staff_invitation_resent"} in _events(user)


def test_no_new_link_for_someone_already_set_up(admin_user, programme_staff_user):
    with pytest.raises(ValidationError) as error:
        services.staff_invitation_resend(user=programme_staff_user, by=admin_user)
    assert error.value.code == "already_enrolled"


def test_a_person_signed_in_elsewhere_is_signed_out_by_accepting(admin_user, manager_user):
    issued = _invite(admin_user)
    client = client_for(manager_user)

    response, _secret = _accept(client, _path(issued.url))

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


# --- Resetting the second factor ---------------------------------------------------------


def test_reset_removes_authenticators_audits_tells_the_person_and_sends_a_link(
    admin_user, programme_staff_user
):
    person = programme_staff_user
    their_browser = client_for(person)
    assert their_browser.get("/staff/").status_code == 200

    issued = services.staff_mfa_reset(user=person, reason="Lost phone, ticket 42", by=admin_user)

    assert not Authenticator.objects.filter(user=person).exists()
    assert issued.invitation.kind == StaffInvitation.Kind.MFA_RESET
    assert issued.invitation.reason == "Lost phone, ticket 42"
    entry = LogEntry.objects.get_for_object(person).latest("pk")
    assert entry.actor == admin_user
    assert entry.additional_data == {"event": "staff_mfa_reset", "reason": "Lost phone, ticket 42"}
    [message] = mail.outbox
    assert message.to == [person.email]
    assert message.subject == "Your Tinig sign-in was reset"
    assert "ticket 42" not in message.body  # the reason stays in the audit trail
    assert not REVEALING.search(message.subject + message.body)
    # Their open session ends at their next request.
    assert their_browser.get("/staff/")["Location"] == reverse("account_invitation_needed")
    # The new link sets a new password and app.
    response, _secret = _accept(Client(), _path(_link(message)))
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD) and not person.check_password(TEST_PASSWORD)
    assert Authenticator.objects.filter(user=person, type=Authenticator.Type.TOTP).exists()


def test_reset_needs_a_reason(admin_user, programme_staff_user):
    with pytest.raises(ValidationError) as error:
        services.staff_mfa_reset(user=programme_staff_user, reason="  ", by=admin_user)
    assert error.value.error_dict["reason"][0].code == "reason_required"
    assert Authenticator.objects.filter(user=programme_staff_user).exists()
    assert mail.outbox == []


@pytest.mark.parametrize("role", [Role.PROGRAMME_MANAGER, Role.PROGRAMME_STAFF])
def test_only_administrators_reset(make_user, programme_staff_user, role):
    with pytest.raises(PermissionDenied):
        services.staff_mfa_reset(user=programme_staff_user, reason="x", by=make_user(role))
    assert Authenticator.objects.filter(user=programme_staff_user).exists()


def test_an_administrator_cannot_reset_their_own(admin_user):
    with pytest.raises(ValidationError) as error:
        services.staff_mfa_reset(user=admin_user, reason="x", by=admin_user)
    assert error.value.code == "own_account"


def test_consultants_have_no_second_factor_to_reset(admin_user, consultant_user):
    with pytest.raises(ValidationError) as error:
        services.staff_mfa_reset(user=consultant_user, reason="x", by=admin_user)
    assert error.value.code == "not_staff"


# --- From the command line (the first administrator) -------------------------------------


def test_invite_staff_command_invites_and_prints_the_link():
    out = StringIO()

    call_command("invite_staff", "first.admin@example.org", "--role", "administrator", stdout=out)

    user = User.objects.get(email="first.admin@example.org")
    assert roles_of(user) == {Role.ADMINISTRATOR}
    assert LINK.search(out.getvalue())
    assert _link(mail.outbox[0]) in out.getvalue()


def test_invite_staff_command_sends_a_superuser_without_mfa_a_new_link(make_user):
    user = make_user(None, is_superuser=True, is_staff=True, mfa=False)
    out = StringIO()

    call_command("invite_staff", user.email, stdout=out)

    assert StaffInvitation.objects.filter(user=user, used_at=None).exists()
    with pytest.raises(CommandError):
        call_command("invite_staff", user.email, "--role", "administrator", stdout=StringIO())


# --- The set-up page's language ----------------------------------------------------------


def _invite_in(admin_user, language: str):
    return services.staff_invite(
        email="nina@example.org",
        roles={Role.PROGRAMME_STAFF},
        by=admin_user,
        display_name="Nina",
        language=language,
    )


def test_the_set_up_page_is_in_the_invitations_language(admin_user):
    """Her e-mail was in Filipino; so is the page it leads to, whatever the
    browser asks for, and the page that follows."""
    issued = _invite_in(admin_user, "fil")
    client = Client(headers={"accept-language": "en"})

    page = client.get(_path(issued.url)).content.decode()

    assert '<html lang="fil">' in page
    assert "I-set up ang account mo" in page
    response, _secret = _accept(client, _path(issued.url))
    assert '<html lang="fil">' in response.content.decode()


def test_a_language_chosen_with_the_switch_wins(admin_user):
    issued = _invite_in(admin_user, "fil")
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    page = client.get(_path(issued.url)).content.decode()

    assert '<html lang="en">' in page
    assert "Set up your account" in page


def test_an_english_invitation_stays_english_in_a_filipino_browser(admin_user):
    issued = _invite_in(admin_user, "en")

    page = Client(headers={"accept-language": "fil"}).get(_path(issued.url)).content.decode()

    assert '<html lang="en">' in page


@time_machine.travel(datetime.datetime(2026, 12, 5, 8, 41, tzinfo=datetime.UTC), tick=False)
def test_the_filipino_e_mail_does_not_double_the_stop_after_the_time(admin_user):
    """16:41 in Manila is "4:41 n.h." in Filipino: no sentence ends right after it."""
    _invite_in(admin_user, "fil")

    [message] = mail.outbox
    html, _type = message.alternatives[0]
    assert "4:41 n.h.," in message.body
    assert ".." not in message.body and ".." not in html
