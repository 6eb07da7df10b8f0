"""Expense claims and their receipts: costs a consultant had, with photos
or PDFs of the receipts in private storage, approved (a line of the
amount) or rejected by those who run the engagement.

Staff who run the engagement may submit a claim on her behalf (a receipt
she handed them, the same checks as the portal): marked so, audited
(``claim_recorded_on_behalf``), and never decided by whoever submitted it
(``_not_recorder``, and a check constraint in PostgreSQL)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from compensation import access, selectors
from compensation.models import (
    Decision,
    ExpenseCategory,
    ExpenseClaim,
    PaymentLine,
    Receipt,
    receipt_kind,
    validate_receipt,
)
from compensation.services._common import (
    L,
    _completion_date,
    _decide,
    _due,
    _locked_participation,
    _may_record,
    _not_recorder,
    _refuse,
    _reject,
    _save,
    _undecided,
    in_her_language,
    parse_amount,
)
from core.audit import record_access, record_event
from core.shortcuts import require
from engagements.models import Participation


def receipt_required(*, category: str, amount: Decimal, on: datetime.date | None = None) -> bool:
    """ "Other" always needs one; a kind of allowance above the threshold of
    its policy in force on ``on`` (the day of the expense; default today)."""
    if category == ExpenseCategory.OTHER:
        return True
    policy = selectors.allowance_policy_for(kind=category, on=on)
    if policy is None or policy.receipt_required_above is None:
        return False
    return amount > policy.receipt_required_above


def _store_receipt(claim: ExpenseClaim, file: File, *, by: User, now: datetime.datetime) -> Receipt:
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
    if not receipts and receipt_required(category=category, amount=amount, on=incurred_on):
        _refuse(_("This claim needs a receipt."), "receipt_required", "receipts")
    with transaction.atomic():
        participation = _locked_participation(participation)
        require(access.can_record_for(by, participation, on_behalf=on_behalf))
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
            on_behalf=on_behalf,
        )
        _save(claim)
        for file in receipts:
            _store_receipt(claim, file, by=by, now=now)
        if on_behalf:
            record_event(
                claim,
                actor=by,
                event="claim_recorded_on_behalf",
                amount=str(amount),
                receipts=len(receipts),
            )
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
        require(access.can_add_receipt(by, claim))
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
        _not_recorder(claim, by)
        require(access.can_decide_claim(by, claim))
        _undecided(claim)
        if (
            receipt_required(category=claim.category, amount=claim.amount, on=claim.incurred_on)
            and not claim.receipts.exists()
        ):
            _refuse(_("This claim needs a receipt before it can be approved."), "receipt_required")
        _decide(claim, status=Decision.APPROVED, by=by, now=now)
        participation = claim.participation
        since = max(_completion_date(participation), selectors.manila_date(claim.submitted_at))
        with in_her_language(claim.consultant_id):
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
    """Not approved, with a reason the consultant reads."""
    return _reject(
        claim, lock=_locked_claim, may_decide=access.can_decide_claim, by=by, reason=reason, now=now
    )


def receipt_open(
    *, receipt: Receipt, user: User, reason: str = "", request: HttpRequest | None = None
) -> File:
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
