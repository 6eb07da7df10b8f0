"""Rate cards and allowance policies: what each engagement type and role
pays from a date, and the defaults of each kind of allowance."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from compensation import access, selectors
from compensation.models import AllowanceKind, AllowancePolicy, RateCard
from compensation.services._common import DAY, _refuse, _save, parse_amount
from core.shortcuts import require


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
    require(access.can_manage_rates(by))
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
    require(access.can_manage_rates(by))
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
