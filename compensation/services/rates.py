"""Rate cards and allowance policies: what each engagement type and role
pays from a date, and the defaults of each kind of allowance from a date.

Both are *versions* in a *series* (a rate card's series: its engagement type
and role; an allowance policy's: its kind). The rules, for both, here:

* two versions of one series never overlap (PostgreSQL's exclusion
  constraints; checked first here, so a person reads which version is in the
  way rather than an ``IntegrityError``);
* history is kept: a day already past stays covered by what covered it. A
  new version may start before today only where nothing covered those days;
  a version in effect (current) or past is never edited: its terms and its
  start are fixed. A current version may be *ended* (its last day set to
  today or later); a change of terms is a new version from a date;
* a future version (starting after today) may be changed or removed, unless
  an agreement was already made from it (a rate card an agreement points
  at); the version before it, when it ends the day before, follows its
  start (moved) or takes its days back (removed), so no gap opens;
* every step is audited (``core.audit.record_event``, besides the change
  history of both models).
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accounts.models import User
from compensation import access, selectors
from compensation.models import AllowanceKind, AllowancePolicy, RateCard, RateUnit
from compensation.services._common import DAY, _refuse, _save, parse_amount
from core.audit import record_event
from core.shortcuts import require
from engagements.models import EngagementType, ParticipationRole

Version = RateCard | AllowancePolicy
V = TypeVar("V", RateCard, AllowancePolicy)

PAST, CURRENT, FUTURE = "past", "current", "future"

# The terms of each kind of version (what a new version changes).
RATE_TERMS = ("unit", "amount", "note")
POLICY_TERMS = (
    "default_amount",
    "paid_in_advance",
    "in_person_only",
    "receipt_required_above",
    "is_active",
)


def version_state(version: Version, *, today: datetime.date | None = None) -> str:
    """``past`` (ended before today), ``current`` (covers today) or ``future``."""
    today = today or selectors.manila_today()
    if version.effective_from > today:
        return FUTURE
    if version.effective_to is not None and version.effective_to < today:
        return PAST
    return CURRENT


def _series(model: type[Version], key: Mapping[str, str]) -> QuerySet[Any]:
    return model.objects.filter(**key)


def _key_of(version: Version) -> dict[str, str]:
    if isinstance(version, RateCard):
        return {"engagement_type": version.engagement_type, "role": version.role}
    return {"kind": version.kind}


def _overlapping(
    model: type[Version],
    key: Mapping[str, str],
    start: datetime.date,
    end: datetime.date | None,
    *,
    exclude: tuple[int | None, ...] = (),
) -> Version | None:
    """A version of the series that covers a day of [start, end]."""
    queryset = _series(model, key).filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start))
    if end is not None:
        queryset = queryset.filter(effective_from__lte=end)
    excluded = [pk for pk in exclude if pk is not None]
    if excluded:
        queryset = queryset.exclude(pk__in=excluded)
    return queryset.order_by("effective_from").first()


def _period(version: Version) -> str:
    start = date_format(version.effective_from, "j M Y")
    if version.effective_to is None:
        return _("from %(start)s, open-ended") % {"start": start}
    return _("%(start)s to %(end)s") % {
        "start": start,
        "end": date_format(version.effective_to, "j M Y"),
    }


def _refuse_overlap(other: Version) -> None:
    _refuse(
        _("The version %(period)s covers part of this period. End it first, or choose other dates.")
        % {"period": _period(other)},
        "overlap",
        "effective_from",
    )


def _check_period(start: Any, end: Any) -> None:
    if not isinstance(start, datetime.date):
        _refuse(_("Enter a valid date."), "invalid_date", "effective_from")
    if end is not None and not isinstance(end, datetime.date):
        _refuse(_("Enter a valid date."), "invalid_date", "effective_to")
    if end is not None and end < start:
        _refuse(_("A version cannot end before it starts."), "period_order", "effective_to")


def _save_checked(version: Version) -> None:
    """``full_clean`` (the exclusion constraint as a message), then save; a
    concurrent insert that slipped between is refused the same way."""
    try:
        with transaction.atomic():
            _save(version)
    except IntegrityError:
        _refuse(
            _("Another version was saved for these dates at the same moment; look again."),
            "overlap",
            "effective_from",
        )


def _lock_series(model: type[Version], key: Mapping[str, str]) -> list[Version]:
    return list(_series(model, key).select_for_update().order_by("effective_from"))


def _add_version(
    model: type[V],
    *,
    key: Mapping[str, str],
    terms: Mapping[str, Any],
    effective_from: Any,
    effective_to: Any,
    by: User,
    today: datetime.date,
) -> V:
    _check_period(effective_from, effective_to)
    with transaction.atomic():
        _lock_series(model, key)
        if effective_from < today:
            # Days already past keep what covered them: a start in the past
            # only fills days no version covered.
            past_end = today - DAY if effective_to is None else min(effective_to, today - DAY)
            if _overlapping(model, key, effective_from, past_end) is not None:
                _refuse(
                    _(
                        "Days already past keep the version that covered them: "
                        "start the new version today or later."
                    ),
                    "rewrites_history",
                    "effective_from",
                )
        previous = (
            _series(model, key)
            .filter(effective_to__isnull=True, effective_from__lt=effective_from)
            .first()
        )
        if previous is not None:
            # The open-ended version before it ends the day before.
            previous.effective_to = effective_from - DAY
            _save(previous)
        other = _overlapping(model, key, effective_from, effective_to)
        if other is not None:
            _refuse_overlap(other)
        version = model(
            **key,
            **terms,
            effective_from=effective_from,
            effective_to=effective_to,
            created_by=by,
        )
        _save_checked(version)
        record_event(
            version,
            actor=by,
            event=f"{model._meta.model_name}_version_added",
            effective_from=effective_from.isoformat(),
            effective_to=effective_to.isoformat() if effective_to else None,
            **({"closed": previous.pk} if previous is not None else {}),
        )
    return version


def _locked(version: V) -> V:
    try:
        return type(version).objects.select_for_update().get(pk=version.pk)
    except type(version).DoesNotExist:
        _refuse(_("This version no longer exists."), "gone")


def _used_by_agreement(version: Version) -> bool:
    return isinstance(version, RateCard) and version.agreements.exists()


def version_editable(version: Version, *, today: datetime.date | None = None) -> bool:
    """A future version no agreement was made from (changed or removed)."""
    return version_state(version, today=today) == FUTURE and not _used_by_agreement(version)


def _refuse_unless_editable(version: Version, today: datetime.date) -> None:
    if version_state(version, today=today) != FUTURE:
        _refuse(
            _(
                "A version in effect or past is never changed: "
                "add a new version from a date, or end this one."
            ),
            "in_effect",
        )
    if _used_by_agreement(version):
        _refuse(
            _(
                "An agreement was already made from this version, so it stays as it is: "
                "add a new version from a date instead."
            ),
            "used",
        )


def _predecessor(version: V) -> V | None:
    """The version of the series ending the day before this one starts."""
    return (
        _series(type(version), _key_of(version))
        .select_for_update()
        .filter(effective_to=version.effective_from - DAY)
        .exclude(pk=version.pk)
        .first()
    )


def version_end(
    *,
    version: V,
    effective_to: Any,
    by: User,
    now: datetime.datetime | None = None,
) -> V:
    """End a version on ``effective_to`` (inclusive): today or later for one
    in effect (the days it covered stay covered), not before its start."""
    require(access.can_manage_rates(by))
    today = selectors.manila_today(now)
    with transaction.atomic():
        version = _locked(version)
        state = version_state(version, today=today)
        if state == PAST:
            _refuse(_("This version has already ended; it is kept as it was."), "past")
        if not isinstance(effective_to, datetime.date):
            _refuse(_("Enter a valid date."), "invalid_date", "effective_to")
        if state == CURRENT and effective_to < today:
            _refuse(
                _("A version in effect ends today at the earliest: days already past are kept."),
                "rewrites_history",
                "effective_to",
            )
        if effective_to < version.effective_from:
            _refuse(_("A version cannot end before it starts."), "period_order", "effective_to")
        key = _key_of(version)
        other = _overlapping(
            type(version), key, version.effective_from, effective_to, exclude=(version.pk,)
        )
        if other is not None:
            _refuse_overlap(other)
        before = version.effective_to
        version.effective_to = effective_to
        _save_checked(version)
        record_event(
            version,
            actor=by,
            event=f"{version._meta.model_name}_version_ended",
            effective_to=effective_to.isoformat(),
            was=before.isoformat() if before else None,
        )
    return version


def version_change(
    *,
    version: V,
    by: User,
    terms: Mapping[str, Any],
    effective_from: Any,
    effective_to: Any,
    now: datetime.datetime | None = None,
) -> V:
    """Change a future version no agreement used: its terms and dates. The
    version before it, when it ended the day before, follows the new start."""
    require(access.can_manage_rates(by))
    today = selectors.manila_today(now)
    _check_period(effective_from, effective_to)
    with transaction.atomic():
        version = _locked(version)
        _refuse_unless_editable(version, today)
        if effective_from <= today:
            _refuse(
                _("A planned version starts after today; from today, add a new version."),
                "not_future",
                "effective_from",
            )
        model = type(version)
        predecessor = _predecessor(version)
        follows = predecessor is not None and predecessor.effective_from < effective_from
        other = _overlapping(
            model,
            _key_of(version),
            effective_from,
            effective_to,
            exclude=(version.pk, predecessor.pk if predecessor is not None and follows else None),
        )
        if other is not None:
            _refuse_overlap(other)
        later = effective_from > version.effective_from
        if predecessor is not None and follows and not later:
            predecessor.effective_to = effective_from - DAY
            _save_checked(predecessor)
        for name, value in terms.items():
            setattr(version, name, value)
        version.effective_from = effective_from
        version.effective_to = effective_to
        _save_checked(version)
        if predecessor is not None and follows and later:
            predecessor.effective_to = effective_from - DAY
            _save_checked(predecessor)
        record_event(
            version,
            actor=by,
            event=f"{model._meta.model_name}_version_changed",
            effective_from=effective_from.isoformat(),
            effective_to=effective_to.isoformat() if effective_to else None,
        )
    return version


def version_remove(*, version: V, by: User, now: datetime.datetime | None = None) -> V | None:
    """Remove a future version no agreement used. The version before it, when
    it ended the day before, covers its days again. Returns that version."""
    require(access.can_manage_rates(by))
    today = selectors.manila_today(now)
    with transaction.atomic():
        version = _locked(version)
        _refuse_unless_editable(version, today)
        predecessor = _predecessor(version)
        record_event(
            version,
            actor=by,
            event=f"{version._meta.model_name}_version_removed",
            effective_from=version.effective_from.isoformat(),
            effective_to=version.effective_to.isoformat() if version.effective_to else None,
        )
        end = version.effective_to
        version.delete()
        if predecessor is not None:
            predecessor.effective_to = end
            _save_checked(predecessor)
    return predecessor


def series_predecessor(version: V) -> V | None:
    """The version of the series ending the day before this one starts
    (which takes its days back if this one is removed)."""
    return (
        _series(type(version), _key_of(version))
        .filter(effective_to=version.effective_from - DAY)
        .exclude(pk=version.pk)
        .first()
    )


def series_successor_start(version: Version) -> datetime.date | None:
    """The start of the version after this one (None: none)."""
    return (
        _series(type(version), _key_of(version))
        .filter(effective_from__gt=version.effective_from)
        .order_by("effective_from")
        .values_list("effective_from", flat=True)
        .first()
    )


# --- Rate cards ---------------------------------------------------------------------------


def _rate_terms(unit: str, amount: Any, note: str) -> dict[str, Any]:
    if unit not in RateUnit.values:
        _refuse(_("Choose a unit."), "unknown_unit", "unit")
    amount = parse_amount(amount)
    if amount <= 0:
        _refuse(_("A rate must be more than zero."), "not_positive", "amount")
    return {"unit": unit, "amount": amount, "note": (note or "").strip()[:300]}


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
    now: datetime.datetime | None = None,
) -> RateCard:
    """A rate (a new version of its type and role) from ``effective_from``.
    A version of the same type and role still open-ended and starting
    earlier is closed the day before; any other overlap is refused, and so
    is a start that would change what covered a day already past."""
    require(access.can_manage_rates(by))
    if engagement_type not in EngagementType.values:
        _refuse(_("Choose an engagement type."), "unknown_type", "engagement_type")
    if role not in ParticipationRole.values:
        _refuse(_("Choose a role."), "unknown_role", "role")
    card = _add_version(
        RateCard,
        key={"engagement_type": engagement_type, "role": role},
        terms=_rate_terms(unit, amount, note),
        effective_from=effective_from,
        effective_to=effective_to,
        by=by,
        today=selectors.manila_today(now),
    )
    return card


def rate_card_change(
    *,
    card: RateCard,
    by: User,
    unit: str,
    amount: Any,
    effective_from: datetime.date,
    effective_to: datetime.date | None = None,
    note: str = "",
    now: datetime.datetime | None = None,
) -> RateCard:
    """Change a future rate card no agreement used (``version_change``)."""
    require(access.can_manage_rates(by))
    changed = version_change(
        version=card,
        by=by,
        terms=_rate_terms(unit, amount, note),
        effective_from=effective_from,
        effective_to=effective_to,
        now=now,
    )
    return changed


def rate_lookup(*, engagement_type: str, role: str, on: datetime.date) -> RateCard | None:
    """The rate card in force for a type and role on a date (None: no rate)."""
    return selectors.rate_card_for(engagement_type=engagement_type, role=role, on=on)


# --- Allowance policies -------------------------------------------------------------------


def _policy_terms(
    *,
    default_amount: Any,
    paid_in_advance: bool,
    in_person_only: bool,
    receipt_required_above: Any,
    is_active: bool,
) -> dict[str, Any]:
    return {
        "default_amount": parse_amount(default_amount, field="default_amount"),
        "paid_in_advance": bool(paid_in_advance),
        "in_person_only": bool(in_person_only),
        "receipt_required_above": (
            None
            if receipt_required_above in (None, "")
            else parse_amount(receipt_required_above, field="receipt_required_above")
        ),
        "is_active": bool(is_active),
    }


def allowance_policy_create(
    *,
    kind: str,
    by: User,
    default_amount: Any,
    effective_from: datetime.date,
    effective_to: datetime.date | None = None,
    paid_in_advance: bool = True,
    in_person_only: bool = False,
    receipt_required_above: Any = None,
    is_active: bool = True,
    now: datetime.datetime | None = None,
) -> AllowancePolicy:
    """A new version of one kind of allowance from ``effective_from`` (the
    same rules as a rate card)."""
    require(access.can_manage_rates(by))
    if kind not in AllowanceKind.values:
        _refuse(_("Unknown kind of allowance."), "unknown_kind", "kind")
    policy = _add_version(
        AllowancePolicy,
        key={"kind": kind},
        terms=_policy_terms(
            default_amount=default_amount,
            paid_in_advance=paid_in_advance,
            in_person_only=in_person_only,
            receipt_required_above=receipt_required_above,
            is_active=is_active,
        ),
        effective_from=effective_from,
        effective_to=effective_to,
        by=by,
        today=selectors.manila_today(now),
    )
    return policy


def allowance_policy_change(
    *,
    policy: AllowancePolicy,
    by: User,
    default_amount: Any,
    effective_from: datetime.date,
    effective_to: datetime.date | None = None,
    paid_in_advance: bool = True,
    in_person_only: bool = False,
    receipt_required_above: Any = None,
    is_active: bool = True,
    now: datetime.datetime | None = None,
) -> AllowancePolicy:
    """Change a future version of an allowance policy (``version_change``)."""
    require(access.can_manage_rates(by))
    changed = version_change(
        version=policy,
        by=by,
        terms=_policy_terms(
            default_amount=default_amount,
            paid_in_advance=paid_in_advance,
            in_person_only=in_person_only,
            receipt_required_above=receipt_required_above,
            is_active=is_active,
        ),
        effective_from=effective_from,
        effective_to=effective_to,
        now=now,
    )
    return changed


def allowance_policy_set(
    *,
    kind: str,
    by: User,
    default_amount: Any,
    paid_in_advance: bool = True,
    in_person_only: bool = False,
    receipt_required_above: Any = None,
    is_active: bool = True,
    effective_from: datetime.date | None = None,
    now: datetime.datetime | None = None,
) -> AllowancePolicy:
    """The policy of a kind from ``effective_from`` (default: today): a new
    version (``allowance_policy_create``); the version in force before it
    ends the day before."""
    return allowance_policy_create(
        kind=kind,
        by=by,
        default_amount=default_amount,
        effective_from=effective_from or selectors.manila_today(now),
        paid_in_advance=paid_in_advance,
        in_person_only=in_person_only,
        receipt_required_above=receipt_required_above,
        is_active=is_active,
        now=now,
    )
