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


def test_a_consultants_documents_fit_a_phone(open_session, make_user):
    """/reports/ in the portal at 390 px: the documents are cards, and the
    Download link is on the screen, with nothing to scroll sideways (the
    staff's table was wider than the phone and hid it)."""
    from tests.reports.factories import ready_job

    user = make_user(Role.CONSULTANT, display_name="Tala")
    consultant = ConsultantFactory(pseudonym="Tala", user=user)
    params = {"consultant": consultant.pk, "date_from": "2026-01-01", "date_to": "2026-06-30"}
    ready_job(kind="consultant_statement", requested_by=user, params=params)

    session = open_session(PHONE)
    page = session.page
    sign_in_with_password(session, user.email)
    page.goto("/portal/pay/statements/")
    page.get_by_role("link", name="Ask for a statement").click()
    expect(page).to_have_url(re.compile(r"/reports/#request-consultant_statement$"))
    session.check("reports-portal-phone")
    download = page.get_by_role("link", name=re.compile(r"^Download"))
    # Scrolled down to it, never sideways (the table's wrapper scrolled
    # sideways on its own, with Download past the screen's right edge).
    page.evaluate(
        "(link) => window.scrollTo(0, link.getBoundingClientRect().top + window.scrollY - 100)",
        download.element_handle(),
    )
    expect(download).to_be_in_viewport()
    box = download.bounding_box()
    assert box is not None
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
    sideways = page.evaluate(
        "() => [window.scrollX, document.documentElement.scrollWidth - window.innerWidth]"
    )
    assert sideways[0] == 0 and sideways[1] <= 0, sideways
