"""Demo data for the survivor network. Invented people with invented
pseudonyms; never real data.

Loaded by ``manage.py seed_demo`` after the other apps' demos. Safe to
re-run: each piece is made only when it is missing (the network by name,
consultants by pseudonym, engagements by title, the rest by what they
belong to). What it makes:

* the network "Philippine Survivor Network (demo)", whose leaders review
  media and government requests before approval and sign in with a second
  factor;
* two survivor leaders, Liwanag and Habagat (new demo consultants), named
  through ``network.services.leaders.leader_name``; Liwanag signs in to the
  portal as ``leader@example.org`` (accounts.demo; her authenticator is set
  up here and ``manage.py demo_signins`` prints its secret and code);
* a leadership camp four weeks ago (a completed engagement with its
  learning event, the skills it builds, Liwanag facilitating, Habagat
  co-facilitating, Amihan, Bituin and Tala attending), and the skills
  the camp gave each of them;
* a pathway (consultant, co-facilitator, trainer, survivor leader) with
  the steps some have reached;
* a peer circle with its members, two past meetings, their attendance and
  the allowance lines (``compensation.services.network_work_line``);
* an engagement with a pair: Amihan and Bituin, who worked together on the
  programme co-design review, both accepted, both visible to peers, Bituin
  preferring to go with a peer;
* a media request, submitted, awaiting a leader's review;
* Amihan's reflection after the camp, shared with the team.
"""

from __future__ import annotations

import datetime
from functools import partial

from django.utils import timezone

NETWORK_NAME = "Philippine Survivor Network (demo)"
CAMP_TITLE = "Survivor leadership camp"
PAIR_TITLE = "Survivor-led review of the referral pathway"
MEDIA_TITLE = "Radio interview on online safety"
CIRCLE_NAME = "Saturday peer circle (demo)"
PATHWAY_NAME = "From consultant to survivor leader (demo)"
STEPS = ["Consultant", "Co-facilitator", "Trainer", "Survivor leader"]
CAMP_SKILLS = ("public-speaking", "peer-support", "training-design")


def _leaders_demo():
    from consultants.demo import EVERYDAY, SCOPES, WEEKEND, DemoConsultant, L, O, R, S

    return [
        DemoConsultant(
            "Liwanag",
            "Demo Person Thirteen",
            13,
            S.ACTIVE,
            R.NCR,
            O.EMPLOYED,
            (L.FILIPINO, L.ENGLISH),
            ("peer-support", "training-design", "public-speaking"),
            windows=WEEKEND,
            consents=(*EVERYDAY, SCOPES.QUOTING, SCOPES.PUBLIC_EVENTS),
            bio="Liwanag leads peer circles and trainings for the survivor network.",
            limit=4,
        ),
        DemoConsultant(
            "Habagat",
            "Demo Person Fourteen",
            14,
            S.ACTIVE,
            R.VII,
            O.BOTH,
            (L.FILIPINO, L.CEBUANO),
            ("policy-advocacy", "media", "peer-support"),
            windows=WEEKEND,
            consents=tuple(EVERYDAY),
            limit=3,
        ),
    ]


def _engagements_demo():
    from engagements.demo import DemoEngagement

    return [
        DemoEngagement(
            CAMP_TITLE,
            "leadership_camp",
            "internal",
            "in_person",
            -4,
            "completed",
            wanted=5,
            topics=CAMP_SKILLS,
            people=(
                ("Liwanag", "facilitator", "attended"),
                ("Habagat", "co_facilitator", "attended"),
                ("Amihan", "participant", "attended"),
                ("Bituin", "participant", "attended"),
                ("Tala", "participant", "attended"),
            ),
        ),
        DemoEngagement(
            PAIR_TITLE,
            "roundtable",
            "partners",
            "online",
            0,  # the coming Saturday: before Amihan's and Bituin's busy weeks
            "staffing",
            wanted=2,
            topics=("programme-co-design", "peer-support"),
            people=(("Amihan", "panelist", "accepted"), ("Bituin", "panelist", "accepted")),
        ),
        DemoEngagement(
            MEDIA_TITLE,
            "media_interview",
            "media",
            "in_person",
            6,
            "submitted",
            topics=("media", "online-safety"),
            privacy_plan=True,
        ),
    ]


