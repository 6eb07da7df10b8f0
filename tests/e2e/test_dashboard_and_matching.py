"""The finance and the manager dashboards, and a matching page with time
suggestions, in a real browser at a desk (1280 px) and on a phone (390 px):
clean and accessible (``Session.check``), nothing wider than the screen,
and kept as screenshots in test-artifacts/e2e/."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts import demo as accounts_demo
from accounts.models import User
from consultants import demo as consultants_demo
from engagements.models import Engagement
from tests.e2e.conftest import STAFF_VIEWPORT, fresh_totp_code
from tests.e2e.test_sign_in import sign_in_with_password
from tests.engagements.factories import EngagementFactory, at
from tests.pages.test_dashboard import seed

pytestmark = pytest.mark.e2e

NARROW = {"width": 390, "height": 844}


def _sign_in_staff(session, user):
    sign_in_with_password(session, user.email, password=accounts_demo.DEMO_PASSWORD)
    session.page.get_by_label("Code").fill(fresh_totp_code(accounts_demo.totp_secret(user)))
    session.page.get_by_role("button", name="Sign In").click()
    expect(session.page).to_have_url(re.compile(r"/staff/$"))


def _fits(session, name: str, width: int) -> None:
    scroll = session.page.evaluate("() => document.documentElement.scrollWidth")
    assert scroll <= width, f"{name}: {scroll}px wide on a {width}px screen"


def _next_tuesday() -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=(1 - today.weekday()) % 7 or 7)


def test_dashboards_and_matching_at_desk_and_phone_widths(open_session):
    accounts_demo.seed()
    consultants_demo.seed()
    users = {
        key: User.objects.get(email=f"{key}@example.org")
        for key in ("staff", "manager", "finance", "wellbeing", "admin")
    }
    seed(users, n=6, tag="x")
    tuesday = _next_tuesday() + datetime.timedelta(days=7)
    engagement = EngagementFactory(
        owner=users["staff"],
        title="Module review",
        status=Engagement.Status.STAFFING,
        start=at(tuesday, 10),
        end=at(tuesday, 12),
    )

    # One sign-in per person (a TOTP code is accepted once), then both widths.
    finance = open_session(STAFF_VIEWPORT)
    _sign_in_staff(finance, users["finance"])
    manager = open_session(STAFF_VIEWPORT)
    _sign_in_staff(manager, users["manager"])
    staff = open_session(STAFF_VIEWPORT)
    _sign_in_staff(staff, users["staff"])
    for viewport, suffix in ((STAFF_VIEWPORT, "1280"), (NARROW, "390")):
        width = viewport["width"]
        for session in (finance, manager, staff):
            session.page.set_viewport_size(viewport)

        finance.page.goto("/staff/")
        expect(finance.page.locator("#card-overdue-lines")).to_contain_text("lines overdue")
        expect(finance.page.locator("#card-approved-unpaid")).to_contain_text("waiting")
        finance.check(f"dashboard-finance-{suffix}")
        _fits(finance, "finance dashboard", width)

        manager.page.goto("/staff/")
        expect(manager.page.locator("#card-approvals")).to_contain_text("Request")
        expect(manager.page.locator("#card-unconfirmed-soon")).to_be_visible()
        manager.check(f"dashboard-manager-{suffix}")
        _fits(manager, "manager dashboard", width)

        staff.page.goto(f"/staff/engagements/{engagement.pk}/matching/")
        expect(staff.page.locator("#times-heading")).to_be_visible()
        staff.check(f"matching-times-{suffix}")
        _fits(staff, "matching", width)
        staff.page.get_by_role("link", name="Change the time to this").first.click()
        expect(staff.page.get_by_text("The suggested time is filled in")).to_be_visible()
        staff.check(f"matching-edit-prefilled-{suffix}")
        _fits(staff, "edit with a suggested time", width)
