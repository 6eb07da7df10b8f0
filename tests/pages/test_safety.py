"""Leaving quickly (/exit), the exit guard, the page on using Tinig
privately (/help/), the manifest, and folded details ({% discreet %})."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from accounts import safety
from consultants.models import Consultant
from tests.consultants.factories import ConsultantFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

EXIT = reverse("exit")
NEUTRAL = "https://neutral.example/weather"


@pytest.fixture(autouse=True)
def _neutral(settings):
    settings.EXIT_URL = NEUTRAL


def test_exit_signs_out_clears_the_browser_and_redirects(consultant_user):
    client = client_for(consultant_user)
    assert client.get("/portal/").status_code == 200

    response = client.get(EXIT)

    assert response.status_code == 302
    assert response["Location"] == NEUTRAL
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-store" in response["Cache-Control"]
    assert "_auth_user_id" not in client.session
    assert client.cookies[settings.SESSION_COOKIE_NAME].value == ""  # deleted
    guard = response.cookies[safety.EXIT_GUARD_COOKIE]
    assert guard["max-age"] == settings.EXIT_GUARD_SECONDS and guard["httponly"]


def test_exit_keeps_her_signed_in_when_she_chose_so(consultant_user):
    ConsultantFactory(user=consultant_user, exit_signs_out=False)
    client = client_for(consultant_user)

    response = client.get(EXIT)

    assert response["Location"] == NEUTRAL
    assert response["Clear-Site-Data"] == '"cache", "storage"'  # never "cookies"
    assert client.session["_auth_user_id"] == str(consultant_user.pk)


def test_exit_always_signs_staff_out(manager_user):
    client = client_for(manager_user)
    client.get(EXIT)
    assert "_auth_user_id" not in client.session


def test_exit_works_for_someone_not_signed_in_and_refuses_post():
    client = Client()
    assert client.get(EXIT)["Location"] == NEUTRAL
    assert Client().post(EXIT).status_code == 405


def test_after_exit_every_page_leads_to_the_neutral_page_until_the_guard_expires(
    consultant_user,
):
    client = client_for(consultant_user)
    client.get(EXIT)
    for path in ("/portal/", LOGIN_PATH, "/help/", "/portal/me/"):
        response = client.get(path)
        assert (response.status_code, response["Location"]) == (302, NEUTRAL), path
    assert client.get("/static/css/tinig.css").status_code == 200

    del client.cookies[safety.EXIT_GUARD_COOKIE]  # the cookie expired
    response = client.get("/portal/")
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_PATH)  # asks to sign in


LOGIN_PATH = reverse("account_login")


def test_no_guard_when_turned_off(consultant_user, settings):
    settings.EXIT_GUARD_SECONDS = 0
    client = client_for(consultant_user)
    response = client.get(EXIT)
    assert safety.EXIT_GUARD_COOKIE not in response.cookies


def test_every_portal_and_sign_in_page_has_the_exit_link_first(consultant_user):
    ConsultantFactory(user=consultant_user)
    for client, path in [
        (Client(), LOGIN_PATH),
        (Client(), reverse("account_request_login_code")),
        (Client(), "/help/"),
        (client_for(consultant_user), "/portal/"),
        (client_for(consultant_user), "/portal/me/"),
        (client_for(consultant_user), "/portal/pay/"),
        (client_for(consultant_user), reverse("account_email")),
    ]:
        html = client.get(path).content.decode()
        body = html[html.index("<body") :]
        first_link = body.index("<a ")
        assert body[first_link:].startswith('<a class="exit-button" href="/exit"'), path
        assert "manifest.webmanifest" in html and "js/safety.js" in html, path


def test_staff_pages_have_no_exit_button(manager_user):
    html = client_for(manager_user).get("/staff/", follow=True).content.decode()
    assert "exit-button" not in html


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "Using Tinig privately"), ("fil", "Paano gamitin ang Tinig nang pribado")],
)
def test_using_privately_in_english_and_filipino(language, heading, settings):
    settings.PROGRAMME_CONTACT_PHONE = "+63 2 8000 0000"
    html = Client().get(f"/help/{language}/").content.decode()
    assert f"<h1>{heading}</h1>" in html
    assert f'<div class="using-privately" lang="{language}">' in html
    assert "+63 2 8000 0000" in html
    other = "fil" if language == "en" else "en"
    assert f'href="/help/{other}/"' in html


def test_using_privately_follows_the_active_language_and_knows_no_other():
    html = Client().get("/help/").content.decode()
    assert "<h1>Using Tinig privately</h1>" in html
    assert Client().get("/help/de/").status_code == 404


def test_using_privately_in_the_portal_frame_for_a_consultant(consultant_user):
    html = client_for(consultant_user).get("/help/").content.decode()
    assert 'aria-label="Your space"' in html


def test_manifest_is_neutral_and_served_with_its_type():
    path = finders.find("manifest.webmanifest")
    manifest = json.loads(Path(path).read_text(encoding="utf-8"))
    assert manifest["name"] == "Tinig" and manifest["short_name"] == "Tinig"
    for icon in manifest["icons"]:
        assert finders.find(icon["src"]), icon
    response = Client().get("/static/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"


# --- Folded details ----------------------------------------------------------------


def _shared(client):
    session = client.session
    session[safety.SHARED_PHONE_KEY] = True
    session.save()
    return client


@pytest.mark.parametrize(
    ("discretion", "shared", "folded"),
    [
        (Consultant.Discretion.SHARED_PHONE, False, False),
        (Consultant.Discretion.SHARED_PHONE, True, True),
        (Consultant.Discretion.ALWAYS, False, True),
        (Consultant.Discretion.NEVER, True, False),
    ],
)
def test_story_sharing_and_consent_fold_by_her_choice(consultant_user, discretion, shared, folded):
    ConsultantFactory(user=consultant_user, discretion=discretion)
    client = client_for(consultant_user)
    if shared:
        _shared(client)
    for name in ("my:story_sharing", "my:consent", "my_pay:index", "my_pay:payments"):
        html = client.get(reverse(name)).content.decode()
        assert ('<details class="discreet">' in html) is folded, name


def test_privacy_choices_are_saved(consultant_user):
    consultant = ConsultantFactory(user=consultant_user)
    client = client_for(consultant_user)
    assert client.get(reverse("my:privacy")).status_code == 200
    response = client.post(reverse("my:privacy"), {"exit_signs_out": "no", "discretion": "always"})
    assert response.status_code == 302
    consultant.refresh_from_db()
    assert consultant.exit_signs_out is False
    assert consultant.discretion == Consultant.Discretion.ALWAYS


def test_download_warning_only_on_a_shared_phone(consultant_user):
    ConsultantFactory(user=consultant_user)
    client = client_for(consultant_user)
    warning = "a file you download stays on this phone"
    assert warning not in client.get(reverse("my_pay:statements")).content.decode()
    _shared(client)
    assert warning in client.get(reverse("my_pay:statements")).content.decode()
