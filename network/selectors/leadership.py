"""Survivor leadership over a period, for the programme report (insights)
and the survivor leaders' figures page.

Every figure is a PostgreSQL aggregate; the only rows back are a bounded
list of the leaders who may be named and one row per network. The number
of queries is fixed whatever the volume (``LEADERSHIP_QUERIES``).

Names follow the programme report's consent rule: a leader is named, by
pseudonym only, while her consent to be quoted by pseudonym stands
(``may_name``, e.g. ``consultants_with_consent(scope=QUOTING)``); the
others are counted, never named. Nothing here loads a consultant's
encrypted fields.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Value, Window
from django.utils import timezone

from consultants.models import Consultant
from engagements.models import Engagement, Participation, ParticipationRole
from engagements.selectors import COUNTED_STATUSES
from impact.models import WorkCredit
from network.models import (
    AdvisoryReview,
    CircleMeeting,
    Leadership,
    LearningEvent,
    Network,
    NetworkLedEngagement,
    NetworkLedWork,
)

# The report names at most this many leaders, then says how many more.
MAX_LEADERS_NAMED = 30
MAX_NETWORKS = 10
# Queries of ``programme_leadership`` (tests hold it to this).
LEADERSHIP_QUERIES = 9
FACILITATING = (ParticipationRole.FACILITATOR, ParticipationRole.CO_FACILITATOR)
# An event is held once it happened: completed or closed.
HELD = (Engagement.Status.COMPLETED, Engagement.Status.CLOSED)


@dataclass(frozen=True)
class LearningTotals:
    events: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    led_by_consultants: int = 0  # events with a consultant facilitating
    facilitations: int = 0  # facilitator and co-facilitator participations
    attendance: int = 0  # participations marked attended (facilitators too)


@dataclass(frozen=True)
class CircleTotals:
    circles: int = 0  # circles that met
    meetings: int = 0
    attendance: int = 0  # members present, summed over the meetings


@dataclass(frozen=True)
class NetworkRow:
    name: str
    leaders: int


@dataclass
class ProgrammeLeadership:
    """The "Survivor leadership" section."""

    networks: list[NetworkRow] = field(default_factory=list)
    leaders: int = 0  # distinct leaders in the period, every network
    leaders_named: list[str] = field(default_factory=list)  # pseudonyms, consent standing
    reviews: int = 0
    reviews_by_recommendation: dict[str, int] = field(default_factory=dict)
    approved: int = 0  # requests approved in the period
    approved_after_review: int = 0  # a leader's review was given before approval
    learning: LearningTotals = field(default_factory=LearningTotals)
    circles: CircleTotals = field(default_factory=CircleTotals)
    led_engagements: int = 0
    led_works: int = 0
    works_co_authored: int = 0  # works published with a leader credited on them

    @property
    def approved_without_review(self) -> int:
        return self.approved - self.approved_after_review

    @property
    def leaders_more(self) -> int:
        return max(self.leaders - len(self.leaders_named), 0)

    def recommendation_rows(self) -> list[tuple[str, int]]:
        return [
            (str(label), self.reviews_by_recommendation.get(value, 0))
            for value, label in AdvisoryReview.Recommendation.choices
        ]

    @property
    def is_empty(self) -> bool:
        return not (
            self.leaders
            or self.reviews
            or self.learning.events
            or self.circles.meetings
            or self.led_engagements
            or self.led_works
        )


def _days(start: datetime.datetime, end: datetime.datetime) -> tuple[datetime.date, datetime.date]:
    """The local days of [``start``, ``end``), both included."""
    first = timezone.localtime(start).date()
    last = timezone.localtime(end - datetime.timedelta(microseconds=1)).date()
    return first, last


def _leaderships_in(first: datetime.date, last: datetime.date) -> Q:
    """Leaderships open at some point between two days (both included)."""
    return Q(since__lte=last) & (Q(until__isnull=True) | Q(until__gte=first))


def learning_totals(*, start: datetime.datetime, end: datetime.datetime) -> LearningTotals:
    """Learning events held (completed or closed) that started in [start,
    end): how many, by kind, how many a consultant facilitated, the
    facilitations and the attendance. One query."""
    held = Q(engagement__start__gte=start, engagement__start__lt=end, engagement__status__in=HELD)
    facilitating = Q(
        engagement__participations__role__in=FACILITATING,
        engagement__participations__status=Participation.Status.ATTENDED,
    )
    rows = (
        LearningEvent.objects.filter(held)
        .values("kind")
        .annotate(
            events=Count("pk", distinct=True),
            led=Count("pk", distinct=True, filter=facilitating),
            facilitations=Count("engagement__participations", filter=facilitating),
            attendance=Count(
                "engagement__participations",
                filter=Q(engagement__participations__status=Participation.Status.ATTENDED),
            ),
        )
        .order_by("kind")
    )
    by_kind: dict[str, int] = {}
    led = facilitations = attendance = 0
    for row in rows:
        by_kind[row["kind"]] = row["events"]
        led += row["led"]
        facilitations += row["facilitations"]
        attendance += row["attendance"]
    return LearningTotals(
        events=sum(by_kind.values()),
        by_kind=by_kind,
        led_by_consultants=led,
        facilitations=facilitations,
        attendance=attendance,
    )


def circle_totals(*, start: datetime.datetime, end: datetime.datetime) -> CircleTotals:
    """Peer circle meetings held (not cancelled, started before now) in
    [start, end), the circles that met and the members present. One query."""
    meetings = CircleMeeting.objects.filter(
        starts_at__gte=start,
        starts_at__lt=min(end, timezone.now()),
        cancelled_at__isnull=True,
    )
    row = meetings.aggregate(
        circles=Count("circle", distinct=True),
        meetings=Count("pk", distinct=True),
        attendance=Count("attendance", filter=Q(attendance__present=True)),
    )
    return CircleTotals(
        circles=row["circles"], meetings=row["meetings"], attendance=row["attendance"]
    )


def programme_leadership(
    start: datetime.datetime,
    end: datetime.datetime,
    *,
    may_name: QuerySet[Consultant] | None = None,
) -> ProgrammeLeadership:
    """Survivor leadership in [``start``, ``end``) (aware datetimes; the
    days of leaderships and publications are the local days of that span).
    ``may_name``: the consultants who may be named (by pseudonym); None
    names nobody. ``LEADERSHIP_QUERIES`` queries whatever the volume."""
    first, last = _days(start, end)
    section = ProgrammeLeadership()
    in_period = _leaderships_in(first, last)
    leaderships = Leadership.objects.filter(in_period)

    # 1. Each network and its leaders in the period.
    networks = (
        Network.objects.annotate(
            leaders=Count(
                "leaderships__consultant",
                distinct=True,
                filter=Q(leaderships__since__lte=last)
                & (Q(leaderships__until__isnull=True) | Q(leaderships__until__gte=first)),
            )
        )
        .values("name", "leaders")
        .order_by("name")[:MAX_NETWORKS]
    )
    section.networks = [NetworkRow(row["name"], row["leaders"]) for row in networks]

    # 2. Leaders in all and the first of those who may be named, from one
    # grouped query (a window counts the groups): at most MAX rows back.
    named = (
        Exists(may_name.filter(pk=OuterRef("consultant"))) if may_name is not None else Value(False)
    )
    rows = list(
        leaderships.values("consultant", "consultant__pseudonym")
        .annotate(n=Count("pk"), everyone=Window(Count("*")), may_be_named=named)
        .order_by("-may_be_named", "consultant__pseudonym")[:MAX_LEADERS_NAMED]
    )
    section.leaders = rows[0]["everyone"] if rows else 0
    section.leaders_named = [row["consultant__pseudonym"] for row in rows if row["may_be_named"]]

    # 3. Advisory reviews given in the period, by recommendation.
    for row in (
        AdvisoryReview.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
        .values("recommendation")
        .annotate(n=Count("pk"))
        .order_by("recommendation")
    ):
        section.reviews_by_recommendation[row["recommendation"]] = row["n"]
    section.reviews = sum(section.reviews_by_recommendation.values())

    # 4. Requests approved in the period: with a leader's review before, or without.
    from engagements.models import EngagementTransition

    reviewed_before = AdvisoryReview.objects.filter(
        engagement=OuterRef("engagement"), submitted_at__lte=OuterRef("at")
    )
    approvals = EngagementTransition.objects.filter(
        to_status=Engagement.Status.APPROVED, at__gte=start, at__lt=end
    ).aggregate(
        approved=Count("engagement", distinct=True),
        reviewed=Count("engagement", distinct=True, filter=Q(Exists(reviewed_before))),
    )
    section.approved = approvals["approved"]
    section.approved_after_review = approvals["reviewed"]

    # 5. and 6. Learning events and peer circles.
    section.learning = learning_totals(start=start, end=end)
    section.circles = circle_totals(start=start, end=end)

    # 7. Network-led engagements (counted, started in the period).
    section.led_engagements = NetworkLedEngagement.objects.filter(
        engagement__start__gte=start,
        engagement__start__lt=end,
        engagement__status__in=COUNTED_STATUSES,
    ).count()
    # 8. Network-led works published in the period.
    section.led_works = NetworkLedWork.objects.filter(
        work__published_on__gte=first, work__published_on__lte=last
    ).count()
    # 9. Works published in the period with a leader (of the period) credited.
    section.works_co_authored = (
        WorkCredit.objects.filter(
            work__published_on__gte=first,
            work__published_on__lte=last,
            consultant__in=leaderships.values("consultant"),
        )
        .values("work")
        .distinct()
        .count()
    )
    return section
