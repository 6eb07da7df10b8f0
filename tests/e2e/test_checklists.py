"""Checklists in a real browser: the engagement's owner finds a task in
"My tasks", ticks it done with a note and sees the checklist move on; a
consultant ticks their own item on a phone, without JavaScript; the owner
hands an item to a colleague on the engagement. Every page
is checked by ``Session.check`` (CSP, console, axe) and screenshotted."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from checklists import services
from checklists.models import ChecklistItem
from engagements import workflow
from engagements.models import Engagement, Participation
from reminders.models import ReminderDelivery
from tests.accounts.factories import TEST_TOTP_SECRET
from tests.consultants.factories import ConsultantFactory
from tests.e2e.conftest import (
    PHONE_VIEWPORT,
    STAFF_VIEWPORT,
    assert_tap_targets_are_large,
    fresh_totp_code,
)
from tests.e2e.test_sign_in import sign_in_with_password
from tests.engagements.factories import EngagementFactory, ParticipationFactory

pytestmark = pytest.mark.e2e


def _approved(owner, manager):
    engagement = EngagementFactory(
        owner=owner, status=Engagement.Status.SUBMITTED, title="Youth policy roundtable"
    )
    return workflow.engagement_transition(engagement=engagement, name="approve", by=manager)


def test_owner_ticks_a_task_done(open_session, make_user):
    owner = make_user(Role.PROGRAMME_STAFF, display_name="Sol Staff")
    manager = make_user(Role.PROGRAMME_MANAGER)
    engagement = _approved(owner, manager)
    session = open_session(STAFF_VIEWPORT)
    page = session.page
    sign_in_with_password(session, owner.email)
    page.get_by_label("Code").fill(fresh_totp_code(TEST_TOTP_SECRET))
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))

    page.get_by_role("navigation", name="Staff site").get_by_role("link", name="My tasks").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My tasks")
    session.check("checklists-my-tasks")

    row = page.get_by_role("row").filter(has_text="Briefing held")
    row.get_by_role("link", name=re.compile("Mark done")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Mark done")
    session.check("checklists-mark-done")

    # No note: the item asks for one, and says so.
    page.get_by_role("button", name="Mark done").click()
    expect(page.get_by_text("This item needs a note saying what was done.").first).to_be_visible()
    session.check("checklists-mark-done-error", status=400)

    page.get_by_label("Note").fill("Walked through the agenda and what they can say no to.")
    page.get_by_role("button", name="Mark done").click()
    expect(page).to_have_url(re.compile(r"/staff/checklists/$"))
    expect(page.get_by_text("“Briefing held” is done.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Briefing held")).to_have_count(0)

    page.get_by_role("link", name="Youth policy roundtable").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Checklist")
    done_row = page.locator("tr").filter(has_text="Briefing held")
    expect(done_row.get_by_text("Done", exact=True)).to_be_visible()
    session.check("checklists-engagement")

    item = ChecklistItem.objects.get(checklist__engagement=engagement, key="briefing-held")
    assert item.status == ChecklistItem.Status.DONE and item.done_by == owner


def test_consultant_ticks_their_item_on_a_phone(open_session, make_user):
    owner = make_user(Role.PROGRAMME_STAFF)
    manager = make_user(Role.PROGRAMME_MANAGER)
    user = make_user(Role.CONSULTANT, display_name="Tala")
    consultant = ConsultantFactory(pseudonym="Tala", user=user)
    engagement = _approved(owner, manager)
    ParticipationFactory(
        engagement=engagement, consultant=consultant, status=Participation.Status.ACCEPTED
    )
    services.checklist_add_consultant(engagement=engagement, consultant=consultant)

    session = open_session(PHONE_VIEWPORT)
    page = session.page
    sign_in_with_password(session, user.email)
    expect(page).to_have_url(re.compile(r"/portal/$"))
    page.get_by_role("main").get_by_role("link", name=re.compile("^Before you go")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your checklist")
    session.check("checklists-portal-index")
    assert_tap_targets_are_large(page)

    page.get_by_role("link", name=re.compile("I have read the brief")).click()
    session.check("checklists-portal-item")
    page.get_by_role("button", name="Done").click()
    expect(page.get_by_text("Thank you. “I have read the brief” is done.")).to_be_visible()
    session.check("checklists-portal-done")
    item = ChecklistItem.objects.get(consultant=consultant, key="read-brief")
    assert item.status == ChecklistItem.Status.DONE


def test_owner_reassigns_an_item_to_a_colleague(open_session, make_user):
    owner = make_user(Role.PROGRAMME_STAFF, display_name="Sol Staff")
    colleague = make_user(Role.PROGRAMME_STAFF, display_name="Lira Colleague")
    manager = make_user(Role.PROGRAMME_MANAGER)
    engagement = _approved(owner, manager)
    engagement.assigned_staff.add(colleague)
    session = open_session(STAFF_VIEWPORT)
    page = session.page
    sign_in_with_password(session, owner.email)
    page.get_by_label("Code").fill(fresh_totp_code(TEST_TOTP_SECRET))
    page.get_by_role("button", name="Sign In").click()
    expect(page).to_have_url(re.compile(r"/staff/$"))

    page.goto(f"/staff/checklists/engagements/{engagement.pk}/")
    row = page.locator("tr").filter(has_text="Briefing held")
    row.get_by_role("link", name=re.compile("^Reassign")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reassign an item")
    session.check("checklists-reassign")

    page.get_by_label("Lira Colleague").check()
    page.get_by_role("button", name="Reassign").click()
    expect(page.get_by_text("“Briefing held” is now assigned to Lira Colleague")).to_be_visible()
    expect(page.locator("tr").filter(has_text="Briefing held")).to_contain_text("Lira Colleague")

    item = ChecklistItem.objects.get(checklist__engagement=engagement, key="briefing-held")
    assert item.assignee == colleague
    assert ReminderDelivery.objects.filter(
        kind="staff_checklist_item_assigned", user=colleague
    ).exists()
