"""Skills gained count as evidence in matching (issue #18): a consultant
whose only evidence of a wanted skill is a camp she attended ranks above
one without it, and the reason names the camp; a mentor's sign-off names
the mentor; withdrawn evidence counts for nothing; one query still."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from consultants.models import ExpertiseTopic
from engagements import matching
from engagements.models import Engagement, Participation
from network.models import LearningEvent, SkillEvidence
from tests.consultants.factories import ExpertiseTopicFactory
from tests.engagements.factories import MONDAY, EngagementFactory, ParticipationFactory, at

pytestmark = pytest.mark.django_db
P = Participation.Status


@pytest.fixture
def staffing(owner):
    """A staffing engagement: Monday 10:00-12:00, internal."""
    return EngagementFactory(owner=owner, status=Engagement.Status.STAFFING)


@pytest.fixture
def speaking():
    """A topic the migrations may already hold."""
    return ExpertiseTopic.objects.filter(name="Public speaking").first() or ExpertiseTopicFactory(
        name="Public speaking"
    )


@pytest.fixture
def camp(owner, speaking):
    """A leadership camp in the past, building public speaking."""
    engagement = EngagementFactory(
        owner=owner,
        title="Leadership camp 2026",
        status=Engagement.Status.COMPLETED,
        start=at(MONDAY - datetime.timedelta(days=400), 9),
    )
    event = LearningEvent.objects.create(
        engagement=engagement, kind=LearningEvent.Kind.LEADERSHIP_CAMP, created_by=owner
    )
    event.skills.set([speaking])
    return engagement


def _gained(consultant, skill, by, **kwargs):
    return SkillEvidence.objects.create(
        consultant=consultant, skill=skill, recorded_by=by, **kwargs
    )


def _names(result):
    return [c.consultant.pseudonym for c in result.suggestions]


def test_a_skill_gained_at_a_camp_ranks_her_above_one_without_and_names_the_camp(
    make_consultant, staffing, camp, speaking, owner
):
    staffing.expertise.set([speaking])
    # Alphabetically first, and fewer engagements: without evidence she would lead.
    make_consultant(pseudonym="Amihan")
    hiraya = make_consultant(pseudonym="Hiraya")
    ParticipationFactory(engagement=camp, consultant=hiraya, status=P.ATTENDED)
    _gained(hiraya, speaking, owner, source=SkillEvidence.Source.LEARNING_EVENT, engagement=camp)

    result = matching.match(engagement=staffing)

    assert _names(result) == ["Hiraya", "Amihan"]
    reasons = result.suggestions[0].reasons
    assert "Knows Public speaking (1 of 1 topic wanted)." in reasons
    assert "Has Public speaking (from Leadership camp 2026)." in reasons
    assert "None of the topics wanted." in result.suggestions[1].reasons


def test_a_mentor_sign_off_names_the_mentor_and_staff_tags_still_count(
    make_consultant, staffing, speaking, owner
):
    law = ExpertiseTopicFactory(name="Lawmaking advice")
    staffing.expertise.set([speaking, law])
    mentor = make_consultant(pseudonym="Dalisay", expertise=[law])
    bituin = make_consultant(pseudonym="Bituin", expertise=[law])
    _gained(bituin, speaking, owner, source=SkillEvidence.Source.MENTOR, mentor=mentor)

    result = matching.match(engagement=staffing)

    assert _names(result) == ["Bituin", "Dalisay"]
    reasons = result.suggestions[0].reasons
    assert "Knows Lawmaking advice, Public speaking (2 of 2 topics wanted)." in reasons
    assert "Has Public speaking (signed off by mentor Dalisay)." in reasons


def test_withdrawn_evidence_and_skills_not_wanted_count_for_nothing(
    make_consultant, staffing, camp, speaking, owner, make_user
):
    staffing.expertise.set([speaking])
    other = ExpertiseTopicFactory(name="Budgeting")
    amihan = make_consultant(pseudonym="Amihan")
    hiraya = make_consultant(pseudonym="Hiraya")
    _gained(
        hiraya,
        speaking,
        owner,
        source=SkillEvidence.Source.LEARNING_EVENT,
        engagement=camp,
        withdrawn_at=timezone.now(),
        withdrawn_by=owner,
    )
    _gained(amihan, other, owner, source=SkillEvidence.Source.STAFF)

    result = matching.match(engagement=staffing)

    assert _names(result) == ["Amihan", "Hiraya"]
    assert all(c.evidence == [] for c in result.suggestions)


def test_the_title_of_an_ordinary_engagement_is_never_named(
    make_consultant, staffing, speaking, owner
):
    staffing.expertise.set([speaking])
    hearing = EngagementFactory(title="Closed hearing", status=Engagement.Status.COMPLETED)
    hiraya = make_consultant(pseudonym="Hiraya")
    _gained(hiraya, speaking, owner, source=SkillEvidence.Source.ENGAGEMENT, engagement=hearing)

    reasons = " ".join(matching.match(engagement=staffing).suggestions[0].reasons)

    assert "Has Public speaking (shown on an engagement)." in reasons
    assert "Closed hearing" not in reasons


def test_evidence_keeps_matching_at_four_queries(
    make_consultant, staffing, camp, speaking, owner, make_user
):
    staffing.expertise.set([speaking])
    counts = []
    for n in range(2):
        for k in range(3 * n + 1):
            consultant = make_consultant(pseudonym=f"Peer{n}{k}")
            _gained(
                consultant,
                speaking,
                owner,
                source=SkillEvidence.Source.LEARNING_EVENT,
                engagement=camp,
            )
        with CaptureQueriesContext(connection) as captured:
            result = matching.match(engagement=staffing)
        counts.append(len(captured))
        assert all(c.evidence for c in result.suggestions)
    assert counts == [4, 4]


def test_the_invitation_service_counts_evidence_the_same(
    make_consultant, staffing, camp, speaking, owner
):
    hiraya = make_consultant(pseudonym="Hiraya")
    _gained(hiraya, speaking, owner, source=SkillEvidence.Source.LEARNING_EVENT, engagement=camp)
    staffing.expertise.set([speaking])
    assert matching.exclusions_for(engagement=staffing, consultant=hiraya) == []
