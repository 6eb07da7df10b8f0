"""A survivor leader's review, in a real browser (#18 part 3).

Amihan is named a survivor leader of a network that asks its leaders for a
second factor and a leader's review of media requests. She signs in with
her password and a TOTP code, opens a media request in her area (a
summary: no one else named), and recommends it with changes. The manager
opens the engagement, reads her review where the approve button is, and
approves; a second media request, not reviewed, cannot be approved and
says why.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts import demo as accounts_demo
from consultants.models import Consultant
from engagements.models import Audience, Engagement
from network.models import AdvisoryReview, Network
from network.services.leaders import leader_name
from tests.accounts.factories import TEST_TOTP_SECRET, give_totp
from tests.e2e.conftest import PHONE_VIEWPORT, STAFF_VIEWPORT, fresh_totp_code
from tests.e2e.test_engagements import _seed, _sign_in_staff
from tests.e2e.test_sign_in import sign_in_with_password
from tests.network.lead_world import submitted_request

pytestmark = [pytest.mark.e2e]

CHANGES = "Blur faces and alter voices; no filming of the venue's entrance."


def _sign_in_leader(session, user):
    sign_in_with_password(session, user.delivery_email, password=accounts_demo.DEMO_PASSWORD)
    session.page.get_by_label("Code").fill(fresh_totp_code(TEST_TOTP_SECRET))
    session.page.get_by_role("button", name="Sign In").click()
    expect(session.page).to_have_url(re.compile(r"/portal/$"))


def test_a_leader_reviews_and_the_manager_approves_only_with_a_review(open_session):
    people = _seed()
    network = Network.objects.create(
        name="Philippine Survivor Network",
        short_name="PSN",
        review_required_audiences=[Audience.MEDIA],
        leaders_need_mfa=True,
    )
    amihan = people["amihan"]
    leader_name(network=network, consultant=amihan, by=people["manager"])
    leader_user = people["consultant"]
    give_totp(leader_user)
    reviewed = submitted_request(
        people["staff"],
        title="Radio feature on online safety",
        audience=Audience.MEDIA,
        type="media_interview",
        requested_by="Radyo Bayan newsdesk",
    )
    waiting = submitted_request(
        people["staff"], title="TV documentary on recovery", audience=Audience.MEDIA
    )
    others = list(Consultant.objects.exclude(pk=amihan.pk).values_list("pseudonym", flat=True))

    # The leader, on her phone, with her second factor.
    phone = open_session(PHONE_VIEWPORT)
    _sign_in_leader(phone, leader_user)
    page = phone.page
    page.goto("/portal/lead/")
    expect(page.get_by_role("heading", name="Survivor leader", level=1)).to_be_visible()
    expect(page.get_by_text("Needs a review before approval").first).to_be_visible()
    phone.check("network-lead-home")
    page.get_by_role("link", name=re.compile("Radio feature on online safety")).click()
    expect(page.get_by_role("heading", name="Radio feature on online safety")).to_be_visible()
    phone.check("network-lead-request")
    content = page.content()
    for secret in [*others, "Radyo Bayan", people["staff"].email, amihan.legal_name]:
        assert secret not in content, secret
    page.get_by_role("link", name="Give your review").click()
    phone.check("network-lead-review-form")
    page.get_by_label("Recommend with changes").check()
    page.get_by_label("Changes the request needs").fill(CHANGES)
    page.get_by_label("Notes for the team").fill("The outlet has protected sources before.")
    page.get_by_role("button", name="Send your review").click()
    expect(page.get_by_text("Your review is saved. Thank you.")).to_be_visible()
    expect(page.get_by_text(CHANGES)).to_be_visible()
    phone.check("network-lead-reviewed")
    review = AdvisoryReview.objects.get(engagement=reviewed)
    assert review.recommendation == "with_changes" and review.leader == amihan

    # The manager reads the review where she approves, and approves.
    desk = open_session(STAFF_VIEWPORT)
    _sign_in_staff(desk, people["manager"])
    page = desk.page
    page.goto(f"/staff/engagements/{reviewed.pk}/")
    panel = page.locator("#advisory-reviews")
    expect(panel.get_by_text("Recommend with changes")).to_be_visible()
    expect(panel.get_by_text(CHANGES)).to_be_visible()
    expect(panel.get_by_text("Amihan")).to_be_visible()
    desk.check("network-lead-manager-sees-review")
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_text("The request was approved.")).to_be_visible()
    reviewed.refresh_from_db()
    assert reviewed.status == Engagement.Status.APPROVED

    # Without a review, approval is refused, and the page says why.
    page.goto(f"/staff/engagements/{waiting.pk}/")
    expect(page.get_by_text("No leader has reviewed this request yet.")).to_be_visible()
    page.get_by_role("button", name="Approve", exact=True).click()
    expect(page.get_by_text("A survivor leader must review this request").first).to_be_visible()
    desk.check("network-lead-manager-cannot-approve", status=400)
    waiting.refresh_from_db()
    assert waiting.status == Engagement.Status.SUBMITTED
