"""Safe on a shared phone, in Chromium at 390x844: "Exit this page" on every
portal page and the sign-in pages (tap, Shift three times, and with
JavaScript off), Back that shows nothing of Tinig, the session ended; the
shared-phone sign-in with its idle time, warning and download note.

The neutral page is EXIT_URL pointed at a static page of the tests
(tests/e2e/static/weather.html; the network is closed).
"""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.conf import settings as django_settings
from django.test import Client
from playwright.sync_api import expect

from accounts import safety
from accounts.roles import Role
from tests.consultants.factories import ConsultantFactory
from tests.e2e.conftest import assert_tap_targets_are_large

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
NEUTRAL_PATH = "/static/e2e/weather.html"

# Every portal page without an object in its address, the sign-in pages and
# the page on using Tinig privately.
PORTAL_PAGES = [
    "/portal/",
    "/portal/engagements/",
    "/portal/engagements/invitations/",
    "/portal/checklist/",
    "/portal/pay/",
    "/portal/pay/time/",
    "/portal/pay/claims/",
    "/portal/pay/payments/",
    "/portal/pay/statements/",
    "/portal/me/",
    "/portal/me/details/",
    "/portal/me/availability/",
    "/portal/me/consent/",
    "/portal/me/story-sharing/",
    "/portal/me/privacy/",
    "/portal/me/my-record/",
    "/portal/reminders/",
    "/reports/",
    "/accounts/email/",
    "/help/",
]
SIGNED_OUT_PAGES = ["/accounts/login/", "/accounts/login/code/", "/help/", "/help/fil/"]


@pytest.fixture
def neutral(settings, live_server):
    settings.EXIT_URL = live_server.url + NEUTRAL_PATH
    return settings.EXIT_URL


def _open(open_session, *, javascript: bool = True):
    session = open_session(PHONE)
    if not javascript:
        session.context.close()
        session.context = session.browser.new_context(
            base_url=session.base_url, viewport=PHONE, java_script_enabled=False
        )
        session.page = session.context.new_page()
    return session


