"""The consultant's loop on a phone (390x844): home leads with her next
engagement (when, where it stands, its actions) and counts what waits for
her; an invitation shows the offer in full, pay included, before yes or
no; stepping back is one tap from home plus the confirmation, and the
engagement then has its own place on her engagements page, not "Before".
Every page goes through ``Session.check`` (console, CSP, axe) and is kept
as a screenshot in test-artifacts/e2e/."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from checklists import services as checklist_services
from compensation import services as pay_services
from engagements.models import Engagement, Mode, Participation
from tests.compensation.factories import AllowancePolicyFactory, RateCardFactory
from tests.consultants.factories import ConsultantFactory
from tests.e2e.conftest import assert_tap_targets_are_large
from tests.e2e.test_sign_in import sign_in_with_password
from tests.engagements.factories import EngagementFactory, ParticipationFactory

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
S = Engagement.Status
P = Participation.Status
CSS = Path(__file__).resolve().parents[2] / "static" / "css" / "tinig.css"
PAGE_BUDGET = 60_000


def _engagement(owner, *, days: int, status=S.STAFFING, **kwargs):
    """From 10:00 to 12:00 Manila, ``days`` from today."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    start = datetime.datetime.combine(
        day, datetime.time(10), tzinfo=timezone.get_default_timezone()
    )
    return EngagementFactory(
        owner=owner, status=status, start=start, end=start + datetime.timedelta(hours=2), **kwargs
    )


def _world(make_user):
    owner = make_user(Role.PROGRAMME_STAFF)
    manager = make_user(Role.PROGRAMME_MANAGER)
    finance = make_user(Role.FINANCE_OFFICER)
    approver = make_user(Role.FINANCE_OFFICER)  # four eyes: not the one who grouped
    user = make_user(Role.CONSULTANT, display_name="Tala")
    tala = ConsultantFactory(pseudonym="Tala", user=user)
    RateCardFactory(role="participant", unit="hour", amount=Decimal("500.00"))
    AllowancePolicyFactory(kind="meal", default_amount=Decimal("350.00"))
    AllowancePolicyFactory(kind="communication", default_amount=Decimal("300.00"))

    # Her next engagement: she said yes; the checklist asks a few things of her.
    accepted = ParticipationFactory(
        engagement=_engagement(
            owner, days=5, title="Roundtable on safer online spaces", preparation_hours=1
        ),
        consultant=tala,
        status=P.ACCEPTED,
        role="participant",
    )
    checklist_services.checklist_instantiate(engagement=accepted.engagement)
    checklist_services.checklist_add_consultant(engagement=accepted.engagement, consultant=tala)

    # An invitation, in person, with its agreement (an advance included).
    invitation = ParticipationFactory(
        engagement=_engagement(
            owner,
            days=12,
            title="Youth policy consultation",
            mode=Mode.IN_PERSON,
            venue="Quezon City",
            online_link="",
            preparation_hours=2,
            purpose="Hear survivor experts on the draft youth policy.",
            expected_contribution="Advice on the draft, from lived experience.",
        ),
        consultant=tala,
        role="participant",
    )
    pay_services.agreement_propose(
        participation=invitation, by=owner, terms={"advance_amount": "1000.00"}
    )

    # Two engagements she attended: one waits for her time, one is being paid.
    for days, pay in ((-8, False), (-15, True)):
        attended = ParticipationFactory(
            engagement=_engagement(owner, days=days, status=S.COMPLETED),
            consultant=tala,
            status=P.ATTENDED,
            role="participant",
        )
        agreement = pay_services.agreement_propose(participation=attended, by=owner)
        pay_services.agreement_acknowledge(agreement=agreement, by=owner, on_behalf=True)
        if pay:
            entry = pay_services.time_entry_add(
                participation=attended,
                by=owner,
                on_behalf=True,
                kind="engagement",
                date=timezone.localtime(attended.engagement.start).date(),
                hours="2.00",
            )
            pay_services.time_entry_approve(entry=entry, by=manager)
            payment = pay_services.payment_group(consultant=tala, by=finance)
            pay_services.payment_approve(payment=payment, by=approver)
    return {"user": user, "accepted": accepted, "invitation": invitation}


