"""People and roles, as the programme's administrator runs them.

An administrator invites a new staff member; she sets a password and her
authenticator app from the link in one visit and signs in; the
administrator gives her the finance officer role (what each role may do is
spelled out beside it); at her next page she reaches the finance pages and
nothing an administrator alone may do; deactivating her ends her session
at once. Every page on the way is checked by ``Session.check``.
"""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from accounts.models import Session
from accounts.roles import Role
from tests.accounts.factories import TEST_TOTP_SECRET
from tests.e2e.conftest import STAFF_VIEWPORT, fresh_totp_code
from tests.e2e.test_sign_in import sign_in_with_password

pytestmark = pytest.mark.e2e

PASSWORD = "fiona-chooses-a-long-one-9"


def _sign_in_with_code(session, email: str, secret: str, *, password: str | None = None):
    if password is None:
        sign_in_with_password(session, email)
    else:
        sign_in_with_password(session, email, password=password)
    session.page.get_by_label("Code").fill(fresh_totp_code(secret))
    session.page.get_by_role("button", name="Sign In").click()
    expect(session.page).to_have_url(re.compile(r"/staff/$"))


def test_an_administrator_brings_in_a_finance_officer_and_lets_her_go(open_session, make_user):
    admin = make_user(Role.ADMINISTRATOR, display_name="Ana Admin")
    desk = open_session(STAFF_VIEWPORT)
    page = desk.page
    _sign_in_with_code(desk, admin.email, TEST_TOTP_SECRET)

    # Invite her. The roles are spelled out beside their boxes.
    page.get_by_role("navigation", name="Staff site").get_by_role("link", name="People").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    page.get_by_text("What each role may do").click()
    expect(page.get_by_text(Role.WELLBEING_LEAD.description)).to_be_visible()
    desk.check("people-list")
    page.get_by_role("link", name="Invite a staff member").first.click()
    expect(page.get_by_text(Role.FINANCE_OFFICER.description)).to_be_visible()
    page.get_by_label("E-mail address").fill("fiona.finance@example.org")
    page.get_by_label("Name shown in Tinig").fill("Fiona Finance")
    page.get_by_label("Programme staff", exact=True).check()
    page.get_by_role("button", name="Send the invitation").click()
    expect(page.get_by_role("status").first).to_contain_text("Invitation sent")
    expect(page.get_by_role("row", name=re.compile("Fiona Finance"))).to_contain_text("Link sent")

    # She sets her password and authenticator app from the link, in one visit.
    [message] = mail.outbox
    path = re.search(r"/accounts/invitation/[\w-]+/", message.body).group(0)
    hers = open_session(STAFF_VIEWPORT)
    her = hers.page
    her.goto(path)
    expect(her.get_by_role("heading", level=1)).to_have_text("Set up your account")
    her.get_by_label("New password", exact=True).fill(PASSWORD)
    her.get_by_label("New password confirmation").fill(PASSWORD)
    secret = her.get_by_label("Cannot scan it? Enter this key instead").input_value()
    her.get_by_label("Code from the app").fill(fresh_totp_code(secret))
    her.get_by_role("button", name="Set up my account").click()
    expect(her.get_by_role("heading", level=1)).to_have_text("Your account is ready")
    _sign_in_with_code(hers, "fiona.finance@example.org", secret, password=PASSWORD)
    her.goto("/staff/compensation/payments/")
    expect(her.get_by_role("heading", level=1)).to_have_text("You are not allowed to do this")
    hers.check("people-before-the-role", status=403)

    # The administrator finds her and gives her the finance officer role.
    page.get_by_label("Name or e-mail address").fill("fiona")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("status")).to_have_text("1 person")
    page.get_by_role("link", name="Fiona Finance").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fiona Finance")
    expect(page.get_by_text("Authenticator set up")).to_be_visible()
    desk.check("people-person")
    page.get_by_role("link", name="Change roles").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Roles")
    for role in Role:
        expect(page.get_by_text(role.description)).to_be_visible()
    desk.check("people-roles")
    page.get_by_label("Programme staff", exact=True).uncheck()
    page.get_by_label("Finance officer", exact=True).check()
    page.get_by_role("button", name="Save roles").click()
    expect(page.get_by_role("status").first).to_contain_text("Roles saved")
    expect(page.get_by_text(Role.FINANCE_OFFICER.description)).to_be_visible()

    # At her next page she is a finance officer, and no administrator.
    her.goto("/staff/compensation/payments/")
    expect(her.get_by_role("heading", level=1)).to_have_text("Payments")
    hers.check("people-finance-payments")
    her.goto("/staff/compensation/queue/")
    expect(her.locator("h1")).to_have_count(1)
    assert "not allowed" not in her.locator("h1").inner_text()
    expect(
        her.get_by_role("navigation", name="Staff site").get_by_role("link", name="People")
    ).to_have_count(0)
    for name, forbidden in [
        ("people-finance-403", "/staff/people/"),
        ("people-finance-403-invite", "/staff/people/invite/"),
        ("people-finance-403-admin", "/admin/"),
    ]:
        her.goto(forbidden)
        expect(her.get_by_role("heading", level=1)).to_have_text("You are not allowed to do this")
        hers.check(name, status=403)

    # Deactivating her ends her session at once.
    assert Session.objects.filter(user__email="fiona.finance@example.org").exists()
    page.get_by_role("link", name="Deactivate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deactivate this account?")
    desk.check("people-deactivate")
    page.get_by_label("Why are you deactivating this account?").fill("Contract ended")
    page.get_by_role("button", name="Yes, deactivate").click()
    expect(page.get_by_role("status").first).to_contain_text("Deactivated.")
    expect(page.get_by_role("button", name="Reactivate")).to_be_visible()
    desk.check("people-person-deactivated")
    assert not Session.objects.filter(user__email="fiona.finance@example.org").exists()

    her.goto("/staff/compensation/payments/")
    expect(her).to_have_url(re.compile(r"/accounts/login/\?next="))
    hers.check("people-signed-out")
