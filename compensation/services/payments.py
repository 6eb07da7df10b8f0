"""Writes of the compensation app.

Each function is one business action: keyword-only arguments, one
``transaction.atomic()``, ``full_clean()`` before ``save()``, and a
``ValidationError`` with a message a person can act on when the input is
wrong, with nothing saved. Every service checks permission itself
(``compensation.access``) and raises ``PermissionDenied``; views check
first to answer 404/403 properly. ``now`` parameters are the clock, for
tests and demo data; views never pass them.

Money. Amounts are ``Decimal`` pesos with at most two decimals; a third
decimal is refused, never rounded away. A line's amount is computed once,
when its source is approved (time: hours times rate, divided by the hours of its unit, rounded
half up to the centavo); every total after that is a PostgreSQL ``SUM`` of
lines. A payment's total is fixed on approval, and PostgreSQL checks that it
equals the sum of its lines.

Where lines come from:

* an approved time entry: its hours at the agreement's rate (none under a
  fixed honorarium, which is one ``fee`` line on attendance);
* an approved expense claim: its amount;
* the agreement in force (``_sync_agreement_lines``): the advance and the
  allowances paid in advance once the consultant is booked; the fee and the
  other allowances once they attended; a change to an unpaid line rewrites
  it, a change to a paid one is an adjustment line for the difference;
* a late cancellation by the organisation: the agreed minimum;
* an advance, once paid: a negative ``advance_recovery`` line, payable from
  the end of the engagement, so it is netted against the final payment;
* finance: adjustment lines, with a reason (corrections of paid lines).

On time. Each line is payable from the later of the day the work was
complete (the engagement's end; stepping back or a cancellation: that day)
and the day it was entered, and due ``COMPENSATION_TARGET_DAYS_TO_PAY``
days later; what is paid in advance is due the day before the engagement
at the latest. A payment records its days to pay and whether it was paid
by the earliest due date of its lines.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import IntegrityError, transaction
from django.db.models import Min, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from compensation import access, selectors
from compensation.models import (
    ZERO,
    Agreement,
    AgreementAllowance,
    AllowanceKind,
    AllowancePolicy,
    Decision,
    ExpenseCategory,
    ExpenseClaim,
    Payment,
    PaymentLine,
    PaymentMethod,
    PaymentMethodKind,
    RateCard,
    Receipt,
    TimeEntry,
    TimeKind,
    money,
    receipt_kind,
    validate_receipt,
)
from consultants.models import Consultant
from consultants.validators import normalise_ph_mobile
from core.audit import record_access
from engagements.models import Participation

P = Participation.Status
L = PaymentLine.Kind
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
# Time may be entered from this long before the engagement starts (preparation)
# to this long after it ends (late entries); never for a day still to come.
ENTRY_WINDOW = datetime.timedelta(days=90)


class PaymentAlreadyPaid(ValidationError):
    """A payment (or a line) that is already paid was asked to be paid again."""


class NothingToPay(ValidationError):
    """No approved line is waiting for this consultant."""


# --- Helpers ---------------------------------------------------------------------------


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(_("You may not do this."))


def _refuse(message: str, code: str = "invalid", field: str | None = None):
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


def parse_amount(value: Any, *, field: str = "amount", allow_negative: bool = False) -> Decimal:
    """A peso amount: a number with at most two decimals (centavos), refused
    rather than rounded when it has more."""
    number = _decimal(value, field=field)
    if number.as_tuple().exponent < -2 and number != number.quantize(Decimal("0.01")):
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
    if number.as_tuple().exponent < -2 and number != number.quantize(Decimal("0.01")):
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


def _locked_consultant(consultant_id) -> Consultant:
    return Consultant.objects.select_for_update().get(pk=consultant_id)


def _save(instance) -> None:
    instance.full_clean()
    instance.save()


# --- Rates and allowances -----------------------------------------------------------------


def rate_card_create(
    *,
    engagement_type: str,
    role: str,
    unit: str,
    amount: Any,
    effective_from: datetime.date,
    by: User,
    effective_to: datetime.date | None = None,
    note: str = "",
) -> RateCard:
    """A rate from ``effective_from``. A rate of the same type and role still
    open-ended and starting earlier is closed the day before; any other
    overlap is refused (PostgreSQL's exclusion constraint)."""
    _require(access.can_manage_rates(by))
    amount = parse_amount(amount)
    if amount <= 0:
        _refuse(_("A rate must be more than zero."), "not_positive", "amount")
    with transaction.atomic():
        previous = (
            RateCard.objects.select_for_update()
            .filter(
                engagement_type=engagement_type,
                role=role,
                effective_to__isnull=True,
                effective_from__lt=effective_from,
            )
            .first()
        )
        if previous is not None:
            previous.effective_to = effective_from - DAY
            _save(previous)
        card = RateCard(
            engagement_type=engagement_type,
            role=role,
            unit=unit,
            amount=amount,
            effective_from=effective_from,
            effective_to=effective_to,
            note=(note or "").strip(),
            created_by=by,
        )
        _save(card)
    return card


def rate_lookup(*, engagement_type: str, role: str, on: datetime.date) -> RateCard | None:
    """The rate card in force for a type and role on a date (None: no rate)."""
    return selectors.rate_card_for(engagement_type=engagement_type, role=role, on=on)


def allowance_policy_set(
    *,
    kind: str,
    by: User,
    default_amount: Any,
    paid_in_advance: bool = True,
    in_person_only: bool = False,
    receipt_required_above: Any = None,
    is_active: bool = True,
) -> AllowancePolicy:
    _require(access.can_manage_rates(by))
    if kind not in AllowanceKind.values:
        _refuse(_("Unknown kind of allowance."), "unknown_kind", "kind")
    with transaction.atomic():
        policy = AllowancePolicy.objects.select_for_update().filter(kind=kind).first()
        policy = policy or AllowancePolicy(kind=kind)
        policy.default_amount = parse_amount(default_amount, field="default_amount")
        policy.paid_in_advance = paid_in_advance
        policy.in_person_only = in_person_only
        policy.receipt_required_above = (
            None
            if receipt_required_above in (None, "")
            else parse_amount(receipt_required_above, field="receipt_required_above")
        )
        policy.is_active = is_active
        _save(policy)
    return policy


# --- Agreements --------------------------------------------------------------------------

AGREEMENT_TERMS = frozenset(
    {
        "rate_unit",
        "rate_amount",
        "estimated_preparation_hours",
        "estimated_travel_hours",
        "estimated_engagement_hours",
        "estimated_debrief_hours",
        "advance_amount",
        "cancellation_notice_hours",
        "cancellation_minimum",
    }
)
NO_AGREEMENT_FOR = frozenset({P.DECLINED, P.REVOKED})


def _default_terms(participation: Participation) -> dict[str, Any]:
    engagement = participation.engagement
    card = rate_lookup(
        engagement_type=engagement.type,
        role=participation.role,
        on=selectors.manila_date(engagement.start),
    )
    hours = Decimal((engagement.end - engagement.start).total_seconds()) / Decimal(3600)
    hours = min(hours.quantize(Decimal("0.01")), Decimal("200"))
    terms: dict[str, Any] = {
        "estimated_preparation_hours": engagement.preparation_hours or ZERO,
        "estimated_travel_hours": Decimal("2.00") if engagement.mode == "in_person" else ZERO,
        "estimated_engagement_hours": hours,
        "estimated_debrief_hours": Decimal("1.00"),
    }
    if card is not None:
        terms.update(rate_card=card, rate_unit=card.unit, rate_amount=card.amount)
    return terms


def _default_allowances(participation: Participation) -> list[dict[str, Any]]:
    in_person = participation.engagement.mode == "in_person"
    return [
        {"kind": p.kind, "amount": p.default_amount, "paid_in_advance": p.paid_in_advance}
        for p in selectors.allowance_policies_active()
        if p.default_amount > 0 and (in_person or not p.in_person_only)
    ]


def agreement_propose(
    *,
    participation: Participation,
    by: User,
    terms: Mapping[str, Any] | None = None,
    allowances: Sequence[Mapping[str, Any]] | None = None,
    change_note: str = "",
    now: datetime.datetime | None = None,
) -> Agreement:
    """Propose the next version of a participation's agreement.

    Defaults come from the rate card in force on the engagement's date, the
    engagement (preparation hours, its length, travel when in person, one
    hour of debrief) and the active allowance policies; ``terms`` and
    ``allowances`` (``[{"kind", "amount", "paid_in_advance"}]``) override
    them. The cancellation minimum defaults to the pay for the estimated
    engagement hours (the fee, when fixed).

    Before the consultant accepts, the newest version is simply what they
    see. After acceptance it is a change: ``change_note`` says what changed,
    and it binds only when the consultant acknowledges it
    (``agreement_acknowledge``).
    """
    now = now or timezone.now()
    terms = dict(terms or {})
    unknown = set(terms) - AGREEMENT_TERMS - {"rate_card"}
    if unknown:
        raise ValueError(f"Unknown agreement terms: {sorted(unknown)}")
    with transaction.atomic():
        participation = _locked_participation(participation)
        _require(access.can_propose_agreement(by, participation))
        if participation.status in NO_AGREEMENT_FOR:
            _refuse(
                _("This invitation is “%(s)s”: there is nothing to agree.")
                % {"s": participation.get_status_display()},
                "closed",
            )
        previous = selectors.agreement_latest(participation)
        acknowledged_before = Agreement.objects.filter(
            participation=participation, acknowledged_at__isnull=False
        ).exists()
        change_note = (change_note or "").strip()
        if acknowledged_before and not change_note:
            _refuse(
                _("Say what changed: the consultant is asked to acknowledge it."),
                "change_note_required",
                "change_note",
            )
        values = _default_terms(participation)
        values.update(terms)
        if "rate_amount" not in values or "rate_unit" not in values:
            _refuse(
                _("No rate card covers this engagement type and role on its date; give a rate."),
                "no_rate",
                "rate_amount",
            )
        for name in (
            "estimated_preparation_hours",
            "estimated_travel_hours",
            "estimated_engagement_hours",
            "estimated_debrief_hours",
        ):
            values[name] = _decimal(values[name], field=name)
        values["rate_amount"] = parse_amount(values["rate_amount"], field="rate_amount")
        values["advance_amount"] = parse_amount(
            values.get("advance_amount", ZERO), field="advance_amount"
        )
        agreement = Agreement(
            participation=participation,
            version=(previous.version + 1) if previous else 1,
            proposed_by=by,
            proposed_at=now,
            change_note=change_note,
            **{k: v for k, v in values.items() if k != "cancellation_minimum"},
        )
        if "cancellation_minimum" in values:
            agreement.cancellation_minimum = parse_amount(
                values["cancellation_minimum"], field="cancellation_minimum"
            )
        else:
            agreement.cancellation_minimum = (
                money(agreement.rate_amount)
                if agreement.is_fixed
                else agreement.pay_for_hours(agreement.estimated_engagement_hours)
            )
        if agreement.advance_amount > agreement.estimated_time_pay():
            _refuse(
                _("The advance cannot be more than the estimated pay for the time."),
                "advance_too_large",
                "advance_amount",
            )
        _save(agreement)
        rows = _default_allowances(participation) if allowances is None else allowances
        seen = set()
        for row in rows:
            kind = row["kind"]
            if kind in seen:
                _refuse(_("Each allowance appears once."), "duplicate_allowance", "allowances")
            seen.add(kind)
            amount = parse_amount(row["amount"], field="allowances")
            if amount == 0:
                continue
            _save(
                AgreementAllowance(
                    agreement=agreement,
                    kind=kind,
                    amount=amount,
                    paid_in_advance=bool(row.get("paid_in_advance", True)),
                )
            )
        # Proposed while the consultant is booked but before any version was
        # acknowledged (e.g. an agreement added after acceptance): nothing to
        # compare with, so the consultant acknowledges it like a change.
    return agreement


def agreement_change(
    *,
    agreement: Agreement,
    by: User,
    change_note: str,
    terms: Mapping[str, Any] | None = None,
    allowances: Sequence[Mapping[str, Any]] | None = None,
    now: datetime.datetime | None = None,
) -> Agreement:
    """A new version from ``agreement`` with ``terms`` changed (allowances as
    given, or those of ``agreement``). After acceptance it needs the
    consultant's acknowledgement."""
    base = {name: getattr(agreement, name) for name in AGREEMENT_TERMS}
    base["rate_card"] = agreement.rate_card
    base.update(terms or {})
    if allowances is None:
        allowances = [
            {"kind": a.kind, "amount": a.amount, "paid_in_advance": a.paid_in_advance}
            for a in agreement.allowances.all()
        ]
    return agreement_propose(
        participation=agreement.participation,
        by=by,
        terms=base,
        allowances=allowances,
        change_note=change_note,
        now=now,
    )


def agreement_acknowledge(
    *,
    agreement: Agreement,
    by: User,
    on_behalf: bool = False,
    now: datetime.datetime | None = None,
) -> Agreement:
    """The consultant acknowledges the latest version (a change after
    acceptance); it is in force from now, and lines follow it."""
    now = now or timezone.now()
    with transaction.atomic():
        participation = _locked_participation(agreement.participation)
        agreement = Agreement.objects.select_related("participation__consultant").get(
            pk=agreement.pk
        )
        _require(access.can_acknowledge_agreement(by, agreement, on_behalf=on_behalf))
        latest = selectors.agreement_latest(participation)
        if agreement.is_acknowledged:
            _refuse(_("This agreement is already acknowledged."), "already_acknowledged")
        if latest is None or latest.pk != agreement.pk:
            _refuse(_("A newer version replaces this one."), "superseded")
        _acknowledge(agreement, by=by, now=now)
        _sync_agreement_lines(participation, by=by, now=now)
    return agreement


def _acknowledge(agreement: Agreement, *, by, now) -> None:
    agreement.acknowledged_at = now
    agreement.acknowledged_by = by
    agreement.save(update_fields=["acknowledged_at", "acknowledged_by"])


# --- Lines that follow the agreement ---------------------------------------------------------


def _frozen(line: PaymentLine) -> bool:
    return line.payment_id is not None and line.payment.status != Payment.Status.DRAFT


def _ensure_line(
    participation: Participation,
    *,
    kind: str,
    target: Decimal | None,
    description: str,
    payable_since: datetime.date,
    due_on: datetime.date,
    by,
    now,
    allowance_kind: str = "",
    reason: str = "",
) -> None:
    """Make what is owed for (participation, kind[, allowance]) equal ``target``.
    None: not due (yet): leave as is. An unpaid line is rewritten (or removed
    at zero); a line already approved for payment or paid keeps its amount
    and the difference becomes an adjustment line."""
    if target is None:
        return
    line = (
        PaymentLine.objects.select_for_update(of=("self",))
        .select_related("payment")
        .filter(participation=participation, kind=kind, allowance_kind=allowance_kind)
        .first()
    )
    if line is None:
        if target > 0:
            _save(
                PaymentLine(
                    consultant_id=participation.consultant_id,
                    participation=participation,
                    kind=kind,
                    allowance_kind=allowance_kind,
                    description=description[:200],
                    amount=target,
                    payable_since=payable_since,
                    due_on=due_on,
                    created_by=by,
                    created_at=now,
                )
            )
        return
    if not _frozen(line):
        if target == 0:
            line.delete()
        elif target != line.amount:
            line.amount = target
            _save(line)
        return
    corrected = line.amount + (
        line.corrections.aggregate(total=Coalesce(Sum("amount"), ZERO))["total"] or ZERO
    )
    difference = target - corrected
    if difference:
        today = _today(now)
        _save(
            PaymentLine(
                consultant_id=participation.consultant_id,
                participation=participation,
                kind=L.ADJUSTMENT,
                description=description[:200],
                amount=difference,
                corrects=line,
                reason=reason or _("Agreement changed"),
                payable_since=today,
                due_on=_due(today),
                created_by=by,
                created_at=now,
            )
        )


def _sync_agreement_lines(participation: Participation, *, by, now) -> None:
    """Lines owed under the agreement in force, for the participation's status
    now (see the module docstring). Called with the participation locked."""
    agreement = selectors.agreement_in_force(participation)
    if agreement is None:
        return
    engagement = participation.engagement
    status = participation.status
    booked = status in (P.ACCEPTED, P.CONFIRMED, P.ATTENDED)
    attended = status == P.ATTENDED
    today = _today(now)
    start_day = selectors.manila_date(engagement.start)
    completed = max(_completion_date(participation), today) if attended else today
    reason = _("Agreement v%(v)s") % {"v": agreement.version}

    def after_event(amount):
        if attended:
            return amount
        return ZERO if status == P.NO_SHOW else None

    # The advance: while booked, before the event.
    advance_target = agreement.advance_amount if booked else None
    if advance_target is not None:
        line = PaymentLine.objects.filter(participation=participation, kind=L.ADVANCE).first()
        if line is not None and _frozen(line):
            advance_target = None  # an advance approved or paid stays; it is netted
    _ensure_line(
        participation,
        kind=L.ADVANCE,
        target=advance_target,
        description=_("Advance: %(title)s") % {"title": engagement.title},
        payable_since=today,
        due_on=_due(today, before=start_day),
        by=by,
        now=now,
        reason=reason,
    )
    # The fee of a fixed honorarium, once attended.
    if agreement.is_fixed:
        _ensure_line(
            participation,
            kind=L.FEE,
            target=after_event(money(agreement.rate_amount)),
            description=_("Honorarium: %(title)s") % {"title": engagement.title},
            payable_since=completed,
            due_on=_due(completed),
            by=by,
            now=now,
            reason=reason,
        )
    # Allowances: in advance once booked; the others once attended.
    agreed = {a.kind: a for a in agreement.allowances.all()}
    existing = set(
        PaymentLine.objects.filter(participation=participation, kind=L.ALLOWANCE).values_list(
            "allowance_kind", flat=True
        )
    )
    for kind in sorted(set(agreed) | existing):
        allowance = agreed.get(kind)
        amount = allowance.amount if allowance else ZERO
        in_advance = allowance.paid_in_advance if allowance else False
        if in_advance:
            target = amount if (booked or kind in existing) else None
            since, due = today, _due(today, before=start_day)
        else:
            target = after_event(amount) if allowance else (ZERO if booked else None)
            since, due = completed, _due(completed)
        _ensure_line(
            participation,
            kind=L.ALLOWANCE,
            allowance_kind=kind,
            target=target,
            description=_("%(kind)s allowance: %(title)s")
            % {"kind": AllowanceKind(kind).label, "title": engagement.title},
            payable_since=since,
            due_on=due,
            by=by,
            now=now,
            reason=reason,
        )


def participation_changed(*, participation: Participation, from_status: str, to_status: str, by):
    """What compensation does when a participation's status changes (the
    receiver of ``engagements.signals.participation_status_changed``, inside
    the engagement's transaction)."""
    if not Agreement.objects.filter(participation=participation).exists():
        return
    participation = _locked_participation(participation)
    now = timezone.now()
    change = participation.changes.filter(to_status=to_status).order_by("-at", "-id").first()
    if change is not None:
        now = change.at
    if to_status == P.ACCEPTED:
        latest = selectors.agreement_latest(participation)
        if latest is not None and not latest.is_acknowledged and by is not None:
            # Accepting the invitation accepts the agreement shown with it.
            _acknowledge(latest, by=by, now=now)
    if to_status == P.CANCELLED and from_status in (P.ACCEPTED, P.CONFIRMED):
        _late_cancellation(participation, by=by, now=now)
    _sync_agreement_lines(participation, by=by, now=now)


def _late_cancellation(participation: Participation, *, by, now) -> None:
    agreement = selectors.agreement_in_force(participation)
    if agreement is None or agreement.cancellation_minimum <= 0:
        return
    notice = participation.engagement.start - now
    if notice >= datetime.timedelta(hours=agreement.cancellation_notice_hours):
        return
    today = _today(now)
    _ensure_line(
        participation,
        kind=L.CANCELLATION,
        target=agreement.cancellation_minimum,
        description=_("Late cancellation: %(title)s") % {"title": participation.engagement.title},
        payable_since=today,
        due_on=_due(today),
        by=by,
        now=now,
    )


# --- Time entries ------------------------------------------------------------------------


def _may_record(participation: Participation, day: datetime.date, now) -> None:
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
        _require(access.can_record_for(by, participation, on_behalf=on_behalf))
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
        )
        entry.full_clean()
        try:
            with transaction.atomic():
                entry.save()
        except IntegrityError:
            _refuse(_("A day has at most 24 hours."), "day_over_24", "hours")
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
        _require(access.can_decide_time(by, entry))
        if entry.status != Decision.SUBMITTED:
            _refuse(_("This entry is already decided."), "decided")
        participation = entry.participation
        agreement = selectors.agreement_in_force(participation)
        if agreement is None:
            _refuse(_("There is no agreement in force for this participation yet."), "no_agreement")
        entry.status = Decision.APPROVED
        entry.decided_by = by
        entry.decided_at = now
        entry.save(update_fields=["status", "decided_by", "decided_at"])
        amount = agreement.pay_for_hours(entry.hours)
        if amount > 0:
            since = max(_completion_date(participation), selectors.manila_date(entry.entered_at))
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
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        _refuse(_("Say why, so the consultant can correct it."), "reason_required", "reason")
    with transaction.atomic():
        entry = _locked_entry(entry)
        _require(access.can_decide_time(by, entry))
        if entry.status != Decision.SUBMITTED:
            _refuse(_("This entry is already decided."), "decided")
        entry.status = Decision.REJECTED
        entry.decided_by = by
        entry.decided_at = now
        entry.rejection_reason = reason[:500]
        entry.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason"])
    return entry