def _light(page) -> None:
    """The page and its stylesheet stay under the portal's first-load budget."""
    html = page.evaluate("() => document.documentElement.outerHTML.length")
    assert html + CSS.stat().st_size < PAGE_BUDGET, (page.url, html)


def test_home_next_engagement_counts_offer_and_stepping_back(open_session, make_user):
    world = _world(make_user)
    session = open_session(PHONE)
    page = session.page
    sign_in_with_password(session, world["user"].email)
    expect(page).to_have_url(re.compile(r"/portal/$"))
    main = page.get_by_role("main")

    # --- Home: the next engagement first, then the counts -----------------------------------
    card = main.get_by_role("region", name="Your next engagement")
    expect(card).to_contain_text("Roundtable on safer online spaces")
    expect(card).to_contain_text("Step 2 of 6: Accepted.")
    expect(card.locator("[aria-current=step]")).to_have_text("Accepted now")
    expect(card.get_by_role("link", name="Step back")).to_be_visible()
    expect(main).to_contain_text("1 waiting for your answer.")
    expect(main).to_contain_text("things to tick before an engagement.")
    expect(main).to_contain_text("1 engagement waits for your time")
    expect(main).to_contain_text("1 payment approved, ₱")
    session.check("portal-home")
    assert_tap_targets_are_large(page)
    _light(page)

    # --- The invitation: details, protection and pay before yes or no -----------------------
    main.get_by_role("link", name=re.compile("^Invitations")).click()
    main.get_by_role("link", name=re.compile("^Youth policy consultation")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Youth policy consultation")
    pay = main.get_by_role("region", name="What it pays")
    expect(pay).to_contain_text("₱500.00 per hour")
    expect(pay).to_contain_text("₱1,000.00 before the engagement")
    expect(pay).to_contain_text("In all, about")
    headings = main.get_by_role("heading", level=2).all_inner_texts()
    assert headings.index("What you would do") < headings.index("How you are protected")
    assert headings.index("How you are protected") < headings.index("What it pays")
    assert headings.index("What it pays") < headings.index("Your answer")
    yes = main.get_by_role("button", name="Yes, I will join")
    assert pay.bounding_box()["y"] < yes.bounding_box()["y"]
    session.check("portal-invitation")
    assert_tap_targets_are_large(page)
    _light(page)

    # --- Step back from the next engagement: one tap from home, then confirm ------------------
    page.get_by_role("navigation", name="Your space").get_by_role("link", name="Home").click()
    expect(page).to_have_url(re.compile(r"/portal/$"))
    taps = 0
    card.get_by_role("link", name="Step back").click()
    taps += 1
    expect(page.get_by_role("heading", level=1)).to_have_text("Step back from this engagement?")
    session.check("portal-step-back")
    page.get_by_role("button", name="Yes, step back").click()  # the confirmation
    expect(page.get_by_role("status")).to_contain_text("You have stepped back.")
    assert taps <= 2
    world["accepted"].refresh_from_db()
    assert world["accepted"].status == P.WITHDRAWN

    # --- Her engagements: stepped back has its own place, not "Before" ------------------------
    expect(page.get_by_role("heading", level=1)).to_have_text("Your engagements")
    headings = main.get_by_role("heading", level=2).all_inner_texts()
    assert "You stepped back or said no" in headings
    stepped = main.locator("h2:text-is('You stepped back or said no') + p + ul")
    expect(stepped).to_contain_text("Roundtable on safer online spaces")
    expect(stepped).to_contain_text("you stepped back")
    after_before = page.evaluate(
        """() => [...document.querySelectorAll("main h2")]
              .find((h) => h.textContent.trim() === "Before")
              .parentElement.innerText.split("Before").pop()"""
    )
    assert "Roundtable on safer online spaces" not in after_before
    session.check("portal-engagements")
    assert_tap_targets_are_large(page)
    _light(page)

    # Home now leads with the invitation.
    page.get_by_role("navigation", name="Your space").get_by_role("link", name="Home").click()
    expect(main.get_by_role("region", name="An invitation for you")).to_contain_text(
        "Youth policy consultation"
    )
    session.check("portal-home-invitation")
