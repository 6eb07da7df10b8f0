"""Reading contributions and outcomes: a fixed number of queries per page,
whatever an engagement holds (an engagement has a handful of contributions;
a consultant's list pages)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.postgres.aggregates import ArrayAgg
from django.db.models import Case, Count, F, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Left, TruncMonth
from django.utils import timezone

from consultants.models import ConsentScope, Consultant
from consultants.selectors import consultants_with_consent
from engagements.models import Engagement
from impact.models import (
    Contribution,
    FeedbackRequest,
    Outcome,
    OutcomeStatus,
    PartnerFeedback,
    Work,
    WorkCredit,
)


def quotable_ids(consultant_ids) -> set[int]:
    """Of these consultants, those whose consent to be quoted by pseudonym
    stands now (one query)."""
    return set(
        consultants_with_consent(
            scope=ConsentScope.QUOTING,
            queryset=Consultant.objects.filter(pk__in=list(consultant_ids)),
        ).values_list("pk", flat=True)
    )


def contributions_index(
    contributions: QuerySet[Contribution], *, query: str = ""
) -> QuerySet[Contribution]:
    """The staff's impact page: the given contributions
    (``access.contributions_visible_to``) with their engagement, those still
    waiting for an outcome ("unknown") first, then by the engagement's
    start, newest first. ``query`` keeps the engagements whose title holds
    it. One query a page, whatever the volume."""
    if query:
        contributions = contributions.filter(engagement__title__icontains=query)
    return (
        contributions.select_related("engagement")
        .annotate(
            waiting=Case(
                When(status=OutcomeStatus.UNKNOWN, then=Value(0)),
                default=Value(1),
            )
        )
        .order_by("waiting", "-engagement__start", "-pk")
    )


def contributions_of_engagement(engagement: Engagement) -> list[Contribution]:
    """With their consultants (pseudonym; ``quotable`` marks those who may be
    named outside the team) and their latest outcome. Three queries."""
    contributions = list(
        Contribution.objects.filter(engagement=engagement)
        .prefetch_related(
            Prefetch(
                "consultants",
                queryset=Consultant.objects.only("pk", "pseudonym").order_by("pseudonym"),
            )
        )
        .order_by("created_at", "id")
    )
    ids = {c.pk for contribution in contributions for c in contribution.consultants.all()}
    quotable = quotable_ids(ids) if ids else set()
    for contribution in contributions:
        for consultant in contribution.consultants.all():
            setattr(consultant, "quotable", consultant.pk in quotable)  # noqa: B010
    return contributions


@dataclass(frozen=True)
class EngagementImpact:
    contributions: list[Contribution]
    unknown: int
    feedback: PartnerFeedback | None
    open_link: FeedbackRequest | None


def engagement_impact(engagement: Engagement) -> EngagementImpact:
    contributions = contributions_of_engagement(engagement)
    feedback = (
        PartnerFeedback.objects.filter(engagement=engagement)
        .prefetch_related("follow_ups")
        .order_by("-submitted_at", "-id")
        .first()
    )
    open_link = (
        FeedbackRequest.objects.filter(engagement=engagement, used_at=None, revoked_at=None)
        .order_by("-created_at")
        .first()
    )
    if feedback is not None:
        answers = {answer.contribution_id: answer for answer in feedback.follow_ups.all()}
        for contribution in contributions:
            setattr(contribution, "follow_up", answers.get(contribution.pk))  # noqa: B010
    return EngagementImpact(
        contributions=contributions,
        unknown=sum(1 for c in contributions if c.status == OutcomeStatus.UNKNOWN),
        feedback=feedback,
        open_link=open_link,
    )


def outcomes_of(contribution: Contribution) -> QuerySet[Outcome]:
    return Outcome.objects.filter(contribution=contribution).select_related("recorded_by")


def consultant_contributions(consultant: Consultant) -> QuerySet[Contribution]:
    """Her own contributions, newest engagement first, with their engagement
    and their latest outcome (``latest``: a prefetch of one)."""
    return (
        Contribution.objects.filter(consultants=consultant)
        .select_related("engagement")
        .prefetch_related(
            Prefetch(
                "outcomes",
                queryset=Outcome.objects.only(
                    "pk", "contribution_id", "status", "decided_on", "shared_note", "recorded_at"
                ).order_by("-recorded_at", "-id"),
                to_attr="history",
            )
        )
        .order_by("-engagement__start", "created_at", "id")
    )


def partner_view(engagement: Engagement) -> list[tuple[Contribution, list[str]]]:
    """What the partner's form shows: each contribution with the pseudonyms
    of those of its consultants who agreed to be quoted by pseudonym; the
    others are not named."""
    rows = []
    for contribution in contributions_of_engagement(engagement):
        rows.append(
            (
                contribution,
                [
                    c.pseudonym
                    for c in contribution.consultants.all()
                    if getattr(c, "quotable", False)
                ],
            )
        )
    return rows


# --- Co-created works -------------------------------------------------------------------


def credit_line(credit: WorkCredit, *, quotable: bool) -> str:
    """How the work names her: her choice, while her consent to be quoted
    stands; "" (not named) otherwise, or when she chose not to be."""
    if not quotable:
        return ""
    if credit.credit_as == WorkCredit.CreditAs.PSEUDONYM:
        return credit.consultant.pseudonym
    if credit.credit_as == WorkCredit.CreditAs.CHOSEN_NAME:
        return credit.chosen_name
    return ""


def works_of_engagement(engagement: Engagement) -> list[Work]:
    """The works an engagement produced, each with ``credit_lines`` (the
    names as the work may print them). Three queries."""
    works = list(
        Work.objects.filter(engagements=engagement)
        .prefetch_related(
            Prefetch(
                "credits",
                queryset=WorkCredit.objects.select_related("consultant").order_by(
                    "consultant__pseudonym"
                ),
            )
        )
        .order_by("-created_at", "-id")
    )
    ids = {credit.consultant_id for work in works for credit in work.credits.all()}
    quotable = quotable_ids(ids) if ids else set()
    for work in works:
        lines = []
        for credit in work.credits.all():
            line = credit_line(credit, quotable=credit.consultant_id in quotable)
            setattr(credit, "shown", line)  # noqa: B010
            if line:
                lines.append(line)
        setattr(work, "credit_lines", lines)  # noqa: B010
    return works


def consultant_credits(consultant: Consultant) -> QuerySet[WorkCredit]:
    """The works she is on (her own credits only)."""
    return (
        WorkCredit.objects.filter(consultant=consultant)
        .select_related("work")
        .order_by("-work__created_at", "-id")
    )


# --- The programme report (insights) ------------------------------------------------------

# What an organisation reads as "decided": the partner said yes, in part, or no.
DECIDED = (OutcomeStatus.ADOPTED, OutcomeStatus.PARTLY_ADOPTED, OutcomeStatus.NOT_ADOPTED)
TAKEN_UP = (OutcomeStatus.ADOPTED, OutcomeStatus.PARTLY_ADOPTED)
MAX_PARTNER_ANSWERS = 5
MAX_PARTNER_ANSWER_CHARS = 300
MAX_WORKS_NAMED = 20
MAX_CONTRIBUTION_QUOTES = 5
# A credit as a document prints it; never a consultant's encrypted fields.
CREDIT_FIELDS = ("pk", "work_id", "credit_as", "chosen_name", "consultant__pseudonym")


@dataclass(frozen=True)
class AdoptionMonth:
    month: datetime.date
    contributions: int
    decided: int
    taken_up: int

    @property
    def percent(self) -> Decimal | None:
        if not self.decided:
            return None
        return (Decimal(100) * self.taken_up / self.decided).quantize(Decimal("0.1"))


@dataclass(frozen=True)
class PartnerAnswers:
    sent: int = 0
    answered: int = 0
    useful: dict[str, int] = field(default_factory=dict)  # PartnerFeedback.Useful -> count
    will_change: int = 0  # answers that say what they will change
    recent: list[str] = field(default_factory=list)  # the newest, short


@dataclass(frozen=True)
class ProgrammeImpact:
    contributions: int
    by_kind: dict[str, int]  # Contribution.Kind -> count
    by_status: dict[str, int]  # OutcomeStatus -> count
    months: list[AdoptionMonth]
    partner: PartnerAnswers
    works: int
    works_named: list[Work]  # ``credit_lines``: names as the work may print them, today
    quotes: list[dict]  # summary and pseudonyms, every consultant quotable today

    @property
    def decided(self) -> int:
        return sum(self.by_status.get(status, 0) for status in DECIDED)

    @property
    def taken_up(self) -> int:
        return sum(self.by_status.get(status, 0) for status in TAKEN_UP)

    @property
    def percent(self) -> Decimal | None:
        if not self.decided:
            return None
        return (Decimal(100) * self.taken_up / self.decided).quantize(Decimal("0.1"))

    def kind_rows(self) -> list[tuple[str, int]]:
        """(label, count) for each kind there is, in the order of the choices."""
        return [
            (str(label), self.by_kind[kind])
            for kind, label in Contribution.Kind.choices
            if self.by_kind.get(kind)
        ]

    def status_rows(self) -> list[tuple[str, int]]:
        return [
            (str(label), self.by_status.get(status, 0)) for status, label in OutcomeStatus.choices
        ]

    def useful_rows(self) -> list[tuple[str, int]]:
        return [
            (str(label), self.partner.useful.get(value, 0))
            for value, label in PartnerFeedback.Useful.choices
        ]

    @property
    def works_more(self) -> int:
        return max(self.works - len(self.works_named), 0)

    @property
    def is_empty(self) -> bool:
        return not (self.contributions or self.partner.sent or self.works)


def programme_impact(
    *,
    engagements: QuerySet[Engagement],
    date_from: datetime.date,
    date_to: datetime.date,
    tz: datetime.tzinfo,
) -> ProgrammeImpact:
    """Impact for the programme report: the contributions of ``engagements``
    (the period's, counted by the report), their current outcomes and, by
    month of the engagement, how many of those decided were taken up; the
    partners' answers about them; the works published between the two
    days. Six queries whatever the volume, each an aggregate or a bounded
    list. Quotes and credits are checked against the consent to be quoted
    as it stands now: a consultant who withdrew it is in neither."""
    contributions = Contribution.objects.filter(engagement__in=engagements)
    rows = (
        contributions.annotate(month=TruncMonth("engagement__start", tzinfo=tz))
        .values("month", "kind", "status")
        .annotate(n=Count("pk"))
        .order_by("month", "kind", "status")
    )
    by_kind: dict[str, int] = {}
    by_status: dict[str, int] = {}
    months: dict[datetime.date, list[int]] = {}
    for row in rows:
        by_kind[row["kind"]] = by_kind.get(row["kind"], 0) + row["n"]
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        month = months.setdefault(timezone.localtime(row["month"], tz).date(), [0, 0, 0])
        month[0] += row["n"]
        if row["status"] in DECIDED:
            month[1] += row["n"]
        if row["status"] in TAKEN_UP:
            month[2] += row["n"]
    return ProgrammeImpact(
        contributions=sum(by_kind.values()),
        by_kind=by_kind,
        by_status=by_status,
        months=[
            AdoptionMonth(month=month, contributions=n, decided=decided, taken_up=taken)
            for month, (n, decided, taken) in sorted(months.items())
        ],
        partner=_partner_answers(engagements),
        works=Work.objects.filter(published_on__gte=date_from, published_on__lte=date_to).count(),
        works_named=_works_published(date_from=date_from, date_to=date_to),
        quotes=_contribution_quotes(contributions),
    )


def _quotable_subquery():
    return consultants_with_consent(scope=ConsentScope.QUOTING).values("pk")


def _partner_answers(engagements: QuerySet[Engagement]) -> PartnerAnswers:
    """Links sent for ``engagements`` and what came back (one aggregate),
    and the newest "what will you change" answers, cut short (one query)."""
    useful = PartnerFeedback.Useful
    totals = FeedbackRequest.objects.filter(engagement__in=engagements).aggregate(
        sent=Count("pk"),
        answered=Count("feedback"),
        will_change=Count("feedback", filter=~Q(feedback__will_change="")),
        **{
            f"useful_{value}": Count("feedback", filter=Q(feedback__useful=value))
            for value in useful.values
        },
    )
    recent = (
        PartnerFeedback.objects.filter(engagement__in=engagements)
        .exclude(will_change="")
        .annotate(words=Left("will_change", MAX_PARTNER_ANSWER_CHARS + 1))
        .order_by("-submitted_at", "-id")
        .values_list("words", flat=True)[:MAX_PARTNER_ANSWERS]
    )
    return PartnerAnswers(
        sent=totals["sent"],
        answered=totals["answered"],
        useful={value: totals[f"useful_{value}"] for value in useful.values},
        will_change=totals["will_change"],
        recent=[_shorten(words) for words in recent],
    )


def _shorten(words: str) -> str:
    words = " ".join(words.split())
    if len(words) > MAX_PARTNER_ANSWER_CHARS:
        return words[: MAX_PARTNER_ANSWER_CHARS - 1].rstrip() + "…"
    return words


def _works_published(*, date_from: datetime.date, date_to: datetime.date) -> list[Work]:
    """The newest works published between the two days (bounded), each with
    ``credit_lines``: only credits of consultants whose consent to be quoted
    stands now, as they chose. Two queries, whether or not there are works."""
    newest = Work.objects.filter(published_on__gte=date_from, published_on__lte=date_to).order_by(
        "-published_on", "-pk"
    )[:MAX_WORKS_NAMED]
    works = list(newest.only("pk", "title", "kind", "published_on"))
    credits = (
        WorkCredit.objects.filter(work__in=newest.values("pk"), consultant__in=_quotable_subquery())
        .select_related("consultant")
        .only(*CREDIT_FIELDS)
        .order_by("consultant__pseudonym", "pk")
    )
    lines: dict[int, list[str]] = {}
    for credit in credits:
        line = credit_line(credit, quotable=True)
        if line:
            lines.setdefault(credit.work_id, []).append(line)
    for work in works:
        setattr(work, "credit_lines", lines.get(work.pk, []))  # noqa: B010
    return works


def _contribution_quotes(contributions: QuerySet[Contribution]) -> list[dict]:
    """Contributions that may be quoted: every consultant who gave it may be
    quoted by pseudonym today. Taken-up ones first, then the newest; the
    summary and the pseudonyms only (one query)."""
    quotable = _quotable_subquery()
    rows = (
        contributions.annotate(
            given_by=Count("consultants"),
            given_by_quotable=Count("consultants", filter=Q(consultants__in=quotable)),
            pseudonyms=ArrayAgg("consultants__pseudonym", order_by="consultants__pseudonym"),
            taken_up=Case(When(status__in=TAKEN_UP, then=Value(0)), default=Value(1)),
        )
        .filter(given_by__gt=0, given_by=F("given_by_quotable"))
        .order_by("taken_up", "-created_at", "-pk")
        .values("summary", "kind", "status", "pseudonyms")[:MAX_CONTRIBUTION_QUOTES]
    )
    return [
        {
            "words": row["summary"],
            "pseudonyms": row["pseudonyms"],
            "kind": str(Contribution.Kind(row["kind"]).label),
            "status": str(OutcomeStatus(row["status"]).label),
        }
        for row in rows
    ]


def decided_outcome_counts(*, engagements: QuerySet[Engagement]) -> dict[str, int]:
    """How many contributions of these engagements were adopted, partly
    adopted or not adopted, by status (absent: none). One query; for
    aggregate figures (insights.figures)."""
    decided = (OutcomeStatus.ADOPTED, OutcomeStatus.PARTLY_ADOPTED, OutcomeStatus.NOT_ADOPTED)
    return dict(
        Contribution.objects.filter(engagement__in=engagements, status__in=decided)
        .values_list("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