# --- Expense claims and receipts -----------------------------------------------------------


def receipt_required(*, category: str, amount: Decimal) -> bool:
    """ "Other" always needs one; a kind of allowance above its policy's threshold."""
    if category == ExpenseCategory.OTHER:
        return True
    policy = AllowancePolicy.objects.filter(kind=category).first()
    if policy is None or policy.receipt_required_above is None:
        return False
    return amount > policy.receipt_required_above


def _store_receipt(claim: ExpenseClaim, file: File, *, by, now) -> Receipt:
    validate_receipt(file)
    receipt = Receipt(
        claim=claim,
        file=file,
        kind=receipt_kind(file) or "",
        size=file.size,
        uploaded_by=by,
        uploaded_at=now,
    )
    receipt.full_clean()
    receipt.save()
    return receipt


def claim_submit(
    *,
    participation: Participation,
    by: User,
    category: str,
    description: str,
    amount: Any,
    incurred_on: datetime.date,
    receipts: Iterable[File] = (),
    on_behalf: bool = False,
    now: datetime.datetime | None = None,
) -> ExpenseClaim:
    """A cost to be reimbursed, with its receipts (photos or PDFs, checked by
    content and size before anything is saved)."""
    now = now or timezone.now()
    amount = parse_amount(amount)
    if amount <= 0:
        _refuse(_("Enter the amount spent."), "not_positive", "amount")
    if category not in ExpenseCategory.values:
        _refuse(_("Choose a category."), "unknown_category", "category")
    receipts = [file for file in receipts if file]
    for file in receipts:
        try:
            validate_receipt(file)
        except ValidationError as error:
            raise ValidationError({"receipts": error.error_list}) from None
    if not receipts and receipt_required(category=category, amount=amount):
        _refuse(_("This claim needs a receipt."), "receipt_required", "receipts")
    with transaction.atomic():
        participation = _locked_participation(participation)
        _require(access.can_record_for(by, participation, on_behalf=on_behalf))
        _may_record(participation, incurred_on, now)
        claim = ExpenseClaim(
            participation=participation,
            consultant_id=participation.consultant_id,
            category=category,
            description=(description or "").strip(),
            amount=amount,
            incurred_on=incurred_on,
            submitted_by=by,
            submitted_at=now,
        )
        _save(claim)
        for file in receipts:
            _store_receipt(claim, file, by=by, now=now)
    return claim


