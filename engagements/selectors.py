"""Reads for the engagement pages. Every staff list is scoped by
``engagements.access.engagements_visible_to``, every portal list by the
consultant's own participations, and each runs a fixed number of queries
whatever its length (tests/engagements/test_selectors.py)."""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import (
    Avg,
    Case,
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Lower
from django.utils import timezone
from django.utils.functional import Promise

from accounts.models import User
from consultants import access as consultants_access
from consultants.models import Consultant, ExpertiseTopic
from core.bounded import Bounded, bounded
from core.encryption import encrypted_field_names
from engagements import access, capacity, workflow
from engagements.access import Actor
from engagements.models import (
    FEEDBACK_SCORES,
    Debrief,
    Engagement,
    EngagementTransition,
    Feedback,
    Participation,
    ParticipationChange,
    PrivacyPlan,
)

P = Participation.Status
E = Engagement.Status

# Participations the detail page lists (not revoked or cancelled ones,
# which the history still shows). Declined and stepped back: staff see who
# said no (managers, her words if she left any); closed as full: who may
# rejoin or be asked again.
SHOWN_ON_DETAIL = Participation.LIVE | {P.WITHDRAWN, P.DECLINED, P.FULL}


def _with_counts(queryset: QuerySet[Engagement]) -> QuerySet[Engagement]:
    # Correlated subqueries, not a join with Count: computed for the rows
    # read (a page, a card), served by the participations' (engagement,
    # status) index, never a GROUP BY over every participation first.
    return queryset.annotate(
        confirmed_count=_participants(P.CONFIRMED),
        invited_count=_participants(P.INVITED, P.ACCEPTED),
    )


# --- Staff lists --------------------------------------------------------------------


def engagement_rows(
    *,
    user: Actor,
    status: str | None = None,
    type: str | None = None,
    audience: str | None = None,
    starts_from: datetime.date | None = None,
    starts_until: datetime.date | None = None,
    owner: User | None = None,
    search: str = "",
    on: datetime.date | None = None,
) -> QuerySet[Engagement]:
    """The staff list's rows, bare: what ``user`` may see, filtered,
    searched (title, requesting team), ``on`` a day (taking place on it,
    Asia/Manila, not cancelled or declined: the calendar's "N more"),
    ordered by start then id (index ``engagements_list_order_idx``). Page it with
    ``core.bounded.AnnotatedPaginator(..., annotate=with_list_columns)``, so
    the columns are computed for the page's rows only."""
    queryset = access.engagements_visible_to(user)
    if status:
        queryset = queryset.filter(status=status)
    if type:
        queryset = queryset.filter(type=type)
    if audience:
        queryset = queryset.filter(audience=audience)
    tz = timezone.get_default_timezone()
    if starts_from:
        queryset = queryset.filter(
            start__gte=datetime.datetime.combine(starts_from, datetime.time.min, tzinfo=tz)
        )
    if starts_until:
        queryset = queryset.filter(
            start__lt=datetime.datetime.combine(
                starts_until + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
            )
        )
    if owner:
        queryset = queryset.filter(owner=owner)
    if on:
        day_start = datetime.datetime.combine(on, datetime.time.min, tzinfo=tz)
        queryset = queryset.filter(
            start__lt=day_start + datetime.timedelta(days=1), end__gt=day_start
        )
        if not status:
            # As the calendar counts them: cancelled and declined ones do
            # not take place (a status chosen in the filter still shows them).
            queryset = queryset.exclude(status__in=[E.CANCELLED, E.DECLINED])
    if search := (search or "").strip():
        queryset = queryset.filter(Q(title__icontains=search) | Q(requested_by__icontains=search))
    return queryset.order_by("start", "id")


def with_list_columns(queryset: QuerySet[Engagement]) -> QuerySet[Engagement]:
    """What a row of the staff list shows beyond its own columns: the owner
    (joined), ``confirmed_count``, ``invited_count`` and ``needs_people_again``
    (``engagements.capacity``), all in the query that reads the rows."""
    return capacity.with_staffing_state(_with_counts(queryset.select_related("owner")))


def engagement_list(**filters: Any) -> QuerySet[Engagement]:
    """``engagement_rows`` with ``with_list_columns``: for a slice taken at
    once (the columns are computed before the limit; a page uses the
    paginator instead)."""
    return with_list_columns(engagement_rows(**filters))


CALENDAR_SHOWN_PER_DAY = 3


@dataclass(frozen=True)
class CalendarDay:
    """One day of the month: the first engagements that touch it (at most
    ``CALENDAR_SHOWN_PER_DAY``, by start) and how many touch it in all."""

    engagements: list[Engagement]
    count: int

    @property
    def more(self) -> int:
        return self.count - len(self.engagements)

    def __bool__(self) -> bool:
        return self.count > 0


# Per day of the month (Asia/Manila midnights), the engagements that touch
# it: the first few by start with their number, counted in the same pass.
_CALENDAR_SQL = """
WITH visible AS ({visible}),
days AS (
    SELECT day::date AS day
    FROM generate_series(%s::date, %s::date, interval '1 day') AS day
),
touching AS (
    SELECT days.day, visible.id,
           row_number() OVER (PARTITION BY days.day ORDER BY visible.start, visible.id) AS n,
           count(*) OVER (PARTITION BY days.day) AS total
    FROM days
    JOIN visible
      ON visible.start < ((days.day + 1)::timestamp AT TIME ZONE %s)
     AND visible."end" > (days.day::timestamp AT TIME ZONE %s)
)
SELECT day, id, total FROM touching WHERE n <= %s ORDER BY day, n
"""


def engagement_calendar(*, user: Actor, year: int, month: int) -> dict[datetime.date, CalendarDay]:
    """Every day of the month (Asia/Manila) with the visible engagements that
    touch it: the first ``CALENDAR_SHOWN_PER_DAY`` by start
    (``needs_people_again`` annotated) and how many in all, so a busy month
    is as long as a quiet one. Two queries: the days and their counts in
    SQL, then the shown rows. Cancelled and declined engagements are left
    out."""
    tz = timezone.get_default_timezone()
    first = datetime.date(year, month, 1)
    days_in_month = calendar.monthrange(year, month)[1]
    last = first + datetime.timedelta(days=days_in_month - 1)
    month_start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    month_end = month_start + datetime.timedelta(days=days_in_month)
    visible = (
        access.engagements_visible_to(user)
        .filter(start__lt=month_end, end__gt=month_start)
        .exclude(status__in=[E.CANCELLED, E.DECLINED])
        .order_by()
        .values("id", "start", "end")
    )
    visible_sql, visible_params = visible.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(
            _CALENDAR_SQL.format(visible=visible_sql),
            [*visible_params, first, last, str(tz), str(tz), CALENDAR_SHOWN_PER_DAY],
        )
        touching = cursor.fetchall()
    shown = capacity.with_staffing_state(
        Engagement.objects.filter(pk__in={pk for _day, pk, _total in touching})
    ).in_bulk()
    rows: dict[datetime.date, list[Engagement]] = {}
    totals: dict[datetime.date, int] = {}
    for day, pk, total in touching:
        rows.setdefault(day, []).append(shown[pk])
        totals[day] = total
    return {
        day: CalendarDay(engagements=rows.get(day, []), count=totals.get(day, 0))
        for day in (first + datetime.timedelta(days=n) for n in range(days_in_month))
    }


def engagement_detail(*, engagement: Engagement) -> Engagement:
    """The engagement with what its staff page shows, prefetched:
    ``shown_participations`` (consultant joined), ``expertise``,
    ``assigned_staff``, ``timeline`` (transitions, oldest first),
    ``debrief_list``; ``privacy_plan_or_none``; ``places_taken`` and
    ``needs_people_again`` (``engagements.capacity``)."""
    engagement = (
        capacity.with_staffing_state(Engagement.objects.filter(pk=engagement.pk))
        .select_related("owner", "privacy_plan")
        .prefetch_related(
            Prefetch("expertise", queryset=ExpertiseTopic.objects.order_by("name")),
            "assigned_staff",
            Prefetch(
                "participations",
                queryset=Participation.objects.filter(status__in=SHOWN_ON_DETAIL)
                .select_related("consultant")
                .defer(*[f"consultant__{n}" for n in encrypted_field_names(Consultant)])
                .order_by("consultant__pseudonym"),
                to_attr="shown_participations",
            ),
            Prefetch(
                "transitions",
                queryset=EngagementTransition.objects.select_related("by"),
                to_attr="timeline",
            ),
            Prefetch(
                "debriefs",
                queryset=Debrief.objects.select_related("author"),
                to_attr="debrief_list",
            ),
        )
        .get()
    )
    # The page asks for the plan without a query and without a DoesNotExist.
    engagement.privacy_plan_or_none = getattr(engagement, "privacy_plan", None)  # type: ignore[attr-defined]
    return engagement


def engagement_timeline(*, engagement: Engagement) -> QuerySet[EngagementTransition]:
    return EngagementTransition.objects.filter(engagement=engagement).select_related("by")


def participation_history(*, engagement: Engagement) -> QuerySet[ParticipationChange]:
    """Every change of every participation, oldest first (the detail's timeline)."""
    return (
        ParticipationChange.objects.filter(participation__engagement=engagement)
        .select_related("participation__consultant", "by")
        .defer(*[f"participation__consultant__{n}" for n in encrypted_field_names(Consultant)])
        .order_by("at", "id")
    )


def engagement_feedback(*, engagement: Engagement) -> list[Feedback]:
    """Feedback on the engagement; ``shown_as`` is the pseudonym, or None when
    the consultant asked to stay anonymous."""
    feedback = list(
        Feedback.objects.filter(participation__engagement=engagement).select_related(
            "participation__consultant"
        )
    )
    for item in feedback:
        # What the page shows as the author: a pseudonym, or nothing when anonymous.
        item.shown_as = None if item.anonymous else item.participation.consultant.pseudonym  # type: ignore[attr-defined]
    return feedback


# --- The consultant's portal --------------------------------------------------------------


def _consultant_participations(consultant: Consultant) -> QuerySet[Participation]:
    return (
        Participation.objects.filter(consultant=consultant)
        .select_related("engagement", "engagement__privacy_plan")
        .annotate(has_feedback=Exists(Feedback.objects.filter(participation=OuterRef("pk"))))
    )


def consultant_invitations(
    *, consultant: Consultant, now: datetime.datetime | None = None
) -> QuerySet[Participation]:
    """Invitations waiting for an answer, soonest first."""
    now = now or timezone.now()
    return (
        _consultant_participations(consultant)
        .filter(
            status=P.INVITED,
            engagement__status__in=[E.STAFFING, E.CONFIRMED],
            engagement__start__gt=now,
        )
        .order_by("engagement__start", "id")
    )


def consultant_invitation_count(
    *, consultant: Consultant, now: datetime.datetime | None = None
) -> int:
    """How many invitations wait for her answer (one query; the home page's count)."""
    now = now or timezone.now()
    return Participation.objects.filter(
        consultant=consultant,
        status=P.INVITED,
        engagement__status__in=[E.STAFFING, E.CONFIRMED],
        engagement__start__gt=now,
    ).count()


def consultant_upcoming(
    *, consultant: Consultant, now: datetime.datetime | None = None
) -> QuerySet[Participation]:
    """Accepted or confirmed, not yet ended, soonest first."""
    now = now or timezone.now()
    return (
        _consultant_participations(consultant)
        .filter(status__in=[P.ACCEPTED, P.CONFIRMED], engagement__end__gt=now)
        .exclude(engagement__status=E.CANCELLED)
        .order_by("engagement__start", "id")
    )


def consultant_next(
    *, consultant: Consultant, now: datetime.datetime | None = None
) -> Participation | None:
    """What the portal's home leads with: her soonest engagement she said yes
    to (accepted or confirmed, not yet ended); without one, the soonest
    invitation waiting for her answer; else None. One query."""
    now = now or timezone.now()
    booked = Q(status__in=[P.ACCEPTED, P.CONFIRMED], engagement__end__gt=now) & ~Q(
        engagement__status=E.CANCELLED
    )
    waiting = Q(
        status=P.INVITED,
        engagement__status__in=[E.STAFFING, E.CONFIRMED],
        engagement__start__gt=now,
    )
    return (
        Participation.objects.filter(consultant=consultant)
        .filter(booked | waiting)
        .select_related("engagement")
        .order_by(
            Case(When(status=P.INVITED, then=1), default=0, output_field=IntegerField()),
            "engagement__start",
            "id",
        )
        .first()
    )


def consultant_past(
    *, consultant: Consultant, now: datetime.datetime | None = None
) -> QuerySet[Participation]:
    """What they took part in (attended, or not, or booked and now over),
    latest first (``has_feedback`` annotated). Stepping back and saying no
    have their own list (``consultant_stepped_back``), never this one: an
    engagement she stepped back from is not "before" while it is to come."""
    now = now or timezone.now()
    return (
        _consultant_participations(consultant)
        .filter(
            Q(status__in=[P.ATTENDED, P.NO_SHOW])
            | Q(status__in=[P.ACCEPTED, P.CONFIRMED], engagement__end__lte=now)
        )
        .order_by("-engagement__start", "-id")
    )


def consultant_stepped_back(*, consultant: Consultant) -> QuerySet[Participation]:
    """The engagements she stepped back from or said no to, whether still to
    come or over, latest first. Page it (the portal shows the latest few)."""
    return (
        _consultant_participations(consultant)
        .filter(status__in=[P.WITHDRAWN, P.DECLINED])
        .order_by("-engagement__start", "-id")
    )


# --- Who else is coming (her portal page of one engagement) -------------------------------

# At most this many pseudonyms, then "and N more".
PEERS_SHOWN = 30


@dataclass(frozen=True)
class PeersComing:
    """What her page of one engagement says of the other consultants:
    ``offered`` false when it says nothing (she does not hold a place);
    ``chose`` false when she has not chosen to be visible to peers (the page
    says how); else ``peers``, the others holding a place who chose it too,
    by pseudonym only."""

    offered: bool
    chose: bool = False
    peers: Bounded[str] | None = None


def peers_coming(*, participation: Participation, limit: int = PEERS_SHOWN) -> PeersComing:
    """Who else holds a place (accepted, confirmed, attended) on her
    engagement, by pseudonym, for her page: only once she holds one
    herself, only if she chose to be visible to peers, and only those who
    chose it too (both agreed). One query when she may see them, none
    otherwise."""
    if participation.status not in Participation.BOOKED:
        return PeersComing(offered=False)
    if not participation.consultant.visible_to_peers:
        return PeersComing(offered=True, chose=False)
    others = bounded(
        Participation.objects.filter(
            engagement_id=participation.engagement_id,
            status__in=Participation.BOOKED,
            consultant__visible_to_peers=True,
            consultant__identity_erased_at__isnull=True,
        )
        .exclude(consultant_id=participation.consultant_id)
        .select_related("consultant")
        .only("id", "consultant__id", "consultant__pseudonym")
        .order_by(Lower("consultant__pseudonym"), "id"),
        limit=limit,
    )
    return PeersComing(
        offered=True,
        chose=True,
        peers=Bounded(rows=[p.consultant.pseudonym for p in others.rows], count=others.count),
    )


# --- "What needs me today" ------------------------------------------------------------------


@dataclass
class StaffToday:
    awaiting_approval: list[Engagement]
    starting_soon_unconfirmed: list[Engagement]
    awaiting_confirmation: list[Participation]
    to_complete: list[Engagement]
    debriefs_due: list[Engagement]
    recent_withdrawals: list[ParticipationChange]

    def __bool__(self) -> bool:
        return any(
            [
                self.awaiting_approval,
                self.starting_soon_unconfirmed,
                self.awaiting_confirmation,
                self.to_complete,
                self.debriefs_due,
                self.recent_withdrawals,
            ]
        )


def staff_today(
    *,
    user: Actor,
    now: datetime.datetime | None = None,
    soon_days: int = 14,
    limit: int = 20,
) -> StaffToday:
    """What needs ``user`` today, on the engagements they own or are assigned
    to (and, for managers and administrators, the requests to approve). Six
    queries, each list at most ``limit`` long."""
    now = now or timezone.now()
    mine = access.engagements_mine(user)
    deferred = [f"consultant__{n}" for n in encrypted_field_names(Consultant)]
    approvals = (
        Engagement.objects.filter(status=E.SUBMITTED).select_related("owner").order_by("start")
        if access.can_approve_requests(user)
        else Engagement.objects.none()
    )
    return StaffToday(
        awaiting_approval=list(approvals[:limit]),
        starting_soon_unconfirmed=list(
            _with_counts(
                mine.filter(
                    status__in=[E.APPROVED, E.STAFFING],
                    start__gt=now,
                    start__lte=now + datetime.timedelta(days=soon_days),
                )
            ).order_by("start")[:limit]
        ),
        awaiting_confirmation=list(
            Participation.objects.filter(
                engagement__in=mine.filter(status__in=[E.STAFFING, E.CONFIRMED]),
                status=P.ACCEPTED,
            )
            .select_related("engagement", "consultant")
            .defer(*deferred)
            .order_by("engagement__start", "id")[:limit]
        ),
        to_complete=list(mine.filter(status=E.CONFIRMED, end__lte=now).order_by("end")[:limit]),
        debriefs_due=list(
            mine.filter(status=E.COMPLETED)
            .exclude(Exists(Debrief.objects.filter(engagement=OuterRef("pk"))))
            .order_by("end")[:limit]
        ),
        recent_withdrawals=list(
            ParticipationChange.objects.filter(
                to_status=P.WITHDRAWN,
                at__gte=now - datetime.timedelta(days=7),
                participation__engagement__in=mine,
            )
            .select_related("participation__consultant", "participation__engagement")
            .defer(*[f"participation__{n}" for n in deferred])
            .order_by("-at")[:limit]
        ),
    )


# --- The consultants directory's "this month" ------------------------------------------


def consultant_monthly_load(first: datetime.date, last: datetime.date) -> Subquery:
    """Registered with ``consultants.selectors.register_monthly_load`` (see
    ``EngagementsConfig.ready``): per consultant (``OuterRef("pk")``), their
    accepted, confirmed or attended participations in engagements starting
    between ``first`` and ``last`` (whole days, Asia/Manila). A subquery, so
    the directory's query count does not grow with its rows."""
    tz = timezone.get_default_timezone()
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
    counted = (
        Participation.objects.filter(
            consultant=OuterRef("pk"),
            status__in=Participation.BOOKED,
            engagement__start__gte=start,
            engagement__start__lt=end,
        )
        .order_by()
        .values("consultant_id")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Subquery(counted, output_field=IntegerField())


# --- For the documents of higher apps (insights) ------------------------------------------
# Pseudonym only: none of these loads a consultant's encrypted identity fields.

# Engagements that count in a period's figures: approved and after, not
# declined or cancelled.
COUNTED_STATUSES = (E.APPROVED, E.STAFFING, E.CONFIRMED, E.COMPLETED, E.CLOSED)
# Participations a document for one consultant may be about: invited or booked.
INVITED_OR_BOOKED = tuple(Participation.BOOKED | {P.INVITED})


def _identity_deferred(prefix: str) -> list[str]:
    return [f"{prefix}{name}" for name in encrypted_field_names(Consultant)]


def engagement_get(*, pk: int | str) -> Engagement:
    """The engagement with this primary key, unscoped: the caller has
    checked access. Raises ``Engagement.DoesNotExist``."""
    return Engagement.objects.get(pk=pk)


def participations_invited_or_booked(
    *, engagements: QuerySet[Engagement] | Iterable[Engagement]
) -> QuerySet[Participation]:
    """Participations of ``engagements`` whose consultant is invited or
    booked (accepted, confirmed, attended), engagement and consultant joined
    (identity deferred), by start then pseudonym. Lazy."""
    return (
        Participation.objects.filter(engagement__in=engagements, status__in=INVITED_OR_BOOKED)
        .select_related("consultant", "engagement")
        .defer(*_identity_deferred("consultant__"))
        .order_by("engagement__start", "consultant__pseudonym")
    )


def consultants_invited_or_booked(
    *, engagements: QuerySet[Engagement] | Iterable[Engagement]
) -> QuerySet[Consultant]:
    """The consultants of ``participations_invited_or_booked``: primary key
    and pseudonym only, by pseudonym. Lazy (a subquery when evaluated)."""
    return (
        Consultant.objects.filter(
            pk__in=participations_invited_or_booked(engagements=engagements).values("consultant_id")
        )
        .only("pk", "pseudonym")
        .order_by("pseudonym")
    )


def participation_with_engagement(*, pk: int | str) -> Participation:
    """One participation with its engagement and consultant joined (identity
    deferred), in one query. Raises ``Participation.DoesNotExist``."""
    return (
        Participation.objects.select_related("engagement", "consultant")
        .defer(*_identity_deferred("consultant__"))
        .get(pk=pk)
    )


def privacy_plan_for(*, engagement: Engagement) -> PrivacyPlan | None:
    """The engagement's privacy plan, or None when it has none (one query)."""
    return PrivacyPlan.objects.filter(engagement=engagement).first()


def engagements_counted(
    *, start: datetime.datetime, end: datetime.datetime
) -> QuerySet[Engagement]:
    """Engagements starting in [``start``, ``end``) that count in a period's
    figures (``COUNTED_STATUSES``). Lazy: the selectors below take it as a
    subquery."""
    return Engagement.objects.filter(start__gte=start, start__lt=end, status__in=COUNTED_STATUSES)


@dataclass(frozen=True)
class EngagementTally:
    """Counted engagements per type and per audience (stored values, most
    first, then by value), and the cancelled ones of the same period."""

    by_type: list[tuple[str, int]]
    by_audience: list[tuple[str, int]]
    cancelled: int


def engagement_tally(*, start: datetime.datetime, end: datetime.datetime) -> EngagementTally:
    """How many engagements started in [``start``, ``end``): ``COUNT`` per
    type and per audience of the counted ones, and of the cancelled ones
    (3 queries)."""
    in_period = Engagement.objects.filter(start__gte=start, start__lt=end)
    cancelled = in_period.filter(status=E.CANCELLED).count()
    counted = engagements_counted(start=start, end=end)
    return EngagementTally(
        by_type=[
            (row["type"], row["n"])
            for row in counted.values("type").annotate(n=Count("id")).order_by("-n", "type")
        ],
        by_audience=[
            (row["audience"], row["n"])
            for row in counted.values("audience").annotate(n=Count("id")).order_by("-n", "audience")
        ],
        cancelled=cancelled,
    )


@dataclass(frozen=True)
class ScoreAverage:
    """One feedback score: its question (lazy) and its ``AVG`` (``numeric``,
    unrounded; None when there is no feedback)."""

    name: str
    label: str | Promise
    average: Decimal | None


@dataclass(frozen=True)
class FeedbackAverages:
    count: int
    scores: list[ScoreAverage]  # in the order of ``FEEDBACK_SCORES``


def feedback_averages(*, engagements: QuerySet[Engagement]) -> FeedbackAverages:
    """How many consultants gave feedback on ``engagements`` and the average
    of each score: one query, ``COUNT`` and ``AVG`` over ``numeric``."""
    row = Feedback.objects.filter(participation__engagement__in=engagements).aggregate(
        n=Count("id"),
        **{name: Avg(name, output_field=DecimalField()) for name in FEEDBACK_SCORES},
    )
    questions = {field.name: field.verbose_name for field in Feedback._meta.concrete_fields}
    return FeedbackAverages(
        count=row["n"],
        scores=[
            ScoreAverage(name=name, label=questions[name], average=row[name])
            for name in FEEDBACK_SCORES
        ],
    )


@dataclass(frozen=True)
class FeedbackQuote:
    pseudonym: str
    engagement_type: str  # an ``EngagementType`` value
    words: str


def feedback_quotes(
    *,
    engagements: QuerySet[Engagement],
    consultants: QuerySet[Consultant, Any],
    limit: int,
) -> list[FeedbackQuote]:
    """Comments on ``engagements`` that were not given anonymously, by
    ``consultants`` (the caller narrows them to those whose consent to be
    quoted stands), newest first, at most ``limit``: pseudonym, engagement
    type and words only. One query."""
    rows = (
        Feedback.objects.filter(
            participation__engagement__in=engagements,
            anonymous=False,
            participation__consultant__in=consultants,
        )
        .exclude(comments="")
        .exclude(Q(comments__isnull=True))
        .values(
            "participation__consultant__pseudonym", "participation__engagement__type", "comments"
        )
        .order_by("-submitted_at", "-id")[:limit]
    )
    return [
        FeedbackQuote(
            pseudonym=row["participation__consultant__pseudonym"],
            engagement_type=row["participation__engagement__type"],
            words=row["comments"],
        )
        for row in rows
    ]


# --- The staff dashboard: bounded cards -----------------------------------------------------
# Each card is the first ``limit`` rows, oldest or soonest first, with the
# count of all from the same query (``core.bounded``), so the dashboard's
# query count never grows with the data. A card that is not the user's
# work at all is ``None`` (the page says what it checked).

DASHBOARD_ROWS = 5
SOON_DAYS = 14
STEPPED_BACK_DAYS = 7


def _participants(*statuses: str) -> Coalesce:
    """Per engagement (``OuterRef("pk")``): its participations in ``statuses``."""
    counted = (
        Participation.objects.filter(engagement=OuterRef("pk"), status__in=statuses)
        .order_by()
        .values("engagement_id")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


class _AtLeast(Exists):
    """Whether the rows of ``queryset`` (correlated with ``OuterRef``) number
    at least ``count`` (an expression of the outer row, 1 or more):
    ``EXISTS(... LIMIT 1 OFFSET count - 1)``. It reads at most ``count``
    index entries and stops, where ``Count`` reads them all and then
    compares; negated, "fewer than ``count``"."""

    template = "EXISTS(%(subquery)s OFFSET (%(count)s) - 1)"

    def __init__(self, queryset: QuerySet[Any], *, count: Any) -> None:
        super().__init__(queryset)
        self.count = count

    def get_source_expressions(self) -> list[Any]:
        return [self.query, self.count]

    def set_source_expressions(self, exprs: Sequence[Any]) -> None:
        self.query, self.count = exprs

    def as_sql(self, compiler, connection, template=None, **extra_context):
        count_sql, count_params = compiler.compile(self.count)
        sql, params = super().as_sql(compiler, connection, template, count=count_sql)
        return sql, (*params, *count_params)


def _runs_engagements(user: Actor) -> bool:
    # Whoever may write requests (programme staff, managers, administrators)
    # runs engagements: ``engagements_run_by`` is theirs to staff and close.
    return access.can_create(user)


def needs_people(queryset: QuerySet[Engagement]) -> QuerySet[Engagement]:
    """The engagements of ``queryset`` that need people: staffing or
    confirmed, with fewer consultants invited, accepted or confirmed than
    wanted (so someone must be invited), e.g. after someone stepped back or
    declined. Annotated ``people`` (invited, accepted, confirmed), ``said_yes``
    (accepted, confirmed) and ``stepped_back`` (someone stepped back).

    The one place that says "needs people": when engagements carry their own
    "needs people again" flag, filter on it here and every page follows."""
    return _needing_people(queryset).annotate(
        people=_participants(P.INVITED, P.ACCEPTED, P.CONFIRMED),
        said_yes=_participants(P.ACCEPTED, P.CONFIRMED),
        stepped_back=Exists(
            Participation.objects.filter(engagement=OuterRef("pk"), status=P.WITHDRAWN)
        ),
    )


def _needing_people(queryset: QuerySet[Engagement]) -> QuerySet[Engagement]:
    # The filter of ``needs_people``, bare (no annotations): "fewer invited,
    # accepted or confirmed than wanted" as NOT EXISTS the wanted-th of them
    # (every engagement wants one at least: its "wants someone" constraint),
    # which stops at that one instead of counting them all.
    holding = Participation.objects.filter(
        engagement=OuterRef("pk"), status__in=[P.INVITED, P.ACCEPTED, P.CONFIRMED]
    )
    return queryset.filter(status__in=[E.STAFFING, E.CONFIRMED]).exclude(
        _AtLeast(holding, count=F("consultants_wanted"))
    )


def needing_people_card(
    *, user: Actor, now: datetime.datetime | None = None, limit: int = DASHBOARD_ROWS
) -> Bounded[Engagement] | None:
    """Engagements ``user`` runs (every one for managers) that start in the
    future and need people (``needs_people``), soonest first. One query: the
    rows, read in start order until ``limit`` match, and the count of all
    beside them, over the bare engagements (no owner, no annotations)."""
    if not _runs_engagements(user):
        return None
    now = now or timezone.now()
    upcoming = access.engagements_run_by(user).filter(start__gt=now)
    return bounded(
        needs_people(upcoming).select_related("owner").order_by("start", "id"),
        limit=limit,
        count_from=_needing_people(upcoming),
    )


def unconfirmed_soon_card(
    *,
    user: Actor,
    now: datetime.datetime | None = None,
    soon_days: int = SOON_DAYS,
    limit: int = DASHBOARD_ROWS,
) -> Bounded[Engagement] | None:
    """Engagements ``user`` runs that start within ``soon_days`` and are not
    confirmed (approved or staffing), soonest first, each with
    ``blocked_by``: what ``engagements.workflow`` says refuses "confirm" now
    (empty: ready to confirm). One query for the rows and the count; the
    workflow is asked about the rows shown only, all at once
    (``refusal_reasons_many``: the same queries for one row or five)."""
    if not _runs_engagements(user):
        return None
    now = now or timezone.now()
    queryset = (
        access.engagements_run_by(user)
        .filter(
            status__in=[E.APPROVED, E.STAFFING],
            start__gt=now,
            start__lte=now + datetime.timedelta(days=soon_days),
        )
        .annotate(confirmed_count=_participants(P.CONFIRMED))
        .select_related("owner")
        .order_by("start", "id")
    )
    card = bounded(queryset, limit=limit)
    reasons = workflow.refusal_reasons_many(engagements=card.rows, name="confirm", by=user, now=now)
    for engagement in card.rows:
        engagement.blocked_by = reasons[engagement.pk]
    return card


def approval_requests_card(
    *, user: Actor, limit: int = DASHBOARD_ROWS
) -> Bounded[Engagement] | None:
    """Requests submitted and waiting for approval, soonest start first
    (managers and administrators). One query."""
    if not access.can_approve_requests(user):
        return None
    return bounded(
        Engagement.objects.filter(status=E.SUBMITTED)
        .select_related("owner")
        .order_by("start", "id"),
        limit=limit,
    )


def said_yes_card(*, user: Actor, limit: int = DASHBOARD_ROWS) -> Bounded[Participation] | None:
    """Consultants who accepted and wait to be confirmed, on engagements
    ``user`` runs, soonest engagement first. One query."""
    if not _runs_engagements(user):
        return None
    return bounded(
        Participation.objects.filter(
            engagement__in=access.engagements_run_by(user).filter(
                status__in=[E.STAFFING, E.CONFIRMED]
            ),
            status=P.ACCEPTED,
        )
        .select_related("engagement", "consultant")
        .defer(*[f"consultant__{n}" for n in encrypted_field_names(Consultant)])
        .order_by("engagement__start", "id"),
        limit=limit,
    )


def to_complete_card(
    *, user: Actor, now: datetime.datetime | None = None, limit: int = DASHBOARD_ROWS
) -> Bounded[Engagement] | None:
    """Confirmed engagements that have ended: mark them completed (oldest
    first). One query."""
    if not _runs_engagements(user):
        return None
    now = now or timezone.now()
    return bounded(
        access.engagements_run_by(user)
        .filter(status=E.CONFIRMED, end__lte=now)
        .order_by("end", "id"),
        limit=limit,
    )


def debriefs_missing_card(
    *, user: Actor, limit: int = DASHBOARD_ROWS
) -> Bounded[Engagement] | None:
    """Completed engagements without a debrief, oldest first. One query: the
    rows, read in end order until ``limit`` match, and the count of all
    beside them (not a window over every matching row's columns)."""
    if not _runs_engagements(user):
        return None
    missing = (
        access.engagements_run_by(user)
        .filter(status=E.COMPLETED)
        .exclude(Exists(Debrief.objects.filter(engagement=OuterRef("pk"))))
    )
    return bounded(missing.order_by("end", "id"), limit=limit, count_from=missing)


def stepped_back_card(
    *,
    user: Actor,
    now: datetime.datetime | None = None,
    days: int = STEPPED_BACK_DAYS,
    limit: int = DASHBOARD_ROWS,
) -> Bounded[ParticipationChange] | None:
    """Who stepped back in the last ``days`` days, latest first: on the
    engagements ``user`` runs, and, for a wellbeing lead, the consultants
    they support (someone may need a call). One query."""
    supports = consultants_access.is_wellbeing_lead(user)
    if not (_runs_engagements(user) or supports):
        return None
    now = now or timezone.now()
    scope = Q(participation__engagement__in=access.engagements_run_by(user).values("pk"))
    if supports:
        scope |= Q(
            participation__consultant__in=consultants_access.consultants_visible_to(user).values(
                "pk"
            )
        )
    deferred = [f"participation__consultant__{n}" for n in encrypted_field_names(Consultant)]
    return bounded(
        ParticipationChange.objects.filter(
            scope, to_status=P.WITHDRAWN, at__gte=now - datetime.timedelta(days=days)
        )
        .select_related("participation__consultant", "participation__engagement")
        .defer(*deferred)
        .order_by("-at", "-id"),
        limit=limit,
    )


# --- The matching page: who is on it already ------------------------------------------------

PARTICIPANTS_SHOWN = 60


def matching_participants(
    *, engagement: Engagement, limit: int = PARTICIPANTS_SHOWN
) -> Bounded[Participation]:
    """Everyone invited to ``engagement`` (whatever they answered), those
    still on it first, then by pseudonym, with the count of all and
    ``extra["by_status"]``: ``[(label, count)]`` in the workflow's order, for
    the statuses present. One query, plus one for the counts."""
    deferred = [f"consultant__{n}" for n in encrypted_field_names(Consultant)]
    card = bounded(
        Participation.objects.filter(engagement=engagement)
        .select_related("consultant")
        .defer(*deferred)
        .annotate(
            still_on=Case(When(status__in=Participation.LIVE, then=Value(1)), default=Value(0))
        )
        .order_by("-still_on", "consultant__pseudonym", "id"),
        limit=limit,
    )
    counts = dict(
        Participation.objects.filter(engagement=engagement)
        .order_by()
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    by_status = [(status.label, counts[status]) for status in P if counts.get(status)]
    return Bounded(rows=card.rows, count=card.count, extra={"by_status": by_status})


# --- Choosing an engagement by search (core.search) ---------------------------------------

MANILA = ZoneInfo("Asia/Manila")
_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_MONTH = re.compile(r"(\d{4})-(\d{2})")


def _period_of(word: str) -> tuple[datetime.date, datetime.date] | None:
    """[first, after) days of ``2026-03-14`` or ``2026-03``, or None."""
    try:
        if match := _DAY.fullmatch(word):
            day = datetime.date(*map(int, match.groups()))
            return day, day + datetime.timedelta(days=1)
        if match := _MONTH.fullmatch(word):
            year, month = map(int, match.groups())
            first = datetime.date(year, month, 1)
            return first, (first + datetime.timedelta(days=32)).replace(day=1)
    except (ValueError, OverflowError):
        return None
    return None


def engagement_search(queryset: QuerySet[Engagement], text: str) -> QuerySet[Engagement]:
    """``queryset`` narrowed by ``text``: each word a date (``2026-03-14``)
    or a month (``2026-03``) of its start in Manila, or part of its title;
    every word must match. Newest first; primary key, title and start only."""
    for word in text.split():
        period = _period_of(word)
        if period is None:
            queryset = queryset.filter(title__icontains=word)
        else:
            first, after = (
                datetime.datetime.combine(day, datetime.time.min, tzinfo=MANILA) for day in period
            )
            queryset = queryset.filter(start__gte=first, start__lt=after)
    return queryset.only("pk", "title", "start").order_by("-start", "-id")


def engaged_consultants_bounded(
    *,
    engagements: QuerySet[Engagement],
    limit: int,
    may_name: QuerySet[Consultant] | None = None,
) -> Bounded[Any]:
    """Consultants booked (accepted, confirmed or attended) on
    ``engagements``, for a document at any volume: the ``limit`` most
    engaged (``COUNT(DISTINCT engagement)`` descending, then pseudonym) as
    ``{"consultant__pseudonym", "n"}`` rows and, from the same query, how
    many consultants in all (a window count over the groups). One query,
    at most ``limit`` rows back.

    ``may_name``: only these consultants are named (e.g. those whose consent
    to be quoted by pseudonym stands); the others are counted, never named.
    They sort after everyone who may be named, so the top ``limit`` named
    are the same as without them."""
    groups = Participation.objects.filter(
        engagement__in=engagements, status__in=Participation.BOOKED
    ).values("consultant", "consultant__pseudonym")
    named = (
        Exists(may_name.filter(pk=OuterRef("consultant"))) if may_name is not None else Value(True)
    )
    rows = list(
        groups.annotate(
            n=Count("engagement", distinct=True),
            everyone=Window(Count("*")),
            may_be_named=named,
        ).order_by("-may_be_named", "-n", "consultant__pseudonym")[:limit]
    )
    count = rows[0]["everyone"] if rows else 0
    return Bounded(rows=[row for row in rows if row["may_be_named"]], count=count)