def _sign_in_cookie(session, user) -> None:
    """A signed-in session for ``user``, without going through the form."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    session.context.add_cookies(
        [{"name": cookie.key, "value": cookie.value, "url": session.base_url}]
    )


def _on_neutral(page) -> None:
    # wait_for_url follows navigation events; expect(...).to_have_url reads
    # the URL through a script world, which Clear-Site-Data can leave stale.
    page.wait_for_url(re.compile(re.escape(NEUTRAL_PATH) + "$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Weather today")


def _assert_left_and_signed_out(session) -> None:
    page = session.page
    _on_neutral(page)
    # Back does not show Tinig: the page before is a Tinig address, which
    # now leads to the neutral page again.
    page.go_back()
    _on_neutral(page)
    # Once the guard is over, the next visit asks to sign in.
    session.context.clear_cookies(name=safety.EXIT_GUARD_COOKIE)
    page.goto("/portal/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/portal/$"))


def test_one_tap_on_exit_from_every_portal_page(open_session, make_user, neutral):
    user = make_user(Role.CONSULTANT, display_name="Tala")
    ConsultantFactory(pseudonym="Tala", user=user)
    session = _open(open_session)
    page = session.page
    for number, path in enumerate(PORTAL_PAGES):
        _sign_in_cookie(session, user)
        page.goto("/portal/?before")  # a Tinig page to go Back to
        response = page.goto(path)
        assert response.status == 200, path
        # The exit button is the first thing Tab reaches.
        page.keyboard.press("Tab")
        exit_button = page.get_by_role("link", name="Exit this page", exact=True)
        expect(exit_button).to_be_focused()
        if number < 3 or path in ("/portal/me/privacy/", "/help/"):
            session.check(f"exit-{path.strip('/').replace('/', '-')}")
            assert_tap_targets_are_large(page)
        exit_button.click()
        _assert_left_and_signed_out(session)


def test_exit_from_the_sign_in_pages(open_session, neutral):
    session = _open(open_session)
    page = session.page
    for path in SIGNED_OUT_PAGES:
        page.goto("/accounts/login/?before")  # a Tinig page to go Back to
        page.goto(path)
        page.keyboard.press("Tab")
        expect(page.get_by_role("link", name="Exit this page", exact=True)).to_be_focused()
        page.get_by_role("link", name="Exit this page", exact=True).click()
        _on_neutral(page)
        page.go_back()
        _on_neutral(page)
        session.context.clear_cookies(name=safety.EXIT_GUARD_COOKIE)


def test_shift_three_times_leaves(open_session, make_user, neutral):
    user = make_user(Role.CONSULTANT)
    ConsultantFactory(user=user)
    session = _open(open_session)
    page = session.page
    _sign_in_cookie(session, user)
    page.goto("/portal/")
    page.goto("/portal/me/details/change/")
    # Capitals typed with Shift do not count.
    page.get_by_label("Mobile number").fill("")
    page.get_by_label("Mobile number").press("Shift+A")
    page.get_by_label("Mobile number").press("Shift+B")
    page.get_by_label("Mobile number").press("Shift+C")
    page.wait_for_timeout(200)
    assert "/portal/me/details/change/" in page.url

    for _ in range(3):
        page.keyboard.press("Shift")
    _assert_left_and_signed_out(session)


def test_without_javascript_the_link_does_the_same(open_session, make_user, neutral):
    user = make_user(Role.CONSULTANT)
    ConsultantFactory(user=user)
    session = _open(open_session, javascript=False)
    page = session.page
    _sign_in_cookie(session, user)
    page.goto("/portal/")
    page.goto("/portal/pay/")
    page.get_by_role("link", name="Exit this page", exact=True).click()
    _assert_left_and_signed_out(session)


def test_staying_signed_in_when_she_chose_so(open_session, make_user, neutral):
    user = make_user(Role.CONSULTANT)
    ConsultantFactory(user=user, exit_signs_out=False)
    session = _open(open_session)
    page = session.page
    _sign_in_cookie(session, user)
    page.goto("/portal/me/")
    page.goto("/portal/")
    page.get_by_role("link", name="Exit this page", exact=True).click()
    _on_neutral(page)
    page.go_back()
    _on_neutral(page)
    session.context.clear_cookies(name=safety.EXIT_GUARD_COOKIE)
    page.goto("/portal/")
    expect(page).to_have_url(re.compile(r"/portal/$"))


def test_shared_phone_sign_in_idle_warning_and_download_note(open_session, make_user, neutral):
    user = make_user(Role.CONSULTANT, display_name="Ligaya")
    ConsultantFactory(pseudonym="Ligaya", user=user)
    session = _open(open_session)
    page = session.page
    page.clock.install()

    page.goto("/accounts/login/")
    shared = page.get_by_label("This is a shared phone")
    shared.check()
    expect(page.get_by_label("Email")).to_have_attribute("autocomplete", "off")
    session.check("shared-phone-sign-in")
    page.get_by_label("Email").fill(user.email)
    from tests.accounts.factories import TEST_PASSWORD

    page.get_by_label("Password", exact=True).fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.get_by_text("you are signed out after 5 minutes without use")).to_be_visible()
    cookie = next(
        c for c in session.context.cookies() if c["name"] == django_settings.SESSION_COOKIE_NAME
    )
    assert cookie["expires"] == -1  # ends with the browser

    # A minute before the end: the warning, and "Stay signed in" renews.
    warning = page.get_by_role("alert")
    expect(warning).to_be_hidden()
    page.clock.run_for("04:01")
    expect(warning).to_contain_text("signed out in a minute")
    session.check("shared-phone-warning")
    with page.expect_response(re.compile(r"/keep-alive$")) as ping:
        page.get_by_role("button", name="Stay signed in").click()
    assert ping.value.status == 204
    expect(warning).to_be_hidden()

    # Folded details and the download note.
    page.goto("/portal/pay/statements/")
    expect(page.get_by_text("a file you download stays on this phone")).to_be_visible()
    page.goto("/portal/pay/")
    expect(page.get_by_text("Amounts")).to_be_visible()
    expect(page.get_by_text("Owed to you")).to_be_hidden()
    page.get_by_text("Amounts").click()
    expect(page.get_by_text("Owed to you")).to_be_visible()
    session.check("shared-phone-folded-amounts")

    # Five idle minutes on the server's clock: signed out.
    with time_machine.travel(
        datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(minutes=5, seconds=5)
    ):
        page.goto("/portal/me/")
        expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/portal/me/$"))
        expect(page.get_by_role("status")).to_contain_text("signed out because this phone")