def receipt_add(
    *, claim: ExpenseClaim, by: User, file: File, now: datetime.datetime | None = None
) -> Receipt:
    now = now or timezone.now()
    with transaction.atomic():
        claim = (
            ExpenseClaim.objects.select_for_update(of=("self",))
            .select_related("consultant")
            .get(pk=claim.pk)
        )
        _require(access.can_add_receipt(by, claim))
        try:
            return _store_receipt(claim, file, by=by, now=now)
        except ValidationError as error:
            raise ValidationError({"file": error.error_list}) from None


def _locked_claim(claim: ExpenseClaim) -> ExpenseClaim:
    return (
        ExpenseClaim.objects.select_for_update(of=("self",))
        .select_related("participation__engagement", "consultant")
        .get(pk=claim.pk)
    )


def claim_approve(
    *, claim: ExpenseClaim, by: User, now: datetime.datetime | None = None
) -> ExpenseClaim:
    """Approve: the claim becomes a line of its amount. Never by whoever
    submitted it; refused while a required receipt is missing."""
    now = now or timezone.now()
    with transaction.atomic():
        claim = _locked_claim(claim)
        _require(access.can_decide_claim(by, claim))
        if claim.status != Decision.SUBMITTED:
            _refuse(_("This claim is already decided."), "decided")
        if (
            receipt_required(category=claim.category, amount=claim.amount)
            and not claim.receipts.exists()
        ):
            _refuse(_("This claim needs a receipt before it can be approved."), "receipt_required")
        claim.status = Decision.APPROVED
        claim.decided_by = by
        claim.decided_at = now
        claim.save(update_fields=["status", "decided_by", "decided_at"])
        participation = claim.participation
        since = max(_completion_date(participation), selectors.manila_date(claim.submitted_at))
        _save(
            PaymentLine(
                consultant_id=claim.consultant_id,
                participation=participation,
                kind=L.EXPENSE,
                expense_claim=claim,
                description=_("%(category)s: %(title)s")
                % {
                    "category": claim.get_category_display(),
                    "title": participation.engagement.title,
                },
                amount=claim.amount,
                payable_since=since,
                due_on=_due(since),
                created_by=by,
                created_at=now,
            )
        )
    return claim


