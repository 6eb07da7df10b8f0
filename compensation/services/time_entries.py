"""Time entries: time a consultant gave, entered by them or by staff on
their behalf, approved (a line at the agreement's rate) or rejected by
those who run the engagement.

On her behalf (``on_behalf=True``): staff who run the engagement record
time she told them of; the entry is marked so (her portal says "recorded
by staff on your behalf"), an audit event names who, and that person never
decides it (``_not_recorder``, and a check constraint in PostgreSQL)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from compensation import access, selectors
from compensation.models import Decision, PaymentLine, TimeEntry, TimeKind
from compensation.services._common import (
    L,
    _completion_date,
    _decide,
    _due,
    _locked_consultant,
    _locked_participation,
    _may_record,
    _not_recorder,
    _refuse,
    _reject,
    _save,
    _undecided,
    in_her_language,
    parse_hours,
)
from core.audit import record_event
from core.shortcuts import require
from engagements.models import Participation


def time_entry_add(
    *,
    participation: Participation,
    by: User,
    kind: str,
    date: datetime.date,
    hours: Any,
    note: str = "",
    on_behalf: bool = False,
    now: datetime.datetime | None = None,
) -> TimeEntry:
    """Time given on one day. At most 24 hours a day over all of the
    consultant's entries (checked under a lock on the consultant, and by
    PostgreSQL)."""
    now = now or timezone.now()
    hours = parse_hours(hours)
    if kind not in TimeKind.values:
        _refuse(_("Choose what the time was for."), "unknown_kind", "kind")
    with transaction.atomic():
        participation = _locked_participation(participation)
        require(access.can_record_for(by, participation, on_behalf=on_behalf))
        _may_record(participation, date, now)
        consultant = _locked_consultant(participation.consultant_id)
        already = selectors.day_total(consultant, date)
        if already + hours > 24:
            _refuse(
                _("%(already)s hours are already recorded on this day; a day has at most 24 hours.")
                % {"already": already},
                "day_over_24",
                "hours",
            )
        entry = TimeEntry(
            participation=participation,
            consultant=consultant,
            kind=kind,
            date=date,
            hours=hours,
            note=(note or "").strip(),
            entered_by=by,
            entered_at=now,
            on_behalf=on_behalf,
        )
        entry.full_clean()
        try:
            with transaction.atomic():
                entry.save()
        except IntegrityError:
            _refuse(_("A day has at most 24 hours."), "day_over_24", "hours")
        if on_behalf:
            record_event(entry, actor=by, event="time_recorded_on_behalf", hours=str(hours))
    return entry


def _locked_entry(entry: TimeEntry) -> TimeEntry:
    return (
        TimeEntry.objects.select_for_update(of=("self",))
        .select_related("participation__engagement", "participation__consultant")
        .get(pk=entry.pk)
    )


def time_entry_approve(
    *, entry: TimeEntry, by: User, now: datetime.datetime | None = None
) -> TimeEntry:
    """Approve: the time becomes a line at the agreement's rate (none under a
    fixed honorarium). Never by whoever entered it."""
    now = now or timezone.now()
    with transaction.atomic():
        entry = _locked_entry(entry)
        _not_recorder(entry, by)
        require(access.can_decide_time(by, entry))
        _undecided(entry)
        participation = entry.participation
        agreement = selectors.agreement_in_force(participation)
        if agreement is None:
            _refuse(_("There is no agreement in force for this participation yet."), "no_agreement")
        _decide(entry, status=Decision.APPROVED, by=by, now=now)
        amount = agreement.pay_for_hours(entry.hours)
        if amount > 0:
            since = max(_completion_date(participation), selectors.manila_date(entry.entered_at))
            with in_her_language(entry.consultant_id):
                _save(
                    PaymentLine(
                        consultant_id=entry.consultant_id,
                        participation=participation,
                        kind=L.TIME,
                        time_entry=entry,
                        description=_("%(kind)s, %(hours)s h: %(title)s")
                        % {
                            "kind": entry.get_kind_display(),
                            "hours": entry.hours,
                            "title": participation.engagement.title,
                        },
                        amount=amount,
                        payable_since=since,
                        due_on=_due(since),
                        created_by=by,
                        created_at=now,
                    )
                )
    return entry


def time_entry_reject(
    *, entry: TimeEntry, by: User, reason: str, now: datetime.datetime | None = None
) -> TimeEntry:
    """Not approved, with a reason the consultant reads."""
    return _reject(
        entry, lock=_locked_entry, may_decide=access.can_decide_time, by=by, reason=reason, now=now
    )