def seed() -> list[str]:
    from accounts.demo import demo_user
    from accounts.models import User
    from consultants.models import Consultant
    from network.models import Network

    users = {
        user.email: user
        for user in User.objects.filter(email__in=["staff@example.org", "manager@example.org"])
    }
    if len(users) < 2 or not Consultant.objects.filter(pseudonym="Amihan").exists():
        raise RuntimeError("Load the demo sign-ins, consultants and engagements first.")
    staff, manager = users["staff@example.org"], users["manager@example.org"]
    created: list[str] = []

    network = Network.objects.filter(name=NETWORK_NAME).first()
    if network is None:
        network = Network.objects.create(
            name=NETWORK_NAME,
            short_name="PSN (demo)",
            description="DEMO. The programme's survivor network: survivors who grow, meet "
            "as peers and lead.",
            review_required_audiences=["media", "government"],
            leaders_need_mfa=True,
        )
        created.append(NETWORK_NAME)

    created += _leaders(network, by=manager, leader_user=demo_user("leader@example.org"))
    created += _engagements(users)
    created += _camp(network, staff=staff, manager=manager)
    created += _pathway(network, by=staff)
    created += _circle(network, staff=staff)
    created += _pair()
    created += _reflection()
    return created


def _leaders(network, *, by, leader_user) -> list[str]:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from consultants.demo import _create
    from consultants.models import Consultant
    from network.models import Leadership
    from network.services.leaders import leader_name

    created = []
    since = timezone.localdate() - datetime.timedelta(days=180)
    for demo in _leaders_demo():
        consultant = Consultant.objects.filter(pseudonym=demo.pseudonym).first()
        if consultant is None:
            consultant = _create(demo, by=by, consultant_user=None, lead=None)
            consultant.refresh_from_db()
            created.append(demo.pseudonym)
        if (
            demo.pseudonym == "Liwanag"
            and leader_user is not None
            and consultant.user_id is None
            and not Consultant.objects.filter(user=leader_user).exists()
        ):
            consultant.user = leader_user
            consultant.save(update_fields=["user", "updated_at"])
        if not Leadership.objects.filter(network=network, consultant=consultant).exists():
            leader_name(network=network, consultant=consultant, by=by, since=since)
            created.append(f"leader: {demo.pseudonym}")
    # A leader signs in with a second factor when the network asks for it.
    if (
        network.leaders_need_mfa
        and leader_user is not None
        and not Authenticator.objects.filter(
            user=leader_user, type=Authenticator.Type.TOTP
        ).exists()
    ):
        TOTP.activate(leader_user, generate_totp_secret())
    return created


def _engagements(users) -> list[str]:
    from engagements.demo import _create
    from engagements.models import Engagement
    from engagements.workflow import other_apps_guards_set_aside

    existing = set(Engagement.objects.values_list("title", flat=True))
    created = []
    with other_apps_guards_set_aside():
        for demo in _engagements_demo():
            if demo.title in existing:
                continue
            _create(demo, users)
            created.append(demo.title)
    return created


def _camp(network, *, staff, manager) -> list[str]:
    from consultants.models import ExpertiseTopic
    from engagements.models import Engagement, Participation, ParticipationRole
    from network.models import LearningEvent, NetworkLedEngagement, SkillEvidence

    camp = Engagement.objects.filter(title=CAMP_TITLE, purpose__startswith="DEMO").first()
    if camp is None or hasattr(camp, "learning_event"):
        return []
    event = LearningEvent.objects.create(
        engagement=camp, kind=LearningEvent.Kind.LEADERSHIP_CAMP, created_by=staff
    )
    skills = list(ExpertiseTopic.objects.filter(slug__in=CAMP_SKILLS))
    event.skills.set(skills)
    event.staff_facilitators.add(staff)
    NetworkLedEngagement.objects.get_or_create(
        engagement=camp, defaults={"network": network, "marked_by": manager}
    )
    attended = Participation.objects.filter(
        engagement=camp,
        status=Participation.Status.ATTENDED,
        role=ParticipationRole.PARTICIPANT,
    ).select_related("consultant")
    day = timezone.localdate(camp.start)
    for participation in attended:
        for skill in skills:
            SkillEvidence.objects.get_or_create(
                consultant=participation.consultant,
                skill=skill,
                engagement=camp,
                withdrawn_at=None,
                defaults={
                    "source": SkillEvidence.Source.LEARNING_EVENT,
                    "gained_on": day,
                    "recorded_by": staff,
                    "note": "DEMO. Practised in the camp's small groups.",
                },
            )
    return [f"learning event: {CAMP_TITLE}"]


