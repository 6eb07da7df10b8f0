"""Signing in on a shared phone (accounts.safety): the mark in the session,
a five-minute idle time checked on every request, a cookie that ends with
the browser, the keep-alive ping, and the warnings the pages show."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts import safety
from tests.accounts.factories import TEST_PASSWORD

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
LOGIN = reverse("account_login")

pytestmark = pytest.mark.django_db


def sign_in(user, *, shared: bool) -> Client:
    client = Client()
    data = {"login": user.email, "password": TEST_PASSWORD}
    if shared:
        data["shared_phone"] = "on"
    response = client.post(LOGIN, data)
    assert response.status_code == 302, response.content[:500]
    return client


def test_the_sign_in_page_offers_the_choice_and_the_help_page():
    html = Client().get(LOGIN).content.decode()
    assert 'name="shared_phone"' in html
    assert "This is a shared phone" in html
    assert reverse("using_privately") in html


def test_signing_in_on_a_shared_phone_marks_the_session_and_a_browser_session_cookie(
    consultant_user,
):
    client = sign_in(consultant_user, shared=True)
    assert client.session[safety.SHARED_PHONE_KEY] is True
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    # No max-age, no expires: the cookie ends when the browser closes.
    assert not cookie["max-age"] and not cookie["expires"]

    response = client.get("/portal/")
    assert response.status_code == 200
    assert not client.cookies[settings.SESSION_COOKIE_NAME]["max-age"]
    assert "you are signed out after 5 minutes without use" in response.content.decode()


def test_an_ordinary_sign_in_is_not_marked(consultant_user):
    client = sign_in(consultant_user, shared=False)
    assert safety.SHARED_PHONE_KEY not in client.session
    response = client.get("/portal/")
    assert "without use" not in response.content.decode()
    assert client.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == (
        settings.PORTAL_SESSION_IDLE_SECONDS
    )


def test_shared_phone_session_ends_after_five_idle_minutes(consultant_user):
    with time_machine.travel(NOW, tick=False) as clock:
        client = sign_in(consultant_user, shared=True)
        assert client.get("/portal/").status_code == 200

        # In use for half an hour, never idle for five minutes: still in.
        for _ in range(7):
            clock.shift(datetime.timedelta(minutes=4, seconds=50))
            assert client.get("/portal/").status_code == 200

        clock.shift(datetime.timedelta(minutes=5, seconds=1))
        response = client.get("/portal/")
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
        assert "_auth_user_id" not in client.session

        page = client.get(response["Location"])
        assert "signed out because this phone was not used" in page.content.decode()
        assert client.get("/portal/").status_code == 302


def test_keep_alive_renews_the_idle_time_and_says_when_it_is_over(consultant_user):
    keep_alive = reverse("keep_alive")
    with time_machine.travel(NOW, tick=False) as clock:
        client = sign_in(consultant_user, shared=True)
        clock.shift(datetime.timedelta(minutes=4))
        assert client.get(keep_alive).status_code == 204
        clock.shift(datetime.timedelta(minutes=4))
        assert client.get("/portal/").status_code == 200  # 8 minutes in, 4 idle

        clock.shift(datetime.timedelta(minutes=6))
        assert client.get(keep_alive).status_code == 401
        assert client.get("/portal/").status_code == 302


def test_keep_alive_for_someone_signed_out():
    assert Client().get(reverse("keep_alive")).status_code == 401


def test_the_code_sign_in_carries_the_mark(consultant_user, mailoutbox):
    client = Client()
    response = client.post(
        reverse("account_request_login_code"),
        {"email": consultant_user.email, "shared_phone": "on"},
    )
    assert response.status_code == 302
    code = re.search(r"^\s*([A-Z0-9]{3,}(?:-[A-Z0-9]{3,})*)\s*$", mailoutbox[0].body, re.M)
    response = client.post(reverse("account_confirm_login_code"), {"code": code.group(1)})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(consultant_user.pk)
    assert client.session[safety.SHARED_PHONE_KEY] is True


def test_staff_on_a_shared_phone_get_the_shorter_time_too(make_user):
    from accounts.roles import Role

    staff = make_user(Role.PROGRAMME_STAFF)
    with time_machine.travel(NOW, tick=False) as clock:
        client = Client()
        client.force_login(staff)
        session = client.session
        session[safety.SHARED_PHONE_KEY] = True
        session.save()
        client.get("/accounts/2fa/")
        clock.shift(datetime.timedelta(minutes=6))
        response = client.get("/accounts/2fa/")
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
