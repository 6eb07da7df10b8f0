"""Agreements: what a participation pays, version by version, proposed by
staff and acknowledged by the consultant; and what a change of the
participation's status does to what is owed under it."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from compensation import access, selectors
from compensation.models import ZERO, Agreement, AgreementAllowance, money
from compensation.services._common import (
    P,
    _decimal,
    _locked_participation,
    _refuse,
    _save,
    parse_amount,
)
from compensation.services.lines import _late_cancellation, _sync_agreement_lines
from compensation.services.rates import rate_lookup
from core.shortcuts import require
from engagements.models import Participation

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
# An invitation declined, withdrawn by staff, or closed because the places
# were taken: nobody was booked, there is nothing to agree.
NO_AGREEMENT_FOR = frozenset({P.DECLINED, P.REVOKED, P.FULL})


def _default_terms(participation: Participation) -> dict[str, Any]:
    engagement = participation.engagement
    card = rate_lookup(
        engagement_type=engagement.type,
        role=participation.role,
        on=selectors.manila_date(engagement.start),
    )
    terms: dict[str, Any] = dict(selectors.default_estimated_hours(engagement))
    if card is not None:
        terms.update(rate_card=card, rate_unit=card.unit, rate_amount=card.amount)
    return terms


def _default_allowances(participation: Participation) -> list[dict[str, Any]]:
    return [
        {"kind": p.kind, "amount": p.default_amount, "paid_in_advance": p.paid_in_advance}
        for p in selectors.allowance_policies_for(participation.engagement)
    ]


def agreement_draft(participation: Participation) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """What a staff form for the next version starts from: the latest
    version's terms and allowances (a change), or the defaults a first
    version would take (rate card, engagement, allowance policies)."""
    latest = selectors.agreement_latest(participation)
    if latest is not None:
        return (
            {name: getattr(latest, name) for name in AGREEMENT_TERMS},
            [
                {"kind": a.kind, "amount": a.amount, "paid_in_advance": a.paid_in_advance}
                for a in latest.allowances.all()
            ],
        )
    terms = _default_terms(participation)
    terms.pop("rate_card", None)
    draft = Agreement(
        rate_unit=terms.get("rate_unit", ""),
        rate_amount=terms.get("rate_amount", ZERO),
        **{k: v for k, v in terms.items() if k.startswith("estimated_")},
    )
    terms.setdefault("advance_amount", ZERO)
    terms.setdefault("cancellation_notice_hours", draft.cancellation_notice_hours)
    if "rate_amount" in terms:
        terms["cancellation_minimum"] = (
            money(draft.rate_amount)
            if draft.is_fixed
            else draft.pay_for_hours(draft.estimated_engagement_hours)
        )
    return terms, _default_allowances(participation)


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
        require(access.can_propose_agreement(by, participation))
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
        require(access.can_acknowledge_agreement(by, agreement, on_behalf=on_behalf))
        latest = selectors.agreement_latest(participation)
        if agreement.is_acknowledged:
            _refuse(_("This agreement is already acknowledged."), "already_acknowledged")
        if latest is None or latest.pk != agreement.pk:
            _refuse(_("A newer version replaces this one."), "superseded")
        _acknowledge(agreement, by=by, now=now)
        _sync_agreement_lines(participation, by=by, now=now)
    return agreement


def _acknowledge(agreement: Agreement, *, by: User, now: datetime.datetime) -> None:
    agreement.acknowledged_at = now
    agreement.acknowledged_by = by
    agreement.save(update_fields=["acknowledged_at", "acknowledged_by"])


def participation_changed(
    *, participation: Participation, from_status: str, to_status: str, by: User | None
) -> None:
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
