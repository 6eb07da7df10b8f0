"""The finance desk, in Chromium: a finance officer adds a new rate card
version from a future date (the current one is shown ending the day before)
and proposes a change to a consultant's agreement, found by a search; the
consultant then sees the change in her portal and acknowledges it, and the
version she had acknowledged stays as it was.
Every page is checked by ``Session.check``; screenshots in test-artifacts/e2e/.
"""

from __future__ import annotations

import datetime
import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from compensation import selectors, services
from compensation.models import RateCard
from engagements.models import Participation
from tests.compensation.factories import AllowancePolicyFactory, RateCardFactory
from tests.consultants.factories import ConsultantFactory
from tests.e2e.conftest import STAFF_VIEWPORT
from tests.e2e.test_compensation_staff import _sign_in
from tests.e2e.test_sign_in import sign_in_with_password
from tests.engagements.factories import ParticipationFactory
from tests.helpers import past_engagement

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def test_finance_desk_rate_version_and_agreement_change(open_session, make_user):
    owner = make_user(Role.PROGRAMME_STAFF)
    finance = make_user(Role.FINANCE_OFFICER)
    user = make_user(Role.CONSULTANT, display_name="Tala")
    consultant = ConsultantFactory(pseudonym="Tala", user=user)
    current = RateCardFactory(role="participant", unit="hour")
    AllowancePolicyFactory(kind="meal")
    engagement = past_engagement(owner, title="Roundtable on safe migration")
    participation = ParticipationFactory(
        engagement=engagement,
        consultant=consultant,
        status=Participation.Status.ATTENDED,
        role="participant",
        responded_at=engagement.start - datetime.timedelta(days=20),
    )
    first = services.agreement_propose(participation=participation, by=owner)
    first = services.agreement_acknowledge(agreement=first, by=owner, on_behalf=True)
    planned_from = selectors.manila_today() + datetime.timedelta(days=30)

    session = open_session(STAFF_VIEWPORT)
    page = session.page
    _sign_in(session, finance)

    # --- A new rate from a future date ----------------------------------------------
    page.goto("/staff/compensation/")
    page.get_by_role("link", name="Rate cards").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rate cards")
    session.check("desk-rates")
    page.get_by_role("link", name="Add a version").click()
    page.get_by_label("Engagement type").select_option(engagement.type)
    page.get_by_label("Role").select_option("participant")
    page.get_by_label("Unit").select_option("hour")
    page.get_by_label("Rate (₱)").fill("-5")
    page.get_by_label("In effect from").fill(planned_from.isoformat())
    page.get_by_role("button", name="Save the new version").click()
    session.check("desk-rate-add-error", status=400)
    page.get_by_label("Rate (₱)").fill("650.00")
    page.get_by_role("button", name="Save the new version").click()
    expect(page.get_by_text("The new version is saved.")).to_be_visible()
    expect(page.locator('tr[data-state="future"]')).to_contain_text("₱650.00")
    expect(page.locator('tr[data-state="current"]')).to_contain_text("₱500.00")
    session.check("desk-rates-planned")
    current.refresh_from_db()
    assert current.effective_to == planned_from - datetime.timedelta(days=1)
    assert RateCard.objects.get(amount="650.00").created_by == finance

    # --- A change to her agreement, found by a search --------------------------------
    page.get_by_role("link", name="Agreements").first.click()
    page.get_by_label("Consultant's pseudonym or engagement title").fill("Tal")
    page.get_by_role("button", name="Search").click()
    session.check("desk-agreements-search")
    page.get_by_role("link", name="Open the agreement").click()
    expect(page.get_by_text("In force", exact=True)).to_be_visible()
    session.check("desk-agreement")
    page.get_by_label("Preparation (estimated hours)").fill("4")
    page.get_by_label("What changed (the consultant reads this)").fill(
        "Two more hours of preparation, paid."
    )
    page.get_by_role("button", name="Propose the change").click()
    expect(page.get_by_text("The new version is proposed.")).to_be_visible()
    expect(page.get_by_text("Waiting for the consultant's acknowledgement")).to_be_visible()
    session.check("desk-agreement-changed")
    latest = selectors.agreement_latest(participation)
    assert latest.version == 2 and not latest.is_acknowledged

    # --- She sees it in her portal and acknowledges it ---------------------------------
    portal = open_session(PHONE)
    sign_in_with_password(portal, user.email)
    expect(portal.page).to_have_url(re.compile(r"/portal/$"))
    portal.page.goto("/portal/pay/")
    expect(
        portal.page.get_by_text("The terms changed: please read and acknowledge them.")
    ).to_be_visible()
    portal.page.get_by_role("link", name="Read the agreement").first.click()
    expect(portal.page.get_by_text("Two more hours of preparation, paid.")).to_be_visible()
    portal.check("desk-portal-change")
    portal.page.get_by_role("button", name="I have read the new terms").click()
    expect(portal.page.get_by_text("Thank you: the new terms are in force.")).to_be_visible()
    latest.refresh_from_db()
    assert latest.is_acknowledged and latest.acknowledged_by == user
    first.refresh_from_db()
    assert first.version == 1 and first.is_acknowledged
    assert first.estimated_preparation_hours != latest.estimated_preparation_hours
