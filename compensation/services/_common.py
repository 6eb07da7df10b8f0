"""Helpers the topics of ``compensation.services`` share: refusals, amounts
and hours as typed, the clock in Manila, due dates, row locks, and the one
way a time entry or an expense claim is decided."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal, InvalidOperation
from typing import Any, NoReturn, TypeVar

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import User
from compensation import access, selectors
from compensation.models import DecidedRecord, Decision, PaymentLine
from consultants.models import Consultant
from core.shortcuts import require
from engagements.models import Participation

P = Participation.Status
L = PaymentLine.Kind
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
# Time may be entered from this long before the engagement starts (preparation)
# to this long after it ends (late entries); never for a day still to come.
ENTRY_WINDOW = selectors.ENTRY_WINDOW

Decided = TypeVar("Decided", bound=DecidedRecord)


def _refuse(message: str, code: str = "invalid", field: str | None = None) -> NoReturn:
    if field:
        raise ValidationError({field: ValidationError(message, code=code)})
    raise ValidationError(message, code=code)


def _decimal(value: Any, *, field: str) -> Decimal:
    if isinstance(value, float):
        # A float has already lost the centavos; only text or Decimal is exact.
        value = repr(value)
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError, TypeError):
        _refuse(_("Enter a number."), "not_a_number", field)
    if not number.is_finite():
        _refuse(_("Enter a number."), "not_a_number", field)
    return number


def _has_more_than_two_decimals(number: Decimal) -> bool:
    exponent = number.as_tuple().exponent
    return (
        isinstance(exponent, int) and exponent < -2 and number != number.quantize(Decimal("0.01"))
    )


def parse_amount(value: Any, *, field: str = "amount", allow_negative: bool = False) -> Decimal:
    """A peso amount: a number with at most two decimals (centavos), refused
    rather than rounded when it has more."""
    number = _decimal(value, field=field)
    if _has_more_than_two_decimals(number):
        _refuse(_("An amount has at most two decimals (centavos)."), "too_many_decimals", field)
    number = number.quantize(Decimal("0.01"))
    if number < 0 and not allow_negative:
        _refuse(_("An amount cannot be negative."), "negative", field)
    if abs(number) >= Decimal("1000000000"):
        _refuse(_("This amount is too large."), "too_large", field)
    return number


def parse_hours(value: Any, *, field: str = "hours") -> Decimal:
    """Hours for one day: more than 0, at most 24, to the hundredth."""
    number = _decimal(value, field=field)
    if _has_more_than_two_decimals(number):
        _refuse(_("Hours have at most two decimals."), "too_many_decimals", field)
    number = number.quantize(Decimal("0.01"))
    if number <= 0:
        _refuse(_("Hours must be more than 0."), "not_positive", field)
    if number > 24:
        _refuse(_("A day has at most 24 hours."), "too_many_hours", field)
    return number


def _today(now: datetime.datetime) -> datetime.date:
    return selectors.manila_today(now)


def _due(payable_since: datetime.date, *, before: datetime.date | None = None) -> datetime.date:
    """The target date of payment; ``before``: due the day before this date
    at the latest (what is paid in advance), never before payable."""
    due = payable_since + datetime.timedelta(days=selectors.target_days())
    if before is not None:
        due = min(due, before - DAY)
    return max(due, payable_since)


def _completion_date(participation: Participation) -> datetime.date:
    """When the work of a participation was complete: the engagement's end;
    or the day the consultant stepped back or the engagement was cancelled."""
    engagement = participation.engagement
    end = selectors.manila_date(engagement.end)
    if participation.status == P.WITHDRAWN and participation.withdrawn_at:
        return min(end, selectors.manila_date(participation.withdrawn_at))
    if participation.status == P.CANCELLED:
        change = participation.changes.filter(to_status=P.CANCELLED).order_by("-at").first()
        if change is not None:
            return min(end, selectors.manila_date(change.at))
    return end


def _locked_participation(participation: Participation) -> Participation:
    return (
        Participation.objects.select_for_update(of=("self",))
        .select_related("engagement", "consultant")
        .get(pk=participation.pk)
    )


def _locked_consultant(consultant_id: int) -> Consultant:
    return Consultant.objects.select_for_update().get(pk=consultant_id)


@contextmanager
def in_her_language(consultant_id: int) -> Iterator[None]:
    """A payment line is described in the language of the person it pays:
    its words on her statement and her pay pages are hers (and, once the
    line is paid, frozen with it), whoever's click made it."""
    language = (
        Consultant.objects.filter(pk=consultant_id).values_list("user__language", flat=True).first()
    )
    with translation.override(language or settings.LANGUAGE_CODE):
        yield


def _save(instance: models.Model) -> None:
    instance.full_clean()
    instance.save()


def _may_record(participation: Participation, day: datetime.date, now: datetime.datetime) -> None:
    """Time and costs: for a participation the consultant accepted, on a day
    that has come and is near the engagement's dates."""
    if participation.status not in access.RECORDABLE or (
        participation.status == P.CANCELLED and participation.responded_at is None
    ):
        _refuse(
            _("Time and costs are recorded for an engagement you accepted."),
            "not_booked",
        )
    engagement = participation.engagement
    if day > _today(now):
        _refuse(_("This day has not come yet."), "future", "date")
    if day < selectors.manila_date(engagement.start - ENTRY_WINDOW) or day > selectors.manila_date(
        engagement.end + ENTRY_WINDOW
    ):
        _refuse(_("This day is too far from the engagement's dates."), "out_of_range", "date")


# --- Deciding time entries and expense claims ------------------------------------------------


RECORDER_MESSAGE = _lazy(
    "You recorded this for the consultant, so someone else approves or declines it."
)


class RecorderCannotDecide(PermissionDenied):
    """The person who recorded a time entry or a claim asked to decide it
    (a refusal of the person, like every ``access`` one; ``str()`` says why)."""


def _not_recorder(record: DecidedRecord, by: User) -> None:
    """Four eyes on what staff record for a consultant: whoever recorded it
    never decides it (PostgreSQL checks it too). Asked before ``access``, so
    the refusal says why rather than nothing."""
    if record.recorded_by_id == by.pk:
        raise RecorderCannotDecide(str(RECORDER_MESSAGE))


def _undecided(record: DecidedRecord) -> None:
    """Refuse a record that is already approved or rejected."""
    if record.is_decided:
        _refuse(str(record.already_decided_message), "decided")


def _decide(
    record: DecidedRecord,
    *,
    status: str,
    by: User,
    now: datetime.datetime,
    reason: str = "",
) -> None:
    """Write the decision (the record is locked and still undecided)."""
    record.status = status
    record.decided_by = by
    record.decided_at = now
    fields = ["status", "decided_by", "decided_at"]
    if status == Decision.REJECTED:
        record.rejection_reason = reason[:500]
        fields.append("rejection_reason")
    record.save(update_fields=fields)


def _reject(
    record: Decided,
    *,
    lock: Callable[[Decided], Decided],
    may_decide: Callable[[User, Decided], bool],
    by: User,
    reason: str,
    now: datetime.datetime | None,
) -> Decided:
    """Reject a time entry or an expense claim, with the reason the
    consultant reads: the record is locked, ``may_decide`` asked, an
    undecided record required. Nothing is owed for it."""
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        _refuse(_("Say why, so the consultant can correct it."), "reason_required", "reason")
    with transaction.atomic():
        record = lock(record)
        _not_recorder(record, by)
        require(may_decide(by, record))
        _undecided(record)
        _decide(record, status=Decision.REJECTED, by=by, now=now, reason=reason)
    return record
