"""Growth: learning events, skills gained, pathway steps and reflections.

A learning event *is* an engagement (``LearningEvent`` is one-to-one with
it): invitations, attendance, privacy plans, checklists, allowances and pay
go through the engagement workflow unchanged. This module adds what growth
needs on top:

* ``learning_event_set``: make an engagement a learning event, or change
  its kind, skills and staff facilitators;
* ``on_participation_status_changed`` (connected in ``NetworkConfig.ready``):
  attendance marked ATTENDED records a ``SkillEvidence(source=learning_event)``
  per skill of the event, once (the unique constraint has the last word);
  attendance corrected away from ATTENDED withdraws it;
* ``skill_record`` / ``skill_withdraw``: staff record a skill from an
  engagement she attended, a mentor's sign-off or their own knowledge, and
  withdraw one with a reason (withdrawn, never deleted);
* ``step_reach``: staff mark a pathway step she has reached;
* ``reflection_add`` / ``reflection_edit`` / ``reflection_delete``: her
  own words, hers to change or delete.

Each change runs in one transaction, is ``full_clean``\\ed, and is an audit
event; a refusal is a ``ValidationError`` a person can act on.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from consultants.models import Consultant, ExpertiseTopic
from core import audit
from engagements.models import Engagement, Participation
from network.models import (
    LearningEvent,
    PathwayStep,
    Reflection,
    SkillEvidence,
    StepReached,
)

REFLECTION_MAX = 4000
ATTENDED = Participation.Status.ATTENDED


class GrowthError(ValidationError):
    pass


# --- Learning events ---------------------------------------------------------------------


def event_facilitator_candidates(engagement: Engagement) -> list:
    """The staff who may facilitate: the engagement's owner and assigned staff."""
    people = {engagement.owner_id: engagement.owner}
    for member in engagement.assigned_staff.all():
        people.setdefault(member.pk, member)
    return sorted(people.values(), key=lambda user: (str(user), user.pk))


@transaction.atomic
def learning_event_set(
    *,
    engagement: Engagement,
    by,
    kind: str,
    skills: Iterable[ExpertiseTopic],
    staff_facilitators: Iterable = (),
    request=None,
) -> LearningEvent:
    """Make ``engagement`` a learning event, or change what it is. Those who
    already attended gain the skills it now builds (and lose, by withdrawal,
    those it no longer builds)."""
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    skills = list(skills)
    facilitators = list(staff_facilitators)
    if kind not in LearningEvent.Kind.values:
        raise GrowthError({"kind": _("Choose what kind of learning event this is.")})
    if not skills:
        raise GrowthError({"skills": _("Choose at least one skill it builds.")})
    current = set(
        LearningEvent.objects.filter(engagement=engagement).values_list("skills", flat=True)
    )
    if any(not skill.is_active and skill.pk not in current for skill in skills):
        raise GrowthError({"skills": _("A skill that is no longer offered cannot be added.")})
    allowed = {user.pk for user in event_facilitator_candidates(engagement)}
    if any(user.pk not in allowed for user in facilitators):
        raise GrowthError(
            {
                "staff_facilitators": _(
                    "A staff facilitator is the engagement's owner or one of its assigned staff."
                )
            }
        )
    event = LearningEvent.objects.filter(engagement=engagement).first()
    created = event is None
    if event is None:
        event = LearningEvent(engagement=engagement, kind=kind, created_by=by)
    event.kind = kind
    event.full_clean()
    event.save()
    event.skills.set(skills)
    event.staff_facilitators.set(facilitators)
    _sync_event_evidence(event, by=by)
    audit.record_event(
        event,
        actor=by,
        event="learning_event_created" if created else "learning_event_changed",
        request=request,
        kind=kind,
        skills=sorted(skill.pk for skill in skills),
        staff_facilitators=sorted(user.pk for user in facilitators),
    )
    return event


def _sync_event_evidence(event: LearningEvent, *, by) -> None:
    """Those who attended hold exactly the event's skills from it."""
    skill_ids = set(event.skills.values_list("pk", flat=True))
    attended = Participation.objects.filter(engagement=event.engagement, status=ATTENDED)
    for consultant_id in attended.values_list("consultant_id", flat=True):
        _event_evidence_record(event, consultant_id=consultant_id, skill_ids=skill_ids, by=by)
    stale = SkillEvidence.objects.filter(
        engagement=event.engagement,
        source=SkillEvidence.Source.LEARNING_EVENT,
        withdrawn_at__isnull=True,
    ).exclude(skill_id__in=skill_ids)
    stale.update(
        withdrawn_at=timezone.now(),
        withdrawn_by=by,
        withdrawn_reason=_("The learning event no longer builds this skill."),
    )


