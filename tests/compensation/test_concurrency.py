"""One approved line is never paid twice: real threads, each with its own
PostgreSQL connection, committing for real (transaction=True)."""

import threading
from decimal import Decimal

import pytest
from django.db import connection, transaction

from accounts.models import User
from compensation import services
from compensation.models import Payment, PaymentLine
from consultants.models import Consultant
from tests.helpers import approved_time

pytestmark = pytest.mark.django_db(transaction=True)


def _in_threads(*targets):
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)


@pytest.fixture
def owed(agreement, owner, manager_user):
    approved_time(agreement.participation, by=owner, approver=manager_user, hours="3")
    return agreement.participation.consultant


def _finance(make_user):
    from accounts.roles import Role

    return make_user(Role.FINANCE_OFFICER)


def test_two_officers_grouping_the_same_lines_at_once_take_each_line_once(owed, make_user):
    officers = [_finance(make_user), _finance(make_user)]
    line_ids = list(PaymentLine.objects.values_list("pk", flat=True))
    barrier = threading.Barrier(2)
    results = []

    def group(officer_pk):
        def run():
            try:
                officer = User.objects.get(pk=officer_pk)
                consultant = Consultant.objects.get(pk=owed.pk)
                lines = list(PaymentLine.objects.filter(pk__in=line_ids))
                barrier.wait(timeout=30)
                payment = services.payment_group(consultant=consultant, by=officer, lines=lines)
                results.append(("grouped", payment.pk))
            except services.PaymentAlreadyPaid:
                results.append(("refused", None))
            except Exception as error:  # pragma: no cover - reported below
                results.append((repr(error), None))
            finally:
                connection.close()

        return run

    _in_threads(*(group(officer.pk) for officer in officers))
    assert sorted(outcome for outcome, _pk in results) == ["grouped", "refused"]
    winner = next(pk for outcome, pk in results if outcome == "grouped")
    assert Payment.objects.count() == 1
    assert set(PaymentLine.objects.values_list("payment_id", flat=True)) == {winner}


def test_two_officers_paying_the_same_payment_at_once_pay_it_once(owed, make_user):
    officers = [_finance(make_user), _finance(make_user)]
    payment = services.payment_approve(
        payment=services.payment_group(consultant=owed, by=officers[0]), by=_finance(make_user)
    )
    barrier = threading.Barrier(2)
    results = []

    def pay(officer_pk, reference):
        def run():
            try:
                officer = User.objects.get(pk=officer_pk)
                target = Payment.objects.get(pk=payment.pk)
                barrier.wait(timeout=30)
                services.payment_mark_paid(
                    payment=target, by=officer, method="bank", reference=reference
                )
                results.append("paid")
            except services.PaymentAlreadyPaid:
                results.append("already paid")
            except Exception as error:  # pragma: no cover
                results.append(repr(error))
            finally:
                connection.close()

        return run

    _in_threads(pay(officers[0].pk, "TX-A"), pay(officers[1].pk, "TX-B"))
    assert sorted(results) == ["already paid", "paid"]
    payment.refresh_from_db()
    assert payment.is_paid and payment.reference in ("TX-A", "TX-B")
    assert payment.total == Decimal("2150.00")


def test_two_raw_transactions_claiming_one_line_only_one_wins(owed, finance_user):
    """Without the services: the row lock and the WHERE payment IS NULL
    re-checked after the wait let only one transaction take the line."""
    line = PaymentLine.objects.filter(kind="time").get()
    drafts = [
        Payment.objects.create(consultant=owed, created_by=finance_user),
        Payment.objects.create(consultant=owed, created_by=finance_user),
    ]
    first_took, release = threading.Event(), threading.Event()
    taken = {}

    def one():
        try:
            with transaction.atomic():
                taken["one"] = PaymentLine.objects.filter(pk=line.pk, payment__isnull=True).update(
                    payment=drafts[0]
                )
                first_took.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def two():
        try:
            first_took.wait(timeout=30)
            with transaction.atomic():
                taken["two"] = PaymentLine.objects.filter(pk=line.pk, payment__isnull=True).update(
                    payment=drafts[1]
                )
        finally:
            connection.close()

    def referee():
        first_took.wait(timeout=30)
        for _ in range(3000):
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND wait_event_type = 'Lock'"
                )
                if cursor.fetchone()[0]:
                    break
            threading.Event().wait(0.01)
        release.set()
        connection.close()

    _in_threads(one, two, referee)
    assert taken == {"one": 1, "two": 0}
    line.refresh_from_db()
    assert line.payment_id == drafts[0].pk
