"""Peers in a real browser (issue #18): the staff matching page proposes a
pair for a consultant who would rather go with a peer and invites both;
once both said yes, each sees the other's pseudonym on her engagement
page (both chose to be seen); her "Going with peers" switches. Clean and
accessible (``Session.check``), screenshots in test-artifacts/e2e/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts import demo as accounts_demo
from accounts.models import User
from accounts.roles import Role
from engagements import services
from engagements.models import Engagement, Participation
from tests.e2e.conftest import PHONE_VIEWPORT, STAFF_VIEWPORT, assert_tap_targets_are_large
from tests.e2e.test_dashboard_and_matching import _sign_in_staff
from tests.e2e.test_sign_in import sign_in_with_password
from tests.engagements.factories import EngagementFactory, ParticipationFactory
from tests.helpers import past_engagement

pytestmark = pytest.mark.e2e


def test_a_pair_is_proposed_invited_and_sees_each_other(open_session, make_consultant, make_user):
    accounts_demo.seed()
    staff = User.objects.get(email="staff@example.org")
    engagement = EngagementFactory(
        owner=staff,
        title="Module review",
        status=Engagement.Status.STAFFING,
        consultants_wanted=2,
    )
    tala = make_consultant(
        pseudonym="Tala",
        user=make_user(Role.CONSULTANT, display_name="Tala"),
        prefers_peer=True,
        visible_to_peers=True,
    )
    bituin = make_consultant(
        pseudonym="Bituin", user=make_user(Role.CONSULTANT), visible_to_peers=True
    )
    make_consultant(pseudonym="Amihan")
    together = past_engagement(staff, days_ago=200, title="Roundtable on safety")
    for consultant in (tala, bituin):
        ParticipationFactory(
            engagement=together, consultant=consultant, status=Participation.Status.ATTENDED
        )

    # Staff: the pair above the suggestions, invited both at once.
    desk = open_session(STAFF_VIEWPORT)
    _sign_in_staff(desk, staff)
    desk.page.goto(f"/staff/engagements/{engagement.pk}/matching/")
    pairs = desk.page.locator("#pairs")
    expect(pairs).to_contain_text("Tala with Bituin")
    expect(pairs).to_contain_text("They worked together on Roundtable on safety.")
    desk.check("matching-pairs")
    pairs.get_by_role("button", name=re.compile("Invite both")).click()
    expect(desk.page.get_by_text("Tala and Bituin are invited together")).to_be_visible()
    desk.check("matching-pair-invited")

    # Both say yes; Tala sees Bituin on her page of the engagement.
    for consultant in (tala, bituin):
        participation = Participation.objects.get(engagement=engagement, consultant=consultant)
        services.participation_accept(participation=participation, by=consultant.user)
    mine = Participation.objects.get(engagement=engagement, consultant=tala)
    phone = open_session(PHONE_VIEWPORT)
    sign_in_with_password(phone, tala.user.email)
    expect(phone.page).to_have_url(re.compile(r"/portal/$"))
    phone.page.goto(f"/portal/engagements/{mine.pk}/")
    folded = phone.page.locator("summary", has_text="Others coming")
    if folded.count():
        folded.click()
    expect(phone.page.locator("#peers + ul")).to_have_text("Bituin")
    phone.check("portal-who-else-is-coming")

    # Her switches.
    phone.page.goto("/portal/me/")
    phone.page.get_by_role("link", name=re.compile("Going with peers")).click()
    expect(phone.page.get_by_label("I would rather go with a peer")).to_be_checked()
    phone.check("my-peers")
    assert_tap_targets_are_large(phone.page)
    phone.page.get_by_label("I would rather go with a peer").uncheck()
    phone.page.get_by_role("button", name="Save my choices").click()
    expect(phone.page.get_by_text("Your choices are saved.")).to_be_visible()
    tala.refresh_from_db()
    assert (tala.prefers_peer, tala.visible_to_peers) == (False, True)
