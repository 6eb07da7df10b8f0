"""Signing in through allauth's real views: password + TOTP, e-mail code,
no sign-up, rate limits, and forged forms."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Session, User
from accounts.roles import Role
from tests.accounts.factories import TEST_PASSWORD, totp_code

LOGIN = reverse("account_login")
MFA = reverse("mfa_authenticate")
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)

# Words that must never appear in a message a consultant's family, partner
# or employer might see on a lock screen.
REVEALING = re.compile(
    r"survivor|exploit|abuse|sexual|traffick|victim|trauma|osec|csam|child|"
    r"consultant|wellbeing|counsel|rescue|case ?worker|testif|hearing",
    re.IGNORECASE,
)


# allauth's sign-in code, alone on its line ("QDQN-VPQW").
CODE = re.compile(r"^\s*([A-Z0-9]{4,}(?:-[A-Z0-9]{4,})*)\s*$", re.MULTILINE)


def signed_in_user_id(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def post_password(client: Client, email: str, password: str = TEST_PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


# --- Password + TOTP --------------------------------------------------------------


def test_password_then_totp_signs_staff_in(programme_staff_user):
    client = Client()

    first = post_password(client, programme_staff_user.email)

    assert first.status_code == 302
    assert first["Location"] == MFA
    assert signed_in_user_id(client) is None
    assert client.get("/staff/")["Location"].startswith(LOGIN)

    second = client.post(MFA, {"code": totp_code()})

    assert second.status_code == 302
    assert signed_in_user_id(client) == str(programme_staff_user.pk)
    # The response that signed them in already set the staff idle time.
    assert client.session.get_expiry_age() == 30 * 60
    assert client.get("/staff/").status_code == 200


def test_wrong_totp_code_does_not_sign_in(programme_staff_user):
    client = Client()
    post_password(client, programme_staff_user.email)

    response = client.post(MFA, {"code": "000000" if totp_code() != "000000" else "111111"})

    assert response.status_code == 200
    assert signed_in_user_id(client) is None


def test_a_totp_code_works_only_once(programme_staff_user):
    code = totp_code()
    first = Client()
    post_password(first, programme_staff_user.email)
    first.post(MFA, {"code": code})
    assert signed_in_user_id(first) == str(programme_staff_user.pk)

    replay = Client()
    post_password(replay, programme_staff_user.email)
    replay.post(MFA, {"code": code})

    assert signed_in_user_id(replay) is None


def test_wrong_password_is_refused(consultant_user):
    client = Client()

    response = post_password(client, consultant_user.email, "not-the-password-at-all")

    assert response.status_code == 200
    assert signed_in_user_id(client) is None


def test_consultant_signs_in_with_password_alone(consultant_user):
    client = Client()

    response = post_password(client, consultant_user.email)

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(consultant_user.pk)
    assert client.get("/portal/").status_code == 200
    assert client.session.get_expiry_age() == 12 * 60 * 60


# --- Sign-in by e-mail code ---------------------------------------------------------


def ask_for_code(client: Client, email: str) -> None:
    response = client.post(reverse("account_request_login_code"), {"email": email})
    # The same answer whether or not the address has an account.
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_confirm_login_code"))


def request_code(client: Client, email: str) -> str:
    ask_for_code(client, email)
    match = CODE.search(mail.outbox[-1].body)
    assert match, "no code in the e-mail"
    return match.group(1)


def test_consultant_signs_in_with_an_emailed_code(consultant_user):
    client = Client()

    code = request_code(client, consultant_user.email)

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [consultant_user.email]
    assert signed_in_user_id(client) is None
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert signed_in_user_id(client) == str(consultant_user.pk)
    assert client.get("/portal/").status_code == 200


def test_the_code_email_reveals_nothing_about_the_work(consultant_user):
    request_code(Client(), consultant_user.email)

    message = mail.outbox[0]
    texts = [message.subject, message.body, message.from_email]
    texts += [content for content, _mimetype in getattr(message, "alternatives", [])]
    for text in texts:
        assert not REVEALING.search(text), text
    # Nor who the person is to us: no pseudonym, no role.
    assert "Tala" not in message.body and "Tala" not in message.subject


def test_a_wrong_code_does_not_sign_in(consultant_user):
    client = Client()
    code = request_code(client, consultant_user.email)

    client.post(
        reverse("account_confirm_login_code"), {"code": "ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY"}
    )

    assert signed_in_user_id(client) is None


def test_code_sign_in_does_not_skip_mfa_for_staff(programme_staff_user):
    client = Client()
    code = request_code(client, programme_staff_user.email)

    response = client.post(reverse("account_confirm_login_code"), {"code": code})

    assert response.status_code == 302
    assert response["Location"] == MFA
    assert signed_in_user_id(client) is None
    client.post(MFA, {"code": totp_code()})
    assert signed_in_user_id(client) == str(programme_staff_user.pk)


def test_unknown_address_gets_no_code_and_the_page_does_not_tell(db):
    client = Client()

    ask_for_code(client, "nobody@example.org")

    assert signed_in_user_id(client) is None
    for message in mail.outbox:  # allauth may send an "unknown account" notice
        assert not CODE.search(message.body)
        assert not REVEALING.search(message.subject + message.body)


# --- Nobody signs themselves up -----------------------------------------------------


def test_sign_up_is_closed(client, db):
    before = User.objects.count()

    page = client.get(reverse("account_signup"))
    post = client.post(
        reverse("account_signup"),
        {"email": "new@example.org", "password1": TEST_PASSWORD, "password2": TEST_PASSWORD},
    )

    assert "account/signup_closed.html" in [t.name for t in page.templates]
    assert "account/signup_closed.html" in [t.name for t in post.templates]
    assert User.objects.count() == before
    assert signed_in_user_id(client) is None


# --- Brute force ----------------------------------------------------------------------


def test_repeated_wrong_passwords_lock_the_account_for_the_window(consultant_user):
    """allauth's "login_failed" limit: 5 failures per address per 5 minutes.
    The right password is then refused too, until the window has passed."""
    with time_machine.travel(NOW, tick=False) as clock:
        client = Client()
        for _ in range(5):
            response = post_password(client, consultant_user.email, "wrong-password-guess")
            assert response.status_code == 200

        refused = post_password(client, consultant_user.email)
        assert signed_in_user_id(client) is None
        assert "Too many failed login attempts" in refused.content.decode()

        # From another address and browser: the account is still locked.
        other = Client(REMOTE_ADDR="198.51.100.7")
        post_password(other, consultant_user.email)
        assert signed_in_user_id(other) is None

        clock.shift(datetime.timedelta(minutes=5, seconds=1))
        post_password(client, consultant_user.email)
        assert signed_in_user_id(client) == str(consultant_user.pk)


def test_a_flood_of_sign_in_attempts_gets_429(consultant_user, make_user):
    """allauth's "login" limit: 30 attempts per minute from one address answer
    429, whatever password comes next, and X-Forwarded-For does not help."""
    targets = [make_user(Role.CONSULTANT) for _ in range(6)]
    with time_machine.travel(NOW, tick=False) as clock:
        client = Client()
        for attempt in range(30):
            victim = targets[attempt % len(targets)]
            response = post_password(client, victim.email, f"guess-{attempt}")
            assert response.status_code == 200

        assert post_password(client, consultant_user.email).status_code == 429
        spoofed = client.post(
            LOGIN,
            {"login": consultant_user.email, "password": TEST_PASSWORD},
            HTTP_X_FORWARDED_FOR="203.0.113.50",
        )
        assert spoofed.status_code == 429
        assert signed_in_user_id(client) is None

        clock.shift(datetime.timedelta(minutes=1, seconds=1))
        post_password(client, consultant_user.email)
        assert signed_in_user_id(client) == str(consultant_user.pk)


# --- Forged forms and cookies ------------------------------------------------------------


def test_forged_csrf_token_gets_the_expired_form_page_and_changes_nothing(consultant_user):
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN)  # sets the CSRF cookie
    sessions_before = Session.objects.count()

    response = client.post(
        LOGIN,
        {
            "login": consultant_user.email,
            "password": TEST_PASSWORD,
            "csrfmiddlewaretoken": "forged" * 8,
        },
    )

    assert response.status_code == 403
    assert "errors/csrf.html" in [t.name for t in response.templates]
    assert "This form has expired" in response.content.decode()
    # (Counted before client.session, which would create a session itself.)
    assert Session.objects.count() == sessions_before == 0
    assert signed_in_user_id(client) is None


def test_missing_csrf_cookie_is_refused_the_same_way(consultant_user):
    client = Client(enforce_csrf_checks=True)

    response = client.post(LOGIN, {"login": consultant_user.email, "password": TEST_PASSWORD})

    assert response.status_code == 403
    assert "errors/csrf.html" in [t.name for t in response.templates]
    assert signed_in_user_id(client) is None


def test_the_real_csrf_token_works(consultant_user):
    client = Client(enforce_csrf_checks=True)
    client.get(LOGIN)
    token = client.cookies["csrftoken"].value

    response = client.post(
        LOGIN,
        {"login": consultant_user.email, "password": TEST_PASSWORD, "csrfmiddlewaretoken": token},
    )

    assert response.status_code == 302
    assert signed_in_user_id(client) == str(consultant_user.pk)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda key: key[:-1] + ("a" if key[-1] != "a" else "b"),
        lambda key: "x" * 32,
        lambda key: "../../etc/passwd",
        lambda key: "\u00e9\u00e9\u00e9",
        lambda key: "",
    ],
    ids=["one-char", "unknown", "path", "non-ascii", "empty"],
)
def test_tampered_session_cookie_means_signed_out(programme_staff_user, tamper, settings):
    client = Client()
    client.force_login(programme_staff_user)
    assert client.get("/staff/").status_code == 200
    name = settings.SESSION_COOKIE_NAME

    client.cookies[name] = tamper(client.cookies[name].value)
    response = client.get("/staff/")

    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert client.get("/").status_code == 302