def _pathway(network, *, by) -> list[str]:
    from consultants.models import Consultant
    from network.models import Pathway, PathwayStep, StepReached

    if Pathway.objects.filter(name=PATHWAY_NAME).exists():
        return []
    pathway = Pathway.objects.create(
        network=network,
        name=PATHWAY_NAME,
        description="DEMO. How a consultant can grow to lead: each step with the skills it asks.",
    )
    steps = [
        PathwayStep.objects.create(pathway=pathway, order=order, title=title)
        for order, title in enumerate(STEPS, start=1)
    ]
    today = timezone.localdate()
    reached = {"Amihan": 2, "Tala": 1, "Bituin": 1, "Liwanag": 4, "Habagat": 4}
    for consultant in Consultant.objects.filter(pseudonym__in=list(reached)):
        for step in steps[: reached[consultant.pseudonym]]:
            StepReached.objects.create(
                consultant=consultant,
                step=step,
                reached_on=today - datetime.timedelta(days=200 - 40 * step.order),
                recorded_by=by,
            )
    return [PATHWAY_NAME]


def _circle(network, *, staff) -> list[str]:
    from compensation.services.network_work import network_work_line
    from consultants.models import Consultant
    from network.models import CircleAttendance, CircleMeeting, CircleMembership, PeerCircle
    from network.services.circles import circle_line_description

    if PeerCircle.objects.filter(network=network, name=CIRCLE_NAME).exists():
        return []
    people = {c.pseudonym: c for c in Consultant.objects.filter(pseudonym__in=MEMBERS)}
    today = timezone.localdate()
    circle = PeerCircle.objects.create(
        network=network,
        name=CIRCLE_NAME,
        facilitator=people.get("Liwanag"),
        co_facilitator=people.get("Habagat"),
        staff_contact=staff,
        paid=True,
        started_on=today - datetime.timedelta(days=60),
    )
    for pseudonym in MEMBERS:
        if pseudonym in people:
            CircleMembership.objects.create(
                circle=circle,
                consultant=people[pseudonym],
                joined_on=today - datetime.timedelta(days=60),
            )
    tz = timezone.get_default_timezone()
    for days_ago, absent in ((35, ()), (7, ("Bituin",))):
        day = today - datetime.timedelta(days=days_ago)
        starts = datetime.datetime.combine(day, datetime.time(16, 0), tzinfo=tz)
        meeting = CircleMeeting.objects.create(
            circle=circle, starts_at=starts, mode="online", created_by=staff
        )
        for pseudonym, consultant in sorted(people.items()):
            present = pseudonym not in absent
            allowance = network.circle_allowance if present and circle.paid else 0
            attendance = CircleAttendance.objects.create(
                meeting=meeting,
                consultant=consultant,
                present=present,
                allowance=allowance,
                marked_by=staff,
                marked_at=starts + datetime.timedelta(hours=2),
            )
            if allowance:
                network_work_line(
                    consultant=consultant,
                    amount=allowance,
                    description=partial(circle_line_description, meeting),
                    source_key=f"circle-attendance:{attendance.pk}",
                    by=staff,
                )
    return [CIRCLE_NAME]


MEMBERS = ("Liwanag", "Amihan", "Bituin", "Tala")


def _reflection() -> list[str]:
    """Amihan's words after the camp, shared with the team."""
    from consultants.models import Consultant
    from network.models import Reflection

    amihan = Consultant.objects.filter(pseudonym="Amihan").first()
    if amihan is None or Reflection.objects.filter(consultant=amihan).exists():
        return []
    Reflection.objects.create(
        consultant=amihan,
        body="DEMO. At the camp I led a small group for the first time. Next I would like "
        "to co-facilitate a circle.",
        shared_with_team=True,
        created_at=timezone.now() - datetime.timedelta(days=25),
    )
    return ["reflection: Amihan"]


def _pair() -> list[str]:
    """Amihan and Bituin go together: both visible to peers, Bituin would
    rather go with a peer (their choices, set here as if they had)."""
    from consultants.models import Consultant

    changed = []
    for pseudonym, prefers in (("Amihan", False), ("Bituin", True)):
        consultant = Consultant.objects.filter(pseudonym=pseudonym).first()
        if consultant is None or consultant.visible_to_peers:
            continue
        consultant.visible_to_peers = True
        consultant.prefers_peer = prefers
        consultant.save(update_fields=["visible_to_peers", "prefers_peer", "updated_at"])
        changed.append(f"peer choices: {pseudonym}")
    return changed
