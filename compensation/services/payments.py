"""Payments: approved lines grouped per consultant, approved by finance
(the total fixed by PostgreSQL's sum), marked paid with the method and
reference; adjustments (corrections, never edits of a paid line).

Each step locks the payment's row, asks ``compensation.workflow.check``
(the status it starts from and four eyes on money: the grouper never
approves, the approver does not mark paid above
``PAYMENT_TWO_PERSON_ABOVE``), records who and when on the payment, and
writes an audit event (``core.audit.record_event``: ``payment_grouped``,
``payment_approved``, ``payment_returned_to_draft``, ``payment_paid``,
``payment_discarded``, ``payment_line_removed``) in the same transaction."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Min, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from compensation import access, selectors, workflow
from compensation.models import ZERO, Payment, PaymentLine, PaymentMethod, PaymentMethodKind
from compensation.services._common import (
    DAY,
    L,
    _due,
    _locked_consultant,
    _refuse,
    _save,
    _today,
    in_her_language,
    parse_amount,
)
from consultants.models import Consultant
from core.audit import record_event
from core.shortcuts import require
from engagements.models import Participation


class PaymentAlreadyPaid(ValidationError):
    """A payment (or a line) that is already paid was asked to be paid again."""


class NothingToPay(ValidationError):
    """No approved line is waiting for this consultant."""


def _locked_payment(payment: Payment) -> Payment:
    return Payment.objects.select_for_update().get(pk=payment.pk)


def payment_group(
    *,
    consultant: Consultant,
    by: User,
    lines: Iterable[PaymentLine] | None = None,
    line_ids: Iterable[int] | None = None,
    now: datetime.datetime | None = None,
) -> Payment:
    """A draft payment of the consultant's approved lines in no payment yet:
    the given ``lines`` (or ``line_ids``: what finance ticked on the group
    page), or all of them (advances being netted wait for the end of their
    engagement). A line already taken by another payment, or another
    consultant's, is refused and nothing is written; PostgreSQL's row locks
    make two finance officers grouping at once take each line once. The
    total may not be negative."""
    now = now or timezone.now()
    require(access.can_manage_payments(by))
    today = _today(now)
    if lines is not None:
        line_ids = [line.pk for line in lines]
    with transaction.atomic():
        consultant = _locked_consultant(consultant.pk)
        candidates = PaymentLine.objects.select_for_update().filter(
            consultant=consultant, payment__isnull=True
        )
        if line_ids is not None:
            wanted = set(line_ids)
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
        record_event(payment, actor=by, event="payment_grouped", lines=len(ids), amount=str(total))
    return payment


def payment_remove_line(*, payment: Payment, line: PaymentLine, by: User) -> Payment:
    require(access.can_manage_payments(by))
    with transaction.atomic():
        payment = _locked_payment(payment)
        workflow.check(payment=payment, step="change_lines", by=by)
        updated = PaymentLine.objects.filter(pk=line.pk, payment=payment).update(payment=None)
        if updated != 1:
            _refuse(_("This line is not in this payment."), "not_in_payment")
        record_event(payment, actor=by, event="payment_line_removed", line=line.pk)
    return payment


def payment_discard(*, payment: Payment, by: User) -> None:
    """Remove a draft payment; its lines wait again."""
    require(access.can_manage_payments(by))
    with transaction.atomic():
        payment = _locked_payment(payment)
        workflow.check(payment=payment, step="discard", by=by)
        PaymentLine.objects.filter(payment=payment).update(payment=None)
        record_event(payment, actor=by, event="payment_discarded")
        payment.delete()


def payment_approve(
    *,
    payment: Payment,
    by: User,
    payment_method: PaymentMethod | None = None,
    now: datetime.datetime | None = None,
) -> Payment:
    """Fix the total (the sum of the lines, by PostgreSQL) and the account to
    pay into (the given one, or the consultant's default). Never by the
    person who grouped it (``workflow.SecondPersonRequired``)."""
    now = now or timezone.now()
    require(access.can_manage_payments(by))
    with transaction.atomic():
        payment = _locked_payment(payment)
        workflow.check(payment=payment, step="approve", by=by)
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
        record_event(payment, actor=by, event="payment_approved", amount=str(payment.total))
    return payment


def payment_return_to_draft(*, payment: Payment, by: User) -> Payment:
    """Undo an approval (not a payment): the lines may change again."""
    require(access.can_manage_payments(by))
    with transaction.atomic():
        payment = _locked_payment(payment)
        workflow.check(payment=payment, step="return_to_draft", by=by)
        approved_by = payment.approved_by_id
        payment.status = Payment.Status.DRAFT
        payment.approved_by = None
        payment.approved_at = None
        payment.total = ZERO
        _save(payment)
        record_event(payment, actor=by, event="payment_returned_to_draft", approved_by=approved_by)
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
    """Record that the money was sent. Above ``PAYMENT_TWO_PERSON_ABOVE``,
    never by the person who approved it (``workflow.SecondPersonRequired``).
    Idempotent: the person who recorded it sending the same method and
    reference again gets the payment unchanged (a form sent twice);
    anything else on a paid payment is refused (``PaymentAlreadyPaid``).
    Paid advances start being netted (a negative line, payable after the
    engagement)."""
    now = now or timezone.now()
    paid_at = paid_at or now
    reference = (reference or "").strip()
    require(access.can_manage_payments(by))
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
            if (
                payment.paid_by_id == by.pk
                and payment.method == method
                and payment.reference == reference
            ):
                return payment
            raise PaymentAlreadyPaid(_("This payment is already paid."), code="already_paid")
        workflow.check(payment=payment, step="mark_paid", by=by)
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
        if payment.payable_since is None or payment.due_on is None:  # set when grouped
            raise RuntimeError("a payment to mark paid has its payable and due dates")
        payment.days_to_pay = max((paid_on - payment.payable_since).days, 0)
        payment.on_time = paid_on <= payment.due_on
        _save(payment)
        record_event(
            payment,
            actor=by,
            event="payment_paid",
            amount=str(payment.total),
            method=method,
            paid_at=paid_at.isoformat(),
        )
        for advance in PaymentLine.objects.filter(payment=payment, kind=L.ADVANCE).select_related(
            "participation__engagement"
        ):
            _advance_recovery(advance, by=by, now=now)
    return payment


def _advance_recovery(advance: PaymentLine, *, by: User, now: datetime.datetime) -> None:
    if PaymentLine.objects.filter(recovers=advance).exists():
        return
    participation = advance.participation
    if participation is None:  # an advance always belongs to a participation
        raise RuntimeError("an advance line without its participation")
    since = max(selectors.manila_date(participation.engagement.end), _today(now))
    with in_her_language(advance.consultant_id):
        _save(
            PaymentLine(
                consultant_id=advance.consultant_id,
                participation=participation,
                kind=L.ADVANCE_RECOVERY,
                recovers=advance,
                description=_("Advance netted: %(title)s")
                % {"title": participation.engagement.title},
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
    require(access.can_manage_payments(by))
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
        with in_her_language(consultant.pk):
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
