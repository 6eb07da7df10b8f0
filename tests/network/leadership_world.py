"""A survivor network at work, at any scale, for the tests of the
leadership figures (network.selectors.leadership, the programme report's
section and the leaders' figures page). Built on the models directly."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from consultants.models import ConsentScope
from engagements.models import Engagement, EngagementTransition, Participation
from impact import services as impact_services
from network.models import (
    AdvisoryReview,
    CircleAttendance,
    CircleMeeting,
    CircleMembership,
    LearningEvent,
    Network,
    NetworkLedEngagement,
    NetworkLedWork,
    PeerCircle,
)
from network.services.leaders import leader_name
from tests.engagements.factories import ParticipationFactory
from tests.fixtures import EVERYDAY
from tests.helpers import past_engagement

QUOTING = (*EVERYDAY, ConsentScope.QUOTING)


@dataclass
class World:
    network: Network
    named: object  # a leader whose consent to be quoted stands
    unnamed: object  # a leader without it
    attendees: list = field(default_factory=list)


def leaders(*, make_consultant, manager) -> World:
    network = Network.objects.create(
        name="Philippine Survivor Network (test)", review_required_audiences=["media"]
    )
    named = make_consultant(pseudonym="Liwayway", scopes=QUOTING)
    unnamed = make_consultant(pseudonym="Kislap", scopes=EVERYDAY)
    since = timezone.localdate() - datetime.timedelta(days=120)
    for consultant in (named, unnamed):
        leader_name(network=network, consultant=consultant, by=manager, since=since)
    attendees = [make_consultant(pseudonym=f"Dalo{n}") for n in range(3)]
    return World(network=network, named=named, unnamed=unnamed, attendees=attendees)


def grow(world: World, *, owner, rounds: int, start_day: int = 10) -> None:
    """``rounds`` times: a leadership camp led by the named leader with the
    attendees, a media request reviewed then approved and one approved
    without a review, a circle meeting with everyone present, a network-led
    engagement and a work co-authored by a leader."""
    circle, _created = PeerCircle.objects.get_or_create(
        network=world.network,
        name="Circle (test)",
        defaults={"facilitator": world.named, "staff_contact": owner},
    )
    for consultant in world.attendees:
        CircleMembership.objects.get_or_create(circle=circle, consultant=consultant)
    for n in range(rounds):
        days_ago = start_day + n
        camp = past_engagement(owner, days_ago=days_ago, type="leadership_camp")
        event = LearningEvent.objects.create(
            engagement=camp, kind="leadership_camp", created_by=owner
        )
        ParticipationFactory(
            engagement=camp,
            consultant=world.named,
            role="facilitator",
            status=Participation.Status.ATTENDED,
        )
        for consultant in world.attendees:
            ParticipationFactory(
                engagement=camp,
                consultant=consultant,
                role="participant",
                status=Participation.Status.ATTENDED,
            )
        assert event.pk

        request = past_engagement(
            owner, days_ago=days_ago, type="media_interview", audience="media"
        )
        reviewed_at = timezone.now() - datetime.timedelta(days=days_ago, hours=2)
        AdvisoryReview.objects.create(
            engagement=request,
            leader=world.unnamed,
            recommendation="with_changes",
            changes="Blur the faces.",
            submitted_at=reviewed_at,
        )
        EngagementTransition.objects.create(
            engagement=request,
            name="approve",
            from_status=Engagement.Status.SUBMITTED,
            to_status=Engagement.Status.APPROVED,
            by=owner,
            at=reviewed_at + datetime.timedelta(hours=1),
        )
        unreviewed = past_engagement(owner, days_ago=days_ago)
        EngagementTransition.objects.create(
            engagement=unreviewed,
            name="approve",
            from_status=Engagement.Status.SUBMITTED,
            to_status=Engagement.Status.APPROVED,
            by=owner,
            at=reviewed_at,
        )
        NetworkLedEngagement.objects.create(
            network=world.network, engagement=request, marked_by=owner
        )

        meeting = CircleMeeting.objects.create(
            circle=circle,
            starts_at=timezone.now() - datetime.timedelta(days=days_ago),
            mode="online",
            created_by=owner,
        )
        for consultant in world.attendees:
            CircleAttendance.objects.create(
                meeting=meeting, consultant=consultant, present=True, marked_by=owner
            )

        work = impact_services.work_create(
            engagement=camp,
            by=owner,
            title=f"Camp guide {n}",
            kind="checklist",
            consultants=[world.named],
            published_on=timezone.localdate() - datetime.timedelta(days=days_ago - 1),
        )
        NetworkLedWork.objects.create(network=world.network, work=work, marked_by=owner)
