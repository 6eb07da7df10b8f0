"""Reads for the documents of ``insights``. Every figure is a PostgreSQL
aggregate (``COUNT``, ``SUM`` over ``numeric``, ``AVG``), money is
``Decimal``; totals reuse the selectors of the apps that own the data.

Pseudonym only: no query here loads a consultant's encrypted fields
(identity, contacts, support person); they are deferred or never selected,
so a legal name cannot reach a document even by mistake.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from django.db.models import QuerySet
from django.utils.translation import gettext

from checklists import selectors as checklist_selectors
from compensation import selectors as compensation_selectors
from compensation.models import ZERO, LineKind, TimeKind
from consultants import selectors as consultant_selectors
from consultants.models import ConsentScope
from engagements import selectors as engagement_selectors
from engagements.models import Audience, EngagementType
from impact import selectors as impact_selectors
from network.selectors import leadership as leadership_selectors

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from compensation.models import Agreement
    from engagements.models import Engagement, Participation, PrivacyPlan

MANILA = ZoneInfo("Asia/Manila")

# Engagements that count in a period (approved and after, not cancelled):
# engagements' own rule, named here for the tests that check the figures.
COUNTED_STATUSES = engagement_selectors.COUNTED_STATUSES
MAX_QUOTES = 12
# The report names the most engaged consultants, then says how many more.
MAX_CONSULTANTS_NAMED = 60


def period_bounds(
    date_from: datetime.date, date_to: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """[start, end) of the days ``date_from`` to ``date_to`` in Manila."""
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=MANILA)
    end = datetime.datetime.combine(
        date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=MANILA
    )
    return start, end


# --- Engagement brief ---------------------------------------------------------------------


def brief_participations(
    engagements: QuerySet[Engagement] | Iterable[Engagement],
) -> QuerySet[Participation]:
    """Participations of ``engagements`` a brief may be written for: the
    consultant is invited or booked."""
    return engagement_selectors.participations_invited_or_booked(engagements=engagements)


@dataclass(frozen=True)
class Brief:
    engagement: Engagement
    participation: Participation
    pseudonym: str
    starts: datetime.datetime
    ends: datetime.datetime
    plan: PrivacyPlan | None
    agreement: Agreement | None
    # True when no version is in force yet and ``agreement`` is the proposal
    # in front of an invited consultant (it binds once they accept).
    agreement_is_proposal: bool
    estimated_hours: Sequence[tuple[StrOrPromise, Decimal]]
    allowances: list


def brief_for(*, participation: Participation) -> Brief:
    """What one consultant needs to know about one engagement."""
    participation = engagement_selectors.participation_with_engagement(pk=participation.pk)
    engagement = participation.engagement
    plan = engagement_selectors.privacy_plan_for(engagement=engagement)
    agreement = compensation_selectors.agreement_in_force(participation)
    proposal = False
    if agreement is None and participation.is_invited:
        agreement = compensation_selectors.agreement_latest(participation)
        proposal = agreement is not None
    estimated = []
    allowances = []
    if agreement is not None:
        estimated = [
            (label, getattr(agreement, f"estimated_{kind}_hours"))
            for kind, label in TimeKind.choices
            if getattr(agreement, f"estimated_{kind}_hours")
        ]
        allowances = list(agreement.allowances.all())
    period = participation.period
    return Brief(
        engagement=engagement,
        participation=participation,
        pseudonym=participation.consultant.pseudonym,
        starts=(period.lower if period and period.lower else engagement.start),
        ends=(period.upper if period and period.upper else engagement.end),
        plan=plan,
        agreement=agreement,
        agreement_is_proposal=proposal,
        estimated_hours=estimated,
        allowances=allowances,
    )


# --- Programme report ---------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    label: str
    value: Decimal | int


@dataclass
class Programme:
    date_from: datetime.date
    date_to: datetime.date
    engagements: int = 0
    cancelled: int = 0
    by_type: list[Row] = field(default_factory=list)
    by_audience: list[Row] = field(default_factory=list)
    consultants: list[Row] = field(default_factory=list)  # pseudonym, engagements; the most engaged
    consultants_count: int = 0  # every consultant engaged

    @property
    def consultants_more(self) -> int:
        return max(self.consultants_count - len(self.consultants), 0)

    hours_by_kind: list[Row] = field(default_factory=list)
    hours_total: Decimal = ZERO
    earned_by_kind: list[Row] = field(default_factory=list)
    earned_total: Decimal = ZERO
    paid_by_type: list[Row] = field(default_factory=list)
    paid_total: Decimal = ZERO
    months: list = field(default_factory=list)  # compensation MonthShare
    payments: int = 0
    payments_on_time: int = 0
    checklist_counted: int = 0
    checklist_on_time: int = 0
    checklist_open_overdue: int = 0
    checklist_percent: Decimal | None = None
    feedback_count: int = 0
    feedback_scores: list[Row] = field(default_factory=list)
    quotes: list[dict] = field(default_factory=list)
    impact: impact_selectors.ProgrammeImpact | None = None
    leadership: leadership_selectors.ProgrammeLeadership | None = None

    @property
    def on_time_percent(self) -> Decimal | None:
        if not self.payments:
            return None
        return (Decimal(100) * self.payments_on_time / self.payments).quantize(Decimal("0.1"))

    @property
    def is_empty(self) -> bool:
        return not (
            self.engagements
            or self.cancelled
            or self.hours_total
            or self.earned_total
            or self.payments
            or self.feedback_count
            or (self.impact is not None and not self.impact.is_empty)
            or (self.leadership is not None and not self.leadership.is_empty)
        )


def _labelled(rows: list[tuple[str, int]], labels: dict) -> list[Row]:
    return [Row(str(labels.get(value, value or "—")), n) for value, n in rows]


def programme_summary(*, date_from: datetime.date, date_to: datetime.date, user) -> Programme:
    """The programme between two days (Manila, both included). ``user`` is
    the requester; compliance is read through ``checklists`` with their
    visibility (managers, finance and administrators see every engagement).
    Under thirty queries whatever the volume, each an aggregate or a
    bounded list: a few dozen rows back in all, so gathering stays small
    beside the rendering and the worker's memory does not grow with the
    data (PostgreSQL's JIT is off for every connection: settings)."""
    start, end = period_bounds(date_from, date_to)
    summary = Programme(date_from=date_from, date_to=date_to)

    tally = engagement_selectors.engagement_tally(start=start, end=end)
    counted = engagement_selectors.engagements_counted(start=start, end=end)
    summary.cancelled = tally.cancelled
    types = dict(EngagementType.choices)
    summary.by_type = _labelled(tally.by_type, types)
    summary.engagements = int(sum(row.value for row in summary.by_type))
    summary.by_audience = _labelled(tally.by_audience, dict(Audience.choices))

    # Named only while her consent to be quoted by pseudonym stands (a
    # withdrawal reaches every report made after it); the rest are counted.
    engaged = engagement_selectors.engaged_consultants_bounded(
        engagements=counted,
        limit=MAX_CONSULTANTS_NAMED,
        may_name=consultant_selectors.consultants_with_consent(scope=ConsentScope.QUOTING),
    )
    summary.consultants = [Row(row["consultant__pseudonym"], row["n"]) for row in engaged.rows]
    summary.consultants_count = engaged.count

    hours = compensation_selectors.approved_hours(date_from=date_from, date_to=date_to)
    summary.hours_by_kind = [
        Row(str(label), hours.by_kind[kind])
        for kind, label in TimeKind.choices
        if kind in hours.by_kind
    ]
    summary.hours_total = hours.total

    earned = compensation_selectors.earned(date_from=date_from, date_to=date_to)
    summary.earned_by_kind = [
        Row(str(label), earned.by_kind[kind])
        for kind, label in LineKind.choices
        if earned.by_kind[kind]
    ]
    summary.earned_total = earned.total

    paid: dict[str, Decimal] = {}
    for row in compensation_selectors.totals_by_month_and_type(
        date_from=date_from, date_to=date_to
    ):
        paid[row["engagement_type"]] = paid.get(row["engagement_type"], ZERO) + row["total"]
    summary.paid_by_type = [
        Row(str(types.get(kind) or _no_engagement()), total)
        for kind, total in sorted(paid.items(), key=lambda item: (-item[1], item[0]))
    ]
    summary.months = compensation_selectors.on_time_by_month(date_from=date_from, date_to=date_to)
    summary.payments = sum(month.payments for month in summary.months)
    summary.payments_on_time = sum(month.on_time for month in summary.months)
    summary.paid_total = sum((month.total for month in summary.months), ZERO)

    # One aggregate over the items of the period's counted engagements (as
    # the requester may see them); nothing per checklist reaches Python.
    # ``counted`` already starts at ``start``: no ``since``, no second join.
    compliance = checklist_selectors.compliance_totals(user=user, engagements=counted)
    summary.checklist_counted = compliance.counted
    summary.checklist_on_time = compliance.on_time
    summary.checklist_open_overdue = compliance.open_overdue
    summary.checklist_percent = compliance.percent

    feedback = engagement_selectors.feedback_averages(engagements=counted)
    summary.feedback_count = feedback.count
    if summary.feedback_count:
        summary.feedback_scores = [
            # Never NULL here: the scores are NOT NULL and there is feedback.
            Row(str(score.label), Decimal(score.average or 0).quantize(Decimal("0.1")))
            for score in feedback.scores
        ]
    summary.quotes = quotes(engagements=counted)
    # Contributions of the counted engagements, their outcomes, the partners'
    # answers and the works published in the period (impact's own aggregates).
    summary.impact = impact_selectors.programme_impact(
        engagements=counted, date_from=date_from, date_to=date_to, tz=MANILA
    )
    # Survivor leadership (the network's own aggregates): leaders named by
    # pseudonym under the same consent rule as the consultants engaged.
    summary.leadership = leadership_selectors.programme_leadership(
        start,
        end,
        may_name=consultant_selectors.consultants_with_consent(scope=ConsentScope.QUOTING),
    )
    return summary


def _no_engagement() -> str:
    return gettext("Not tied to an engagement")


def quotes(*, engagements: QuerySet[Engagement]) -> list[dict]:
    """Feedback comments that may be quoted: not anonymous, and the
    consultant's consent to be quoted by pseudonym stands today. Pseudonym,
    engagement type and words only."""
    quotable = consultant_selectors.consultants_with_consent(scope=ConsentScope.QUOTING).values(
        "pk"
    )
    types = dict(EngagementType.choices)
    return [
        {
            "pseudonym": quote.pseudonym,
            "engagement_type": str(types.get(quote.engagement_type, "")),
            "words": quote.words,
        }
        for quote in engagement_selectors.feedback_quotes(
            engagements=engagements, consultants=quotable, limit=MAX_QUOTES
        )
    ]
