"""Property: whatever the mix of rates, hours, allowances, advances and
adjustments, every payment's total equals the sum of its lines to the
centavo, and every line is what the agreement says it is.

Each example runs in a transaction rolled back at its end, on the real
PostgreSQL database, through the services."""

import datetime
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compensation import selectors, services
from compensation.models import Payment, PaymentLine
from engagements.models import Participation
from tests.consultants.factories import ConsultantFactory
from tests.engagements.factories import ParticipationFactory
from tests.helpers import past_engagement

pytestmark = pytest.mark.django_db

CENTS = Decimal("0.01")


def _money(low, high):
    return st.integers(min_value=int(low * 100), max_value=int(high * 100)).map(
        lambda cents: Decimal(cents) / 100
    )


hours = st.integers(min_value=1, max_value=600).map(lambda n: (Decimal(n) / 100).quantize(CENTS))
mixes = st.fixed_dictionaries(
    {
        "unit": st.sampled_from(["hour", "half_day", "day", "fixed"]),
        "rate": _money(Decimal("0.01"), Decimal("50000")),
        "entries": st.lists(
            st.tuples(st.sampled_from(["preparation", "travel", "engagement", "debrief"]), hours),
            max_size=6,
        ),
        "allowances": st.dictionaries(
            st.sampled_from(["meal", "transport", "communication", "lodging"]),
            st.tuples(_money(Decimal("0.01"), Decimal("5000")), st.booleans()),
            max_size=4,
        ),
        "advance_share": st.integers(min_value=0, max_value=100),
        "adjustments": st.lists(_money(Decimal("-300"), Decimal("300")).filter(bool), max_size=4),
    }
)

UNIT_HOURS = {"hour": 1, "half_day": 4, "day": 8}


def _expected_time(unit, rate, entry_hours):
    if unit == "fixed":
        return Decimal("0.00")
    return (entry_hours * rate / UNIT_HOURS[unit]).quantize(CENTS, rounding=ROUND_HALF_UP)


@settings(
    max_examples=35,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mix=mixes)
def test_totals_always_equal_the_sum_of_their_lines(
    mix, owner, manager_user, finance_user, finance_colleague
):
    with transaction.atomic():
        _example(mix, owner, manager_user, finance_user, finance_colleague)
        transaction.set_rollback(True)


def _example(mix, owner, manager_user, finance_user, finance_colleague):
    engagement = past_engagement(owner, days_ago=3)
    participation = ParticipationFactory(
        engagement=engagement,
        consultant=ConsultantFactory(),
        status=Participation.Status.ATTENDED,
        role="adviser",
    )
    consultant = participation.consultant
    rate = mix["rate"]
    estimate = Decimal("8.00")
    estimated_pay = rate if mix["unit"] == "fixed" else _expected_time(mix["unit"], rate, estimate)
    advance = (estimated_pay * mix["advance_share"] / 100).quantize(CENTS, rounding="ROUND_DOWN")
    agreement = services.agreement_propose(
        participation=participation,
        by=owner,
        terms={
            "rate_unit": mix["unit"],
            "rate_amount": rate,
            "estimated_engagement_hours": estimate,
            "advance_amount": advance,
        },
        allowances=[
            {"kind": kind, "amount": amount, "paid_in_advance": in_advance}
            for kind, (amount, in_advance) in mix["allowances"].items()
        ],
    )
    services.agreement_acknowledge(agreement=agreement, by=owner, on_behalf=True)

    # Pay the advance first, as before an engagement.
    advance_line = PaymentLine.objects.filter(kind="advance").first()
    if advance_line is not None:
        first = services.payment_group(consultant=consultant, by=finance_user, lines=[advance_line])
        services.payment_approve(payment=first, by=finance_colleague)
        services.payment_mark_paid(payment=first, by=finance_user, method="cash")

    expected_time = Decimal("0.00")
    day = selectors.manila_date(engagement.start)
    for index, (kind, entry_hours) in enumerate(mix["entries"]):
        entry = services.time_entry_add(
            participation=participation,
            by=owner,
            on_behalf=True,
            kind=kind,
            date=day - datetime.timedelta(days=index),
            hours=entry_hours,
        )
        services.time_entry_approve(entry=entry, by=manager_user)
        expected_time += _expected_time(mix["unit"], rate, entry_hours)
    for amount in mix["adjustments"]:
        services.adjustment_add(consultant=consultant, by=finance_user, amount=amount, reason="x")

    expected_total = (
        expected_time
        + (rate if mix["unit"] == "fixed" else Decimal("0.00"))
        + sum((amount for amount, _ in mix["allowances"].values()), Decimal("0.00"))
        + sum(mix["adjustments"], Decimal("0.00"))
    )
    # Every line, whoever pays it, adds up to what was agreed and worked
    # (the advance and its netting cancel out once both exist).
    all_lines = PaymentLine.objects.filter(consultant=consultant)
    in_db = all_lines.aggregate(total=Sum("amount"))["total"] or Decimal("0.00")
    assert in_db == expected_total
    assert in_db == sum((line.amount for line in all_lines), Decimal("0.00"))

    try:
        final = services.payment_group(consultant=consultant, by=finance_user)
    except services.NothingToPay:
        final = None
    except ValidationError as error:
        # Large negative adjustments: refused, never a negative payment.
        assert {e.code for e in error.error_list} == {"negative_total"}
        unpaid = PaymentLine.objects.filter(consultant=consultant, payment__isnull=True)
        assert unpaid.aggregate(t=Sum("amount"))["t"] < 0
        final = None
    if final is not None:
        final = services.payment_approve(payment=final, by=finance_colleague)
        services.payment_mark_paid(payment=final, by=finance_user, method="cash")
    for payment in Payment.objects.filter(consultant=consultant):
        lines = list(payment.lines.all())
        assert payment.total == sum((line.amount for line in lines), Decimal("0.00"))
        assert payment.total == selectors.payment_lines_total(payment)
        assert payment.total >= 0
        for line in lines:
            assert line.amount == line.amount.quantize(CENTS)
    paid = Payment.objects.filter(consultant=consultant, status="paid").aggregate(t=Sum("total"))[
        "t"
    ] or Decimal("0.00")
    if final is not None:
        assert paid == expected_total
    # The statement for the whole time says the same.
    statement = selectors.statement_for(
        consultant=consultant,
        date_from=day - datetime.timedelta(days=400),
        date_to=timezone.localdate() + datetime.timedelta(days=30),
    )
    assert statement.earned == expected_total
    assert statement.earned == sum(statement.totals_by_kind.values(), Decimal("0.00"))
    assert statement.outstanding == expected_total - paid
