"""Lines that follow the agreement in force: the advance, the honorarium,
the allowances and a late cancellation's minimum. An unpaid line is
rewritten when the agreement or the participation changes; a line already
approved for payment keeps its amount, and the difference is an adjustment."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.models import User
from compensation import selectors
from compensation.models import ZERO, AllowanceKind, Payment, PaymentLine, money
from compensation.services._common import (
    L,
    P,
    _completion_date,
    _due,
    _save,
    _today,
    in_her_language,
)
from engagements.models import Participation


def _frozen(line: PaymentLine) -> bool:
    return line.payment is not None and line.payment.status != Payment.Status.DRAFT


def _ensure_line(
    participation: Participation,
    *,
    kind: str,
    target: Decimal | None,
    description: str,
    payable_since: datetime.date,
    due_on: datetime.date,
    by: User | None,
    now: datetime.datetime,
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


def _sync_agreement_lines(
    participation: Participation, *, by: User | None, now: datetime.datetime
) -> None:
    """Lines owed under the agreement in force, for the participation's status
    now (see the module docstring). Called with the participation locked."""
    agreement = selectors.agreement_in_force(participation)
    if agreement is None:
        return
    with in_her_language(participation.consultant_id):
        engagement = participation.engagement
        status = participation.status
        booked = status in (P.ACCEPTED, P.CONFIRMED, P.ATTENDED)
        attended = status == P.ATTENDED
        today = _today(now)
        start_day = selectors.manila_date(engagement.start)
        completed = max(_completion_date(participation), today) if attended else today
        reason = _("Agreement v%(v)s") % {"v": agreement.version}

        def after_event(amount: Decimal) -> Decimal | None:
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


def _late_cancellation(
    participation: Participation, *, by: User | None, now: datetime.datetime
) -> None:
    agreement = selectors.agreement_in_force(participation)
    if agreement is None or agreement.cancellation_minimum <= 0:
        return
    notice = participation.engagement.start - now
    if notice >= datetime.timedelta(hours=agreement.cancellation_notice_hours):
        return
    with in_her_language(participation.consultant_id):
        today = _today(now)
        _ensure_line(
            participation,
            kind=L.CANCELLATION,
            target=agreement.cancellation_minimum,
            description=_("Late cancellation: %(title)s")
            % {"title": participation.engagement.title},
            payable_since=today,
            due_on=_due(today),
            by=by,
            now=now,
        )
