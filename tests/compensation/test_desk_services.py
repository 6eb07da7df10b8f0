"""The rules of the finance desk's rates and allowance policy
(``compensation.services.rates``): versions from a date, no overlaps (a
message, never an IntegrityError), history kept, a version in effect never
edited, a planned one changed or removed, every step audited; and what an
allowance policy's dates mean for agreements and receipts."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from compensation import selectors, services
from compensation.models import AllowancePolicy, RateCard
from compensation.services.rates import CURRENT, FUTURE, PAST, version_state

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def today():
    return selectors.manila_today()


def _rate(by, start, **kwargs):
    values = {
        "engagement_type": "roundtable",
        "role": "reviewer",
        "unit": "hour",
        "amount": "500.00",
        "effective_from": start,
        "by": by,
    }
    values.update(kwargs)
    return services.rate_card_create(**values)


def _events(instance) -> list[str]:
    return [
        (entry.additional_data or {}).get("event")
        for entry in LogEntry.objects.get_for_object(instance).order_by("pk")
        if entry.additional_data
    ]


def _code(error: ValidationError) -> set[str]:
    return {e.code for errors in error.error_dict.values() for e in errors}


# --- Rate cards -------------------------------------------------------------------------


def test_a_planned_version_closes_the_current_one_the_day_before(finance_user, today):
    current = _rate(finance_user, today - 100 * DAY)
    planned = _rate(finance_user, today + 30 * DAY, amount="550.00")
    current.refresh_from_db()
    assert current.effective_to == today + 29 * DAY
    assert version_state(current) == CURRENT
    assert version_state(planned) == FUTURE
    assert (
        selectors.rate_card_for(engagement_type="roundtable", role="reviewer", on=today + 30 * DAY)
        == planned
    )
    assert "ratecard_version_added" in _events(planned)


def test_an_overlap_is_a_message_not_an_integrity_error(finance_user, today):
    _rate(finance_user, today, effective_to=today + 60 * DAY)
    with pytest.raises(ValidationError) as caught:
        _rate(finance_user, today + 30 * DAY)
    assert "overlap" in _code(caught.value)
    assert "effective_from" in caught.value.error_dict
    assert RateCard.objects.filter(role="reviewer").count() == 1


def test_the_database_refuses_overlapping_allowance_versions_whatever_writes(today):
    AllowancePolicy.objects.create(kind="meal", default_amount="100", effective_from=today)
    with pytest.raises(IntegrityError), transaction.atomic():
        AllowancePolicy.objects.create(
            kind="meal", default_amount="200", effective_from=today + 5 * DAY
        )


def test_days_already_past_keep_what_covered_them(finance_user, today):
    current = _rate(finance_user, today - 100 * DAY)
    with pytest.raises(ValidationError) as caught:
        _rate(finance_user, today - 10 * DAY, amount="600.00")
    assert "rewrites_history" in _code(caught.value)
    current.refresh_from_db()
    assert current.effective_to is None


def test_a_past_gap_may_be_filled(finance_user, today):
    later = _rate(finance_user, today - 10 * DAY)
    earlier = _rate(finance_user, today - 100 * DAY, effective_to=today - 11 * DAY)
    assert version_state(earlier) == PAST
    later.refresh_from_db()
    assert later.effective_from == today - 10 * DAY


def test_a_version_in_effect_is_never_changed(finance_user, today):
    current = _rate(finance_user, today - 5 * DAY)
    with pytest.raises(ValidationError) as caught:
        services.rate_card_change(
            card=current, by=finance_user, unit="hour", amount="900.00", effective_from=today
        )
    assert "in_effect" in {e.code for e in caught.value.error_list}
    current.refresh_from_db()
    assert current.amount == Decimal("500.00")


def test_ending_a_current_version_keeps_the_days_already_past(finance_user, today):
    current = _rate(finance_user, today - 5 * DAY)
    with pytest.raises(ValidationError) as caught:
        services.version_end(version=current, by=finance_user, effective_to=today - DAY)
    assert "rewrites_history" in _code(caught.value)
    services.version_end(version=current, by=finance_user, effective_to=today)
    current.refresh_from_db()
    assert current.effective_to == today
    assert "ratecard_version_ended" in _events(current)


def test_a_past_version_cannot_be_ended_again(finance_user, today):
    past = _rate(finance_user, today - 50 * DAY, effective_to=today - 20 * DAY)
    with pytest.raises(ValidationError):
        services.version_end(version=past, by=finance_user, effective_to=today + DAY)
    past.refresh_from_db()
    assert past.effective_to == today - 20 * DAY


def test_a_planned_version_is_changed_and_the_one_before_follows(finance_user, today):
    current = _rate(finance_user, today - 5 * DAY)
    planned = _rate(finance_user, today + 30 * DAY, amount="550.00")
    services.rate_card_change(
        card=planned,
        by=finance_user,
        unit="day",
        amount="4000.00",
        effective_from=today + 40 * DAY,
        note="New year",
    )
    current.refresh_from_db()
    planned.refresh_from_db()
    assert (planned.unit, planned.amount, planned.note) == ("day", Decimal("4000.00"), "New year")
    assert current.effective_to == today + 39 * DAY
    assert "ratecard_version_changed" in _events(planned)
    with pytest.raises(ValidationError) as caught:
        services.rate_card_change(
            card=planned, by=finance_user, unit="day", amount="4000.00", effective_from=today
        )
    assert "not_future" in _code(caught.value)


def test_removing_a_planned_version_gives_its_days_back(finance_user, today):
    current = _rate(finance_user, today - 5 * DAY)
    planned = _rate(finance_user, today + 30 * DAY)
    pk = planned.pk
    assert services.version_remove(version=planned, by=finance_user) == current
    current.refresh_from_db()
    assert current.effective_to is None
    assert not RateCard.objects.filter(pk=pk).exists()
    removed = LogEntry.objects.filter(
        object_pk=str(pk), additional_data__event="ratecard_version_removed"
    )
    assert removed.get().actor == finance_user


def test_a_planned_rate_an_agreement_used_stays(finance_user, today, participation, owner):
    planned = _rate(
        finance_user,
        today + 30 * DAY,
        engagement_type=participation.engagement.type,
        role=participation.role,
    )
    engagement = participation.engagement
    engagement.start = engagement.start + 45 * DAY
    engagement.end = engagement.end + 45 * DAY
    engagement.save()
    agreement = services.agreement_propose(participation=participation, by=owner)
    assert agreement.rate_card == planned
    for attempt in (
        lambda: services.version_remove(version=planned, by=finance_user),
        lambda: services.rate_card_change(
            card=planned,
            by=finance_user,
            unit="hour",
            amount="1.00",
            effective_from=today + 31 * DAY,
        ),
    ):
        with pytest.raises(ValidationError) as caught:
            attempt()
        assert "used" in {e.code for e in caught.value.error_list}


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        ("-1.00", "negative"),
        ("0", "not_positive"),
        ("1.001", "too_many_decimals"),
        ("x", "not_a_number"),
    ],
)
def test_bad_amounts_are_refused(finance_user, today, amount, code):
    with pytest.raises(ValidationError) as caught:
        _rate(finance_user, today, amount=amount)
    assert code in _code(caught.value)


def test_unknown_vocabulary_and_reversed_periods_are_refused(finance_user, today):
    for kwargs, field in (
        ({"unit": "fortnight"}, "unit"),
        ({"role": "king"}, "role"),
        ({"engagement_type": "party"}, "engagement_type"),
        ({"effective_to": today - DAY}, "effective_to"),
    ):
        with pytest.raises(ValidationError) as caught:
            _rate(finance_user, today, **kwargs)
        assert field in caught.value.error_dict


@pytest.mark.parametrize("role", ["programme_staff_user", "wellbeing_user", "consultant_user"])
def test_only_those_who_manage_rates_change_them(role, request, finance_user, today):
    user = request.getfixturevalue(role)
    planned = _rate(finance_user, today + 10 * DAY)
    for attempt in (
        lambda: _rate(user, today + 50 * DAY),
        lambda: services.version_end(version=planned, by=user, effective_to=today + 20 * DAY),
        lambda: services.version_remove(version=planned, by=user),
        lambda: services.allowance_policy_create(
            kind="meal", by=user, default_amount="1.00", effective_from=today
        ),
    ):
        with pytest.raises(PermissionDenied):
            attempt()


@pytest.mark.parametrize("role", ["manager_user", "admin_user"])
def test_managers_and_administrators_manage_rates(role, request, today):
    _rate(request.getfixturevalue(role), today)


# --- Allowance policy ----------------------------------------------------------------------


def test_allowance_versions_apply_from_their_date(finance_user, today, policies, participation):
    planned = services.allowance_policy_create(
        kind="meal", by=finance_user, default_amount="450.00", effective_from=today + 30 * DAY
    )
    policies["meal"].refresh_from_db()
    assert policies["meal"].effective_to == today + 29 * DAY
    # The engagement (ten days ago) keeps the version of its day.
    meal = {p.kind: p for p in selectors.allowance_policies_for(participation.engagement)}["meal"]
    assert meal.pk == policies["meal"].pk
    assert selectors.allowance_policy_for(kind="meal", on=today + 30 * DAY) == planned
    assert "allowancepolicy_version_added" in _events(planned)


def test_a_receipt_follows_the_policy_of_the_day_of_the_expense(finance_user, today):
    services.allowance_policy_create(
        kind="transport",
        by=finance_user,
        default_amount="100.00",
        receipt_required_above="500.00",
        effective_from=today - 30 * DAY,
    )
    services.allowance_policy_create(
        kind="transport",
        by=finance_user,
        default_amount="100.00",
        receipt_required_above="0",
        effective_from=today + DAY,
    )
    assert not services.receipt_required(category="transport", amount=Decimal("200"), on=today)
    assert services.receipt_required(category="transport", amount=Decimal("200"), on=today + DAY)


def test_an_allowance_version_in_effect_is_never_changed(finance_user, today, policies):
    with pytest.raises(ValidationError):
        services.allowance_policy_change(
            policy=policies["meal"],
            by=finance_user,
            default_amount="1.00",
            effective_from=today + DAY,
        )
    policies["meal"].refresh_from_db()
    assert policies["meal"].default_amount == Decimal("350.00")


def test_the_agreement_draft_starts_from_the_latest_version(agreement, participation):
    terms, allowances = services.agreement_draft(participation)
    assert terms["rate_amount"] == agreement.rate_amount
    assert {row["kind"] for row in allowances} == {a.kind for a in agreement.allowances.all()}
