"""Reads for the engagement pages. Every staff list is scoped by
``engagements.access.engagements_visible_to``, every portal list by the
consultant's own participations, and each runs a fixed number of queries
whatever its length (tests/engagements/test_selectors.py)."""

from __future__ import annotations

import calendar
import datetime
from dataclasses import dataclass

from django.db.models import (
    Count,
    Exists,
    Expression,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.utils import timezone

from accounts.models import User
from consultants.models import Consultant, ExpertiseTopic
from core.encryption import encrypted_field_names
from engagements import access, capacity
from engagements.access import Actor
from engagements.models import (
    Debrief,
    Engagement,
    EngagementTransition,
    Feedback,
    Participation,
    ParticipationChange,
)

P = Participation.Status
E = Engagement.Status

# Participations the detail page lists (not revoked or cancelled ones,
# which the history still shows). Declined and stepped back: staff see who
# said no (managers, her words if she left any); closed as full: who may
# rejoin or be asked again.
SHOWN_ON_DETAIL = Participation.LIVE | {P.WITHDRAWN, P.DECLINED, P.FULL}


def _with_counts(queryset: QuerySet[Engagement]) -> QuerySet[Engagement]:
    return queryset.annotate(
        confirmed_count=Count("participations", filter=Q(participations__status=P.CONFIRMED)),
        invited_count=Count(
            "participations", filter=Q(participations__status__in=[P.INVITED, P.ACCEPTED])
        ),
    )


# --- Staff lists --------------------------------------------------------------------


def engagement_list(
    *,
    user: Actor,
    status: str | None = None,
    type: str | None = None,
    audience: str | None = None,
    starts_from: datetime.date | None = None,
    starts_until: datetime.date | None = None,
    owner: User | None = None,
    search: str = "",
) -> QuerySet[Engagement]:
    """The staff list: what ``user`` may see, filtered, searched (title,
    requesting team), ordered by start, with ``confirmed_count``,
    ``invited_count`` and ``needs_people_again`` (``engagements.capacity``).
    Paginate it: one query for the rows (owner joined)."""
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
    if search := (search or "").strip():
        queryset = queryset.filter(Q(title__icontains=search) | Q(requested_by__icontains=search))
    return capacity.with_staffing_state(_with_counts(queryset.select_related("owner"))).order_by(
        "start", "id"
    )


def engagement_calendar(
    *, user: Actor, year: int, month: int
) -> dict[datetime.date, list[Engagement]]:
    """Every day of the month (Asia/Manila) with the visible engagements that
    touch it, in one query (``needs_people_again`` annotated). Cancelled and
    declined engagements are left out."""
    tz = timezone.get_default_timezone()
    first = datetime.date(year, month, 1)
    days_in_month = calendar.monthrange(year, month)[1]
    month_start = datetime.datetime.combine(first, datetime.time.min, tzinfo=tz)
    month_end = month_start + datetime.timedelta(days=days_in_month)
    engagements = list(
        capacity.with_staffing_state(
            access.engagements_visible_to(user)
            .filter(start__lt=month_end, end__gt=month_start)
            .exclude(status__in=[E.CANCELLED, E.DECLINED])
        ).order_by("start", "id")
    )
    days = {first + datetime.timedelta(days=n): [] for n in range(days_in_month)}
    for engagement in engagements:
        day = max(timezone.localtime(engagement.start, tz).date(), first)
        last = timezone.localtime(engagement.end - datetime.timedelta(microseconds=1), tz).date()
        while day <= last and day in days:
            days[day].append(engagement)
            day += datetime.timedelta(days=1)
    return days


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
    engagement.privacy_plan_or_none = getattr(engagement, "privacy_plan", None)
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
        item.shown_as = None if item.anonymous else item.participation.consultant.pseudonym
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


def consultant_past(
    *, consultant: Consultant, now: datetime.datetime | None = None
) -> QuerySet[Participation]:
    """What they took part in or stepped back from, latest first
    (``has_feedback`` annotated)."""
    now = now or timezone.now()
    return (
        _consultant_participations(consultant)
        .filter(
            Q(status__in=[P.ATTENDED, P.NO_SHOW, P.WITHDRAWN])
            | Q(status__in=[P.ACCEPTED, P.CONFIRMED], engagement__end__lte=now)
        )
        .order_by("-engagement__start", "-id")
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


def consultant_monthly_load(first: datetime.date, last: datetime.date) -> Expression:
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
