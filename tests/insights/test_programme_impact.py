"""The programme report shows impact: contributions by kind, outcomes by
status, the adoption rate by month (a chart), the partners' answers, the
works published, and quotes and credits by pseudonym only where each
consultant's consent to be quoted stands when the report is generated."""

from __future__ import annotations

import datetime
import secrets

import pytest
from django.utils import timezone

from consultants import services as consultant_services
from consultants.models import ConsentScope
from engagements.models import Participation
from impact import services
from impact.models import FeedbackRequest, OutcomeStatus, PartnerFeedback, WorkCredit
from insights import selectors
from tests.engagements.factories import ParticipationFactory
from tests.fixtures import EVERYDAY
from tests.helpers import past_engagement
from tests.insights.conftest import render

pytestmark = pytest.mark.django_db

QUOTED = "Let children give testimony by video, away from the accused."
UNQUOTED = "Offer a written option to anyone who would rather not speak."
WILL_CHANGE = "We will pilot video testimony in two courts."


def _period() -> dict:
    today = timezone.localdate()
    return {"date_from": today - datetime.timedelta(days=200), "date_to": today}


def _params() -> dict:
    return {key: value.isoformat() for key, value in _period().items()}


def _answer(engagement, by, *, useful="yes", will_change=WILL_CHANGE) -> PartnerFeedback:
    now = timezone.now()
    link = FeedbackRequest.objects.create(
        engagement=engagement,
        token_hash=secrets.token_hex(32),
        created_by=by,
        created_at=now,
        expires_at=now + datetime.timedelta(days=14),
        used_at=now,
    )
    return PartnerFeedback.objects.create(
        request=link, engagement=engagement, useful=useful, will_change=will_change
    )


def _engagement_with_impact(owner, consultants, *, days_ago, adopted: bool, summary=QUOTED):
    engagement = past_engagement(owner, days_ago=days_ago)
    for consultant in consultants:
        ParticipationFactory(
            engagement=engagement, consultant=consultant, status=Participation.Status.ATTENDED
        )
    contribution = services.contribution_create(
        engagement=engagement,
        by=owner,
        kind="recommendation",
        summary=summary,
        consultants=consultants,
    )
    services.outcome_record(
        contribution=contribution,
        by=owner,
        status=OutcomeStatus.ADOPTED if adopted else OutcomeStatus.NOT_ADOPTED,
        decided_on=timezone.localdate(),
    )
    services.contribution_create(
        engagement=engagement,
        by=owner,
        kind="review",
        summary=UNQUOTED,
        consultants=consultants[:1],
    )
    _answer(engagement, owner)
    work = services.work_create(
        engagement=engagement,
        by=owner,
        title=f"Guide {days_ago}",
        kind="checklist",
        consultants=consultants,
        published_on=timezone.localdate() - datetime.timedelta(days=days_ago - 5),
    )
    WorkCredit.objects.filter(work=work).update(credit_as=WorkCredit.CreditAs.PSEUDONYM)
    return engagement


@pytest.fixture
def voices(make_consultant):
    """Amihan and Bayani consent to be quoted; Dalisay does not."""
    quoting = (*EVERYDAY, ConsentScope.QUOTING)
    return {
        "amihan": make_consultant(pseudonym="Amihan", scopes=quoting),
        "bayani": make_consultant(pseudonym="Bayani", scopes=quoting),
        "dalisay": make_consultant(pseudonym="Dalisay"),
    }


def test_the_summary_takes_the_same_queries_with_more_impact(
    owner, manager_user, voices, django_assert_num_queries
):
    _engagement_with_impact(owner, [voices["amihan"]], days_ago=30, adopted=True)
    with django_assert_num_queries(28):  # 12, impact's 7 and leadership's 9
        summary = selectors.programme_summary(**_period(), user=manager_user)
    impact = summary.impact
    assert (impact.contributions, impact.decided, impact.taken_up) == (2, 1, 1)
    assert impact.partner.sent == impact.partner.answered == 1
    assert impact.works == 1

    for days_ago, adopted in ((40, False), (70, True), (100, False), (130, True)):
        _engagement_with_impact(
            owner, [voices["amihan"], voices["bayani"]], days_ago=days_ago, adopted=adopted
        )
    with django_assert_num_queries(28):
        summary = selectors.programme_summary(**_period(), user=manager_user)
    impact = summary.impact
    assert impact.contributions == 10
    assert impact.by_kind == {"recommendation": 5, "review": 5}
    assert impact.by_status == {
        OutcomeStatus.ADOPTED: 3,
        OutcomeStatus.NOT_ADOPTED: 2,
        OutcomeStatus.UNKNOWN: 5,
    }
    assert (impact.decided, impact.taken_up, str(impact.percent)) == (5, 3, "60.0")
    assert sum(month.contributions for month in impact.months) == 10
    assert impact.partner.useful["yes"] == impact.partner.answered == 5
    assert len(impact.partner.recent) == 5
    assert impact.works == 5 and len(impact.works_named) == 5
    # Taken-up contributions are quoted first, each with all its consultants.
    assert impact.quotes[0]["words"] == QUOTED
    assert len(impact.quotes) == selectors_max()


