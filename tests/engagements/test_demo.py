import pytest

from accounts import demo as accounts_demo
from consultants import demo as consultants_demo
from engagements import demo
from engagements.models import (
    Debrief,
    Engagement,
    EngagementTransition,
    Feedback,
    Participation,
    ParticipationChange,
    PrivacyPlan,
)

pytestmark = pytest.mark.django_db

TABLES = [
    Engagement,
    EngagementTransition,
    PrivacyPlan,
    Participation,
    ParticipationChange,
    Debrief,
    Feedback,
]


def _counts():
    return {model.__name__: model.objects.count() for model in TABLES}


def test_demo_has_every_status_and_adds_nothing_the_second_time():
    accounts_demo.seed()
    consultants_demo.seed()
    created = demo.seed()
    assert len(created) == len(demo.DEMO_ENGAGEMENTS)
    first = _counts()

    assert demo.seed() == []
    assert _counts() == first

    assert set(Engagement.objects.values_list("status", flat=True)) == set(Engagement.Status.values)
    statuses = set(Participation.objects.values_list("status", flat=True))
    assert {"invited", "accepted", "confirmed", "attended", "withdrawn", "cancelled"} <= statuses
    amihan = Participation.objects.filter(consultant__pseudonym="Amihan")
    assert amihan.filter(status="invited").exists()  # the portal shows an invitation
    assert Feedback.objects.filter(anonymous=True).exists()
    withdrawn = Participation.objects.get(status="withdrawn")
    assert withdrawn.hours_given is not None
    # Every engagement's timeline starts with its creation.
    for engagement in Engagement.objects.all():
        assert engagement.transitions.first().name == "create"


def test_demo_needs_the_sign_ins_and_consultants_first():
    with pytest.raises(RuntimeError):
        demo.seed()
    accounts_demo.seed()
    with pytest.raises(RuntimeError):
        demo.seed()