def _event_evidence_record(
    event: LearningEvent, *, consultant_id: int, skill_ids: Iterable[int], by
) -> list[SkillEvidence]:
    """One current piece of evidence per skill, once: an existing one (from
    this event, or recorded by staff from the same engagement) is kept."""
    held = set(
        SkillEvidence.objects.filter(
            consultant_id=consultant_id,
            engagement=event.engagement,
            withdrawn_at__isnull=True,
        ).values_list("skill_id", flat=True)
    )
    gained_on = timezone.localtime(event.engagement.start).date()
    made = []
    for skill_id in sorted(set(skill_ids) - held):
        evidence = SkillEvidence(
            consultant_id=consultant_id,
            skill_id=skill_id,
            source=SkillEvidence.Source.LEARNING_EVENT,
            engagement=event.engagement,
            gained_on=gained_on,
            recorded_by=by,
        )
        try:
            with transaction.atomic():
                evidence.save()
        except IntegrityError:
            continue  # recorded meanwhile: once is enough
        made.append(evidence)
    return made


def on_participation_status_changed(sender, *, participation, from_status, to_status, by, **kw):
    """Attendance gives the event's skills; a correction withdraws them.
    Runs inside the transaction of the attendance (engagements.signals)."""
    if to_status != ATTENDED and from_status != ATTENDED:
        return
    event = LearningEvent.objects.filter(engagement_id=participation.engagement_id).first()
    if event is None:
        return
    actor = by if getattr(by, "pk", None) else event.engagement.owner
    if to_status == ATTENDED:
        skill_ids = list(event.skills.values_list("pk", flat=True))
        for evidence in _event_evidence_record(
            event, consultant_id=participation.consultant_id, skill_ids=skill_ids, by=actor
        ):
            audit.record_event(evidence, actor=actor, event="skill_gained_at_event")
        return
    withdrawn = list(
        SkillEvidence.objects.select_for_update().filter(
            consultant_id=participation.consultant_id,
            engagement_id=participation.engagement_id,
            source=SkillEvidence.Source.LEARNING_EVENT,
            withdrawn_at__isnull=True,
        )
    )
    for evidence in withdrawn:
        evidence.withdrawn_at = timezone.now()
        evidence.withdrawn_by = actor
        evidence.withdrawn_reason = _("Attendance was corrected: they did not attend.")
        evidence.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
        audit.record_event(evidence, actor=actor, event="skill_withdrawn_attendance")


# --- Skills staff record ------------------------------------------------------------------


def _attended(consultant: Consultant, engagement: Engagement) -> bool:
    return Participation.objects.filter(
        consultant=consultant, engagement=engagement, status=ATTENDED
    ).exists()


@transaction.atomic
def skill_record(
    *,
    consultant: Consultant,
    skill: ExpertiseTopic,
    source: str,
    by,
    engagement: Engagement | None = None,
    mentor: Consultant | None = None,
    note: str = "",
    gained_on: datetime.date | None = None,
    request=None,
) -> SkillEvidence:
    """A skill she has gained, and where it came from (an engagement she
    attended, a mentor's sign-off, or staff who saw it)."""
    Source = SkillEvidence.Source
    if source not in (Source.ENGAGEMENT, Source.MENTOR, Source.STAFF):
        raise GrowthError({"source": _("Choose where the skill came from.")})
    if not skill.is_active:
        raise GrowthError({"skill": _("This skill is no longer offered: choose another.")})
    if consultant.identity_erased_at is not None:
        raise GrowthError(_("This consultant's identity was erased."))
    today = timezone.localdate()
    gained_on = gained_on or today
    if gained_on > today:
        raise GrowthError({"gained_on": _("A skill is gained on a day that has come.")})
    if source == Source.ENGAGEMENT:
        if engagement is None:
            raise GrowthError({"engagement": _("Choose the engagement they gained it in.")})
        if not _attended(consultant, engagement):
            raise GrowthError({"engagement": _("Choose an engagement they attended.")})
        mentor = None
    elif source == Source.MENTOR:
        if mentor is None:
            raise GrowthError({"mentor": _("Choose the mentor who signed it off.")})
        if mentor.pk == consultant.pk:
            raise GrowthError(
                {"mentor": _("A mentor is another consultant, not the consultant themselves.")}
            )
        if mentor.status != Consultant.Status.ACTIVE or mentor.identity_erased_at is not None:
            raise GrowthError({"mentor": _("The mentor must be an active consultant.")})
        engagement = None
    else:
        engagement = mentor = None
    evidence = SkillEvidence(
        consultant=consultant,
        skill=skill,
        source=source,
        engagement=engagement,
        mentor=mentor,
        note=(note or "").strip(),
        gained_on=gained_on,
        recorded_by=by,
    )
    evidence.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            evidence.save()
    except IntegrityError as error:
        raise GrowthError(
            {"skill": _("This skill is already recorded for this consultant from this engagement.")}
        ) from error
    audit.record_event(evidence, actor=by, event="skill_recorded", request=request)
    return evidence


