"""The network's demo (network.demo), loaded with every other demo by
``seed_demo``: a network, two leaders (one with a portal sign-in and a
second factor), a past leadership camp with attendance and skills, a
pathway, a peer circle with paid attendance, an engagement with a pair and
a media request awaiting a leader's review. Loaded twice, made once."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from accounts import demo as accounts_demo
from accounts.roles import Role, is_survivor_leader, roles_of
from compensation.models import PaymentLine
from consultants.models import Consultant
from engagements.models import Engagement, Participation
from network import demo
from network.models import (
    CircleAttendance,
    CircleMeeting,
    CircleMembership,
    Leadership,
    LearningEvent,
    Network,
    PathwayStep,
    PeerCircle,
    SkillEvidence,
    StepReached,
)

pytestmark = pytest.mark.django_db


def _counts() -> dict:
    return {
        model.__name__: model.objects.count()
        for model in (
            Network,
            Leadership,
            LearningEvent,
            SkillEvidence,
            PathwayStep,
            StepReached,
            PeerCircle,
            CircleMembership,
            CircleMeeting,
            CircleAttendance,
            Engagement,
            Consultant,
        )
    } | {"lines": PaymentLine.objects.filter(kind=PaymentLine.Kind.NETWORK).count()}


def test_the_demo_has_the_network_and_loads_once(settings):
    from core.management.commands.seed_demo import DEMO_APPS

    assert DEMO_APPS.index("network") > DEMO_APPS.index("impact")
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    first = _counts()

    network = Network.objects.get(name=demo.NETWORK_NAME)
    assert set(network.review_required_audiences) == {"media", "government"}
    assert network.leaders_need_mfa
    leaders = Leadership.objects.filter(network=network, until__isnull=True)
    assert sorted(leaders.values_list("consultant__pseudonym", flat=True)) == [
        "Habagat",
        "Liwanag",
    ]

    # Liwanag signs in to the portal as a leader, with a second factor.
    user = accounts_demo.demo_user("leader@example.org")
    assert user is not None and user.is_sealed
    assert Consultant.objects.get(pseudonym="Liwanag").user == user
    assert is_survivor_leader(user)
    assert accounts_demo.totp_secret(user)
    # Amihan's demo sign-in stays a consultant's, without a second factor.
    amihan_user = accounts_demo.demo_user("consultant@example.org")
    assert roles_of(amihan_user) == {Role.CONSULTANT}
    assert accounts_demo.totp_secret(amihan_user) is None

    camp = Engagement.objects.get(title=demo.CAMP_TITLE)
    assert camp.type == "leadership_camp" and camp.status == Engagement.Status.COMPLETED
    assert camp.learning_event.kind == LearningEvent.Kind.LEADERSHIP_CAMP
    skills = set(camp.learning_event.skills.values_list("slug", flat=True))
    assert skills == set(demo.CAMP_SKILLS)
    participations = {
        p.consultant.pseudonym: p
        for p in Participation.objects.filter(engagement=camp).select_related("consultant")
    }
    assert participations["Liwanag"].role == "facilitator"
    assert all(p.status == Participation.Status.ATTENDED for p in participations.values())
    for pseudonym in ("Amihan", "Bituin", "Tala"):
        gained = SkillEvidence.objects.filter(
            consultant__pseudonym=pseudonym, engagement=camp, source="learning_event"
        )
        assert set(gained.values_list("skill__slug", flat=True)) == skills, pseudonym

    assert PathwayStep.objects.filter(pathway__name=demo.PATHWAY_NAME).count() == 4
    assert StepReached.objects.filter(
        consultant__pseudonym="Amihan", step__title="Co-facilitator"
    ).exists()

    circle = PeerCircle.objects.get(name=demo.CIRCLE_NAME)
    assert circle.facilitator.pseudonym == "Liwanag"
    assert circle.memberships.count() == 4
    assert circle.meetings.count() == 2
    present = CircleAttendance.objects.filter(meeting__circle=circle, present=True)
    assert present.count() == 7  # Bituin missed the second meeting
    assert first["lines"] == 7  # one allowance line each time someone was there

    pair = Engagement.objects.get(title=demo.PAIR_TITLE)
    accepted = Participation.objects.filter(engagement=pair, status=Participation.Status.ACCEPTED)
    assert sorted(accepted.values_list("consultant__pseudonym", flat=True)) == [
        "Amihan",
        "Bituin",
    ]
    for consultant in (p.consultant for p in accepted.select_related("consultant")):
        assert consultant.visible_to_peers
    assert Consultant.objects.get(pseudonym="Bituin").prefers_peer
    together = Engagement.objects.get(title="Programme co-design review")
    assert {"Amihan", "Bituin"} <= set(
        together.participations.values_list("consultant__pseudonym", flat=True)
    )

    media = Engagement.objects.get(title=demo.MEDIA_TITLE)
    assert media.status == Engagement.Status.SUBMITTED and media.audience == "media"
    assert not media.advisory_reviews.exists()

    call_command("seed_demo", verbosity=0)
    assert _counts() == first
    assert is_survivor_leader(accounts_demo.demo_user("leader@example.org"))


def test_the_demo_sign_ins_print_the_leader_with_her_second_factor(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    out = io.StringIO()
    call_command("demo_signins", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if "leader@example.org" in line)
    assert "Survivor leader" in line and "MFA secret" in line