def claim_reject(
    *, claim: ExpenseClaim, by: User, reason: str, now: datetime.datetime | None = None
) -> ExpenseClaim:
    now = now or timezone.now()
    reason = (reason or "").strip()
    if not reason:
        _refuse(_("Say why, so the consultant can correct it."), "reason_required", "reason")
    with transaction.atomic():
        claim = _locked_claim(claim)
        _require(access.can_decide_claim(by, claim))
        if claim.status != Decision.SUBMITTED:
            _refuse(_("This claim is already decided."), "decided")
        claim.status = Decision.REJECTED
        claim.decided_by = by
        claim.decided_at = now
        claim.rejection_reason = reason[:500]
        claim.save(update_fields=["status", "decided_by", "decided_at", "rejection_reason"])
    return claim


def receipt_open(*, receipt: Receipt, user: User, reason: str = "", request=None) -> File:
    """The receipt's file, opened for reading. The consultant opens their own
    freely; anyone else (staff who run the engagement, finance) gives a
    reason, written to the audit trail first: a receipt may carry a name."""
    receipt = Receipt.objects.select_related(
        "claim__participation__engagement", "claim__consultant"
    ).get(pk=receipt.pk)
    if not access.can_view_receipt(user, receipt):
        raise PermissionDenied
    own = receipt.claim.consultant.user_id == user.pk
    if not own:
        reason = (reason or "").strip()
        if not reason:
            _refuse(_("Say why you open this receipt."), "reason_required", "reason")
        with transaction.atomic():
            record_access(
                actor=user, instance=receipt, fields=["file"], reason=reason, request=request
            )
    receipt.file.open("rb")
    return receipt.file


