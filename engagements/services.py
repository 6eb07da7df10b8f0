"""Writes of the engagements app.

Each function is one business action: keyword-only arguments, one
``transaction.atomic()``, ``full_clean()`` before ``save()``, a
``ValidationError`` (or a domain subclass below) with a message a person
can act on when the input is wrong, and nothing saved in that case. Every
service checks permission itself (``engagements.access``, through
``core.shortcuts.require`` or the workflow) and raises ``PermissionDenied``;
views check first to answer 404/403 properly.

Status changes, of an engagement and of a participation, are
``engagements.workflow``'s (its tables say what may happen and why not;
``participation_transition`` locks, writes the history and announces it).
The services here add what only they know (the fields an answer sets,
consents at confirmation, e-mails) and call it.

No double booking: a participation's ``period`` copies its engagement's
time. It is set on invitation, refreshed on acceptance, and rewritten for
every participation when the engagement's dates change, under the
engagement's lock. PostgreSQL's exclusion constraint refuses an overlap
even between two requests racing each other; the refusal comes back here
as ``DoubleBooking``.

``now`` parameters are the clock, for tests and demo data; views never
pass them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from consultants.models import Consultant, ExpertiseTopic
from core.shortcuts import require
from engagements import access, emails, matching, workflow
from engagements.models import (
    FEEDBACK_SCORES,
    Debrief,
    Engagement,
    Feedback,
    Participation,
    PrivacyPlan,
)
from engagements.signals import engagement_dates_changed
from engagements.workflow import DoubleBooking, ParticipationStateError

__all__ = [
    "ENGAGEMENT_FIELDS",
    "PRIVACY_PLAN_FIELDS",
    "ConsultantExcluded",
    "DoubleBooking",
    "ParticipationStateError",
    "debrief_add",
    "engagement_assign_staff",
    "engagement_create",
    "engagement_unassign_staff",
    "engagement_update",
    "feedback_submit",
    "participation_accept",
    "participation_confirm",
    "participation_decline",
    "participation_invite",
    "participation_mark_attendance",
    "participation_rejoin",
    "participation_revoke",
    "participation_set_story_sharing",
    "participation_withdraw",
    "privacy_plan_approve",
    "privacy_plan_save",
]

P = Participation.Status

ENGAGEMENT_FIELDS = frozenset(
    {
        "title",
        "purpose",
        "expected_contribution",
        "type",
        "requested_by",
        "owner",
        "start",
        "end",
        "mode",
        "venue",
        "online_link",
        "audience",
        "consultants_wanted",
        "languages",
        "preparation_hours",
        "notes",
    }
)
PRIVACY_PLAN_FIELDS = frozenset(
    {
        "pseudonym_only",
        "photo",
        "video",
        "audio",
        "face_and_voice_protection",
        "seating_and_entry",
        "identity_known_to",
        "media_briefing",
        "support_person_present",
    }
)


class ConsultantExcluded(ValidationError):
    """A consultant matching excludes was invited; ``exclusions`` says why."""

    def __init__(self, exclusions: list[matching.Exclusion]) -> None:
        self.exclusions = exclusions
        super().__init__([e.message for e in exclusions], code="excluded")


# --- Helpers ---------------------------------------------------------------------------


def _locked_engagement(engagement: Engagement) -> Engagement:
    return Engagement.objects.select_for_update().select_related("owner").get(pk=engagement.pk)


def _range(engagement: Engagement) -> DateTimeTZRange:
    return DateTimeTZRange(engagement.start, engagement.end, "[)")


# --- Engagements ------------------------------------------------------------------------


def _apply(engagement: Engagement, data: Mapping[str, Any]) -> list[ExpertiseTopic] | None:
    data = dict(data)
    expertise = data.pop("expertise", None)
    data.pop("assigned_staff", None)
    unknown = set(data) - ENGAGEMENT_FIELDS
    if unknown:
        raise ValueError(f"Not engagement fields: {', '.join(sorted(unknown))}")
    for name, value in data.items():
        field = Engagement._meta.get_field(name)
        if value is None and not field.null and field.empty_strings_allowed:
            value = ""
        if isinstance(value, str):
            value = value.strip()
        setattr(engagement, name, value)
    return None if expertise is None else list(expertise)


def _check_owner(owner: User) -> None:
    if not access.can_own(owner):
        raise ValidationError(
            {"owner": _("The owner must be a programme staff member or manager.")}
        )


def engagement_create(
    *,
    by: User,
    data: Mapping[str, Any],
    expertise: Iterable[ExpertiseTopic] | None = None,
    now: datetime.datetime | None = None,
) -> Engagement:
    """A new request, as a draft. ``data`` holds ENGAGEMENT_FIELDS (a form's
    cleaned_data); the owner defaults to ``by``."""
    require(access.can_create(by))
    with transaction.atomic():
        engagement = Engagement(owner=by)
        topics = _apply(engagement, data)
        if expertise is not None:
            topics = list(expertise)
        _check_owner(engagement.owner)
        engagement.full_clean()
        engagement.save()
        if topics:
            engagement.expertise.set(topics)
        workflow.record_creation(engagement=engagement, by=by, now=now)
    return engagement


def engagement_update(
    *,
    engagement: Engagement,
    by: User,
    data: Mapping[str, Any],
    expertise: Iterable[ExpertiseTopic] | None = None,
) -> Engagement:
    """Change the details of an open engagement. When its dates change, every
    participation's time follows; a booked consultant who would then overlap
    another of their engagements makes the whole change fail (``DoubleBooking``)."""
    with transaction.atomic():
        engagement = _locked_engagement(engagement)
        require(access.can_run(by, engagement))
        if not engagement.is_open:
            raise ValidationError(
                _("A %(status)s engagement can no longer be changed.")
                % {"status": engagement.get_status_display().lower()}
            )
        old_start, old_end = engagement.start, engagement.end
        topics = _apply(engagement, data)
        if expertise is not None:
            topics = list(expertise)
        if "owner" in data:
            _check_owner(engagement.owner)
        engagement.full_clean()
        engagement.save()
        if topics is not None:
            engagement.expertise.set(topics)
        if (engagement.start, engagement.end) != (old_start, old_end):
            _move_participations(engagement)
            engagement_dates_changed.send(
                sender=Engagement,
                engagement=engagement,
                old_start=old_start,
                old_end=old_end,
                by=by,
            )
    return engagement


def _move_participations(engagement: Engagement) -> None:
    try:
        with transaction.atomic():
            Participation.objects.filter(engagement=engagement).update(
                period=_range(engagement), updated_at=timezone.now()
            )
    except IntegrityError as error:
        booked_here = Participation.objects.filter(
            engagement=engagement, status__in=Participation.BOOKED
        ).values("consultant_id")
        clashing = (
            Participation.objects.filter(
                consultant_id__in=booked_here,
                status__in=Participation.BOOKED,
                period__overlap=_range(engagement),
            )
            .exclude(engagement=engagement)
            .values_list("consultant__pseudonym", flat=True)
            .distinct()
        )
        names = ", ".join(sorted(clashing)) or _("a booked consultant")
        raise DoubleBooking(
            _(
                "These dates overlap another engagement of %(pseudonyms)s; "
                "choose other dates or ask them first."
            )
            % {"pseudonyms": names},
            code="double_booking",
        ) from error


def engagement_assign_staff(*, engagement: Engagement, staff_member: User, by: User) -> None:
    """Add a programme staff member to the engagement; they see its consultants."""
    with transaction.atomic():
        engagement = _locked_engagement(engagement)
        require(access.can_assign_staff(by, engagement))
        if not access.can_be_assigned(staff_member):
            raise ValidationError(_("Only programme staff can be assigned."))
        engagement.assigned_staff.add(staff_member)
        for participation in engagement.participations.filter(
            status__in=Participation.LIVE
        ).select_related("consultant"):
            access.grant_staff_on_consultant(
                engagement,
                participation.consultant,
                reveal=participation.status != P.INVITED,
            )


def engagement_unassign_staff(*, engagement: Engagement, staff_member: User, by: User) -> None:
    with transaction.atomic():
        engagement = _locked_engagement(engagement)
        require(access.can_assign_staff(by, engagement))
        engagement.assigned_staff.remove(staff_member)


# --- Privacy plan -------------------------------------------------------------------------


def privacy_plan_save(*, engagement: Engagement, by: User, data: Mapping[str, Any]) -> PrivacyPlan:
    """Create or change the engagement's privacy plan. A change after approval
    needs approving again."""
    unknown = set(data) - PRIVACY_PLAN_FIELDS
    if unknown:
        raise ValueError(f"Not privacy plan fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        engagement = _locked_engagement(engagement)
        require(access.can_manage_privacy_plan(by, engagement))
        if not engagement.is_open:
            raise ValidationError(_("This engagement can no longer be changed."))
        plan = PrivacyPlan.objects.filter(engagement=engagement).first() or PrivacyPlan(
            engagement=engagement
        )
        for name, value in data.items():
            setattr(plan, name, value.strip() if isinstance(value, str) else value)
        plan.updated_by = by
        plan.approved_by = None
        plan.approved_at = None
        plan.full_clean()
        plan.save()
    return plan


def privacy_plan_approve(*, plan: PrivacyPlan, by: User) -> PrivacyPlan:
    with transaction.atomic():
        _locked_engagement(plan.engagement)
        require(access.can_approve_privacy_plan(by, plan.engagement))
        plan = PrivacyPlan.objects.select_for_update().get(pk=plan.pk)
        plan.approved_by = by
        plan.approved_at = timezone.now()
        plan.save(update_fields=["approved_by", "approved_at", "updated_at"])
    return plan


# --- Invitations and participation ---------------------------------------------------------


def participation_invite(
    *,
    engagement: Engagement,
    consultant: Consultant,
    role: str,
    by: User,
    now: datetime.datetime | None = None,
) -> Participation:
    """Invite a consultant. Refused with the reasons when matching excludes
    them (``ConsultantExcluded``), or while the engagement is not staffing."""
    now = now or timezone.now()
    with transaction.atomic():
        engagement = _locked_engagement(engagement)
        participation = Participation(
            engagement=engagement,
            consultant=consultant,
            role=role,
            period=_range(engagement),
            invited_by=by,
            invited_at=now,
        )
        workflow.participation_check(participation=participation, name="invite", by=by, now=now)
        consultant = Consultant.objects.select_for_update().get(pk=consultant.pk)
        exclusions = matching.exclusions_for(engagement=engagement, consultant=consultant, now=now)
        if exclusions:
            raise ConsultantExcluded(exclusions)
        participation.consultant = consultant
        participation.story_sharing = consultant.story_sharing_default
        workflow.participation_transition(
            participation=participation, name="invite", by=by, now=now
        )
        access.grant_staff_on_consultant(engagement, consultant)
    return participation


def participation_invite_pair(
    *,
    engagement: Engagement,
    consultants: tuple[Consultant, Consultant],
    role: str,
    by: User,
    now: datetime.datetime | None = None,
) -> list[Participation]:
    """Invite two consultants to go together (a pair matching proposed):
    both or neither. Each invitation is ``participation_invite``'s, with its
    checks; a refusal of either names who and why, and nobody is invited."""
    first, second = consultants
    if first.pk == second.pk:
        raise ValidationError(_("Choose two different consultants to invite together."))
    now = now or timezone.now()
    invited = []
    with transaction.atomic():
        for consultant in (first, second):
            try:
                invited.append(
                    participation_invite(
                        engagement=engagement, consultant=consultant, role=role, by=by, now=now
                    )
                )
            except ValidationError as error:
                raise ValidationError(
                    [
                        _("%(pseudonym)s: %(reason)s")
                        % {"pseudonym": consultant.pseudonym, "reason": message}
                        for message in error.messages
                    ],
                    code="pair_refused",
                ) from error
    return invited


def participation_revoke(
    *, participation: Participation, by: User, now: datetime.datetime | None = None
) -> Participation:
    """Staff withdraw an invitation not yet confirmed (invited or accepted)."""
    return workflow.participation_transition(
        participation=participation, name="revoke", by=by, now=now
    )


def participation_accept(
    *,
    participation: Participation,
    by: User,
    on_behalf: bool = False,
    now: datetime.datetime | None = None,
) -> Participation:
    """The consultant says yes. Refused if the invitation was withdrawn or
    answered, belongs to someone else, or the time is already taken."""
    now = now or timezone.now()
    answered_at = now
    with transaction.atomic():
        participation = workflow.participation_transition(
            participation=participation,
            name="accept",
            by=by,
            on_behalf=on_behalf,
            now=now,
            changes=lambda locked: {
                "period": _range(locked.engagement),
                "responded_at": answered_at,
            },
        )
        access.grant_staff_on_consultant(participation.engagement, participation.consultant)
    return participation


def participation_decline(
    *,
    participation: Participation,
    by: User,
    on_behalf: bool = False,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> Participation:
    """The consultant says no; a reason is optional, never required."""
    now = now or timezone.now()
    answered_at = now
    return workflow.participation_transition(
        participation=participation,
        name="decline",
        by=by,
        on_behalf=on_behalf,
        now=now,
        changes=lambda locked: {
            "decline_reason": (reason or "").strip(),
            "responded_at": answered_at,
        },
    )


def participation_withdraw(
    *,
    participation: Participation,
    by: User,
    on_behalf: bool = False,
    reason: str = "",
    hours_given: Decimal | None = None,
    now: datetime.datetime | None = None,
) -> Participation:
    """The right to stop: the consultant steps back, at any time up to the end
    of the engagement, without a reason. The time already given stays on the
    record (``hours_given``, and the compensation app's entries) and is paid.
    The owner is told by a discreet e-mail after the change is saved.
    Stepping back from an invitation not yet answered is declining it."""
    now = now or timezone.now()
    stepped_back_at = now
    with transaction.atomic():
        locked = workflow.lock_participation(participation)
        if locked.status == P.INVITED:
            return participation_decline(
                participation=locked, by=by, on_behalf=on_behalf, reason=reason, now=now
            )

        def changes(locked: Participation) -> dict[str, Any]:
            return {
                "withdrawal_reason": (reason or "").strip(),
                "withdrawn_at": stepped_back_at,
                "hours_given": locked.hours_given if hours_given is None else hours_given,
            }

        participation = workflow.participation_transition(
            participation=locked,
            name="step_back",
            by=by,
            on_behalf=on_behalf,
            now=now,
            changes=changes,
        )
        engagement = participation.engagement
        staff = list(access.staff_of(engagement))
        pseudonym = participation.consultant.pseudonym
        transaction.on_commit(
            lambda: emails.send_participant_stepped_back(
                staff=staff, engagement_pk=engagement.pk, pseudonym=pseudonym
            )
        )
    return participation


def participation_rejoin(
    *, participation: Participation, by: User, now: datetime.datetime | None = None
) -> Participation:
    """She comes back, from her portal: after saying no, stepping back, or an
    invitation closed as full, while the engagement is staffing or
    confirmed, has not started and has a place free (the workflow's
    ``rejoin``; refused "now full" once the places are taken). Her earlier
    words are cleared: they were about a choice she has changed. Time she
    already gave stays on the record."""
    now = now or timezone.now()
    answered_at = now
    with transaction.atomic():
        participation = workflow.participation_transition(
            participation=participation,
            name="rejoin",
            by=by,
            now=now,
            changes=lambda locked: {
                "period": _range(locked.engagement),
                "responded_at": answered_at,
                "decline_reason": "",
                "withdrawal_reason": "",
                "withdrawn_at": None,
            },
        )
        access.grant_staff_on_consultant(participation.engagement, participation.consultant)
    return participation


def participation_confirm(
    *, participation: Participation, by: User, now: datetime.datetime | None = None
) -> Participation:
    """Staff confirm an accepted participation (consents checked again: one
    may have been withdrawn since the invitation)."""
    now = now or timezone.now()
    confirmed_at = now
    with transaction.atomic():
        locked = workflow.lock_participation(participation)
        workflow.participation_check(participation=locked, name="confirm", by=by, now=now)
        engagement = locked.engagement
        plan = PrivacyPlan.objects.filter(engagement=engagement).first()
        lacking = matching.missing_consents(
            engagement=engagement, plan=plan, consultants=[locked.consultant]
        )
        if lacking:
            raise ParticipationStateError(
                _("%(pseudonym)s has not given consent for: %(scopes)s.")
                % {
                    "pseudonym": locked.consultant.pseudonym,
                    "scopes": lacking[locked.consultant_id],
                },
                code="missing_consent",
            )
        participation = workflow.participation_transition(
            participation=locked,
            name="confirm",
            by=by,
            now=now,
            changes=lambda locked: {"confirmed_at": confirmed_at, "confirmed_by": by},
        )
        access.grant_staff_on_consultant(engagement, participation.consultant, reveal=True)
    return participation


def participation_mark_attendance(
    *,
    participation: Participation,
    by: User,
    attended: bool,
    now: datetime.datetime | None = None,
) -> Participation:
    """After the event: attended or not. A mistake can be corrected until the
    engagement is closed. Marking what is already marked changes nothing."""
    now = now or timezone.now()
    marked_at = now
    name = "mark_attended" if attended else "mark_no_show"
    with transaction.atomic():
        locked = workflow.lock_participation(participation)
        action = workflow.participation_action(participation=locked, name=name, user=by, now=now)
        if action.code == "unchanged":
            return locked
        return workflow.participation_transition(
            participation=locked,
            name=name,
            by=by,
            now=now,
            changes=lambda locked: {
                "attendance_marked_at": marked_at,
                "attendance_marked_by": by,
            },
        )


def participation_set_story_sharing(
    *,
    participation: Participation,
    by: User,
    choice: str,
    note: str = "",
    on_behalf: bool = False,
) -> Participation:
    """The consultant's choice for this engagement: nothing, general insights,
    or chosen parts (with a note of what, and with whom). Staff see the choice."""
    with transaction.atomic():
        participation = workflow.lock_participation(participation)
        workflow.participation_check(
            participation=participation, name="share", by=by, on_behalf=on_behalf
        )
        participation.story_sharing = choice
        participation.story_sharing_note = (
            (note or "").strip() if choice == Consultant.StorySharing.CHOSEN_AUDIENCES else ""
        )
        participation.full_clean()
        participation.save(update_fields=["story_sharing", "story_sharing_note", "updated_at"])
    return participation


# --- After the engagement ------------------------------------------------------------------


def debrief_add(
    *,
    engagement: Engagement,
    by: User,
    on_behalf: bool = False,
    note: str,
    held_on: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> Debrief:
    """The staff debrief note, once the engagement is completed."""
    with transaction.atomic():
        engagement = _locked_engagement(engagement)
        require(access.can_write_debrief(by, engagement))
        if engagement.status != Engagement.Status.COMPLETED:
            raise ValidationError(
                _("A debrief is written once the engagement is completed."), code="wrong_state"
            )
        debrief = Debrief(
            engagement=engagement,
            note=(note or "").strip(),
            author=by,
            held_on=held_on or timezone.localdate(now),
            created_at=now or timezone.now(),
        )
        debrief.full_clean()
        debrief.save()
    return debrief


def feedback_submit(
    *,
    participation: Participation,
    by: User,
    on_behalf: bool = False,
    data: Mapping[str, Any],
    now: datetime.datetime | None = None,
) -> Feedback:
    """The consultant's feedback, once, after attending a completed engagement."""
    unknown = set(data) - {*FEEDBACK_SCORES, "comments", "anonymous"}
    if unknown:
        raise ValueError(f"Not feedback fields: {', '.join(sorted(unknown))}")
    with transaction.atomic():
        participation = workflow.lock_participation(participation)
        workflow.participation_check(
            participation=participation, name="feedback", by=by, on_behalf=on_behalf, now=now
        )
        feedback = Feedback(participation=participation, submitted_at=now or timezone.now())
        for name, value in data.items():
            setattr(feedback, name, value.strip() if isinstance(value, str) else value)
        feedback.full_clean()
        feedback.save()
    return feedback
