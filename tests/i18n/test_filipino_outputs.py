"""What Tinig makes for a consultant whose language is Filipino, away from
her pages, is in Filipino too: the invitation e-mail (text and HTML), a
reminder of an engagement coming up (e-mail and text message), the
calendar file, and her statement of pay as a PDF. Each is held to the
English detector of tests/i18n_checks.py and must carry a known Filipino
phrase."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import strip_tags

from accounts.roles import Role
from consultants import services as consultant_services
from consultants.models import ConsentScope
from engagements import calendar
from engagements import services as engagement_services
from engagements.models import Engagement, Participation
from reminders.registry import get_kind
from reminders.services import render_message
from reports import services as report_services
from reports.models import ReportJob
from tests.consultants.factories import ConsultantFactory, WeeklyAvailabilityFactory, published_text
from tests.engagements.factories import EngagementFactory, ParticipationFactory, at
from tests.helpers import approved_time, client_for, past_engagement, pdf_text
from tests.i18n_checks import doubled_stops, english_sentences

pytestmark = pytest.mark.django_db

PSEUDONYM = "Tala"
TITLE = "Gawain sa Cebu"
EMAIL = "tala@example.net"
# A Tuesday far ahead, outside every quiet hour at 10:00 Manila.
DAY = datetime.date(2031, 6, 3)
ALLOW = [PSEUDONYM, TITLE, EMAIL]


def _filipino(text: str, *, phrase: str, allow=()) -> None:
    """``text`` reads as Filipino: no English sentence, no doubled stop after
    a time, and ``phrase`` in it."""
    assert not english_sentences(text, allow=[*ALLOW, *allow]), text
    assert not doubled_stops(text), text
    assert phrase in text, text


@pytest.fixture
def her(make_user):
    """Tala, whose account is in Filipino, free on DAY with the everyday consents."""
    user = make_user(Role.CONSULTANT, display_name=PSEUDONYM, language="fil")
    consultant = ConsultantFactory(
        pseudonym=PSEUDONYM,
        message_name="Ising",
        email=EMAIL,
        legal_name="Maria Lihim",
        preferred_languages=["fil"],
        user=user,
    )
    WeeklyAvailabilityFactory(
        consultant=consultant,
        weekday=DAY.weekday(),
        start_time=datetime.time(8),
        end_time=datetime.time(18),
    )
    return consultant


@pytest.fixture
def owner(make_user):
    return make_user(Role.PROGRAMME_STAFF)


@pytest.fixture
def engagement(owner):
    """The shared fixture's past engagement, with a Filipino title: the
    statement names it."""
    return past_engagement(owner, title=TITLE)


@pytest.fixture
def own_consultant(her):
    return her


@pytest.fixture
def consultant_user(her):
    return her.user


def test_the_invitation_email(her, owner, settings, django_capture_on_commit_callbacks):
    settings.REMINDERS_QUIET_START = settings.REMINDERS_QUIET_END = "00:00"
    for scope in (ConsentScope.PARTICIPATION, ConsentScope.DATA_PROCESSING):
        published_text(scope, body="Text", filipino="Teksto")
        consultant_services.consent_grant(consultant=her, scope=scope, by=owner)
    engagement = EngagementFactory(
        owner=owner, status=Engagement.Status.STAFFING, start=at(DAY, 10), end=at(DAY, 12)
    )
    with django_capture_on_commit_callbacks(execute=True):
        engagement_services.participation_invite(
            engagement=engagement, consultant=her, role="participant", by=owner
        )

    (message,) = [m for m in mail.outbox if m.to == [EMAIL]]
    _filipino(message.subject, phrase="bagong imbitasyon")
    _filipino(message.body, phrase="imbitasyon")
    for html, _type in message.alternatives:
        _filipino(strip_tags(str(html)), phrase="imbitasyon")


def test_a_reminder_of_an_engagement_coming_up(her, owner):
    kind = get_kind("engagement_upcoming")
    context = {
        "start": at(DAY, 10),
        "end": at(DAY, 12),
        "online": False,
        "venue": "Bulwagan ng Barangay",
        "online_link": "",
        "support_person": "Si Josefa, ang tiya mo",
        "url": "https://tinig.example.org/portal/engagements/",
    }
    allow = ["Bulwagan ng Barangay", "Si Josefa, ang tiya mo"]

    message = render_message(kind, recipient=her, context=context)

    _filipino(message.subject, phrase="Tinig: meeting sa 3 Hunyo")
    _filipino(message.text, phrase="Paalala: mula 10:00 n.u. hanggang 12:00 n.h.", allow=allow)
    if message.html:
        _filipino(strip_tags(message.html), phrase="Paalala", allow=allow)
    text = render_message(kind, recipient=her, context=context, channel="sms").text
    _filipino(text, phrase="paalala", allow=allow)


def test_the_calendar_file(her, owner):
    engagement = EngagementFactory(
        owner=owner, status=Engagement.Status.CONFIRMED, start=at(DAY, 10), end=at(DAY, 12)
    )
    participation = ParticipationFactory(
        engagement=engagement, consultant=her, status=Participation.Status.CONFIRMED
    )
    with translation.override("fil"):
        made = calendar.participation_ics(participation, portal_url="https://tinig.example.org/")
    # Her download, in the language her account is in.
    response = client_for(her.user).get(reverse("my_engagements:ics", args=[participation.pk]))
    assert response.status_code == 200
    downloaded = response.content.decode()

    for ics in (made, downloaded):
        # Folded lines (RFC 5545) are joined before reading.
        text = ics.replace("\r\n ", "").replace("\\,", ",").replace("\\n", "\n")
        _filipino(text, phrase="Nasa Tinig portal ang mga detalye.")
        assert "SUMMARY:Pulong sa Tinig" in text


@pytest.mark.pdf
def test_her_statement_of_pay(
    agreement, her, owner, manager_user, django_capture_on_commit_callbacks
):
    # Staff approve her time on English pages; the line is described in
    # her language all the same (compensation.services._common.in_her_language).
    with translation.override("en"):
        approved_time(agreement.participation, by=owner, approver=manager_user, hours="2.50")
    today = timezone.localdate()
    with django_capture_on_commit_callbacks(execute=False):
        response = client_for(her.user).post(
            reverse("reports:request", args=["consultant_statement"]),
            {
                "consultant_statement-date_from": (today - datetime.timedelta(days=60)).isoformat(),
                "consultant_statement-date_to": today.isoformat(),
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    job = ReportJob.objects.get(requested_by=her.user, kind="consultant_statement")
    assert job.language == "fil"

    report_services.report_render(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ReportJob.Status.READY
    text = pdf_text(job.file.read())
    _filipino(text, phrase="Talaan ng bayad")
    assert "KINITA SA PANAHONG ITO" in text  # a heading, in capitals
    assert "₱1,900.00" in text
    assert "Maria Lihim" not in text


@pytest.mark.pdf
def test_her_statement_names_each_line_in_filipino(agreement, her, owner, manager_user):
    # Staff approve her time on English pages; the line is described in
    # her language all the same (compensation.services._common.in_her_language).
    with translation.override("en"):
        approved_time(agreement.participation, by=owner, approver=manager_user, hours="2.50")
    today = timezone.localdate()
    with translation.override("fil"):
        job = report_services.report_request(
            user=her.user,
            kind="consultant_statement",
            params={
                "date_from": (today - datetime.timedelta(days=60)).isoformat(),
                "date_to": today.isoformat(),
            },
        )
    report_services.report_render(job_id=job.pk)
    job.refresh_from_db()
    text = " ".join(pdf_text(job.file.read()).split())
    assert "Allowance (Pagkain): Gawain sa Cebu" in text
    assert "Ang mismong gawain, 2.50 oras: Gawain sa Cebu" in text