def receipt_download_name(receipt: Receipt) -> str:
    """A discreet file name: nothing about the person or the work."""
    return f"tinig-receipt-{receipt.pk}.{receipt.kind or 'bin'}"


# --- Payment methods ------------------------------------------------------------------------

_ACCOUNT_SEPARATORS = re.compile(r"[\s\-.]")


def normalise_account_number(kind: str, value: str) -> str:
    if kind == PaymentMethodKind.E_WALLET:
        try:
            return normalise_ph_mobile(value)
        except ValidationError:
            _refuse(
                _("An e-wallet account is a Philippine mobile number."),
                "invalid_account",
                "account_number",
            )
    number = _ACCOUNT_SEPARATORS.sub("", value or "")
    if not re.fullmatch(r"\d{6,20}", number):
        _refuse(_("A bank account number has 6 to 20 digits."), "invalid_account", "account_number")
    return number


def payment_method_add(
    *,
    consultant: Consultant,
    by: User,
    kind: str,
    provider: str,
    account_name: str,
    account_number: str,
    make_default: bool = True,
    now: datetime.datetime | None = None,
) -> PaymentMethod:
    """A bank account or e-wallet; the newest default replaces the previous default."""
    now = now or timezone.now()
    _require(access.can_manage_payment_method(by, consultant))
    if kind not in (PaymentMethodKind.BANK, PaymentMethodKind.E_WALLET):
        _refuse(_("Choose a bank account or an e-wallet."), "unknown_kind", "kind")
    number = normalise_account_number(kind, account_number)
    with transaction.atomic():
        consultant = _locked_consultant(consultant.pk)
        has_default = PaymentMethod.objects.filter(
            consultant=consultant, is_default=True, is_active=True
        )
        if make_default:
            has_default.update(is_default=False)
        method = PaymentMethod(
            consultant=consultant,
            kind=kind,
            provider=(provider or "").strip(),
            account_name=(account_name or "").strip(),
            account_number=number,
            is_default=make_default or not has_default.exists(),
            created_by=by,
            created_at=now,
        )
        _save(method)
    return method


