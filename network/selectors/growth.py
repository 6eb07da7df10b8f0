"""Reads of growth: skills gained, learning events, pathways, her growth
page. Every read is a fixed number of queries, whatever her history
(tests/network/test_growth_queries.py counts them).

``skills_of(consultant)`` is the one other parts read (matching's
evidence, her record): her current skills and where each came from, in
one query.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Prefetch, Q, QuerySet

from consultants.models import Consultant, ExpertiseTopic
from engagements.models import EngagementType, Participation, ParticipationRole
from network.models import (
    LearningEvent,
    Pathway,
    PathwayStep,
    PeerCircle,
    Reflection,
    SkillEvidence,
    StepReached,
)

LEADING = (ParticipationRole.FACILITATOR, ParticipationRole.CO_FACILITATOR)
# Her growth page shows this many of each list (the newest first).
SHOWN = 20


def skills_of(consultant: Consultant) -> QuerySet[SkillEvidence]:
    """Her current skills (not withdrawn), each with where it came from:
    the skill, the engagement and the mentor joined in. One query."""
    return (
        SkillEvidence.objects.filter(consultant=consultant, withdrawn_at__isnull=True)
        .select_related("skill", "engagement", "mentor")
        .only(
            "pk",
            "consultant_id",
            "skill__id",
            "skill__name",
            "skill__slug",
            "source",
            "engagement__id",
            "engagement__title",
            "engagement__start",
            "mentor__id",
            "mentor__pseudonym",
            "mentor__visible_to_peers",
            "note",
            "gained_on",
        )
        .order_by("skill__name", "-gained_on", "-pk")
    )


def evidence_for_staff(consultant: Consultant) -> QuerySet[SkillEvidence]:
    """Every piece of evidence, withdrawn too, for her staff skills page."""
    return (
        SkillEvidence.objects.filter(consultant=consultant)
        .select_related("skill", "engagement", "mentor", "recorded_by", "withdrawn_by")
        .order_by("withdrawn_at", "-gained_on", "-pk")
    )


def steps_reached(consultant: Consultant) -> QuerySet[StepReached]:
    return (
        StepReached.objects.filter(consultant=consultant)
        .select_related("step__pathway", "recorded_by")
        .order_by("-reached_on", "-pk")
    )


def reachable_steps() -> QuerySet[PathwayStep]:
    """Steps of the pathways offered (a small table the programme defines)."""
    return (
        PathwayStep.objects.filter(pathway__is_active=True)
        .select_related("pathway")
        .order_by("pathway__name", "order")
    )


def shared_reflections(consultant: Consultant) -> QuerySet[Reflection]:
    return Reflection.objects.filter(consultant=consultant, shared_with_team=True)


def active_skills() -> QuerySet[ExpertiseTopic]:
    return ExpertiseTopic.objects.filter(is_active=True).order_by("name")


def event_skill_choices(event: LearningEvent | None) -> QuerySet[ExpertiseTopic]:
    """Active topics, and those the event already builds."""
    condition = Q(is_active=True)
    if event is not None:
        condition |= Q(learning_events=event)
    return ExpertiseTopic.objects.filter(condition).distinct().order_by("name")


def learning_event_of(engagement) -> LearningEvent | None:
    return (
        LearningEvent.objects.filter(engagement=engagement)
        .prefetch_related(
            Prefetch("skills", queryset=ExpertiseTopic.objects.order_by("name")),
            "staff_facilitators",
        )
        .first()
    )


# --- Her growth page (portal) ------------------------------------------------------------


@dataclass
class PathwayView:
    pathway: Pathway
    reached: list[tuple[PathwayStep, Any]] = field(default_factory=list)
    next_step: PathwayStep | None = None
    missing: list[ExpertiseTopic] = field(default_factory=list)


@dataclass
class Growth:
    done: list[dict[str, Any]]
    done_total: int
    learned: list[Participation]
    skills: list[SkillEvidence]
    led: list[Participation]
    circles: list[PeerCircle]
    pathways: list[PathwayView]


def done_by_type(consultant: Consultant) -> list[dict[str, Any]]:
    """Engagements she attended, counted by type in SQL."""
    labels = dict(EngagementType.choices)
    rows = (
        Participation.objects.filter(consultant=consultant, status=Participation.Status.ATTENDED)
        .values("engagement__type")
        .annotate(count=Count("pk"))
        .order_by("-count", "engagement__type")
    )
    return [
        {
            "type": row["engagement__type"],
            "label": labels.get(row["engagement__type"], row["engagement__type"]),
            "count": row["count"],
        }
        for row in rows
    ]


def pathways_for(consultant: Consultant, held_skill_ids: set[int]) -> list[PathwayView]:
    """Each pathway offered: the steps she reached, and the next one with the
    skills it needs that she has not gained yet. Four queries."""
    pathways = Pathway.objects.filter(is_active=True).prefetch_related(
        Prefetch(
            "steps",
            queryset=PathwayStep.objects.order_by("order").prefetch_related(
                Prefetch("skills", queryset=ExpertiseTopic.objects.order_by("name"))
            ),
        )
    )
    reached = {
        row.step_id: row.reached_on
        for row in StepReached.objects.filter(
            consultant=consultant, step__pathway__is_active=True
        ).only("step_id", "reached_on")
    }
    views = []
    for pathway in pathways:
        view = PathwayView(pathway=pathway)
        for step in pathway.steps.all():
            if step.pk in reached:
                view.reached.append((step, reached[step.pk]))
            elif view.next_step is None:
                view.next_step = step
                view.missing = [s for s in step.skills.all() if s.pk not in held_skill_ids]
        views.append(view)
    return views


def growth_of(consultant: Consultant) -> Growth:
    """Everything on her growth page but her reflections (paged by the view)."""
    done = done_by_type(consultant)
    learned = list(
        Participation.objects.filter(
            consultant=consultant,
            status=Participation.Status.ATTENDED,
            engagement__learning_event__isnull=False,
        )
        .select_related("engagement__learning_event")
        .order_by("-engagement__start", "-pk")[:SHOWN]
    )
    skills = list(skills_of(consultant))
    led = list(
        Participation.objects.filter(
            consultant=consultant,
            role__in=LEADING,
            status__in=(Participation.Status.CONFIRMED, Participation.Status.ATTENDED),
        )
        .select_related("engagement")
        .order_by("-engagement__start", "-pk")[:SHOWN]
    )
    circles = list(
        PeerCircle.objects.filter(Q(facilitator=consultant) | Q(co_facilitator=consultant))
        .filter(ended_on__isnull=True)
        .only("pk", "name", "facilitator_id", "co_facilitator_id", "started_on")
        .order_by("name", "pk")[:SHOWN]
    )
    pathways = pathways_for(consultant, {evidence.skill_id for evidence in skills})
    return Growth(
        done=done,
        done_total=sum(row["count"] for row in done),
        learned=learned,
        skills=skills,
        led=led,
        circles=circles,
        pathways=pathways,
    )


def reflections_of(consultant: Consultant) -> QuerySet[Reflection]:
    return Reflection.objects.filter(consultant=consultant).order_by("-created_at", "-pk")