@transaction.atomic
def skill_withdraw(*, evidence: SkillEvidence, by, reason: str, request=None) -> SkillEvidence:
    """Withdraw a skill with a reason; the row stays, for the record."""
    evidence = SkillEvidence.objects.select_for_update().get(pk=evidence.pk)
    reason = (reason or "").strip()
    if evidence.withdrawn_at is not None:
        raise GrowthError(_("This skill was already withdrawn."))
    if not reason:
        raise GrowthError({"reason": _("Say why it is withdrawn.")})
    evidence.withdrawn_at = timezone.now()
    evidence.withdrawn_by = by
    evidence.withdrawn_reason = reason
    evidence.full_clean(validate_constraints=False)
    evidence.save(update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_reason"])
    audit.record_event(evidence, actor=by, event="skill_withdrawn", request=request)
    return evidence


# --- Pathway steps --------------------------------------------------------------------------


@transaction.atomic
def step_reach(
    *,
    consultant: Consultant,
    step: PathwayStep,
    by,
    reached_on: datetime.date | None = None,
    request=None,
) -> StepReached:
    """Mark a pathway step she has reached (once)."""
    if not step.pathway.is_active:
        raise GrowthError({"step": _("This pathway is no longer offered.")})
    reached_on = reached_on or timezone.localdate()
    if reached_on > timezone.localdate():
        raise GrowthError({"reached_on": _("A step is reached on a day that has come.")})
    reached = StepReached(consultant=consultant, step=step, reached_on=reached_on, recorded_by=by)
    reached.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            reached.save()
    except IntegrityError as error:
        raise GrowthError({"step": _("This consultant has already reached this step.")}) from error
    audit.record_event(reached, actor=by, event="step_reached", request=request)
    return reached


# --- Her reflections ---------------------------------------------------------------------


def _clean_body(body: str) -> str:
    body = (body or "").strip()
    if not body:
        raise GrowthError({"body": _("Write a few words first.")})
    if len(body) > REFLECTION_MAX:
        raise GrowthError(
            {"body": _("Keep it under %(n)s characters, please.") % {"n": REFLECTION_MAX}}
        )
    return body


@transaction.atomic
def reflection_add(
    *, consultant: Consultant, by, body: str, shared_with_team: bool, request=None
) -> Reflection:
    reflection = Reflection(
        consultant=consultant, body=_clean_body(body), shared_with_team=bool(shared_with_team)
    )
    reflection.full_clean()
    reflection.save()
    audit.record_event(reflection, actor=by, event="reflection_written", request=request)
    return reflection


@transaction.atomic
def reflection_edit(
    *, reflection: Reflection, by, body: str, shared_with_team: bool, request=None
) -> Reflection:
    reflection.body = _clean_body(body)
    reflection.shared_with_team = bool(shared_with_team)
    reflection.full_clean()
    reflection.save(update_fields=["body", "shared_with_team"])
    audit.record_event(reflection, actor=by, event="reflection_changed", request=request)
    return reflection


@transaction.atomic
def reflection_delete(*, reflection: Reflection, by, request=None) -> None:
    """Hers to delete: the words go; the audit keeps only that she did."""
    audit.record_event(reflection.consultant, actor=by, event="reflection_deleted", request=request)
    reflection.delete()
