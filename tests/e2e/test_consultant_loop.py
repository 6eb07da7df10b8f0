"""The consultant's loop, closed, in a real browser (the consultant on a
390x844 phone): a manager invites Amihan from matching and her e-mail is
there when the page comes back; she opens the invitation from it and says
yes; later she opens her engagement and steps back; staff see that it needs
people again; matching lists her among the excluded, with that reason and
no invite button; she rejoins from her portal, and the sign goes.

The flow goes to the invitation and engagement pages by their addresses
(the e-mail's link, then the same page), not through the portal's home.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from engagements import services, workflow
from engagements.models import Participation
from tests.e2e.conftest import STAFF_VIEWPORT, assert_tap_targets_are_large
from tests.e2e.test_engagements import (
    _next_saturday,
    _seed,
    _sign_in_consultant,
    _sign_in_staff,
)

pytestmark = pytest.mark.e2e

PHONE_390 = {"width": 390, "height": 844}
NEEDS = "Needs people again"


def _staffing_engagement(people):
    day = _next_saturday()
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))
    engagement = services.engagement_create(
        by=people["staff"],
        data={
            "title": "Neighbourhood listening circle",
            "type": "peer_support",
            "purpose": "Listen to what helps.",
            "expected_contribution": "Join the circle.",
            "start": start,
            "end": start + datetime.timedelta(hours=2),
            "mode": "online",
            "online_link": "https://meet.example.org/circle",
            "audience": "internal",
        },
    )
    for name, by in [
        ("submit", people["staff"]),
        ("approve", people["manager"]),
        ("start_staffing", people["staff"]),
    ]:
        workflow.engagement_transition(engagement=engagement, name=name, by=by)
    return engagement


def test_invite_answer_step_back_restaff_rejoin(open_session, mailoutbox, settings):
    # Whatever the hour the suite runs at: no quiet hours for this flow.
    settings.REMINDERS_QUIET_START = settings.REMINDERS_QUIET_END = "00:00"
    people = _seed()
    engagement = _staffing_engagement(people)
    amihan_address = people["amihan"].email

    # --- A manager invites Amihan from matching ------------------------------------------------
    manager = open_session(STAFF_VIEWPORT)
    desk = manager.page
    _sign_in_staff(manager, people["manager"])
    desk.goto(f"/staff/engagements/{engagement.pk}/matching/")
    expect(desk.get_by_role("row").filter(has_text="Amihan")).to_contain_text("Free at that time.")
    desk.get_by_role("button", name="Invite Amihan").click()
    expect(desk.get_by_role("status")).to_contain_text("Amihan is invited")
    # The request has returned: her e-mail is already there, discreet.
    told = [m for m in mailoutbox if m.to == [amihan_address]]
    assert len(told) == 1
    message = told[0]
    assert message.subject == "Tinig: a new invitation for you"
    assert "listening circle" not in message.body.lower()
    assert "Demo Person" not in message.body  # never her legal name
    link = re.search(r"https?://\S+/portal/engagements/\d+/", message.body).group(0)
    participation = Participation.objects.get(engagement=engagement)
    assert link.endswith(f"/portal/engagements/{participation.pk}/")

    # --- She opens the invitation from the e-mail, and says yes --------------------------------
    amihan = open_session(PHONE_390)
    phone = amihan.page
    _sign_in_consultant(amihan, people["consultant"])
    invitation = f"/portal/engagements/{participation.pk}/"
    phone.goto(invitation)
    expect(phone.get_by_text("An invitation for you.")).to_be_visible()
    amihan.check("loop-invitation")
    assert_tap_targets_are_large(phone)
    phone.get_by_role("button", name="Yes, I will join").click()
    expect(phone.get_by_role("status")).to_contain_text("Thank you for saying yes.")

    # --- Later, home shows the engagement; she steps back from there ---------------------------
    phone.goto(invitation)
    amihan.check("loop-engagement-accepted")
    phone.goto("/portal/")
    card = phone.get_by_role("main").get_by_role("region", name="Your next engagement")
    expect(card).to_contain_text(engagement.title)
    amihan.check("loop-home-accepted")
    taps = 0
    card.get_by_role("link", name="Step back").click()
    taps += 1
    expect(phone.get_by_text("You do not need to give a reason")).to_be_visible()
    phone.get_by_role("button", name="Yes, step back").click()  # the confirmation
    expect(phone.get_by_role("status")).to_contain_text("You have stepped back.")
    assert taps <= 2  # at most two taps from home, plus the confirmation

    # --- Staff see it needs people again ---------------------------------------------------------
    desk.goto(f"/staff/engagements/{engagement.pk}/")
    expect(desk.get_by_text(NEEDS)).to_be_visible()
    expect(desk.get_by_role("cell", name="Stepped back", exact=True)).to_be_visible()
    manager.check("loop-staff-needs-people-again")

    # --- Matching lists her among the excluded, with the reason, and no button -------------------
    desk.goto(f"/staff/engagements/{engagement.pk}/matching/?excluded=1#excluded")
    excluded = desk.get_by_role("table", name="Excluded consultants and why")
    expect(excluded.get_by_role("row").filter(has_text="Amihan")).to_contain_text(
        "Stepped back from this engagement."
    )
    expect(desk.get_by_role("button", name="Invite Amihan")).to_have_count(0)
    manager.check("loop-matching-excluded")

    # --- She rejoins from her portal --------------------------------------------------------------
    phone.goto(invitation)
    expect(phone.get_by_text("You stepped back from this engagement.")).to_be_visible()
    amihan.check("loop-engagement-stepped-back")
    phone.get_by_role("link", name="Join again").click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Join this engagement again?")
    amihan.check("loop-join-again")
    assert_tap_targets_are_large(phone)
    phone.get_by_role("button", name="Yes, join again").click()
    expect(phone.get_by_role("status")).to_contain_text("Welcome back.")
    expect(phone.get_by_role("link", name="Join link")).to_be_visible()
    amihan.check("loop-rejoined")

    participation.refresh_from_db()
    assert participation.status == "accepted"
    assert list(participation.changes.values_list("to_status", flat=True)) == [
        "invited",
        "accepted",
        "withdrawn",
        "accepted",
    ]
    desk.goto(f"/staff/engagements/{engagement.pk}/")
    expect(desk.get_by_text(NEEDS)).to_have_count(0)
    # One invitation e-mail in all: stepping back and rejoining ask nothing of her.
    assert len([m for m in mailoutbox if m.to == [amihan_address]]) == 1