def payment_method_retire(*, method: PaymentMethod, by: User) -> PaymentMethod:
    _require(access.can_manage_payment_method(by, method.consultant))
    with transaction.atomic():
        method = PaymentMethod.objects.select_for_update().get(pk=method.pk)
        method.is_active = False
        method.is_default = False
        method.save(update_fields=["is_active", "is_default"])
    return method


def payment_method_reveal(
    *, method: PaymentMethod, user: User, reason: str, request=None
) -> dict[str, str]:
    """The account name and number, for this response only: finance only,
    written to the audit trail (who, what, why, from where) before they are read."""
    if not access.can_reveal_payment_method(user, method):
        raise PermissionDenied(_("You may not see payment details."))
    reason = (reason or "").strip()
    if not reason:
        _refuse(_("Say why you need to see these details."), "reason_required", "reason")
    with transaction.atomic():
        record_access(
            actor=user,
            instance=method,
            fields=["account_name", "account_number"],
            reason=reason,
            request=request,
        )
        values = (
            PaymentMethod.objects.filter(pk=method.pk)
            .values("account_name", "account_number")
            .get()
        )
    return values


# --- Payments ----------------------------------------------------------------------------


def _locked_payment(payment: Payment) -> Payment:
    return Payment.objects.select_for_update().get(pk=payment.pk)


def payment_group(
    *,
    consultant: Consultant,
    by: User,
    lines: Iterable[PaymentLine] | None = None,
    now: datetime.datetime | None = None,
) -> Payment:
    """A draft payment of the consultant's approved lines in no payment yet:
    the given ``lines``, or all of them (advances being netted wait for the
    end of their engagement). A line already taken by another payment is
    refused; PostgreSQL's row locks make two finance officers grouping at
    once take each line once. The total may not be negative."""
    now = now or timezone.now()
    _require(access.can_manage_payments(by))
    today = _today(now)
    with transaction.atomic():
        consultant = _locked_consultant(consultant.pk)
        candidates = PaymentLine.objects.select_for_update().filter(
            consultant=consultant, payment__isnull=True
        )
        if lines is not None:
            wanted = {line.pk for line in lines}
            if not wanted:
                raise NothingToPay(_("Choose the lines to pay."), code="nothing_to_pay")
            chosen = list(candidates.filter(pk__in=wanted))
            if len(chosen) != len(wanted):
                raise PaymentAlreadyPaid(
                    _("Some of these lines are already in a payment, or not this consultant's."),
                    code="line_taken",
                )
        else:
            chosen = list(
                candidates.exclude(kind=L.ADVANCE_RECOVERY, payable_since__gt=today).order_by(
                    "payable_since", "id"
                )
            )
        if not chosen:
            raise NothingToPay(_("Nothing is waiting to be paid."), code="nothing_to_pay")
        ids = [line.pk for line in chosen]
        total = PaymentLine.objects.filter(pk__in=ids).aggregate(t=Coalesce(Sum("amount"), ZERO))[
            "t"
        ]
        if total < 0:
            _refuse(
                _(
                    "These lines add up to less than zero; "
                    "wait for the lines they are netted against."
                ),
                "negative_total",
            )
        payment = Payment(consultant=consultant, created_by=by, created_at=now)
        _save(payment)
        PaymentLine.objects.filter(pk__in=ids, payment__isnull=True).update(payment=payment)
    return payment


