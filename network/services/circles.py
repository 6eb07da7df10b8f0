"""Peer circles (issue #18, part 2): creating and changing a circle, its
members, its meetings and who attended.

Tinig keeps who, when and the allowance; the circle meets elsewhere (no
messages or files here). Marking a member present at a meeting of a paid
circle fixes the network's circle allowance on the attendance and writes
one payment line for it (``compensation.services.network_work_line``,
source ``circle-attendance:<id>``: a double submit owes once); correcting
to absent withdraws that line while it is unpaid, and is refused once
finance has approved or paid it. Each change is an audit event.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from compensation.services.network_work import network_work_line, network_work_line_withdraw
from consultants.models import Consultant
from core import audit
from network.access_staff import staff_contacts
from network.models import (
    CircleAttendance,
    CircleMeeting,
    CircleMembership,
    Network,
    PeerCircle,
)

CIRCLE_FIELDS = (
    "name",
    "facilitator",
    "co_facilitator",
    "staff_contact",
    "paid",
    "started_on",
    "ended_on",
)


def attendance_source_key(attendance: CircleAttendance) -> str:
    return f"circle-attendance:{attendance.pk}"


def _refuse(message: str, field: str | None = None, code: str = "invalid"):
    if field:
        raise ValidationError({field: ValidationError(message, code=code)})
    raise ValidationError(message, code=code)


def _check_consultant(consultant: Consultant | None, field: str) -> None:
    if consultant is None:
        return
    if consultant.status != Consultant.Status.ACTIVE or consultant.identity_erased_at:
        _refuse(_("Only an active consultant can be chosen."), field=field)


def _check_circle(circle: PeerCircle, changed: Iterable[str]) -> None:
    circle.name = " ".join((circle.name or "").split())
    if not circle.name:
        _refuse(_("Give the circle a name."), field="name")
    if "facilitator" in changed:
        _check_consultant(circle.facilitator, "facilitator")
    if "co_facilitator" in changed:
        _check_consultant(circle.co_facilitator, "co_facilitator")
    if circle.facilitator_id and circle.facilitator_id == circle.co_facilitator_id:
        _refuse(
            _("The co-facilitator must be someone other than the facilitator."),
            field="co_facilitator",
        )
    if "staff_contact" in changed and not staff_contacts().filter(pk=circle.staff_contact_id):
        _refuse(_("The staff contact must be on the programme team."), field="staff_contact")
    if circle.ended_on and circle.started_on and circle.ended_on < circle.started_on:
        _refuse(_("A circle cannot end before it started."), field="ended_on")
    circle.full_clean()


@transaction.atomic
def circle_create(*, network: Network, by, request=None, **fields) -> PeerCircle:
    unknown = set(fields) - set(CIRCLE_FIELDS)
    if unknown:
        raise ValueError(f"Not a circle field: {sorted(unknown)}")
    circle = PeerCircle(network=network, **fields)
    if circle.started_on is None:
        circle.started_on = timezone.localdate()
    _check_circle(circle, CIRCLE_FIELDS)
    circle.save()
    audit.record_event(circle, actor=by, event="circle_created", request=request)
    return circle


@transaction.atomic
def circle_update(*, circle: PeerCircle, by, request=None, **fields) -> list[str]:
    unknown = set(fields) - set(CIRCLE_FIELDS)
    if unknown:
        raise ValueError(f"Not a circle field: {sorted(unknown)}")
    circle = PeerCircle.objects.select_for_update().get(pk=circle.pk)
    changed = []
    for name, value in fields.items():
        if getattr(circle, name) != value:
            setattr(circle, name, value)
            changed.append(name)
    if changed:
        _check_circle(circle, changed)
        circle.save()
        audit.record_event(
            circle, actor=by, event="circle_changed", request=request, fields=changed
        )
    return changed


def _open_circle(circle: PeerCircle) -> PeerCircle:
    circle = PeerCircle.objects.select_for_update().get(pk=circle.pk)
    if circle.ended_on is not None and circle.ended_on <= timezone.localdate():
        _refuse(_("This circle has ended: it takes no new members or meetings."), code="ended")
    return circle


# --- Members ---------------------------------------------------------------------------


@transaction.atomic
def member_add(*, circle: PeerCircle, consultant: Consultant, by, request=None):
    circle = _open_circle(circle)
    _check_consultant(consultant, "consultant")
    try:
        with transaction.atomic():
            membership = CircleMembership.objects.create(circle=circle, consultant=consultant)
    except IntegrityError as error:
        raise ValidationError(
            {
                "consultant": _("%(name)s is already a member of this circle.")
                % {"name": consultant.pseudonym}
            }
        ) from error
    audit.record_event(membership, actor=by, event="circle_member_added", request=request)
    return membership


@transaction.atomic
def member_remove(*, membership: CircleMembership, by, request=None) -> CircleMembership:
    """She leaves the circle today; her attendance stays."""
    membership = CircleMembership.objects.select_for_update().get(pk=membership.pk)
    if membership.left_on is not None:
        _refuse(_("This consultant has already left this circle."), code="left")
    membership.left_on = max(timezone.localdate(), membership.joined_on)
    membership.save(update_fields=["left_on"])
    audit.record_event(membership, actor=by, event="circle_member_removed", request=request)
    return membership


# --- Meetings --------------------------------------------------------------------------


@transaction.atomic
def meeting_schedule(
    *, circle: PeerCircle, starts_at: datetime.datetime, mode: str, by, request=None
) -> CircleMeeting:
    circle = _open_circle(circle)
    if starts_at is None:
        _refuse(_("Say when the circle meets."), field="starts_at")
    if timezone.localtime(starts_at).date() < circle.started_on:
        _refuse(_("A meeting cannot be before the circle started."), field="starts_at")
    meeting = CircleMeeting(circle=circle, starts_at=starts_at, mode=mode, created_by=by)
    meeting.full_clean()
    meeting.save()
    audit.record_event(meeting, actor=by, event="circle_meeting_scheduled", request=request)
    return meeting


def meeting_cancel_refusal(meeting: CircleMeeting) -> ValidationError | None:
    """Why this meeting cannot be cancelled, or None when it can: the one
    rule that ``meeting_cancel`` enforces and the pages ask before offering
    to cancel (a meeting where someone was present took place; its
    allowances stand). The circle's meeting list applies the same rule to
    its ``present_count``."""
    if meeting.cancelled_at is not None:
        return ValidationError(_("This meeting is already cancelled."), code="cancelled")
    if meeting.attendance.filter(present=True).exists():
        return ValidationError(
            _("Someone is marked present at this meeting: correct the attendance to absent first."),
            code="attended",
        )
    return None


@transaction.atomic
def meeting_cancel(*, meeting: CircleMeeting, by, request=None) -> CircleMeeting:
    meeting = CircleMeeting.objects.select_for_update().get(pk=meeting.pk)
    refusal = meeting_cancel_refusal(meeting)
    if refusal is not None:
        raise refusal
    meeting.cancelled_at = timezone.now()
    meeting.save(update_fields=["cancelled_at"])
    audit.record_event(meeting, actor=by, event="circle_meeting_cancelled", request=request)
    return meeting


# --- Attendance --------------------------------------------------------------------------


def attendance_roll(meeting: CircleMeeting) -> list[Consultant]:
    """Who the attendance form asks about: the circle's current members and
    anyone already marked at this meeting (so a mark can be corrected after
    she left), by pseudonym."""
    marked = CircleAttendance.objects.filter(meeting=meeting).values("consultant_id")
    members = CircleMembership.objects.filter(
        circle_id=meeting.circle_id, left_on__isnull=True
    ).values("consultant_id")
    return list(
        Consultant.objects.filter(pk__in=members.union(marked))
        .only("pk", "pseudonym")
        .order_by("pseudonym", "pk")
    )


def circle_line_description(meeting: CircleMeeting) -> str:
    """The words of an attendance's line, in the active language (the line
    service calls it in hers): "Peer circle meeting, 31 Oct 2026"."""
    day = date_format(timezone.localtime(meeting.starts_at).date(), "DATE_FORMAT")
    return _("Peer circle meeting, %(day)s") % {"day": day}


@transaction.atomic
def attendance_mark(
    *, meeting: CircleMeeting, present: Iterable[int], by, request=None
) -> dict[str, int]:
    """Mark everyone on the roll present (their ids in ``present``) or
    absent. All or nothing: one refused correction leaves every mark as it
    was. Returns how many marks changed and how many lines were written or
    withdrawn."""
    meeting = (
        CircleMeeting.objects.select_for_update()
        .select_related("circle__network")
        .get(pk=meeting.pk)
    )
    if meeting.cancelled_at is not None:
        _refuse(_("This meeting was cancelled: there is no attendance to mark."), code="cancelled")
    if meeting.starts_at > timezone.now():
        _refuse(_("Attendance is marked once the meeting has started."), code="future")
    roll = {consultant.pk: consultant for consultant in attendance_roll(meeting)}
    present_ids = set(present)
    strangers = present_ids - set(roll)
    if strangers:
        _refuse(_("Only the circle's members can be marked."), code="not_member")
    circle = meeting.circle
    allowance = circle.network.circle_allowance if circle.paid else Decimal("0")
    rows = {
        row.consultant_id: row
        for row in CircleAttendance.objects.select_for_update().filter(meeting=meeting)
    }
    counts = {"changed": 0, "lines": 0, "withdrawn": 0}
    for consultant_id, consultant in roll.items():
        is_present = consultant_id in present_ids
        row = rows.get(consultant_id)
        if row is not None and row.present == is_present:
            continue
        if row is None:
            row = CircleAttendance(
                meeting=meeting,
                consultant=consultant,
                present=is_present,
                allowance=allowance if is_present else Decimal("0"),
                marked_by=by,
            )
        else:
            if not is_present and row.allowance > 0:
                try:
                    if network_work_line_withdraw(source_key=attendance_source_key(row)):
                        counts["withdrawn"] += 1
                except ValidationError as error:
                    raise ValidationError(
                        _(
                            "%(name)s's allowance for this meeting is already in an approved "
                            "or paid payment: they stay marked present. Ask finance for an "
                            "adjustment."
                        )
                        % {"name": consultant.pseudonym},
                        code="line_in_payment",
                    ) from error
            row.present = is_present
            row.allowance = allowance if is_present else Decimal("0")
            row.marked_by = by
            row.marked_at = timezone.now()
        row.full_clean()
        row.save()
        counts["changed"] += 1
        if is_present and row.allowance > 0:
            network_work_line(
                consultant=consultant,
                amount=row.allowance,
                description=partial(circle_line_description, meeting),
                source_key=attendance_source_key(row),
                by=by,
            )
            counts["lines"] += 1
        audit.record_event(
            row,
            actor=by,
            event="circle_marked_present" if is_present else "circle_marked_absent",
            request=request,
        )
    return counts


def circle_is_open(circle: PeerCircle) -> bool:
    """It takes new members and meetings (it has not ended)."""
    return circle.ended_on is None or circle.ended_on > timezone.localdate()
