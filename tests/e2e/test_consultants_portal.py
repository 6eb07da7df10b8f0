"""A consultant looks after their own record on a phone (390x844): changes
their mobile number, adds busy days (after a mistake), withdraws a consent
and gives it again, and downloads their record. Every page on the way is
checked by ``Session.check`` (no console errors, no CSP violations, no
serious axe findings) and kept as a screenshot in test-artifacts/e2e/.
"""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from consultants import selectors, services
from consultants.models import ConsentScope
from tests.consultants.factories import ConsultantFactory, published_text
from tests.e2e.conftest import assert_tap_targets_are_large
from tests.e2e.test_sign_in import sign_in_with_password

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def test_consultant_manages_their_own_record(open_session, make_user):
    user = make_user(Role.CONSULTANT, display_name="Tala")
    consultant = ConsultantFactory(pseudonym="Tala", user=user, phone="+639170000001")
    for scope in ConsentScope.values:
        published_text(
            scope,
            body=f"We would like your agreement for {scope}. You can withdraw it at any time.",
        )
    services.consent_grant(consultant=consultant, scope=ConsentScope.PHOTO, by=user)
    session = open_session(PHONE)
    page = session.page

    sign_in_with_password(session, user.email)
    expect(page).to_have_url(re.compile(r"/portal/$"))
    session.check("my-portal-home")

    nav = page.get_by_role("navigation", name="Your space")
    nav.get_by_role("link", name="About you").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("About you")
    expect(nav.get_by_role("link", name="About you")).to_have_attribute("aria-current", "page")
    session.check("my-index")
    assert_tap_targets_are_large(page)

    # --- My details: change the mobile number ---------------------------------
    page.get_by_role("link", name="Your details").click()
    expect(page.get_by_text("+639170000001")).to_be_visible()
    session.check("my-details")
    page.get_by_role("link", name="Change your details").click()
    session.check("my-details-edit")
    assert_tap_targets_are_large(page)
    page.get_by_label("Mobile number").fill("12345")
    page.get_by_role("button", name="Save your details").click()
    expect(page.get_by_text("Enter a Philippine mobile number")).to_be_visible()
    session.check("my-details-edit-error")
    page.get_by_label("Mobile number").fill("0917 555 0101")
    page.get_by_role("button", name="Save your details").click()
    expect(page.get_by_role("status")).to_contain_text("Your details are saved.")
    expect(page.get_by_text("+639175550101")).to_be_visible()
    session.check("my-details-saved")

    # --- Availability: busy days, first the wrong way round ---------------------
    nav.get_by_role("link", name="About you").click()
    page.get_by_role("link", name="When you are free").click()
    expect(page.get_by_text("No busy days coming up")).to_be_visible()
    session.check("my-availability-empty")
    assert_tap_targets_are_large(page)
    page.get_by_role("link", name="Add busy days").click()
    session.check("my-busy-add")
    assert_tap_targets_are_large(page)
    first = timezone.localdate() + datetime.timedelta(days=10)
    last = first + datetime.timedelta(days=4)
    page.get_by_label("Exams").check()
    page.get_by_label("First day").fill(last.isoformat())
    page.get_by_label("Last day").fill(first.isoformat())
    page.get_by_role("button", name="Add these days").click()
    expect(page.get_by_text("The last day cannot be before the first day.")).to_be_visible()
    session.check("my-busy-add-error")
    page.get_by_label("First day").fill(first.isoformat())
    page.get_by_label("Last day").fill(last.isoformat())
    page.get_by_role("button", name="Add these days").click()
    expect(page.get_by_role("status")).to_contain_text("The busy days are added.")
    expect(page.get_by_role("cell", name="Exams", exact=True)).to_be_visible()
    session.check("my-availability-busy")

    # A break until a day of their choosing, then ended early.
    page.get_by_role("link", name="Take a break").click()
    session.check("my-break")
    page.get_by_label("Last day of your break").fill(last.isoformat())
    page.get_by_role("button", name="Start my break").click()
    expect(page.get_by_role("status")).to_contain_text("Your break is set.")
    session.check("my-availability-on-break")
    page.get_by_role("link", name="End my break now").click()
    session.check("my-break-end")
    page.get_by_role("button", name="Yes, end my break").click()
    expect(page.get_by_role("status")).to_contain_text("Your break has ended.")
    consultant.refresh_from_db()
    assert consultant.status == "active"

    # --- Consent: withdraw, then give again -----------------------------------------
    nav.get_by_role("link", name="About you").click()
    page.get_by_role("link", name="Your consent").click()
    session.check("my-consent")
    page.get_by_role("link", name="Withdraw Photographs").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Withdraw your consent for “Photographs”?"
    )
    session.check("my-consent-withdraw")
    page.get_by_role("button", name="Yes, withdraw my consent").click()
    expect(page.get_by_role("status")).to_contain_text("withdrawn, from this moment on")
    assert not selectors.consent_is_granted(consultant=consultant, scope="photo")
    session.check("my-consent-withdrawn")

    page.get_by_role("link", name="Read and decide Photographs").click()
    expect(page.get_by_text("We would like your agreement for photo.")).to_be_visible()
    session.check("my-consent-grant")
    page.get_by_role("button", name="Give my consent").click()
    expect(page.get_by_text("Tick the box if you want to give your consent.")).to_be_visible()
    session.check("my-consent-grant-error")
    page.get_by_label("I have read this text and I give my consent.").check()
    page.get_by_role("button", name="Give my consent").click()
    expect(page.get_by_role("status")).to_contain_text("Your consent for “Photographs” is recorded")
    assert selectors.consent_is_granted(consultant=consultant, scope="photo")
    session.check("my-consent-regranted")

    # --- Story sharing --------------------------------------------------------------
    nav.get_by_role("link", name="About you").click()
    page.get_by_role("link", name="Sharing your story").click()
    session.check("my-story-sharing")
    assert_tap_targets_are_large(page)

    # --- Your record: the JSON download ---------------------------------------------------
    nav.get_by_role("link", name="About you").click()
    page.get_by_role("link", name="Your record").click()
    session.check("my-record")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download as JSON").click()
    download = download_info.value
    assert re.fullmatch(r"tinig-record-\d{4}-\d{2}-\d{2}\.json", download.suggested_filename)
    with open(download.path(), encoding="utf-8") as handle:
        data = json.load(handle)
    assert data["profile"]["pseudonym"] == "Tala"
    assert data["profile"]["phone"] == "+639175550101"
    assert [(c["scope"], c["action"]) for c in data["consent"]] == [
        ("photo", "granted"),
        ("photo", "withdrawn"),
        ("photo", "granted"),
    ]
    assert data["busy_periods"][0]["kind"] == "exams"
