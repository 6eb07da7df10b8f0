"""Finance at a desk: the queue of approved lines, grouping them into a
payment, a colleague approving it (after a confirmation; four eyes: the
one who grouped is not offered it, the approver is not offered marking
it paid), marking it paid, revealing the account with a reason, who did
what, and the totals. Programme staff approve time.
Every page is checked by ``Session.check``; screenshots in test-artifacts/e2e/.
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
from tests.accounts.factories import TEST_TOTP_SECRET
from tests.compensation.factories import AllowancePolicyFactory, RateCardFactory
from tests.compensation.pages import build_world
from tests.consultants.factories import ConsultantFactory
from tests.e2e.conftest import STAFF_VIEWPORT, fresh_totp_code
from tests.e2e.test_sign_in import sign_in_with_password
from tests.engagements.factories import ParticipationFactory
from tests.helpers import approved_time, past_engagement

pytestmark = pytest.mark.e2e


def _sign_in(session, user):
    sign_in_with_password(session, user.email)
    session.page.get_by_label("Code").fill(fresh_totp_code(TEST_TOTP_SECRET))
    session.page.get_by_role("button", name="Sign In").click()
    expect(session.page).to_have_url(re.compile(r"/staff/$"))


def _world(make_user):
    owner = make_user(Role.PROGRAMME_STAFF)
    consultant = ConsultantFactory(pseudonym="Tala", user=make_user(Role.CONSULTANT))
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
    approved_time(participation, by=owner, approver=world.approver, hours="3.00", day=day)
    return world


def test_finance_pays_a_consultant(open_session, make_user):
    world = _world(make_user)
    session = open_session(STAFF_VIEWPORT)
    page = session.page
    _sign_in(session, world.finance)

    page.get_by_role("navigation", name="Staff site").get_by_role("link", name="Pay").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Pay")
    session.check("pay-staff-index")

    page.get_by_role("link", name="Waiting to be paid").first.click()
    expect(page.get_by_text("₱1,500.00").first).to_be_visible()
    session.check("pay-staff-queue")
    page.get_by_role("button", name="Group into a payment for Tala").click()
    expect(page.get_by_text("A draft payment was prepared")).to_be_visible()
    # Four eyes: she grouped it, so the approval is not hers to give.
    expect(
        page.get_by_text("You grouped this payment, so someone else approves it.")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Approve…")).to_have_count(0)
    session.check("pay-staff-payment-draft")
    payment_url = page.url

    colleague = open_session(STAFF_VIEWPORT)
    _sign_in(colleague, world.approving_finance)
    colleague.page.goto(payment_url)
    colleague.page.get_by_role("link", name="Approve…").click()
    colleague.check("pay-staff-approve")
    colleague.page.get_by_role("button", name="Approve the payment").click()
    expect(colleague.page.get_by_text("The payment was approved.")).to_be_visible()
    expect(
        colleague.page.get_by_text("You approved this payment, so someone else marks it paid.")
    ).to_be_visible()
    expect(colleague.page.get_by_role("link", name="Mark paid…")).to_have_count(0)
    colleague.check("pay-staff-payment-approved-by-me")

    page.goto(payment_url)
    steps = page.locator("#payment-steps")
    expect(steps).to_contain_text(f"by {world.finance.display_name},")
    expect(steps).to_contain_text(f"by {world.approving_finance.display_name},")

    page.get_by_label("Why do you need it?").fill("Bank asked to confirm the account")
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_text("9876543210")).to_be_visible()
    session.check("pay-staff-revealed")

    page.get_by_role("link", name="Mark paid…").click()
    page.get_by_label("Paid by").select_option("bank")
    page.get_by_role("button", name="Confirm: it was paid").click()
    expect(page.get_by_text("Give the transaction reference")).to_be_visible()
    session.check("pay-staff-paid-error", status=400)
    page.get_by_label("Transaction reference or cheque number").fill("TRX-20261123-1")
    page.get_by_role("button", name="Confirm: it was paid").click()
    expect(page.get_by_text("The payment is recorded as paid.")).to_be_visible()
    expect(steps).not_to_contain_text("Not yet")
    session.check("pay-staff-paid")

    page.goto("/staff/compensation/totals/")
    session.check("pay-staff-totals")
    page.goto("/staff/compensation/overdue/")
    session.check("pay-staff-overdue")


def test_programme_staff_approve_time(open_session, make_user):
    world = _world(make_user)
    session = open_session(STAFF_VIEWPORT)
    page = session.page
    _sign_in(session, world.owner)
    page.goto("/staff/compensation/approvals/")
    expect(page.get_by_role("cell", name="Tala").first).to_be_visible()
    session.check("pay-staff-approvals")
    page.get_by_role("button", name=re.compile(r"^Approve Tala")).first.click()
    expect(page.get_by_text("Approved.")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Review Tala")).click()
    session.check("pay-staff-claim")


def test_a_claim_recorded_on_her_behalf_is_approved_by_another_and_picked_into_a_payment(
    open_session, make_user, tmp_path
):
    """Programme staff record an expense Tala handed them (with its
    receipt); they are not offered the decision, a manager approves it;
    finance picks that line, not the time also waiting, into a payment."""
    world = _world(make_user)
    receipt = tmp_path / "resibo.jpg"
    receipt.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64)

    session = open_session(STAFF_VIEWPORT)
    page = session.page
    _sign_in(session, world.owner)
    page.goto("/staff/compensation/approvals/")
    page.get_by_role("link", name="Record for a consultant").click()
    page.get_by_label("Consultant's pseudonym or engagement title").fill("Tala")
    page.get_by_role("button", name="Find").click()
    session.check("pay-staff-record-search")
    page.get_by_role("link", name="Record an expense Tala").first.click()
    page.get_by_label("Category").select_option("transport")
    page.get_by_label("What it was for").fill("Jeepney and bus, both ways")
    page.get_by_label("Amount (₱)").fill("120.00")
    page.get_by_label("Date of the expense").fill(world.day.isoformat())
    page.get_by_label("Receipt (photo or PDF)").set_input_files(str(receipt))
    session.check("pay-staff-record-claim")
    page.get_by_role("button", name="Record the expense").click()
    expect(page.get_by_text("The claim was recorded on Tala's behalf.")).to_be_visible()
    expect(
        page.get_by_text(f"Recorded by {world.owner.display_name} on the consultant's behalf")
    ).to_be_visible()
    expect(
        page.get_by_text(
            "You recorded this for the consultant, so someone else approves or declines it."
        )
    ).to_be_visible()
    expect(page.get_by_role("button", name="Decide")).to_have_count(0)
    session.check("pay-staff-claim-recorded-by-me")
    claim_url = page.url

    manager = open_session(STAFF_VIEWPORT)
    _sign_in(manager, world.approver)
    manager.page.goto(claim_url)
    manager.page.get_by_label("Approve", exact=True).check()
    manager.page.get_by_role("button", name="Decide").click()
    expect(manager.page.get_by_text("Approved.")).to_be_visible()

    finance = open_session(STAFF_VIEWPORT)
    _sign_in(finance, world.finance)
    finance.page.goto("/staff/compensation/queue/")
    finance.page.get_by_role("link", name="Choose lines to pay Tala").click()
    boxes = finance.page.locator('input[name="lines"]')
    expect(boxes).to_have_count(2)
    for index in range(2):
        expect(boxes.nth(index)).to_be_checked()
    finance.check("pay-staff-group-pick")
    finance.page.get_by_label(re.compile(r"3\.00 h")).uncheck()
    finance.page.get_by_role("button", name="Group the ticked lines into a draft payment").click()
    expect(finance.page.get_by_text("A draft payment was prepared")).to_be_visible()
    expect(finance.page.get_by_text("₱120.00").first).to_be_visible()
    expect(finance.page.get_by_text("₱1,500.00")).to_have_count(0)

    finance.page.goto("/staff/compensation/queue/")
    expect(finance.page.get_by_role("row", name=re.compile("Tala"))).to_contain_text("₱1,500.00")