def payment_remove_line(*, payment: Payment, line: PaymentLine, by: User) -> Payment:
    _require(access.can_manage_payments(by))
    with transaction.atomic():
        payment = _locked_payment(payment)
        if payment.status != Payment.Status.DRAFT:
            _refuse(_("Only a draft payment can be changed."), "not_draft")
        updated = PaymentLine.objects.filter(pk=line.pk, payment=payment).update(payment=None)
        if updated != 1:
            _refuse(_("This line is not in this payment."), "not_in_payment")
    return payment


def payment_discard(*, payment: Payment, by: User) -> None:
    """Remove a draft payment; its lines wait again."""
    _require(access.can_manage_payments(by))
    with transaction.atomic():
        payment = _locked_payment(payment)
        if payment.status != Payment.Status.DRAFT:
            _refuse(_("Only a draft payment can be removed."), "not_draft")
        PaymentLine.objects.filter(payment=payment).update(payment=None)
        payment.delete()


def payment_approve(
    *,
    payment: Payment,
    by: User,
    payment_method: PaymentMethod | None = None,
    now: datetime.datetime | None = None,
) -> Payment:
    """Fix the total (the sum of the lines, by PostgreSQL) and the account to
    pay into (the given one, or the consultant's default)."""
    now = now or timezone.now()
    _require(access.can_manage_payments(by))
    with transaction.atomic():
        payment = _locked_payment(payment)
        if payment.status != Payment.Status.DRAFT:
            _refuse(
                _("This payment is “%(s)s”; only a draft is approved.")
                % {"s": payment.get_status_display()},
                "not_draft",
            )
        summary = PaymentLine.objects.filter(payment=payment).aggregate(
            total=Coalesce(Sum("amount"), ZERO),
            since=Min("payable_since"),
            due=Min("due_on"),
        )
        if summary["since"] is None:
            _refuse(_("This payment has no lines."), "empty")
        if summary["total"] < 0:
            _refuse(_("A payment cannot be less than zero."), "negative_total")
        if payment_method is None:
            payment_method = PaymentMethod.objects.filter(
                consultant_id=payment.consultant_id, is_default=True, is_active=True
            ).first()
        elif payment_method.consultant_id != payment.consultant_id or not payment_method.is_active:
            _refuse(
                _("Choose one of this consultant's accounts."), "wrong_account", "payment_method"
            )
        payment.payment_method = payment_method
        payment.method = payment_method.kind if payment_method else ""
        payment.total = summary["total"]
        payment.payable_since = summary["since"]
        payment.due_on = summary["due"]
        payment.status = Payment.Status.APPROVED
        payment.approved_by = by
        payment.approved_at = now
        _save(payment)
    return payment


def payment_return_to_draft(*, payment: Payment, by: User) -> Payment:
    """Undo an approval (not a payment): the lines may change again."""
    _require(access.can_manage_payments(by))
    with transaction.atomic():
        payment = _locked_payment(payment)
        if payment.status != Payment.Status.APPROVED:
            _refuse(_("Only an approved, unpaid payment goes back to draft."), "not_approved")
        payment.status = Payment.Status.DRAFT
        payment.approved_by = None
        payment.approved_at = None
        payment.total = ZERO
        _save(payment)
    return payment


def payment_mark_paid(
    *,
    payment: Payment,
    by: User,
    method: str,
    reference: str = "",
    paid_at: datetime.datetime | None = None,
    payment_method: PaymentMethod | None = None,
    now: datetime.datetime | None = None,
) -> Payment:
    """Record that the money was sent. Idempotent: the same method and
    reference again returns the payment unchanged (a form sent twice);
    anything else on a paid payment is refused (``PaymentAlreadyPaid``).
    Paid advances start being netted (a negative line, payable after the
    engagement)."""
    now = now or timezone.now()
    paid_at = paid_at or now
    reference = (reference or "").strip()
    _require(access.can_manage_payments(by))
    if method not in PaymentMethodKind.values:
        _refuse(_("Choose how it was paid."), "unknown_method", "method")
    if method != PaymentMethodKind.CASH and not reference:
        _refuse(
            _("Give the transaction reference or cheque number."), "reference_required", "reference"
        )
    if paid_at > now + datetime.timedelta(minutes=5):
        _refuse(_("A payment cannot be recorded in the future."), "future", "paid_at")
    with transaction.atomic():
        payment = _locked_payment(payment)
        if payment.status == Payment.Status.PAID:
            if payment.method == method and payment.reference == reference:
                return payment
            raise PaymentAlreadyPaid(_("This payment is already paid."), code="already_paid")
        if payment.status != Payment.Status.APPROVED:
            _refuse(_("Approve the payment before marking it paid."), "not_approved")
        if payment.approved_at and paid_at < payment.approved_at - DAY:
            _refuse(_("A payment is paid after it is approved."), "before_approval", "paid_at")
        if payment_method is not None:
            if payment_method.consultant_id != payment.consultant_id:
                _refuse(_("Choose one of this consultant's accounts."), "wrong_account")
            payment.payment_method = payment_method
        if method in (PaymentMethodKind.CASH, PaymentMethodKind.CHEQUE):
            payment.payment_method = None
        paid_on = selectors.manila_date(paid_at)
        payment.method = method
        payment.reference = reference[:100]
        payment.paid_at = paid_at
        payment.paid_by = by
        payment.status = Payment.Status.PAID
        payment.days_to_pay = max((paid_on - payment.payable_since).days, 0)
        payment.on_time = paid_on <= payment.due_on
        _save(payment)
        for advance in PaymentLine.objects.filter(payment=payment, kind=L.ADVANCE).select_related(
            "participation__engagement"
        ):
            _advance_recovery(advance, by=by, now=now)
    return payment


