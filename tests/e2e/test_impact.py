"""Contribution → outcome → "what your voice changed", in a real browser.

Staff record two contributions for a completed engagement and send the
partner the one-time link; the partner answers without signing in; staff
mark one contribution adopted; Amihan got a discreet e-mail (no title, no
outcome, a link) and her portal shows it, in plain words.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone
from playwright.sync_api import expect

from consultants.models import Consultant
from engagements.models import Engagement, Participation
from impact.models import Contribution, FollowUpAnswer, OutcomeStatus, PartnerFeedback
from reports import services as report_services
from reports.models import ReportJob
from tests.e2e.conftest import PHONE_VIEWPORT, STAFF_VIEWPORT
from tests.e2e.test_engagements import _seed, _sign_in_consultant, _sign_in_staff
from tests.engagements.factories import EngagementFactory, ParticipationFactory
from tests.helpers import pdf_text

pytestmark = [pytest.mark.e2e, pytest.mark.pdf]

PARTNER = "programme.lead@agency.example.gov"
FIRST = "Let children give testimony by video, away from the accused."
SECOND = "Offer a written option to anyone who would rather not speak."


def _completed_engagement(people) -> Engagement:
    start = timezone.now().replace(microsecond=0) - datetime.timedelta(days=45)
    engagement = EngagementFactory(
        title="Justice sector roundtable",
        owner=people["staff"],
        status=Engagement.Status.COMPLETED,
        start=start,
        end=start + datetime.timedelta(hours=3),
    )
    for consultant in (people["amihan"], Consultant.objects.get(pseudonym="Bituin")):
        ParticipationFactory(
            engagement=engagement,
            consultant=consultant,
            status=Participation.Status.ATTENDED,
            period=DateTimeTZRange(engagement.start, engagement.end, "[)"),
            invited_by=people["staff"],
        )
    return engagement


def _record(page, summary: str, pseudonym: str) -> None:
    page.get_by_role("link", name="Record a contribution").first.click()
    page.get_by_label("Kind").select_option("recommendation")
    page.get_by_label("What they proposed").fill(summary)
    page.get_by_label(pseudonym).check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("The contribution is recorded.")).to_be_visible()


def test_contribution_outcome_and_her_portal(open_session, mailoutbox, settings):
    # Whatever the hour the suite runs at: no quiet hours for this flow.
    settings.REMINDERS_QUIET_START = settings.REMINDERS_QUIET_END = "00:00"
    settings.CELERY_TASK_ALWAYS_EAGER = False  # the report is rendered below, as the worker would
    people = _seed()
    engagement = _completed_engagement(people)

    staff = open_session(STAFF_VIEWPORT)
    _sign_in_staff(staff, people["staff"])
    page = staff.page
    page.goto(f"/staff/engagements/{engagement.pk}/")
    expect(page.get_by_role("heading", name="Contributions and outcomes")).to_be_visible()
    staff.check("impact-engagement-panel")
    _record(page, FIRST, "Amihan")
    staff.check("impact-engagement")
    _record(page, SECOND, "Bituin")
    assert Contribution.objects.filter(engagement=engagement).count() == 2

    page.get_by_role("link", name="Ask the partner for feedback").click()
    staff.check("impact-ask-partner")
    page.get_by_label("The partner contact's e-mail address").fill(PARTNER)
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_text("The link is on its way to the partner.")).to_be_visible()
    [invitation] = [m for m in mailoutbox if m.to == [PARTNER]]
    assert engagement.title not in invitation.subject
    link = re.search(r"https?://\S+(/feedback/\S+/)", invitation.body).group(1)

    # The partner, with no account.
    partner = open_session(STAFF_VIEWPORT)
    partner.page.goto(link)
    expect(partner.page.get_by_role("heading", name="Your feedback")).to_be_visible()
    partner.check("impact-partner-form")
    content = partner.page.content()
    assert FIRST in content and SECOND in content
    assert people["amihan"].legal_name not in content
    partner.page.get_by_label("Yes, very").check()
    partner.page.get_by_label("What will you change because of it?").fill(
        "We will pilot video testimony in two courts."
    )
    partner.page.get_by_label("You may follow up with us on this").first.check()
    partner.page.get_by_role("button", name="Send your answers").click()
    expect(partner.page.get_by_role("heading", name="Thank you")).to_be_visible()
    partner.check("impact-partner-thanks")
    feedback = PartnerFeedback.objects.get(engagement=engagement)
    assert feedback.useful == "yes"
    assert FollowUpAnswer.objects.filter(feedback=feedback, may_follow_up=True).count() == 1
    # The link is spent.
    partner.page.goto(link)
    expect(partner.page.get_by_role("heading", name="This link does not work")).to_be_visible()

    # Staff see the answers and mark the first contribution adopted.
    page.goto(f"/staff/impact/engagements/{engagement.pk}/")
    expect(page.get_by_text("We will pilot video testimony in two courts.")).to_be_visible()
    page.get_by_role("link", name="Recommendation").first.click()
    page.get_by_role("link", name="Record an outcome").click()
    staff.check("impact-outcome-form")
    page.get_by_label("Adopted", exact=True).check()
    page.get_by_label("What to tell the consultants").fill("Two courts now hear children by video.")
    page.get_by_role("button", name="Record the outcome").click()
    expect(page.get_by_text("The outcome is recorded.")).to_be_visible()
    staff.check("impact-contribution")
    first = Contribution.objects.get(engagement=engagement, summary=FIRST)
    assert first.status == OutcomeStatus.ADOPTED

    # Amihan was told discreetly, by e-mail, at once.
    address = people["amihan"].email  # her contact address (reminders go there)
    [told] = [m for m in mailoutbox if m.to == [address]]
    for secret in (engagement.title, "testimony", "video", "Adopted", "adopted", "court"):
        assert secret not in told.subject + told.body
    assert "/portal/voice/" in told.body

    # Her portal shows it, in plain words; Bituin's contribution is not hers.
    phone = open_session(PHONE_VIEWPORT)
    _sign_in_consultant(phone, people["consultant"])
    phone.page.get_by_role("link", name="What your voice changed").click()
    expect(phone.page.get_by_role("heading", name="What your voice changed")).to_be_visible()
    expect(phone.page.get_by_text("your voice changed something")).to_be_visible()
    expect(phone.page.get_by_text("Two courts now hear children by video.")).to_be_visible()
    phone.check("impact-portal")
    assert SECOND not in phone.page.content()
    assert "Bituin" not in phone.page.content()

    # The manager requests the programme report; no worker runs in the e2e,
    # so the job is rendered here the way the worker does, and read back.
    manager = open_session(STAFF_VIEWPORT)
    _sign_in_staff(manager, people["manager"])
    today = timezone.localdate()
    date_from = timezone.localtime(engagement.start).date() - datetime.timedelta(days=1)
    manager.page.goto("/reports/")
    form = manager.page.locator("#request-programme_report")
    form.get_by_label("From").fill(date_from.isoformat())
    form.get_by_label("To (inclusive)").fill(today.isoformat())
    form.get_by_role("button", name="Request").click()
    expect(manager.page).to_have_url(re.compile(r"/reports/[0-9a-f-]+/$"))
    job = ReportJob.objects.get(kind="programme_report", requested_by=people["manager"])
    report_services.report_render(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.READY, job.progress_message
    text = " ".join(pdf_text(job.file.read()).split())
    assert "Contributions made at the period's engagements: 2." in text
    assert "Adopted or partly adopted: 1 of 1 contributions with a known outcome" in text
    assert "Adoption rate by month (%)" in text
    assert "Feedback links sent to partners: 1. Answered: 1." in text
    assert "We will pilot video testimony in two courts." in text
    assert people["amihan"].legal_name not in text
