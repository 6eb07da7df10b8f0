"""Her growth page and the staff skills page ask the same number of
queries whatever her history (a small and a larger seed)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from engagements.models import EngagementType, Participation
from network.models import LearningEvent, Network, PathwayStep, PeerCircle
from network.services import growth as services
from tests.consultants.factories import ExpertiseTopicFactory
from tests.engagements.factories import ParticipationFactory
from tests.helpers import client_for, past_engagement
from tests.network.growth_world import attend, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user, manager_user):
    world = build(make_user)
    world["manager"] = manager_user
    world["network"] = Network.objects.create(name="Philippine Survivor Network")
    attend(world, "Amihan")
    return world


def _seed(world, count: int, offset: int) -> None:
    """``count`` more of everything on her pages: learning events she
    attended (a skill each), engagements she led, circles, reflections,
    skills staff recorded, pathway steps reached."""
    amihan, owner, manager = world["amihan"], world["owner"], world["manager"]
    for n in range(offset, offset + count):
        skill = ExpertiseTopicFactory(slug=f"skill-{n}", name=f"Skill {n}")
        engagement = past_engagement(
            owner, days_ago=40 + n, title=f"Training {n}", type=EngagementType.TRAINING
        )
        ParticipationFactory(
            engagement=engagement,
            consultant=amihan,
            status=Participation.Status.CONFIRMED,
            role="facilitator" if n % 2 else "participant",
        )
        services.learning_event_set(
            engagement=engagement, by=owner, kind=LearningEvent.Kind.TRAINING, skills=[skill]
        )
        participation = Participation.objects.get(engagement=engagement, consultant=amihan)
        from engagements.workflow import participation_transition

        participation_transition(participation=participation, name="mark_attended", by=owner)
        services.skill_record(
            consultant=amihan,
            skill=skill,
            source="mentor",
            mentor=world["dalisay"],
            by=manager,
        )
        PeerCircle.objects.create(
            network=world["network"], name=f"Circle {n}", facilitator=amihan, staff_contact=owner
        )
        services.reflection_add(
            consultant=amihan, by=amihan.user, body=f"Words {n}", shared_with_team=True
        )
        step = PathwayStep.objects.create(pathway=world["pathway"], order=10 + n, title=f"S{n}")
        step.skills.set([skill, world["speaking"]])
        if n % 2:
            services.step_reach(consultant=amihan, step=step, by=manager)


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["portal", "staff"])
def test_a_fixed_number_of_queries_at_a_small_and_a_larger_seed(world, page):
    if page == "portal":
        client = client_for(world["amihan"].user)
        url = reverse("my_growth:index")
    else:
        client = client_for(world["manager"])
        url = reverse("network:growth_skills", args=[world["amihan"].pk])
    client.get(url)  # warm what a running server has cached
    _seed(world, 2, 0)
    few = _queries(client, url)
    _seed(world, 12, 2)
    many = _queries(client, url)
    assert few == many, (few, many)
    assert many <= 20