def _advance_recovery(advance: PaymentLine, *, by, now) -> None:
    if PaymentLine.objects.filter(recovers=advance).exists():
        return
    participation = advance.participation
    since = max(selectors.manila_date(participation.engagement.end), _today(now))
    _save(
        PaymentLine(
            consultant_id=advance.consultant_id,
            participation=participation,
            kind=L.ADVANCE_RECOVERY,
            recovers=advance,
            description=_("Advance netted: %(title)s") % {"title": participation.engagement.title},
            amount=-advance.amount,
            payable_since=since,
            due_on=since,
            created_by=by,
            created_at=now,
        )
    )


def adjustment_add(
    *,
    consultant: Consultant,
    by: User,
    amount: Any,
    reason: str,
    participation: Participation | None = None,
    corrects: PaymentLine | None = None,
    now: datetime.datetime | None = None,
) -> PaymentLine:
    """A correction (positive: owed more; negative: paid too much), paid
    with the consultant's next payment. A paid line is never edited."""
    now = now or timezone.now()
    _require(access.can_manage_payments(by))
    amount = parse_amount(amount, allow_negative=True)
    if amount == 0:
        _refuse(_("An adjustment is not zero."), "zero", "amount")
    reason = (reason or "").strip()
    if not reason:
        _refuse(_("Say why."), "reason_required", "reason")
    if participation is not None and participation.consultant_id != consultant.pk:
        _refuse(_("This engagement is not this consultant's."), "wrong_consultant")
    if corrects is not None:
        if corrects.consultant_id != consultant.pk:
            _refuse(_("This line is not this consultant's."), "wrong_consultant")
        participation = participation or corrects.participation
    today = _today(now)
    with transaction.atomic():
        _locked_consultant(consultant.pk)
        line = PaymentLine(
            consultant=consultant,
            participation=participation,
            kind=L.ADJUSTMENT,
            description=(
                _("Adjustment: %(title)s") % {"title": participation.engagement.title}
                if participation
                else _("Adjustment")
            ),
            amount=amount,
            corrects=corrects,
            reason=reason[:300],
            payable_since=today,
            due_on=_due(today),
            created_by=by,
            created_at=now,
        )
        _save(line)
    return line


# --- Finance export ------------------------------------------------------------------------

EXPORT_COLUMNS = [
    "payment",
    "legal_name",
    "pseudonym",
    "method",
    "provider",
    "account_name",
    "account_number",
    "amount",
    "currency",
]


def _cell(value: Any) -> str:
    """No spreadsheet formula can hide in a cell (CSV injection)."""
    text = "" if value is None else str(value)
    if text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text


def payment_batch_export(
    *, payments: Iterable[Payment], user: User, reason: str, request=None
) -> str:
    """A CSV for the bank of approved (or paid) payments: legal name, account
    name and number, amount. Finance only; each consultant's identity and
    each account revealed is written to the audit trail before the file is
    built. Cash and cheque payments have no account columns."""
    if not access.can_export_payments(user):
        raise PermissionDenied(_("You may not export payment details."))
    reason = (reason or "").strip()
    if not reason:
        _refuse(_("Say why you export these details."), "reason_required", "reason")
    ids = [payment.pk for payment in payments]
    rows = list(
        Payment.objects.filter(pk__in=ids)
        .select_related("consultant", "payment_method")
        .order_by("pk")
    )
    if not rows:
        _refuse(_("Choose the payments to export."), "empty")
    if any(p.status not in (Payment.Status.APPROVED, Payment.Status.PAID) for p in rows):
        _refuse(_("Only approved or paid payments are exported."), "not_approved")
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_COLUMNS)
    with transaction.atomic():
        for payment in rows:
            record_access(
                actor=user,
                instance=payment.consultant,
                fields=["legal_name"],
                reason=reason,
                request=request,
            )
            method = payment.payment_method
            if method is not None:
                record_access(
                    actor=user,
                    instance=method,
                    fields=["account_name", "account_number"],
                    reason=reason,
                    request=request,
                )
            writer.writerow(
                [
                    _cell(payment.pk),
                    _cell(payment.consultant.legal_name),
                    _cell(payment.consultant.pseudonym),
                    _cell(payment.method or (method.kind if method else "")),
                    _cell(method.provider if method else ""),
                    _cell(method.account_name if method else ""),
                    _cell(method.account_number if method else ""),
                    _cell(payment.total),
                    "PHP",
                ]
            )
    return buffer.getvalue()


__all__ = [
    "NothingToPay",
    "PaymentAlreadyPaid",
    "adjustment_add",
    "agreement_acknowledge",
    "agreement_change",
    "agreement_propose",
    "allowance_policy_set",
    "claim_approve",
    "claim_reject",
    "claim_submit",
    "parse_amount",
    "parse_hours",
    "payment_approve",
    "payment_batch_export",
    "payment_discard",
    "payment_group",
    "payment_mark_paid",
    "payment_method_add",
    "payment_method_retire",
    "payment_method_reveal",
    "payment_remove_line",
    "payment_return_to_draft",
    "rate_card_create",
    "rate_lookup",
    "receipt_add",
    "receipt_open",
    "time_entry_add",
    "time_entry_approve",
    "time_entry_reject",
]
