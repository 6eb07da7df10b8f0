"""A consultant with one of everything a record holds (or ``n`` of each
per-engagement thing), for the record's tests (JSON, page, PDF, query
counts). Every free text is a marker a test looks for."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from accounts.roles import Role
from checklists.models import Checklist, ChecklistItem, OwnerRole
from compensation import services as pay
from compensation.models import RateCard
from consultants import services
from consultants.models import ConsentScope, Consultant
from engagements.models import Engagement, Participation, ParticipationChange
from reminders.models import ReminderDelivery
from reports.models import ReportJob
from tests.accounts.factories import UserFactory
from tests.checklists.factories import TemplateItemFactory
from tests.compensation.factories import JPEG, AllowancePolicyFactory, RateCardFactory, upload
from tests.consultants.factories import (
    BusyPeriodFactory,
    WeeklyAvailabilityFactory,
    WellbeingNoteFactory,
    published_text,
)
from tests.engagements.factories import EngagementFactory, FeedbackFactory, ParticipationFactory

# category -> text that must appear in the page and the PDF (and the JSON).
MARKERS = {
    "profile": "Maria Secret Santos",
    "contact": "Purok 7, Barangay Malaya",
    "consent": "We would like your agreement for photographs",
    "status": "Exam season",
    "availability": "Wednesday",
    "busy": "Exam week",
    "story_default": "Share parts of my story with audiences I choose",
    "wellbeing": "Likes short sessions",
    "engagement": "Roundtable on safer apps",
    "story_choice": "Only the school part",
    "feedback": "Felt heard and respected",
    "checklist": "Read the privacy plan",
    "checklist_note": "Done on the bus",
    "agreement": "Per hour",
    "time": "Slides review",
    "claim": "Lunch on the day",
    "payment_account": "+639171234567",
    "payment": "GC-778899",
    "statement": "31 January 2030",
    "reminder": "Tinig: a payment sent on",
    "access_reason": "Call about travel money",
    "access_who": "Lorna Manager",
    "skill": "Speaking to lawmakers",
    "pathway_step": "First co-facilitation",
    "reflection": "I spoke for the first time",
}


@dataclass
class Staff:
    owner: object
    manager: object
    finance: object
    lead: object
    approver: object  # a second finance officer: four eyes on money


@dataclass
class World:
    consultant: Consultant
    staff: Staff
    participations: list[Participation] = field(default_factory=list)


def staff() -> Staff:
    return Staff(
        owner=UserFactory(role=Role.PROGRAMME_STAFF, display_name="Odette Owner"),
        manager=UserFactory(role=Role.PROGRAMME_MANAGER, display_name="Lorna Manager"),
        finance=UserFactory(role=Role.FINANCE_OFFICER, display_name="Fe Finance"),
        lead=UserFactory(role=Role.WELLBEING_LEAD, display_name="Wilma Lead"),
        approver=UserFactory(role=Role.FINANCE_OFFICER, display_name="Fina Approver"),
    )


def consent_texts() -> None:
    for scope in ConsentScope.values:
        published_text(
            scope,
            body=f"We would like your agreement for {ConsentScope(scope).label.lower()}.",
        )


def money_setup() -> None:
    if RateCard.objects.exists():
        return  # a second consultant of the same test
    RateCardFactory(role="participant", unit="hour", amount=Decimal("500.00"))
    AllowancePolicyFactory(kind="meal", default_amount=Decimal("350.00"))


def profile_things(consultant: Consultant, people: Staff) -> None:
    consent_texts()
    services.consultant_update(
        consultant=consultant,
        by=people.manager,
        data={"address": "Purok 7, Barangay Malaya", "story_sharing_default": "chosen"},
    )
    services.consent_grant(consultant=consultant, scope="photo", by=people.manager)
    WeeklyAvailabilityFactory(consultant=consultant, weekday=2)
    BusyPeriodFactory(consultant=consultant, note="Exam week")
    services.consultant_status_change(
        consultant=consultant,
        status=Consultant.Status.ON_BREAK,
        by=people.manager,
        reason="Exam season",
        break_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    WellbeingNoteFactory(consultant=consultant, author=people.lead, body="Likes short sessions")
    services.consultant_reveal(
        consultant=consultant,
        user=people.manager,
        fields="contact",
        reason="Call about travel money",
    )


def engagement_things(consultant: Consultant, people: Staff, *, n: int = 1) -> list[Participation]:
    """``n`` past engagements, each with her participation, its history and
    feedback, an agreement, approved time, an approved claim, a checklist
    item; then one paid payment of it all, a statement and a reminder."""
    user = consultant.user
    participations = []
    template_item = TemplateItemFactory(
        owner_role=OwnerRole.CONSULTANT, title="Read the privacy plan"
    )
    for index in range(n):
        start = timezone.now().replace(microsecond=0) - datetime.timedelta(days=10 + index)
        engagement = EngagementFactory(
            owner=people.owner,
            status=Engagement.Status.COMPLETED,
            start=start,
            end=start + datetime.timedelta(hours=3),
            title="Roundtable on safer apps" if index == 0 else f"Workshop {index}",
        )
        participation = ParticipationFactory(
            engagement=engagement,
            consultant=consultant,
            status=Participation.Status.ATTENDED,
            role="participant",
            story_sharing="general",
            story_sharing_note="Only the school part",
            responded_at=start - datetime.timedelta(days=20),
        )
        ParticipationChange.objects.create(
            participation=participation, from_status="invited", to_status="accepted", by=user
        )
        FeedbackFactory(participation=participation, comments="Felt heard and respected")
        agreement = pay.agreement_propose(participation=participation, by=people.owner)
        pay.agreement_acknowledge(agreement=agreement, by=people.owner, on_behalf=True)
        day = timezone.localtime(start).date()
        entry = pay.time_entry_add(
            participation=participation,
            by=people.owner,
            on_behalf=True,
            kind="engagement",
            date=day,
            hours="2.00",
            note="Slides review",
        )
        pay.time_entry_approve(entry=entry, by=people.manager)
        claim = pay.claim_submit(
            participation=participation,
            by=user,
            category="meal",
            description="Lunch on the day",
            amount="250",
            incurred_on=day,
            receipts=[upload(JPEG, "r.jpg")],
        )
        pay.claim_approve(claim=claim, by=people.manager)
        checklist = Checklist.objects.create(engagement=engagement, template=template_item.template)
        ChecklistItem.objects.create(
            checklist=checklist,
            source=template_item,
            key=template_item.key,
            stage=template_item.stage,
            title=template_item.title,
            owner_role=OwnerRole.CONSULTANT,
            due_anchor=template_item.due_anchor,
            due_offset_days=template_item.due_offset_days,
            evidence=template_item.evidence,
            waivable=False,
            order=1,
            due_at=start - datetime.timedelta(days=7),
            consultant=consultant,
            status=ChecklistItem.Status.DONE,
            done_at=start - datetime.timedelta(days=8),
            done_by=user,
            note="Done on the bus",
        )
        participations.append(participation)
    method = pay.payment_method_add(
        consultant=consultant,
        by=people.finance,
        kind="e_wallet",
        provider="GCash",
        account_name="Maria Secret Santos",
        account_number="09171234567",
    )
    payment = pay.payment_approve(
        payment=pay.payment_group(consultant=consultant, by=people.finance),
        by=people.approver,
        payment_method=method,
    )
    payment = pay.payment_mark_paid(
        payment=payment, by=people.finance, method="e_wallet", reference="GC-778899"
    )
    ReportJob.objects.create(
        kind="consultant_statement",
        params={"consultant": consultant.pk, "date_from": "2030-01-01", "date_to": "2030-01-31"},
        requested_by=user,
    )
    ReminderDelivery.objects.create(
        kind="payment_sent",
        target_type="compensation.payment",
        target_id=payment.pk,
        consultant=consultant,
        due_at=payment.paid_at,
        send_after=payment.paid_at,
        status=ReminderDelivery.Status.SENT,
        finished_at=payment.paid_at,
        attempts=1,
    )
    return participations


def growth_things(consultant: Consultant, people: Staff, *, n: int = 1) -> None:
    """``n`` skills and reflections (network.services.growth), one step reached."""
    from consultants.models import ExpertiseTopic
    from network.models import Pathway, PathwayStep
    from network.services import growth

    pathway, _created = Pathway.objects.get_or_create(name="Consultant to trainer")
    step, _created = PathwayStep.objects.get_or_create(
        pathway=pathway, order=1, defaults={"title": "First co-facilitation"}
    )
    growth.step_reach(consultant=consultant, step=step, by=people.manager)
    for index in range(n):
        skill, _created = ExpertiseTopic.objects.get_or_create(
            slug=f"speaking-lawmakers-{index}",
            defaults={"name": f"Speaking to lawmakers {index}"},
        )
        growth.skill_record(consultant=consultant, skill=skill, source="staff", by=people.manager)
        growth.reflection_add(
            consultant=consultant,
            by=consultant.user,
            body=f"I spoke for the first time ({index})",
            shared_with_team=False,
        )


def full_record(consultant: Consultant, *, n: int = 1) -> World:
    people = staff()
    money_setup()
    profile_things(consultant, people)
    participations = engagement_things(consultant, people, n=n)
    growth_things(consultant, people, n=n)
    return World(consultant, people, participations)
