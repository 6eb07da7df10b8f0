"""Choosing on /reports/ by search, in a real browser: the combobox (typing
asks /staff/search/…, arrows and Enter choose) under the real CSP and axe,
then the request; and the same without JavaScript (search, radio, request).
Screenshots in test-artifacts/e2e/."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.roles import Role
from engagements.models import Participation
from reports.models import ReportJob
from tests.consultants.factories import ConsultantFactory
from tests.e2e.conftest import STAFF_VIEWPORT
from tests.e2e.test_compensation_staff import _sign_in
from tests.engagements.factories import ParticipationFactory
from tests.helpers import past_engagement

pytestmark = pytest.mark.e2e


def _world(make_user):
    owner = make_user(Role.PROGRAMME_STAFF)
    engagement = past_engagement(owner, title="Roundtable on safe migration")
    past_engagement(owner, title="Review of the shelter guide")
    consultant = ConsultantFactory(pseudonym="Tala", user=make_user(Role.CONSULTANT))
    ParticipationFactory(
        engagement=engagement, consultant=consultant, status=Participation.Status.ATTENDED
    )
    return owner, engagement, consultant


def test_staff_choose_an_engagement_and_a_consultant_with_the_combobox(
    open_session, make_user, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    owner, engagement, consultant = _world(make_user)
    session = open_session(STAFF_VIEWPORT)
    page = session.page
    _sign_in(session, owner)
    page.goto("/reports/")
    session.check("reports-search-empty")

    box = page.get_by_role("combobox", name="Engagement")
    box.fill("roundt")
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option")).to_have_count(1)
    expect(box).to_have_attribute("aria-expanded", "true")
    session.check("reports-search-listbox")
    box.press("ArrowDown")
    box.press("Enter")
    expect(box).to_have_attribute("aria-expanded", "false")
    chosen = page.locator('input[name="engagement_brief-engagement"]:checked')
    expect(chosen).to_have_value(str(engagement.pk))

    who = page.get_by_role("combobox", name="Consultant")
    who.fill("tal")
    page.get_by_role("option", name="Tala").click()
    expect(page.locator('input[name="engagement_brief-consultant"]:checked')).to_have_value(
        str(consultant.pk)
    )
    session.check("reports-search-chosen")
    page.locator("#request-engagement_brief").get_by_role("button", name="Request").click()
    expect(page).to_have_url(re.compile(r"/reports/[0-9a-f-]+/$"))
    job = ReportJob.objects.get()
    assert job.params == {"engagement": engagement.pk, "consultant": consultant.pk}


def test_without_javascript_search_then_choose(
    browser, live_server, transactional_db, make_user, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from tests.e2e.conftest import Session

    owner, engagement, consultant = _world(make_user)
    session = Session(browser, live_server.url, STAFF_VIEWPORT)
    try:
        session.context.close()
        session.context = browser.new_context(
            base_url=live_server.url, viewport=STAFF_VIEWPORT, java_script_enabled=False
        )
        page = session.context.new_page()
        session.page = page
        _sign_in(session, owner)
        page.goto("/reports/")
        page.get_by_label("Engagement").fill("shelter")
        page.get_by_label("Engagement").press("Enter")
        expect(page).to_have_url(re.compile(r"engagement_brief-engagement_q=shelter"))
        expect(
            page.get_by_role("radio", name=re.compile("Review of the shelter guide"))
        ).to_be_visible()
        page.get_by_label("Engagement").fill("roundtable")
        page.get_by_label("Consultant").fill("Tala")
        page.get_by_label("Consultant").press("Enter")
        page.get_by_role("radio", name=re.compile("Roundtable on safe migration")).check()
        page.get_by_role("radio", name="Tala").check()
        page.locator("#request-engagement_brief").get_by_role("button", name="Request").click()
        expect(page).to_have_url(re.compile(r"/reports/[0-9a-f-]+/$"))
        job = ReportJob.objects.get()
        assert job.params == {"engagement": engagement.pk, "consultant": consultant.pk}
    finally:
        session.page.context.close()
