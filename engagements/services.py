"""Writes of the engagements app.

Each function is one business action: keyword-only arguments, one
``transaction.atomic()``, ``full_clean()`` before ``save()``, a
``ValidationError`` (or a domain subclass below) with a message a person
can act on when the input is wrong, and nothing saved in that case. Every
service checks permission itself (``engagements.access``) and raises
``PermissionDenied``; views check first to answer 404/403 properly.

Status changes of an engagement are ``engagements.workflow``'s; the
status of a participation changes here, always with the participation's
row locked, written to its history (``ParticipationChange``) and announced
with ``participation_status_changed``.

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

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.roles import Role, has_role
from consultants.models import Consultant, ExpertiseTopic
from engagements import access, emails, matching, workflow
from engagements.models import (
    DOUBLE_BOOKING_CODE,
    DOUBLE_BOOKING_MESSAGE,
    FEEDBACK_SCORES,
    Debrief,
    Engagement,
    Feedback,
    Participation,
    ParticipationChange,
    PrivacyPlan,
)
from engagements.signals import engagement_dates_changed, participation_status_changed

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


class DoubleBooking(ValidationError):
    """A consultant would hold two overlapping engagements."""


class ConsultantExcluded(ValidationError):
    """A consultant matching excludes was invited; ``exclusions`` says why."""

    def __init__(self, exclusions: list[matching.Exclusion]):
        self.exclusions = exclusions
        super().__init__([e.message for e in exclusions], code="excluded")


class ParticipationStateError(ValidationError):
    """A participation action that its current status does not allow."""


# --- Helpers ---------------------------------------------------------------------------


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not do this."))


def _locked_engagement(engagement: Engagement) -> Engagement:
    return Engagement.objects.select_for_update().select_related("owner").get(pk=engagement.pk)


def _locked_participation(participation: Participation) -> Participation:
    """The participation's row locked, after its engagement's: always in this
    order (as ``engagement_update`` and the workflow do), so a change of dates
    and an answer to the invitation happen one after the other."""
    Engagement.objects.select_for_update().filter(pk=participation.engagement_id).exists()
    return (
        Participation.objects.select_for_update(of=("self",))
        .select_related("engagement", "consultant", "engagement__owner")
        .get(pk=participation.pk)
    )


def _range(engagement: Engagement) -> DateTimeTZRange:
    return DateTimeTZRange(engagement.start, engagement.end, "[)")


def _set_status(
    participation: Participation,
    status: str,
    *,
    by,
    now: datetime.datetime,
    fields: Iterable[str] = (),
) -> None:
    """Save the new status (and ``fields``), with its history, refusing a double booking."""
    source = participation.status
    participation.status = status
    try:
        participation.full_clean()
    except ValidationError as error:
        participation.status = source
        if any(e.code == DOUBLE_BOOKING_CODE for e in error.error_dict.get(NON_FIELD_ERRORS, [])):
            raise DoubleBooking(DOUBLE_BOOKING_MESSAGE, code=DOUBLE_BOOKING_CODE) from error
        raise
    try:
        with transaction.atomic():
            participation.save(update_fields=["status", "updated_at", *fields])
    except IntegrityError as error:
        # Another transaction booked the same time after our check and
        # committed first: the exclusion constraint had the last word.
        participation.status = source
        raise DoubleBooking(DOUBLE_BOOKING_MESSAGE, code=DOUBLE_BOOKING_CODE) from error
    ParticipationChange.objects.create(
        participation=participation, from_status=source, to_status=status, by=by, at=now
    )
    participation_status_changed.send(
        sender=Participation,
        participation=participation,
        from_status=source,
        to_status=status,
        by=by,
    )


def _refuse(message: str, code: str = "invalid") -> None:
    raise ParticipationStateError(message, code=code)


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
    if not (
        owner.is_active
        and (has_role(owner, Role.PROGRAMME_STAFF, Role.PROGRAMME_MANAGER) or owner.is_superuser)
    ):
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
    _require(access.can_create(by))
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
        _require(access.can_run(by, engagement))
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
        _require(access.can_assign_staff(by, engagement))
        if not (staff_member.is_active and has_role(staff_member, Role.PROGRAMME_STAFF)):
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
        _require(access.can_assign_staff(by, engagement))
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
        _require(access.can_manage_privacy_plan(by, engagement))
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
        _require(access.can_approve_privacy_plan(by, plan.engagement))
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
        _require(access.can_invite(by, engagement))
        if engagement.status != Engagement.Status.STAFFING:
            raise ValidationError(
                _("Consultants are invited while the engagement is staffing; it is “%(s)s”.")
                % {"s": engagement.get_status_display()},
                code="not_staffing",
            )
        if engagement.start <= now:
            raise ValidationError(_("The engagement has already started."), code="started")
        consultant = Consultant.objects.select_for_update().get(pk=consultant.pk)
        exclusions = matching.exclusions_for(engagement=engagement, consultant=consultant, now=now)
        if exclusions:
            raise ConsultantExcluded(exclusions)
        participation = Participation(
            engagement=engagement,
            consultant=consultant,
            role=role,
            status=P.INVITED,
            period=_range(engagement),
            story_sharing=consultant.story_sharing_default,
            invited_by=by,
            invited_at=now,
        )
        participation.full_clean()
        participation.save()
        ParticipationChange.objects.create(
            participation=participation, from_status="", to_status=P.INVITED, by=by, at=now
        )
        access.grant_staff_on_consultant(engagement, consultant)
        participation_status_changed.send(
            sender=Participation,
            participation=participation,
            from_status="",
            to_status=P.INVITED,
            by=by,
        )
    return participation


def participation_revoke(
    *, participation: Participation, by: User, now: datetime.datetime | None = None
) -> Participation:
    """Staff withdraw an invitation not yet confirmed (invited or accepted)."""
    now = now or timezone.now()
    with transaction.atomic():
        participation = _locked_participation(participation)
        _require(access.can_manage_participation(by, participation))
        if participation.status not in (P.INVITED, P.ACCEPTED):
            _refuse(
                _("Only an invitation not yet confirmed can be withdrawn; this one is “%(s)s”.")
                % {"s": participation.get_status_display()}
            )
        _set_status(participation, P.REVOKED, by=by, now=now)
    return participation


def _consultant_may_answer(participation: Participation, now: datetime.datetime) -> None:
    engagement = participation.engagement
    if engagement.status not in (Engagement.Status.STAFFING, Engagement.Status.CONFIRMED):
        _refuse(_("This engagement is no longer looking for consultants."), code="not_staffing")
    if engagement.start <= now:
        _refuse(_("This engagement has already started."), code="started")


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
    with transaction.atomic():
        participation = _locked_participation(participation)
        _require(access.can_respond(by, participation, on_behalf=on_behalf))
        if participation.status != P.INVITED:
            _refuse(
                _("This invitation is “%(s)s”: it can no longer be accepted.")
                % {"s": participation.get_status_display()},
                code="not_invited",
            )
        _consultant_may_answer(participation, now)
        participation.period = _range(participation.engagement)
        participation.responded_at = now
        _set_status(participation, P.ACCEPTED, by=by, now=now, fields=["period", "responded_at"])
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
    with transaction.atomic():
        participation = _locked_participation(participation)
        _require(access.can_respond(by, participation, on_behalf=on_behalf))
        if participation.status != P.INVITED:
            _refuse(
                _("This invitation is “%(s)s”: it can no longer be declined.")
                % {"s": participation.get_status_display()},
                code="not_invited",
            )
        participation.decline_reason = (reason or "").strip()
        participation.responded_at = now
        _set_status(
            participation, P.DECLINED, by=by, now=now, fields=["decline_reason", "responded_at"]
        )
    return participation


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
    The owner is told by a discreet e-mail after the change is saved."""
    now = now or timezone.now()
    with transaction.atomic():
        participation = _locked_participation(participation)
        _require(access.can_respond(by, participation, on_behalf=on_behalf))
        if participation.status == P.INVITED:
            # Stepping back from an invitation not yet answered is declining it.
            participation.decline_reason = (reason or "").strip()
            participation.responded_at = now
            _set_status(
                participation,
                P.DECLINED,
                by=by,
                now=now,
                fields=["decline_reason", "responded_at"],
            )
            return participation
        if participation.status not in (P.ACCEPTED, P.CONFIRMED):
            _refuse(
                _("This participation is “%(s)s”: there is nothing to step back from.")
                % {"s": participation.get_status_display()},
                code="not_booked",
            )
        if participation.engagement.end <= now:
            _refuse(_("This engagement has already ended."), code="ended")
        participation.withdrawal_reason = (reason or "").strip()
        participation.withdrawn_at = now
        if hours_given is not None:
            participation.hours_given = hours_given
        _set_status(
            participation,
            P.WITHDRAWN,
            by=by,
            now=now,
            fields=["withdrawal_reason", "withdrawn_at", "hours_given"],
        )
        engagement = participation.engagement
        recipients = [m.email for m in access.staff_of(engagement) if m.is_active and m.email]
        pseudonym = participation.consultant.pseudonym
        transaction.on_commit(
            lambda: emails.send_participant_stepped_back(
                to=recipients, engagement_pk=engagement.pk, pseudonym=pseudonym
            )
        )
    return participation


