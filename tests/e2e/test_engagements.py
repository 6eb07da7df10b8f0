"""The whole path of an engagement in a real browser, with the demo sign-ins:
programme staff write a request for a public forum and submit it, the
manager approves it, staff start staffing, pick Amihan from matching and
invite her; Amihan (the demo consultant, on a phone) says yes and chooses
what to share; staff write the privacy plan and the manager approves it;
staff confirm Amihan and the engagement; it happens; staff mark it
completed, mark attendance and write the debrief; Amihan gives feedback;
staff close it. A second flow: a consultant steps back from a confirmed
engagement, and the record stays consistent.

Checklist gates (the checklists app's guards on confirm and close) are met
by ticking the items through ``checklists.services``, as the people they
belong to, when that app is installed. Every page on the way goes through
``Session.check`` (console, CSP, axe) and is kept as a screenshot.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone
from playwright.sync_api import expect

from accounts import demo as accounts_demo
from accounts.models import User
from consultants import demo as consultants_demo
from consultants.models import Consultant
from engagements import services, workflow
from engagements.models import Debrief, Engagement, Feedback, Participation
from tests.e2e.conftest import (
    PHONE_VIEWPORT,
    STAFF_VIEWPORT,
    assert_tap_targets_are_large,
    fresh_totp_code,
)
from tests.e2e.test_sign_in import sign_in_with_password

pytestmark = pytest.mark.e2e

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _seed():
    accounts_demo.seed()
    consultants_demo.seed()
    return {
        "staff": User.objects.get(email="staff@example.org"),
        "manager": User.objects.get(email="manager@example.org"),
        # Sealed like every consultant's account: found by its keyed hash.
        "consultant": accounts_demo.demo_user("consultant@example.org"),
        "amihan": Consultant.objects.get(pseudonym="Amihan"),
    }


def _sign_in_staff(session, user):
    sign_in_with_password(session, user.email, password=accounts_demo.DEMO_PASSWORD)
    session.page.get_by_label("Code").fill(fresh_totp_code(accounts_demo.totp_secret(user)))
    session.page.get_by_role("button", name="Sign In").click()
    expect(session.page).to_have_url(re.compile(r"/staff/$"))


def _sign_in_consultant(session, user):
    sign_in_with_password(session, user.delivery_email, password=accounts_demo.DEMO_PASSWORD)
    expect(session.page).to_have_url(re.compile(r"/portal/$"))


def _next_saturday() -> datetime.date:
    """Amihan is free on Saturday mornings; her demo busy days start in 10 days."""
    today = timezone.localdate()
    ahead = (5 - today.weekday()) % 7
    return today + datetime.timedelta(days=ahead if ahead >= 2 else ahead + 7)


def _tick_checklist(engagement, gate: str, *, people: list[User]) -> int:
    """Do the checklist items that gate ``gate``, each as the first of
    ``people`` it belongs to."""
    try:
        from checklists import access as checklist_access
        from checklists import services as checklist_services
        from checklists.models import ChecklistItem, Evidence
    except ImportError:
        return 0
    items = list(
        ChecklistItem.objects.filter(checklist__engagement=engagement, gates=gate, status="open")
    )
    for item in items:
        by = next(person for person in people if checklist_access.can_tick(person, item))
        evidence = None
        if item.evidence == Evidence.FILE:
            evidence = SimpleUploadedFile("evidence.pdf", PDF, "application/pdf")
        checklist_services.item_mark_done(
            item=item, by=by, note="Done, checked in the end-to-end test.", evidence=evidence
        )
    return len(items)


def _time_passes(engagement: Engagement) -> None:
    """The day comes and goes: the engagement moves to yesterday morning."""
    start = timezone.now() - datetime.timedelta(days=1, hours=2)
    end = start + datetime.timedelta(hours=2)
    Engagement.objects.filter(pk=engagement.pk).update(start=start, end=end)
    Participation.objects.filter(engagement=engagement).update(
        period=DateTimeTZRange(start, end, "[)")
    )


def test_the_whole_path_from_request_to_close(open_session):
    people = _seed()
    staff = open_session(STAFF_VIEWPORT)
    page = staff.page
    _sign_in_staff(staff, people["staff"])
    staff.check("engagements-dashboard-empty")

    # --- Staff write the request ---------------------------------------------------------
    page.get_by_role("navigation", name="Staff site").get_by_role(
        "link", name="Engagements"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Engagements")
    expect(page.get_by_text("No engagements yet")).to_be_visible()
    staff.check("engagements-list-empty")

    page.get_by_role("link", name="New request", exact=True).click()
    staff.check("engagements-create")
    day = _next_saturday()
    page.get_by_label("Title").fill("Youth policy forum")
    page.get_by_label("Type").select_option(label="Conference or speaking")
    page.get_by_label("Purpose").fill("Hear survivor experts on the draft youth policy.")
    page.get_by_label("What is asked of the consultants").fill("A ten-minute talk and questions.")
    page.get_by_label("Requesting team or partner organisation").fill("Policy team")
    page.get_by_label("Starts").fill(f"{day.isoformat()}T11:00")
    page.get_by_label("Ends").fill(f"{day.isoformat()}T10:00")
    page.get_by_label("Online", exact=True).check()
    page.get_by_label("Online meeting link").fill("https://meet.example.org/forum")
    page.get_by_label("Audience").select_option(label="Public")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_text("The engagement must end after it starts.")).to_be_visible()
    staff.check("engagements-create-error", status=400)
    page.get_by_label("Starts").fill(f"{day.isoformat()}T09:30")
    page.get_by_label("Ends").fill(f"{day.isoformat()}T11:30")
    page.get_by_role("button", name="Save the draft").click()
    expect(page.get_by_role("status")).to_contain_text("The request was saved as a draft.")
    expect(page.get_by_role("heading", level=1)).to_have_text("Youth policy forum")
    expect(page.get_by_text("09:30\N{EN DASH}11:30")).to_be_visible()  # Manila time, as entered
    staff.check("engagements-detail-draft")
    engagement = Engagement.objects.get(title="Youth policy forum")

    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_role("status")).to_contain_text("submitted for approval")

    # --- The manager approves -----------------------------------------------------------------
    manager = open_session(STAFF_VIEWPORT)
    _sign_in_staff(manager, people["manager"])
    expect(manager.page.get_by_text("Requests to approve")).to_be_visible()
    manager.check("engagements-dashboard-manager")
    manager.page.get_by_role("link", name="Youth policy forum").click()
    manager.page.get_by_role("button", name="Approve", exact=True).click()
    expect(manager.page.get_by_role("status")).to_contain_text("The request was approved.")
    manager.check("engagements-detail-approved")

    # --- Staff start staffing, match and invite -----------------------------------------------
    page.reload()
    page.get_by_role("button", name="Start staffing").click()
    expect(page.get_by_role("status")).to_contain_text("Staffing has started")
    page.get_by_role("link", name="Matching").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Matching")
    amihan_row = page.get_by_role("row").filter(has_text="Amihan")
    expect(amihan_row).to_contain_text("Free at that time.")
    staff.check("engagements-matching")
    page.get_by_role("link", name="Show excluded and why").click()
    expect(page.get_by_role("heading", name=re.compile(r"\d+ excluded"))).to_be_visible()
    staff.check("engagements-matching-excluded")
    page.get_by_label("Role of Amihan").select_option(label="Speaker")
    page.get_by_role("button", name="Invite Amihan").click()
    expect(page.get_by_role("status")).to_contain_text("Amihan is invited as speaker.")
    assert Participation.objects.get(engagement=engagement).status == "invited"

    # --- Amihan says yes, on her phone --------------------------------------------------------
    amihan = open_session(PHONE_VIEWPORT)
    phone = amihan.page
    _sign_in_consultant(amihan, people["consultant"])
    phone.get_by_role("main").get_by_role("link", name=re.compile("^Invitations")).click()
    expect(phone.get_by_role("heading", level=1)).to_have_text("Invitations")
    amihan.check("portal-invitations")
    assert_tap_targets_are_large(phone)
    phone.get_by_role("link", name=re.compile("Youth policy forum")).click()
    expect(phone.get_by_text("Saying no is always fine")).to_be_visible()
    expect(phone.get_by_text("meet.example.org")).to_have_count(0)  # the link comes after yes
    amihan.check("portal-invitation")
    assert_tap_targets_are_large(phone)
    phone.get_by_role("button", name="Yes, I will join").click()
    expect(phone.get_by_role("status")).to_contain_text("Thank you for saying yes.")
    expect(phone.get_by_role("link", name="Join link")).to_be_visible()
    amihan.check("portal-accepted")
    phone.get_by_role("link", name="Change what you share").click()
    amihan.check("portal-sharing")
    assert_tap_targets_are_large(phone)
    phone.get_by_label("Share general insights only").check()
    phone.get_by_role("button", name="Save my choice").click()
    expect(phone.get_by_role("status")).to_contain_text("Your choice is saved.")

    # --- The privacy plan, written by staff, approved by the manager --------------------------
    page.goto(f"/staff/engagements/{engagement.pk}/")
    expect(page.get_by_text("Share general insights only")).to_be_visible()
    page.get_by_role("link", name="Write the privacy plan").click()
    staff.check("engagements-privacy-plan")
    page.get_by_label("Seating and entry arrangements").fill("Side entrance; seated with staff.")
    page.get_by_label("Support person present").fill("Ate Joy from the programme team")
    page.get_by_role("button", name="Save the privacy plan").click()
    expect(page.get_by_role("status")).to_contain_text("A programme manager approves it.")
    manager.page.reload()
    manager.page.get_by_role("button", name="Approve the privacy plan").click()
    expect(manager.page.get_by_role("status")).to_contain_text("The privacy plan is approved.")

    # --- Staff confirm Amihan, then the engagement --------------------------------------------
    checklist_people = [
        people["staff"],
        people["consultant"],
        people["manager"],
        User.objects.get(email="wellbeing@example.org"),
        User.objects.get(email="finance@example.org"),
    ]
    page.reload()
    page.get_by_role("button", name="Confirm Amihan").click()
    expect(page.get_by_role("status")).to_contain_text("Amihan is confirmed.")
    if _tick_checklist(engagement, "confirm", people=checklist_people):
        page.reload()
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("The engagement is confirmed.")
    staff.check("engagements-detail-confirmed")

    phone.reload()
    expect(phone.get_by_text("You are confirmed.")).to_be_visible()
    amihan.check("portal-confirmed")

    # --- It happens; staff complete it, mark attendance, write the debrief --------------------
    _time_passes(engagement)
    page.reload()
    page.get_by_role("button", name="Mark completed").click()
    expect(page.get_by_role("status")).to_contain_text("marked completed")
    page.get_by_role("button", name="Attended Amihan").click()
    expect(page.get_by_role("status")).to_contain_text("The attendance of Amihan is marked.")
    page.get_by_role("link", name="Write a debrief").click()
    staff.check("engagements-debrief")
    page.get_by_label("Note").fill("It went well. Amihan would like the questions earlier.")
    page.get_by_role("button", name="Save the debrief").click()
    expect(page.get_by_role("status")).to_contain_text("The debrief was saved.")

    # --- Amihan gives feedback ----------------------------------------------------------------
    nav = phone.get_by_role("navigation", name="Your space")
    nav.get_by_role("link", name="Engagements").click()
    amihan.check("portal-engagements")
    phone.get_by_role("link", name=re.compile("Youth policy forum")).click()
    phone.get_by_role("link", name=re.compile("Tell us how it went")).click()
    amihan.check("portal-feedback")
    assert_tap_targets_are_large(phone)
    for group in ("I felt safe", "I felt respected", "I was well prepared", "I would do it again"):
        phone.get_by_role("group", name=group).get_by_label("5 · Very much").check()
    phone.get_by_role("group", name="I was paid fairly").get_by_label("4", exact=True).check()
    phone.get_by_label(re.compile("Keep my name off this feedback")).check()
    phone.get_by_role("button", name="Send my feedback").click()
    expect(phone.get_by_role("status")).to_contain_text("Thank you for your feedback.")

    # --- Staff read the feedback and close ----------------------------------------------------
    page.reload()
    page.get_by_role("link", name="Consultants' feedback").click()
    expect(page.get_by_text("Anonymous", exact=True)).to_be_visible()
    staff.check("engagements-feedback")
    page.go_back()
    if _tick_checklist(engagement, "close", people=checklist_people):
        page.reload()
    page.get_by_role("button", name="Close", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("The engagement is closed.")
    staff.check("engagements-detail-closed")

    engagement.refresh_from_db()
    assert engagement.status == "closed"
    assert [t.name for t in engagement.transitions.order_by("at", "id")] == [
        "create",
        "submit",
        "approve",
        "start_staffing",
        "confirm",
        "complete",
        "close",
    ]
    participation = Participation.objects.get(engagement=engagement)
    assert participation.status == "attended" and participation.story_sharing == "general"
    assert Debrief.objects.filter(engagement=engagement).count() == 1
    assert Feedback.objects.get(participation=participation).anonymous


def test_a_consultant_steps_back_and_the_record_stays_consistent(open_session, mailoutbox):
    people = _seed()
    day = _next_saturday()
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(9, 30)))
    engagement = services.engagement_create(
        by=people["staff"],
        data={
            "title": "Internal check-in",
            "type": "peer_support",
            "purpose": "A peer-support session.",
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
    participation = services.participation_invite(
        engagement=engagement, consultant=people["amihan"], role="participant", by=people["staff"]
    )
    services.participation_accept(participation=participation, by=people["consultant"])
    services.participation_confirm(participation=participation, by=people["staff"])

    amihan = open_session(PHONE_VIEWPORT)
    phone = amihan.page
    _sign_in_consultant(amihan, people["consultant"])
    phone.get_by_role("navigation", name="Your space").get_by_role(
        "link", name="Engagements"
    ).click()
    expect(phone.get_by_text("Internal check-in")).to_be_visible()
    phone.get_by_role("link", name=re.compile("Internal check-in")).click()
    amihan.check("portal-upcoming-detail")
    with phone.expect_download() as download_info:
        phone.get_by_role("link", name=re.compile("Add to your calendar")).click()
    assert download_info.value.suggested_filename == "tinig-meeting.ics"
    phone.get_by_role("link", name=re.compile("Step back")).click()
    expect(phone.get_by_text("You do not need to give a reason")).to_be_visible()
    amihan.check("portal-step-back")
    assert_tap_targets_are_large(phone)
    phone.get_by_role("button", name="Yes, step back").click()
    expect(phone.get_by_role("status")).to_contain_text("You have stepped back.")
    amihan.check("portal-stepped-back")

    participation.refresh_from_db()
    assert participation.status == "withdrawn" and participation.withdrawal_reason == ""
    assert participation.withdrawn_at is not None
    assert list(participation.changes.values_list("to_status", flat=True)) == [
        "invited",
        "accepted",
        "confirmed",
        "withdrawn",
    ]
    engagement.refresh_from_db()
    assert engagement.status == "staffing"  # staffing goes on without her
    # The staff's discreet note (her invitation e-mail, when it was not
    # quiet hours, went to her).
    told = [m for m in mailoutbox if m.to == [people["staff"].email]]
    assert len(told) == 1 and "Internal check-in" not in told[0].subject

    staff = open_session(STAFF_VIEWPORT)
    _sign_in_staff(staff, people["staff"])
    expect(staff.page.get_by_text("Stepped back this week")).to_be_visible()
    staff.check("engagements-dashboard-withdrawal")
    staff.page.get_by_role("link", name="Internal check-in").first.click()
    expect(staff.page.get_by_role("cell", name="Stepped back", exact=True)).to_be_visible()
    staff.check("engagements-detail-withdrawal")

    # The calendar shows it on its day.
    staff.page.get_by_role("link", name="Engagements").first.click()
    staff.page.get_by_role("link", name="Calendar").click()
    staff.page.goto(f"/staff/engagements/calendar/?month={day:%Y-%m}")
    expect(staff.page.get_by_role("link", name=re.compile("Internal check-in"))).to_be_visible()
    staff.check("engagements-calendar")
