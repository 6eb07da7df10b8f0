"""A consultant reads her whole record on a phone (390x844) and asks for the
PDF: the record page and the readable record are checked
by ``Session.check`` (no console errors, no CSP violations, no serious axe
findings) and kept as screenshots in test-artifacts/e2e/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from tests.consultants.factories import ConsultantFactory
from tests.consultants.record_world import MARKERS, full_record
from tests.e2e.conftest import assert_tap_targets_are_large
from tests.e2e.test_sign_in import sign_in_with_password

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def test_consultant_reads_her_record(open_session, make_user):
    user = make_user(Role.CONSULTANT, display_name="Tala")
    consultant = ConsultantFactory(
        pseudonym="Tala", user=user, legal_name="Maria Secret Santos", preferred_languages=["en"]
    )
    full_record(consultant)
    session = open_session(PHONE)
    page = session.page

    sign_in_with_password(session, user.email)
    expect(page).to_have_url(re.compile(r"/portal/$"))
    page.get_by_role("link", name="Your record").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your record")
    session.check("my-record")
    assert_tap_targets_are_large(page)

    page.get_by_role("link", name="Read it here").click()
    expect(page.get_by_role("heading", name="Engagements and your part in them")).to_be_visible()
    session.check("my-record-read")
    assert_tap_targets_are_large(page)
    assert "Maria" not in page.title()
    body = " ".join(page.locator("main").inner_text().split())
    for category, marker in MARKERS.items():
        assert marker in body, category

    page.get_by_role("button", name="Prepare a PDF").first.click()
    # The progress page of the reports path (its own tests check it; its
    # self-refresh is a known axe finding of that page, not of this flow).
    expect(page).to_have_url(re.compile(r"/reports/[0-9a-f-]+/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your record")