def participation_confirm(
    *, participation: Participation, by: User, now: datetime.datetime | None = None
) -> Participation:
    """Staff confirm an accepted participation (consents checked again: one
    may have been withdrawn since the invitation)."""
    now = now or timezone.now()
    with transaction.atomic():
        participation = _locked_participation(participation)
        _require(access.can_manage_participation(by, participation))
        if participation.status == P.CONFIRMED:
            _refuse(_("This consultant is already confirmed."), code="already_confirmed")
        if participation.status != P.ACCEPTED:
            _refuse(
                _("Only an accepted invitation can be confirmed; this one is “%(s)s”.")
                % {"s": participation.get_status_display()},
                code="not_accepted",
            )
        engagement = participation.engagement
        if engagement.status not in (Engagement.Status.STAFFING, Engagement.Status.CONFIRMED):
            _refuse(_("This engagement is not staffing."), code="not_staffing")
        plan = PrivacyPlan.objects.filter(engagement=engagement).first()
        lacking = matching.missing_consents(
            engagement=engagement, plan=plan, consultants=[participation.consultant]
        )
        if lacking:
            _refuse(
                _("%(pseudonym)s has not given consent for: %(scopes)s.")
                % {
                    "pseudonym": participation.consultant.pseudonym,
                    "scopes": lacking[participation.consultant_id],
                },
                code="missing_consent",
            )
        participation.confirmed_at = now
        participation.confirmed_by = by
        _set_status(
            participation, P.CONFIRMED, by=by, now=now, fields=["confirmed_at", "confirmed_by"]
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
    engagement is closed."""
    now = now or timezone.now()
    with transaction.atomic():
        participation = _locked_participation(participation)
        _require(access.can_manage_participation(by, participation))
        engagement = participation.engagement
        if engagement.status not in (Engagement.Status.CONFIRMED, Engagement.Status.COMPLETED):
            _refuse(
                _("Attendance is marked for a confirmed or completed engagement."),
                code="wrong_state",
            )
        if engagement.start > now:
            _refuse(_("The engagement has not started yet."), code="not_started")
        if participation.status not in (P.CONFIRMED, P.ATTENDED, P.NO_SHOW):
            _refuse(
                _("Only a confirmed participant's attendance is marked; this one is “%(s)s”.")
                % {"s": participation.get_status_display()},
                code="not_confirmed",
            )
        target = P.ATTENDED if attended else P.NO_SHOW
        if participation.status == target:
            return participation
        participation.attendance_marked_at = now
        participation.attendance_marked_by = by
        _set_status(
            participation,
            target,
            by=by,
            now=now,
            fields=["attendance_marked_at", "attendance_marked_by"],
        )
    return participation


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
        participation = _locked_participation(participation)
        _require(access.can_respond(by, participation, on_behalf=on_behalf))
        if participation.status not in (P.INVITED, P.ACCEPTED, P.CONFIRMED):
            _refuse(_("This choice can no longer be changed."), code="closed")
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
        _require(access.can_write_debrief(by, engagement))
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
        participation = _locked_participation(participation)
        _require(access.can_respond(by, participation, on_behalf=on_behalf))
        if participation.engagement.status not in (
            Engagement.Status.COMPLETED,
            Engagement.Status.CLOSED,
        ):
            _refuse(_("Feedback opens once the engagement is completed."), code="not_completed")
        if participation.status != P.ATTENDED:
            _refuse(_("Feedback is for those who took part."), code="not_attended")
        if Feedback.objects.filter(participation=participation).exists():
            _refuse(_("You have already given feedback on this engagement."), code="duplicate")
        feedback = Feedback(participation=participation, submitted_at=now or timezone.now())
        for name, value in data.items():
            setattr(feedback, name, value.strip() if isinstance(value, str) else value)
        feedback.full_clean()
        feedback.save()
    return feedback
