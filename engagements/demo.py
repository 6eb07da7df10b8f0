"""Demo engagements, one in every status. Invented; never real data.

Loaded by ``manage.py seed_demo`` after the demo sign-ins and the demo
consultants. Idempotent by title: an engagement that exists is left as is.
Everything goes through the workflow and the services (consultants without
a portal account answer "by phone", recorded by staff on their behalf), with the clock set
back for the engagements that already happened, so the history (timeline,
participation changes, audit entries) looks like real use.

All demo engagements fall on Saturday mornings, inside the weekly windows
of the demo consultants Amihan (the demo portal sign-in), Bituin and Tala.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


@dataclass(frozen=True)
class DemoEngagement:
    title: str
    type: str
    audience: str
    mode: str
    weeks: int  # Saturdays from the coming one (negative: in the past)
    status: str
    owner: str = "staff@example.org"
    wanted: int = 1
    topics: tuple[str, ...] = ()
    languages: tuple[str, ...] = ("fil",)
    # (pseudonym, role, what happens): invited, accepted, declined,
    # confirmed, attended, withdrawn, cancelled
    people: tuple[tuple[str, str, str], ...] = ()
    reason: str = ""
    privacy_plan: bool = False
    feedback: tuple[tuple[str, bool], ...] = field(default=())  # pseudonym, anonymous


DEMO_ENGAGEMENTS = [
    DemoEngagement(
        "Youth advisory roundtable",
        "roundtable",
        "internal",
        "online",
        6,
        "draft",
        topics=("programme-co-design",),
    ),
    DemoEngagement(
        "Review of the online safety module",
        "content",
        "partners",
        "online",
        7,
        "submitted",
        topics=("online-safety", "content-review"),
    ),
    DemoEngagement(
        "Strategic planning workshop",
        "strategic_planning",
        "internal",
        "in_person",
        8,
        "approved",
        owner="manager@example.org",
        wanted=2,
        topics=("programme-co-design",),
    ),
    DemoEngagement(
        "Partner media briefing",
        "media_interview",
        "media",
        "in_person",
        5,
        "declined",
        reason="DEMO. Not enough time to prepare a safe briefing.",
    ),
    DemoEngagement(
        "Peer-support circle",
        "peer_support",
        "internal",
        "online",
        4,
        "staffing",
        wanted=2,
        topics=("peer-support",),
        people=(("Amihan", "participant", "invited"), ("Tala", "participant", "accepted")),
    ),
    DemoEngagement(
        "Committee hearing preparation",
        "legislative_hearing",
        "government",
        "in_person",
        5,
        "confirmed",
        wanted=2,
        topics=("legislative-testimony", "policy-advocacy"),
        people=(("Amihan", "speaker", "confirmed"), ("Tala", "adviser", "confirmed")),
        privacy_plan=True,
    ),
    DemoEngagement(
        "Training design session",
        "training",
        "partners",
        "online",
        -2,
        "completed",
        wanted=2,
        topics=("training-design",),
        people=(("Amihan", "adviser", "attended"), ("Tala", "reviewer", "withdrawn")),
    ),
    DemoEngagement(
        "Programme co-design review",
        "roundtable",
        "internal",
        "in_person",
        -6,
        "closed",
        owner="manager@example.org",
        wanted=2,
        topics=("programme-co-design", "peer-support"),
        people=(("Amihan", "panelist", "attended"), ("Bituin", "panelist", "attended")),
        feedback=(("Amihan", False), ("Bituin", True)),
    ),
    DemoEngagement(
        "Community forum",
        "conference",
        "public",
        "in_person",
        9,
        "cancelled",
        people=(("Tala", "speaker", "invited"),),
        reason="DEMO. The partner postponed the forum.",
    ),
]

# The workflow path to each status.
PATHS = {
    "draft": [],
    "submitted": ["submit"],
    "approved": ["submit", "approve"],
    "declined": ["submit", "decline"],
    "staffing": ["submit", "approve", "start_staffing", "*people"],
    "confirmed": ["submit", "approve", "start_staffing", "*people", "confirm"],
    "completed": ["submit", "approve", "start_staffing", "*people", "confirm", "complete"],
    "closed": ["submit", "approve", "start_staffing", "*people", "confirm", "complete", "close"],
    "cancelled": ["submit", "approve", "start_staffing", "*people", "cancel"],
}


def _saturday(weeks: int) -> datetime.date:
    today = timezone.localdate()
    coming = today + datetime.timedelta(days=(5 - today.weekday()) % 7 or 7)
    return coming + datetime.timedelta(weeks=weeks)


def _create(demo: DemoEngagement, users: dict) -> None:
    from consultants.models import ExpertiseTopic
    from engagements import services, workflow

    tz = timezone.get_default_timezone()
    day = _saturday(demo.weeks)
    start = datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=tz)
    end = start + datetime.timedelta(hours=2, minutes=30)
    past = start < timezone.now()
    # The clock for each step: now for what is still to come; before the
    # engagement (then after it) for what already happened.
    clock = start - 20 * DAY if past else timezone.now()
    owner = users[demo.owner]
    manager = users["manager@example.org"]
    engagement = services.engagement_create(
        by=owner,
        data={
            "title": demo.title,
            "purpose": "DEMO. Hear from consultants what works and what should change.",
            "expected_contribution": "DEMO. Share expertise from lived experience; "
            "no personal story is expected.",
            "type": demo.type,
            "requested_by": "DEMO Partner Network",
            "start": start,
            "end": end,
            "mode": demo.mode,
            "venue": "DEMO Venue, Meeting Room 2" if demo.mode == "in_person" else "",
            "online_link": "https://meet.example.org/demo" if demo.mode == "online" else "",
            "audience": demo.audience,
            "consultants_wanted": demo.wanted,
            "languages": list(demo.languages),
            "preparation_hours": Decimal("2.00"),
            "notes": "",
        },
        expertise=ExpertiseTopic.objects.filter(slug__in=demo.topics),
        now=clock,
    )
    if demo.privacy_plan:
        plan = services.privacy_plan_save(
            engagement=engagement,
            by=owner,
            data={
                "pseudonym_only": True,
                "seating_and_entry": "DEMO. Consultants enter through the side door and sit "
                "behind a screen.",
                "identity_known_to": "DEMO. The committee secretary only.",
                "media_briefing": "DEMO. No media in the room.",
                "support_person_present": "DEMO. The wellbeing lead attends.",
            },
        )
        services.privacy_plan_approve(plan=plan, by=manager)
    for step in PATHS[demo.status]:
        if step == "*people":
            clock = _people(engagement, demo, owner=owner, clock=clock, past=past)
            continue
        if step == "complete":
            clock = end + HOUR
        by = manager if step in ("approve", "decline") else owner
        reason = demo.reason if step in ("decline", "cancel") else ""
        workflow.engagement_transition(
            engagement=engagement, name=step, by=by, reason=reason, now=clock
        )
        clock += HOUR
        if step == "complete":
            clock = _after(engagement, demo, owner=owner, clock=clock)


def _people(engagement, demo: DemoEngagement, *, owner, clock, past: bool):
    from consultants.models import Consultant
    from engagements import services

    for pseudonym, role, fate in demo.people:
        consultant = Consultant.objects.get(pseudonym=pseudonym)
        participation = services.participation_invite(
            engagement=engagement, consultant=consultant, role=role, by=owner, now=clock
        )
        # Amihan answers from the portal; the others by phone, recorded by staff.
        user, on_behalf = (consultant.user, False) if consultant.user else (owner, True)
        if fate == "invited":
            continue
        if fate == "declined":
            services.participation_decline(
                participation=participation, by=user, on_behalf=on_behalf, now=clock + HOUR
            )
            continue
        services.participation_accept(
            participation=participation, by=user, on_behalf=on_behalf, now=clock + HOUR
        )
        if fate == "accepted":
            continue
        services.participation_confirm(participation=participation, by=owner, now=clock + 2 * HOUR)
    return clock + 3 * HOUR


def _after(engagement, demo: DemoEngagement, *, owner, clock):
    """Withdrawals (the day before), attendance, debrief and feedback."""
    from engagements import services
    from engagements.models import Participation

    participations = {
        p.consultant.pseudonym: p
        for p in Participation.objects.filter(engagement=engagement).select_related("consultant")
    }
    for pseudonym, _role, fate in demo.people:
        participation = participations[pseudonym]
        if fate == "withdrawn":
            # Recorded as it happened: the day before the engagement.
            services.participation_withdraw(
                participation=participation,
                by=participation.consultant.user or owner,
                on_behalf=participation.consultant.user is None,
                hours_given=Decimal("1.50"),
                now=engagement.start - DAY,
            )
        elif fate == "attended":
            services.participation_mark_attendance(
                participation=participation, by=owner, attended=True, now=clock
            )
    services.debrief_add(
        engagement=engagement,
        by=owner,
        note="DEMO NOTE. Went well; consultants asked for the questions earlier next time.",
        now=clock + HOUR,
    )
    for pseudonym, anonymous in demo.feedback:
        participation = participations[pseudonym]
        services.feedback_submit(
            participation=participation,
            by=participation.consultant.user or owner,
            on_behalf=participation.consultant.user is None,
            data={
                "felt_safe": 5,
                "felt_respected": 5,
                "was_prepared": 4,
                "paid_fairly": 4,
                "would_again": 5,
                "comments": "DEMO. Thank you for sending the questions ahead.",
                "anonymous": anonymous,
            },
            now=clock + 2 * HOUR,
        )
    return clock + 3 * HOUR


def seed() -> list[str]:
    """Create the demo engagements that are missing; returns their titles."""
    from accounts.models import User
    from consultants.models import Consultant
    from engagements.models import Engagement

    wanted = ["staff@example.org", "manager@example.org"]
    users = {user.email: user for user in User.objects.filter(email__in=wanted)}
    if len(users) < len(wanted):
        raise RuntimeError("Load the demo sign-ins first (accounts.demo.seed).")
    if not Consultant.objects.filter(pseudonym__in=["Amihan", "Bituin", "Tala"]).exists():
        raise RuntimeError("Load the demo consultants first (consultants.demo.seed).")
    from engagements.workflow import other_apps_guards_set_aside

    existing = set(Engagement.objects.values_list("title", flat=True))
    created = []
    # Checklists and compensation seed their demo records after this, to
    # match each engagement's status; their gates would refuse before that.
    with other_apps_guards_set_aside():
        for demo in DEMO_ENGAGEMENTS:
            if demo.title in existing:
                continue
            _create(demo, users)
            created.append(demo.title)
    return created