def selectors_max() -> int:
    from impact.selectors import MAX_CONTRIBUTION_QUOTES

    return MAX_CONTRIBUTION_QUOTES


def test_a_contribution_is_quoted_only_when_every_one_of_its_consultants_consents(
    owner, manager_user, voices
):
    _engagement_with_impact(owner, [voices["amihan"], voices["dalisay"]], days_ago=20, adopted=True)
    summary = selectors.programme_summary(**_period(), user=manager_user)
    # Dalisay never agreed: the recommendation she gave with Amihan is not
    # quoted; the review Amihan gave alone is.
    assert [(q["words"], q["pseudonyms"]) for q in summary.impact.quotes] == [
        (UNQUOTED, ["Amihan"])
    ]
    [work] = summary.impact.works_named
    assert work.credit_lines == ["Amihan"]


def test_a_long_partner_answer_is_cut_short(owner, manager_user, voices):
    engagement = _engagement_with_impact(owner, [voices["amihan"]], days_ago=20, adopted=True)
    PartnerFeedback.objects.filter(engagement=engagement).update(will_change="word " * 400)
    summary = selectors.programme_summary(**_period(), user=manager_user)
    [answer] = summary.impact.partner.recent
    assert len(answer) <= 300 and answer.endswith("…")


@pytest.mark.pdf
def test_the_pdf_shows_impact_and_drops_a_consultant_who_withdrew(owner, manager_user, voices):
    _engagement_with_impact(owner, [voices["amihan"], voices["bayani"]], days_ago=20, adopted=True)
    _engagement_with_impact(owner, [voices["bayani"]], days_ago=50, adopted=False)
    _, text = render(
        kind="programme_report",
        user=manager_user,
        params=_params(),
        artifact="insights-programme-impact.pdf",
    )
    flat = " ".join(text.split())
    assert "What the consultants' voices changed" in flat
    assert "Contributions made at the period's engagements: 4." in flat
    assert "Adoption rate by month (%)" in flat
    assert "Adopted or partly adopted: 1 of 2 contributions with a known outcome (50.0%)" in flat
    assert "Feedback links sent to partners: 2. Answered: 2." in flat
    assert "Partners who said what they will change: 2." in flat
    assert WILL_CHANGE in flat
    assert "Works co-created with consultants and published in the period: 2." in flat
    assert "Guide 20" in flat and "Guide 50" in flat
    assert f"“{QUOTED}”" in flat
    assert "— Amihan, Bayani" in flat
    assert "With Amihan, Bayani." in flat

    consultant_services.consent_withdraw(
        consultant=voices["amihan"], scope=ConsentScope.QUOTING, by=manager_user
    )
    _, text = render(kind="programme_report", user=manager_user, params=_params())
    flat = " ".join(text.split())
    # In no quote, no credit and no list of names generated after: she is
    # counted among those engaged, never named.
    assert "Amihan" not in flat
    assert "Only consultants who agreed to be quoted by their pseudonym are named." in flat
    assert "— Amihan" not in flat and "Amihan, Bayani" not in flat
    assert "With Amihan" not in flat and "With Bayani, Amihan" not in flat
    quotes_and_works = flat.split("What they proposed", 1)[1]
    assert "Amihan" not in quotes_and_works
    # Bayani alone gave the other engagement's contributions: still quoted, still credited.
    assert "— Bayani" in flat and "With Bayani." in flat
    assert "Contributions made at the period's engagements: 4." in flat


@pytest.mark.pdf
def test_the_impact_section_reads_in_filipino(owner, manager_user, voices):
    from reports import services as report_services
    from reports.models import ReportJob
    from tests.helpers import pdf_text
    from tests.reports.factories import ReportJobFactory

    _engagement_with_impact(owner, [voices["amihan"]], days_ago=20, adopted=True)
    job = ReportJobFactory(
        kind="programme_report", requested_by=manager_user, params=_params(), language="fil"
    )
    report_services.report_render(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ReportJob.Status.READY, job.progress_message
    flat = " ".join(pdf_text(job.file.read()).split())
    assert "Ang binago ng boses ng mga consultant" in flat
    assert "Antas ng pagtanggap, bawat buwan (%)" in flat
    assert "Mga ambag sa mga gawain ng panahong ito: 2." in flat
    assert "Tinanggap nang buo o bahagya: 1 sa 1 ambag" in flat
