"""Reads for a survivor leader's area and for the reviews staff see.

What a leader reads is a summary and nothing else: the fields this module
names (``SUMMARY_FIELDS``) are the whole of what her pages may show of a
request. No participation, invitation, owner, requester, venue, link,
notes or wellbeing row is ever read here.
"""

from __future__ import annotations

from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from consultants.models import Consultant, Language
from engagements.models import (
    Engagement,
    EngagementTransition,
    Participation,
    ParticipationRole,
    PrivacyPlan,
)
from network.models import AdvisoryReview, LearningEvent, PeerCircle
from network.services.reviews import required_audiences

# What a leader's pages may show of a request.
SUMMARY_FIELDS = (
    "id",
    "title",
    "type",
    "audience",
    "purpose",
    "expected_contribution",
    "start",
    "end",
    "mode",
    "consultants_wanted",
    "languages",
    "status",
)
# The privacy plan's choices (its free-text fields may name people: not shown).
PLAN_FIELDS = ("pseudonym_only", "photo", "video", "audio", "approved_at")

LEADS = (ParticipationRole.FACILITATOR, ParticipationRole.CO_FACILITATOR)
# Her part in an event still stands.
STANDING = (
    Participation.Status.INVITED,
    Participation.Status.ACCEPTED,
    Participation.Status.CONFIRMED,
    Participation.Status.ATTENDED,
)
# A summary list on her home page: the most recent few, never the whole table.
LED_SHOWN = 10


def _submitted_at():
    return Subquery(
        EngagementTransition.objects.filter(
            engagement=OuterRef("pk"), to_status=Engagement.Status.SUBMITTED
        )
        .order_by("-at")
        .values("at")[:1]
    )


def incoming_requests(leader: Consultant) -> QuerySet[Engagement]:
    """Requests awaiting approval, newest first, each with
    ``submitted_at``, ``needs_review`` (the network asks a review for its
    audience) and ``reviewed_by_me``. Page it: one query per page, plus
    the count and the networks' audiences."""
    required = sorted(required_audiences())
    mine = AdvisoryReview.objects.filter(engagement=OuterRef("pk"), leader=leader)
    return (
        Engagement.objects.filter(status=Engagement.Status.SUBMITTED)
        .only(*SUMMARY_FIELDS)
        .annotate(
            submitted_at=Coalesce(_submitted_at(), F("created_at")),
            needs_review=(
                ExpressionWrapper(Q(audience__in=required), output_field=BooleanField())
                if required
                else Value(False, output_field=BooleanField())
            ),
            reviewed_by_me=Exists(mine),
        )
        .order_by("-submitted_at", "-id")
    )


def request_summary(engagement: Engagement) -> dict[str, Any]:
    """What her request page shows: the summary, the expertise and
    languages asked for, and the privacy plan's choices (or None)."""
    row = (
        Engagement.objects.only(*SUMMARY_FIELDS)
        .annotate(submitted_at=Coalesce(_submitted_at(), F("created_at")))
        .get(pk=engagement.pk)
    )
    plan = PrivacyPlan.objects.filter(engagement=engagement).only(*PLAN_FIELDS).first()
    return {
        "engagement": row,
        "expertise": list(engagement.expertise.order_by("name").values_list("name", flat=True)),
        "languages": [str(Language(c).label) for c in row.languages if c in Language.values],
        "plan": plan,
        "needs_review": row.audience in required_audiences(),
    }


def my_review(leader: Consultant, engagement: Engagement) -> AdvisoryReview | None:
    return AdvisoryReview.objects.filter(engagement=engagement, leader=leader).first()


def my_reviews(leader: Consultant) -> QuerySet[AdvisoryReview]:
    return AdvisoryReview.objects.filter(leader=leader).select_related("engagement")


def led_events(leader: Consultant) -> list[LearningEvent]:
    """Learning events where she facilitates or co-facilitates, soonest or
    most recent first, each with ``my_role``."""
    mine = Participation.objects.filter(
        engagement=OuterRef("engagement"), consultant=leader, role__in=LEADS, status__in=STANDING
    )
    return list(
        LearningEvent.objects.filter(Exists(mine))
        .select_related("engagement")
        .only(
            "id",
            "kind",
            "engagement__id",
            "engagement__title",
            "engagement__start",
            "engagement__end",
            "engagement__mode",
            "engagement__status",
        )
        .annotate(my_role=Subquery(mine.values("role")[:1]))
        .order_by("-engagement__start", "-id")[:LED_SHOWN]
    )


def led_circles(leader: Consultant) -> list[PeerCircle]:
    """Peer circles she facilitates or co-facilitates, still running, each
    with how many members it has and its next meeting (no member named)."""
    now = timezone.now()
    return list(
        PeerCircle.objects.filter(Q(facilitator=leader) | Q(co_facilitator=leader))
        .filter(ended_on__isnull=True)
        .only("id", "name", "paid", "started_on", "facilitator_id", "co_facilitator_id")
        .annotate(
            my_role=Case(
                When(facilitator=leader, then=Value(ParticipationRole.FACILITATOR.value)),
                default=Value(ParticipationRole.CO_FACILITATOR.value),
            ),
            members=Count(
                "memberships", filter=Q(memberships__left_on__isnull=True), distinct=True
            ),
            next_meeting=Min(
                "meetings__starts_at",
                filter=Q(meetings__starts_at__gte=now, meetings__cancelled_at__isnull=True),
            ),
        )
        .order_by("name", "id")[:LED_SHOWN]
    )


# --- Staff: the reviews of an engagement ----------------------------------------------


def reviews_of(engagement: Engagement) -> list[AdvisoryReview]:
    return list(
        AdvisoryReview.objects.filter(engagement=engagement)
        .select_related("leader")
        .only(
            "id",
            "recommendation",
            "changes",
            "notes",
            "submitted_at",
            "leader__id",
            "leader__pseudonym",
        )
        .order_by("-submitted_at", "-id")
    )
