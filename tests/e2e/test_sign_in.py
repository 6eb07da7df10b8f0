"""Signing in and out in a real browser, for each way a person gets in.

Consultants are seen at phone size (360x740), staff at desk size
(1280x800). Every page on the way is checked by ``Session.check``: no
console errors, no CSP violations, no serious axe findings, a screenshot.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from tests.accounts.factories import TEST_PASSWORD, TEST_TOTP_SECRET
from tests.e2e.conftest import (
    PHONE_VIEWPORT,
    STAFF_VIEWPORT,
    assert_tap_targets_are_large,
    fresh_totp_code,
)

pytestmark = pytest.mark.e2e

PORTAL_BUDGET_BYTES = 60 * 1024  # DESIGN.md: no portal page over ~60 KB on first load


def sign_in_with_password(session, email: str, *, password: str = TEST_PASSWORD, check=None):
    page = session.page
    page.goto("/accounts/login/")
    if check:
        session.check(check)
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_consultant_signs_in_with_password_and_lands_on_portal_home(open_session, make_user):
    consultant = make_user(Role.CONSULTANT, display_name="Tala")
    session = open_session(PHONE_VIEWPORT)
    page = session.page

    sign_in_with_password(session, consultant.email, check="sign-in-phone")

    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Tala")
    session.check("portal-home")
    assert_tap_targets_are_large(page)

    # The first Tab reaches "Exit this page" (tests/e2e/test_exit.py), the
    # second the skip link, which moves focus to the content.
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Exit this page")).to_be_focused()
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    page.get_by_role("main").get_by_role("link", name=re.compile("^E-mail address")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("E-mail addresses")
    expect(page.get_by_text(consultant.email)).to_be_visible()
    session.check("portal-account-email")

    # A second address turns the list into a choice, with allauth's
    # confirm-before-remove script (an external file and a JSON block).
    page.get_by_label("Email").fill("tala.other@example.org")
    page.get_by_role("button", name="Add address").click()
    expect(page.get_by_role("radio", name="tala.other@example.org")).to_be_visible()
    session.check("portal-account-two-emails")


def test_portal_first_load_is_small_and_has_one_small_script(open_session, make_user):
    consultant = make_user(Role.CONSULTANT)
    session = open_session(PHONE_VIEWPORT)
    sign_in_with_password(session, consultant.email)
    expect(session.page).to_have_url(re.compile(r"/portal/$"))

    # A fresh context: nothing cached, the cookies of the signed-in one.
    fresh = session.browser.new_context(
        base_url=session.base_url,
        viewport=PHONE_VIEWPORT,
        storage_state=session.context.storage_state(),
    )
    try:
        page = fresh.new_page()
        page.goto("/portal/")
        sizes = page.evaluate(
            """() => {
              const [nav] = performance.getEntriesByType("navigation");
              return {
                html: nav.decodedBodySize,
                resources: performance.getEntriesByType("resource").map(
                  (r) => ({name: r.name, type: r.initiatorType, bytes: r.decodedBodySize})),
              };
            }"""
        )
    finally:
        fresh.close()
    # One small script of our own (the exit shortcut, the shared-phone
    # warning; everything works without it), nothing else.
    scripts = [r for r in sizes["resources"] if r["type"] == "script"]
    assert [r["name"].rsplit("/", 1)[-1] for r in scripts] == ["safety.js"], sizes
    total = sizes["html"] + sum(r["bytes"] for r in sizes["resources"])
    assert total < PORTAL_BUDGET_BYTES, f"portal home weighs {total} bytes: {sizes}"


def test_staff_with_totp_signs_in_with_password_then_code(open_session, make_user):
    staff = make_user(Role.PROGRAMME_STAFF, display_name="Sol Staff")  # TOTP by default
    session = open_session(STAFF_VIEWPORT)
    page = session.page

    sign_in_with_password(session, staff.email, check="sign-in-desk")

    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    session.check("staff-mfa-authenticate")
    page.get_by_label("Code").fill(fresh_totp_code(TEST_TOTP_SECRET))
    page.get_by_role("button", name="Sign In").click()

    expect(page).to_have_url(re.compile(r"/staff/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    expect(page.get_by_text("Signed in as Sol Staff.", exact=True)).to_be_visible()
    nav = page.get_by_role("navigation", name="Staff site")
    expect(nav.get_by_role("link", name="Dashboard")).to_have_attribute("aria-current", "page")
    session.check("staff-dashboard")

    # Account settings: sign-in security and password.
    page.get_by_role("link", name="Sign-in security").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in security")
    session.check("staff-mfa-index")
    page.get_by_role("navigation", name="Account").get_by_role("link", name="Password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    session.check("staff-password-change")

    # Pages a programme officer may not open, or that do not exist, say so
    # calmly in the same frame.
    page.goto("/portal/")
    expect(page.get_by_role("heading", level=1)).to_have_text("You are not allowed to do this")
    session.check("staff-403", status=403)
    page.goto("/staff/no-such-page/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    session.check("staff-404", status=404)


def test_staff_without_mfa_cannot_set_it_up_by_signing_in(open_session, make_user):
    staff = make_user(Role.PROGRAMME_STAFF, mfa=False)
    session = open_session(STAFF_VIEWPORT)
    page = session.page

    sign_in_with_password(session, staff.email)

    expect(page).to_have_url(re.compile(r"/accounts/invitation/needed/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is not set up")
    expect(page.get_by_text("Ask an administrator for a new invitation.")).to_be_visible()
    session.check("staff-needs-invitation")
    page.goto("/accounts/2fa/totp/activate/")
    expect(page).to_have_url(re.compile(r"/accounts/login/"))


def test_an_invited_person_sets_password_and_app_in_one_visit(open_session, make_user):
    """Administrator invites from /staff/people/; the new person opens the
    e-mailed link, sets a password and an authenticator app together, keeps
    the recovery codes, then signs in to the dashboard."""
    from django.core import mail

    admin = make_user(Role.ADMINISTRATOR, display_name="Ana Admin")
    session = open_session(STAFF_VIEWPORT)
    page = session.page
    sign_in_with_password(session, admin.email)
    page.get_by_label("Code").fill(fresh_totp_code(TEST_TOTP_SECRET))
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))

    page.get_by_role("navigation", name="Staff site").get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    session.check("staff-people")
    page.get_by_role("link", name="Invite a staff member").click()
    page.get_by_label("E-mail address").fill("nina.new@example.org")
    page.get_by_label("Name shown in Tinig").fill("Nina New")
    page.get_by_label("Programme staff").check()
    session.check("staff-people-invite")
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status").first).to_contain_text("Invitation sent")
    expect(page.get_by_role("row", name=re.compile("Nina New"))).to_contain_text("Link sent")

    [message] = mail.outbox
    path = re.search(r"/accounts/invitation/[\w-]+/", message.body).group(0)
    newcomer = open_session(STAFF_VIEWPORT)
    page = newcomer.page
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up your account")
    expect(page.locator("img.qr")).to_be_visible()
    newcomer.check("invitation-accept")
    password = "nina-chooses-a-long-one-7"
    page.get_by_label("New password", exact=True).fill(password)
    page.get_by_label("New password confirmation").fill(password)
    secret = page.get_by_label("Cannot scan it? Enter this key instead").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    page.get_by_label("Code from the app").fill(fresh_totp_code(secret))
    page.get_by_role("button", name="Set up my account").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Your account is ready")
    expect(
        page.get_by_role("list", name="Unused recovery codes").get_by_role("listitem")
    ).to_have_count(10)
    newcomer.check("invitation-done")
    page.goto(path)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work any more")
    newcomer.check("invitation-closed", status=410)

    sign_in_with_password(newcomer, "nina.new@example.org", password=password)
    page.get_by_label("Code").fill(fresh_totp_code(secret))
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboard")
    newcomer.check("staff-dashboard-after-invitation")


def test_consultant_signs_in_with_a_code_sent_by_email(open_session, make_user, mailoutbox):
    consultant = make_user(Role.CONSULTANT, display_name="Dalisay")
    session = open_session(PHONE_VIEWPORT)
    page = session.page

    page.goto("/accounts/login/")
    page.get_by_role("link", name="Send me a sign-in code").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/code/$"))
    session.check("code-request")
    page.get_by_label("Email").fill(consultant.email)
    page.get_by_role("button", name="Send me a code").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/code/confirm/$"))
    session.check("code-confirm")
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [consultant.email]
    code = re.search(r"^\s*([A-Z0-9]{3,}(?:-[A-Z0-9]{3,})*)\s*$", message.body, re.M).group(1)
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Confirm").click()

    expect(page).to_have_url(re.compile(r"/portal/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Hello, Dalisay")


@pytest.mark.parametrize(
    ("role", "viewport", "landing"),
    [
        (Role.CONSULTANT, PHONE_VIEWPORT, r"/portal/$"),
        (Role.PROGRAMME_MANAGER, STAFF_VIEWPORT, r"/accounts/2fa/authenticate/$"),
    ],
    ids=["consultant", "staff"],
)
def test_sign_out(open_session, make_user, role, viewport, landing):
    person = make_user(role)
    session = open_session(viewport)
    page = session.page
    sign_in_with_password(session, person.email)
    expect(page).to_have_url(re.compile(landing))
    if role != Role.CONSULTANT:
        page.get_by_label("Code").fill(fresh_totp_code(TEST_TOTP_SECRET))
        page.get_by_role("button", name="Sign In").click()
        expect(page).to_have_url(re.compile(r"/staff/$"))

    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_role("status")).to_contain_text("You have signed out.")
    session.check(f"signed-out-{role.value}")
    page.goto("/portal/" if role == Role.CONSULTANT else "/staff/")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next="))


def test_wrong_password_is_explained_next_to_the_form(open_session, make_user):
    consultant = make_user(Role.CONSULTANT)
    session = open_session(PHONE_VIEWPORT)
    page = session.page

    sign_in_with_password(session, consultant.email, password="not-the-password")

    alert = page.get_by_role("alert")
    expect(alert).to_contain_text("not correct")
    expect(page.get_by_label("Email")).to_have_value(consultant.email)
    session.check("sign-in-error")


def test_language_switcher_returns_to_the_same_page(open_session):
    session = open_session(STAFF_VIEWPORT)
    page = session.page
    page.goto("/accounts/login/code/")
    footer = page.get_by_role("contentinfo")
    footer.get_by_label("Language").select_option("en")
    footer.get_by_role("button", name="Change language").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/code/$"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    session.check("language-switched")


def test_consultant_resets_a_forgotten_password(open_session, make_user, mailoutbox):
    consultant = make_user(Role.CONSULTANT, display_name="Ligaya")
    session = open_session(PHONE_VIEWPORT)
    page = session.page

    page.goto("/accounts/login/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    session.check("password-reset")
    page.get_by_label("Email").fill(consultant.email)
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    session.check("password-reset-sent")

    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", mailoutbox[0].body).group(0)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    session.check("password-reset-choose")
    new_password = "a-new-and-long-password-2"
    page.get_by_label("New Password", exact=True).fill(new_password)
    page.get_by_label("New Password (again)").fill(new_password)
    page.get_by_role("button", name="Save new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password is changed")
    session.check("password-reset-done")

    sign_in_with_password(session, consultant.email, password=new_password)
    expect(page).to_have_url(re.compile(r"/portal/$"))
