"""The growth loop of issue #18, across apps: staff mark her present at a
leadership camp on the engagement's own page (engagements), the camp's
skills become hers (network), her growth page lists the camp and the
skills it gave her (network, portal), and matching for a later engagement
that wants one of those skills names the camp as its reason (engagements,
through the skill-evidence registry network fills)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from engagements import matching
from engagements.models import Engagement, EngagementType, Participation
from network.models import LearningEvent, SkillEvidence
from network.services import growth as growth_services
from tests.consultants.factories import ExpertiseTopicFactory
from tests.engagements.factories import EngagementFactory, ParticipationFactory
from tests.helpers import client_for, past_engagement

pytestmark = pytest.mark.django_db


def _page(response) -> str:
    return " ".join(response.content.decode().split())


def test_a_camp_she_attended_shows_on_her_growth_page_and_as_a_reason_in_matching(
    make_user, make_consultant, owner
):
    speaking = ExpertiseTopicFactory(slug="public-speaking-loop", name="Speaking to a room")
    camp = past_engagement(
        owner, days_ago=20, title="Leadership camp in Baguio", type=EngagementType.LEADERSHIP_CAMP
    )
    growth_services.learning_event_set(
        engagement=camp,
        by=owner,
        kind=LearningEvent.Kind.LEADERSHIP_CAMP,
        skills=[speaking],
        staff_facilitators=[owner],
    )
    hiraya = make_consultant(pseudonym="Hiraya", user=make_user(Role.CONSULTANT))
    # Alphabetically first and with no evidence: she would lead without the camp.
    make_consultant(pseudonym="Alon")
    place = ParticipationFactory(
        engagement=camp, consultant=hiraya, status=Participation.Status.CONFIRMED
    )

    # 1. The owner marks her present, on the engagement's page.
    response = client_for(owner).post(
        reverse("engagements:participation_attendance", args=[camp.pk, place.pk]),
        {"attended": "yes"},
    )
    assert response.status_code == 302
    evidence = SkillEvidence.objects.get(consultant=hiraya, skill=speaking)
    assert (evidence.source, evidence.engagement_id) == ("learning_event", camp.pk)

    # 2. Her growth page lists the camp and the skill it gave her.
    page = _page(client_for(hiraya.user).get(reverse("my_growth:index")))
    assert "Leadership camp in Baguio" in page
    assert "Speaking to a room" in page

    # 3. Matching for a later engagement wanting that skill names the camp.
    later = EngagementFactory(owner=owner, status=Engagement.Status.STAFFING)
    later.expertise.set([speaking])
    result = matching.match(engagement=later)
    assert [c.consultant.pseudonym for c in result.suggestions][:2] == ["Hiraya", "Alon"]
    assert "Has Speaking to a room (from Leadership camp in Baguio)." in (
        result.suggestions[0].reasons
    )

    # 4. Corrected to "did not attend": the evidence is withdrawn, and the
    #    reason goes with it.
    place.refresh_from_db()
    client_for(owner).post(
        reverse("engagements:participation_attendance", args=[camp.pk, place.pk]),
        {"attended": "no"},
    )
    evidence.refresh_from_db()
    assert evidence.withdrawn_at is not None
    result = matching.match(engagement=later)
    assert not any(
        "Leadership camp in Baguio" in reason
        for suggestion in result.suggestions
        for reason in suggestion.reasons
    )
