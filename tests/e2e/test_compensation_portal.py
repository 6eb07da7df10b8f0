"""A consultant on a phone (390x844) looks at their pay: reads the
agreement, records time (after a mistake), claims an expense with a photo
of the receipt, and sees their payments. Every page is checked by
``Session.check`` and kept as a screenshot in test-artifacts/e2e/.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from compensation import services
from engagements.models import Participation
from tests.compensation.factories import JPEG, AllowancePolicyFactory, RateCardFactory
from tests.compensation.pages import build_world
from tests.consultants.factories import ConsultantFactory
from tests.e2e.conftest import assert_tap_targets_are_large
from tests.e2e.test_sign_in import sign_in_with_password
from tests.engagements.factories import ParticipationFactory
from tests.helpers import past_engagement

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def test_consultant_records_time_and_claims_an_expense(open_session, make_user, tmp_path):
    owner = make_user(Role.PROGRAMME_STAFF)
    user = make_user(Role.CONSULTANT, display_name="Tala")
    consultant = ConsultantFactory(pseudonym="Tala", user=user)
    RateCardFactory(role="participant", unit="hour")
    AllowancePolicyFactory(kind="meal")
    engagement = past_engagement(owner, title="Roundtable on safe migration")
    participation = ParticipationFactory(
        engagement=engagement,
        consultant=consultant,
        status=Participation.Status.ATTENDED,
        role="participant",
        responded_at=engagement.start - datetime.timedelta(days=20),
    )
    agreement = services.agreement_propose(participation=participation, by=owner)
    agreement = services.agreement_acknowledge(agreement=agreement, by=owner, on_behalf=True)
    world = build_world(
        owner=owner, participation=participation, agreement=agreement, make_user=make_user
    )
    day = timezone.localtime(engagement.start).date()

    session = open_session(PHONE)
    page = session.page
    sign_in_with_password(session, user.email)
    expect(page).to_have_url(re.compile(r"/portal/$"))

    nav = page.get_by_role("navigation", name="Your space")
    nav.get_by_role("link", name="Pay").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pay")
    session.check("pay-index")
    assert_tap_targets_are_large(page)

    page.get_by_role("link", name="Read the agreement").first.click()
    expect(page.get_by_text("Per hour")).to_be_visible()
    session.check("pay-agreement")

    # --- Time: a mistake first (three decimals), then right ------------------
    page.goto("/portal/pay/time/add/")
    page.get_by_label("Day").fill(day.isoformat())
    page.get_by_label("Hours").fill("1.255")
    page.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_text("with at most two decimals")).to_be_visible()
    session.check("pay-time-add-error", status=400)
    page.get_by_label("Hours").fill("1.25")
    page.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_text("Your time was sent for approval.")).to_be_visible()
    session.check("pay-time")

    # --- An expense with a photo of the receipt -------------------------------
    photo = tmp_path / "jeepney.jpg"
    photo.write_bytes(JPEG)
    page.goto("/portal/pay/claims/add/")
    page.get_by_label("Category").select_option("transport")
    page.get_by_label("What it was for").fill("Jeepney to the venue")
    page.get_by_label("Amount (₱)").fill("45.50")
    page.get_by_label("Date of the expense").fill(day.isoformat())
    page.get_by_label("Receipt (photo or PDF)").set_input_files(str(photo))
    page.get_by_role("button", name="Send for approval").click()
    expect(page.get_by_text("Your expense was sent for approval.")).to_be_visible()
    session.check("pay-claim")
    assert_tap_targets_are_large(page)

    page.goto("/portal/pay/payments/")
    expect(page.get_by_text(f"₱{world.payment.total:,.2f}").first).to_be_visible()
    session.check("pay-payments")
    page.goto("/portal/pay/statements/")
    session.check("pay-statements")
