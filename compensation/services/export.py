"""The finance export: a CSV of approved or paid payments for the bank,
every identity and account in it written to the audit trail first."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from accounts.models import User
from compensation import access
from compensation.models import Payment
from compensation.services._common import _refuse
from core.audit import record_access

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


FORMULA_STARTS = ("=", "+", "-", "@")
# A spreadsheet reads a cell starting with a tab or a carriage return as
# the start of a formula too.
CONTROL_STARTS = ("\t", "\r")


def _cell(value: Any) -> str:
    """No spreadsheet formula can hide in a cell (CSV injection): a cell
    whose first character that is not white space (spaces, tabs, line
    breaks, any Unicode white space) starts a formula, or that starts with
    a tab or a carriage return, is written after an apostrophe, which
    makes it text. Spreadsheets skip leading white space before "=", so
    " =HYPERLINK(…)" and "\n=1+1" are guarded like "=1+1"."""
    text = "" if value is None else str(value)
    if text[:1] in CONTROL_STARTS or text.lstrip()[:1] in FORMULA_STARTS:
        return "'" + text
    return text


def payment_batch_export(
    *,
    payments: Iterable[Payment],
    user: User,
    reason: str,
    request: HttpRequest | None = None,
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
