"""Payment methods: where a consultant is paid (a bank account or an
e-wallet), added by them or by finance; the account revealed to finance
only, audited."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from compensation import access
from compensation.models import PaymentMethod, PaymentMethodKind
from compensation.services._common import _locked_consultant, _refuse, _save
from consultants.models import Consultant
from consultants.validators import normalise_ph_mobile
from core.audit import record_access
from core.shortcuts import require

_ACCOUNT_SEPARATORS = re.compile(r"[\s\-.]")


def normalise_account_number(*, kind: str, value: str) -> str:
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
    require(access.can_manage_payment_method(by, consultant))
    if kind not in (PaymentMethodKind.BANK, PaymentMethodKind.E_WALLET):
        _refuse(_("Choose a bank account or an e-wallet."), "unknown_kind", "kind")
    number = normalise_account_number(kind=kind, value=account_number)
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
    require(access.can_manage_payment_method(by, method.consultant))
    with transaction.atomic():
        method = PaymentMethod.objects.select_for_update().get(pk=method.pk)
        method.is_active = False
        method.is_default = False
        method.save(update_fields=["is_active", "is_default"])
    return method


def payment_method_reveal(
    *, method: PaymentMethod, user: User, reason: str, request: HttpRequest | None = None
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
    return {"account_name": values["account_name"], "account_number": values["account_number"]}
