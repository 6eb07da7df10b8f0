"""The growth tests' world (a plain function, not a conftest, so that the
network's other parts keep their own fixtures): a leadership camp that
took place, run by its owner with an assigned colleague, that builds two
skills; Amihan and Bayani confirmed for it, Dalisay a mentor; a pathway of
three steps."""

from __future__ import annotations

from accounts.roles import Role
from engagements.models import EngagementType, Participation
from engagements.workflow import participation_transition
from network.models import LearningEvent, Pathway, PathwayStep
from network.services import growth as services
from tests.consultants.factories import ConsultantFactory, ExpertiseTopicFactory
from tests.engagements.factories import ParticipationFactory
from tests.helpers import past_engagement


def build(make_user) -> dict:
    owner = make_user(Role.PROGRAMME_STAFF, display_name="Olivia Owner")
    assigned = make_user(Role.PROGRAMME_STAFF, display_name="Aldo Assigned")
    camp = past_engagement(
        owner,
        days_ago=30,
        assigned_staff=[assigned],
        title="Leadership camp in Tagaytay",
        type=EngagementType.LEADERSHIP_CAMP,
    )
    speaking = ExpertiseTopicFactory(slug="public-speaking", name="Public speaking")
    facilitation = ExpertiseTopicFactory(slug="facilitation", name="Facilitation")
    retired = ExpertiseTopicFactory(slug="old-topic", name="Old topic", is_active=False)
    amihan = ConsultantFactory(pseudonym="Amihan", user=make_user(Role.CONSULTANT))
    bayani = ConsultantFactory(pseudonym="Bayani", user=make_user(Role.CONSULTANT))
    dalisay = ConsultantFactory(pseudonym="Dalisay", user=make_user(Role.CONSULTANT))
    participations = {
        consultant.pseudonym: ParticipationFactory(
            engagement=camp, consultant=consultant, status=Participation.Status.CONFIRMED
        )
        for consultant in (amihan, bayani)
    }
    event = services.learning_event_set(
        engagement=camp,
        by=owner,
        kind=LearningEvent.Kind.LEADERSHIP_CAMP,
        skills=[speaking, facilitation],
        staff_facilitators=[owner],
    )
    pathway = Pathway.objects.create(name="Consultant to trainer")
    steps = [
        PathwayStep.objects.create(pathway=pathway, order=1, title="Consultant"),
        PathwayStep.objects.create(pathway=pathway, order=2, title="Co-facilitator"),
        PathwayStep.objects.create(pathway=pathway, order=3, title="Trainer"),
    ]
    steps[1].skills.set([facilitation])
    steps[2].skills.set([speaking, facilitation])
    return {
        "owner": owner,
        "assigned": assigned,
        "camp": camp,
        "event": event,
        "speaking": speaking,
        "facilitation": facilitation,
        "retired": retired,
        "amihan": amihan,
        "bayani": bayani,
        "dalisay": dalisay,
        "participations": participations,
        "pathway": pathway,
        "steps": steps,
    }


def attend(world, name: str, *, action: str = "mark_attended", by=None) -> Participation:
    """Mark attendance through the engagements workflow, as its owner."""
    participation = world["participations"][name]
    participation.refresh_from_db()
    return participation_transition(
        participation=participation, name=action, by=by or world["owner"]
    )
