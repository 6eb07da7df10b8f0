"""The rules PostgreSQL keeps whatever writes: raw SQL and queryset updates
that skip the models' own checks are refused too."""

import datetime
from decimal import Decimal

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone

from compensation import services
from compensation.models import Payment, PaymentLine, RateCard, TimeEntry
from tests.compensation.factories import RateCardFactory
from tests.helpers import approved_time

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid(agreement, owner, manager_user, finance_user, finance_colleague):
    approved_time(agreement.participation, by=owner, approver=manager_user)
    consultant = agreement.participation.consultant
    payment = services.payment_approve(
        payment=services.payment_group(consultant=consultant, by=finance_user), by=finance_colleague
    )
    return services.payment_mark_paid(payment=payment, by=finance_user, method="cash")


def _refused(sql, params=()):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


def test_a_paid_payment_cannot_be_updated_or_deleted(paid):
    _refused("UPDATE compensation_payment SET total = 1 WHERE id = %s", [paid.pk])
    _refused("UPDATE compensation_payment SET status = 'approved' WHERE id = %s", [paid.pk])
    _refused("DELETE FROM compensation_payment WHERE id = %s", [paid.pk])
    paid.refresh_from_db()
    assert paid.is_paid


def test_a_paid_line_cannot_be_changed_moved_or_deleted(paid, finance_user):
    line = paid.lines.first()
    _refused("UPDATE compensation_paymentline SET amount = 1 WHERE id = %s", [line.pk])
    _refused("UPDATE compensation_paymentline SET payment_id = NULL WHERE id = %s", [line.pk])
    _refused("DELETE FROM compensation_paymentline WHERE id = %s", [line.pk])
    with pytest.raises(DatabaseError), transaction.atomic():
        PaymentLine.objects.filter(pk=line.pk).update(amount=Decimal("0.01"))


def test_no_line_is_added_to_a_paid_payment(paid, agreement, finance_user):
    extra = services.adjustment_add(
        consultant=agreement.participation.consultant, by=finance_user, amount="5", reason="x"
    )
    with pytest.raises(DatabaseError), transaction.atomic():
        PaymentLine.objects.filter(pk=extra.pk).update(payment=paid)


def test_an_approved_total_must_equal_its_lines(agreement, owner, manager_user, finance_user):
    approved_time(agreement.participation, by=owner, approver=manager_user)
    payment = services.payment_group(consultant=agreement.participation.consultant, by=finance_user)
    with pytest.raises(DatabaseError), transaction.atomic():
        Payment.objects.filter(pk=payment.pk).update(
            status="approved",
            total=Decimal("1.00"),
            approved_by=finance_user,
            approved_at=timezone.now(),
        )


def test_more_than_24_hours_a_day_is_refused_by_the_database(agreement, owner, manager_user):
    entry = approved_time(agreement.participation, by=owner, approver=manager_user, hours="20")
    with pytest.raises(IntegrityError), transaction.atomic():
        TimeEntry.objects.create(
            participation=agreement.participation,
            kind="travel",
            date=entry.date,
            hours=Decimal("4.01"),
            entered_by=owner,
        )


def test_overlapping_rate_cards_are_refused_by_the_database(db):
    RateCardFactory(effective_from=datetime.date(2025, 1, 1), effective_to=None)
    with pytest.raises(IntegrityError), transaction.atomic():
        RateCard.objects.create(
            engagement_type="roundtable",
            role="participant",
            unit="day",
            amount=Decimal("1"),
            effective_from=datetime.date(2030, 1, 1),
        )
    # Another role, or a period that ends before: fine.
    RateCardFactory(role="speaker", effective_from=datetime.date(2025, 1, 1))


def test_a_line_of_the_wrong_sign_or_a_second_line_for_one_source_is_refused(paid, agreement):
    line = paid.lines.get(kind="time")
    base = dict(
        consultant=line.consultant,
        participation=line.participation,
        description="x",
        payable_since=line.payable_since,
        due_on=line.due_on,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(kind="expense", amount=Decimal("-1"), **base)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(
            kind="time", time_entry=line.time_entry, amount=Decimal("1"), **base
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(kind="adjustment", amount=Decimal("0"), reason="x", **base)
