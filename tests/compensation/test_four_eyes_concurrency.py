"""Four eyes on money under real concurrency: threads, each with its own
PostgreSQL connection, committing for real (transaction=True). Two steps
by one person at the same moment (approve and mark paid, through the
services and through the staff pages) never both succeed: the payment's
row lock makes the second wait for the first and judge it on what the
first wrote."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal as D

import pytest
from django.db import connection, transaction
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from compensation import services, workflow
from compensation.models import Payment
from consultants.models import Consultant
from tests.compensation.factories import PaymentMethodFactory
from tests.helpers import approved_time, client_for

pytestmark = pytest.mark.django_db(transaction=True)

RULE_ON = [pytest.param(D("0"), id="always"), pytest.param(D("1000.00"), id="above 1,000")]


def _in_threads(*targets: Callable[[], None]) -> None:
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)


def _waiting_on_locks() -> int:
    """Backends of this test database waiting for a lock right now (a fresh
    look even inside a transaction, which would otherwise keep its first
    snapshot of the statistics)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def _wait_for_lock_waiters(count: int) -> bool:
    for _ in range(3000):
        if _waiting_on_locks() >= count:
            return True
        threading.Event().wait(0.01)
    return False


def _outcome(call: Callable[[], object]) -> str:
    try:
        call()
    except workflow.SecondPersonRequired:
        return "four eyes"
    except services.PaymentAlreadyPaid:
        return "already paid"
    except Exception as error:  # a refusal for the status, or a failure to report
        return type(error).__name__ + ": " + " ".join(getattr(error, "messages", [str(error)]))
    return "done"


@pytest.fixture
def owed(agreement, owner, manager_user):
    PaymentMethodFactory(consultant=agreement.participation.consultant, is_default=True)
    approved_time(agreement.participation, by=owner, approver=manager_user)
    return agreement.participation.consultant


@pytest.fixture
def officers(make_user):
    """The one who groups, and the one who then tries to do the rest alone."""
    return make_user(Role.FINANCE_OFFICER), make_user(Role.FINANCE_OFFICER)


def _draft(consultant: Consultant, grouper: User) -> Payment:
    return services.payment_group(consultant=consultant, by=grouper)


@pytest.mark.parametrize("threshold", RULE_ON)
def test_a_mark_paid_waiting_on_an_approval_by_the_same_person_is_refused(
    threshold, owed, officers, settings
):
    """The approval holds the payment's row while the same person's mark
    paid arrives; the mark paid waits (seen in pg_stat_activity), then reads
    the approval just committed and is refused."""
    settings.PAYMENT_TWO_PERSON_ABOVE = threshold
    grouper, person = officers
    payment = _draft(owed, grouper)
    approved, release = threading.Event(), threading.Event()
    results: dict[str, str] = {}
    seen: dict[str, bool] = {}

    def approve():
        try:
            with transaction.atomic():
                results["approve"] = _outcome(
                    lambda: services.payment_approve(
                        payment=Payment.objects.get(pk=payment.pk),
                        by=User.objects.get(pk=person.pk),
                    )
                )
                approved.set()
                release.wait(timeout=30)
        finally:
            connection.close()

    def mark_paid():
        try:
            approved.wait(timeout=30)
            results["mark_paid"] = _outcome(
                lambda: services.payment_mark_paid(
                    payment=Payment.objects.get(pk=payment.pk),
                    by=User.objects.get(pk=person.pk),
                    method="bank",
                    reference="TX-ALONE",
                )
            )
        finally:
            connection.close()

    def referee():
        try:
            approved.wait(timeout=30)
            seen["waited"] = _wait_for_lock_waiters(1)
            release.set()
        finally:
            connection.close()

    _in_threads(approve, mark_paid, referee)
    assert seen == {"waited": True}
    assert results == {"approve": "done", "mark_paid": "four eyes"}
    payment.refresh_from_db()
    assert payment.status == Payment.Status.APPROVED
    assert payment.approved_by_id == person.pk and payment.paid_by_id is None


@pytest.mark.parametrize("threshold", [*RULE_ON, pytest.param(None, id="off")])
def test_the_grouper_sending_every_step_at_once_moves_nothing(threshold, owed, officers, settings):
    """With the amount rule on or off: two approvals and two mark-paids by
    the person who grouped, released together, all refused."""
    settings.PAYMENT_TWO_PERSON_ABOVE = threshold
    grouper, _other = officers
    payment = _draft(owed, grouper)
    barrier = threading.Barrier(4)
    results: list[str] = []

    def step(kind: str, reference: str):
        def run():
            try:
                user = User.objects.get(pk=grouper.pk)
                target = Payment.objects.get(pk=payment.pk)
                barrier.wait(timeout=30)
                if kind == "approve":
                    results.append(
                        _outcome(lambda: services.payment_approve(payment=target, by=user))
                    )
                else:
                    results.append(
                        _outcome(
                            lambda: services.payment_mark_paid(
                                payment=target, by=user, method="bank", reference=reference
                            )
                        )
                    )
            finally:
                connection.close()

        return run

    _in_threads(step("approve", ""), step("approve", ""), step("paid", "A"), step("paid", "B"))
    assert results.count("four eyes") == 2
    assert "done" not in results
    payment.refresh_from_db()
    assert payment.status == Payment.Status.DRAFT and payment.approved_by_id is None


@pytest.mark.parametrize("threshold", RULE_ON)
def test_racing_approve_and_mark_paid_by_one_person_never_both_succeed(
    threshold, own_consultant, make_user, settings
):
    """Released together by a barrier, round after round: whichever takes
    the row first, the other is refused (a draft is not paid; the approver
    does not pay), and no payment ends paid by the person who approved it."""
    settings.PAYMENT_TWO_PERSON_ABOVE = threshold
    grouper = make_user(Role.FINANCE_OFFICER)
    person = make_user(Role.FINANCE_OFFICER)
    consultant = own_consultant
    for _round in range(4):
        services.adjustment_add(consultant=consultant, by=grouper, amount="1500", reason="Owed")
        payment = _draft(consultant, grouper)
        barrier = threading.Barrier(2)
        results: dict[str, str] = {}

        def approve(payment_pk=payment.pk, results=results, barrier=barrier):
            try:
                user, target = User.objects.get(pk=person.pk), Payment.objects.get(pk=payment_pk)
                barrier.wait(timeout=30)
                results["approve"] = _outcome(
                    lambda: services.payment_approve(payment=target, by=user)
                )
            finally:
                connection.close()

        def mark_paid(payment_pk=payment.pk, results=results, barrier=barrier):
            try:
                user, target = User.objects.get(pk=person.pk), Payment.objects.get(pk=payment_pk)
                barrier.wait(timeout=30)
                results["mark_paid"] = _outcome(
                    lambda: services.payment_mark_paid(payment=target, by=user, method="cash")
                )
            finally:
                connection.close()

        _in_threads(approve, mark_paid)
        assert results["approve"] == "done"
        assert results["mark_paid"] != "done", results
        payment.refresh_from_db()
        assert payment.status == Payment.Status.APPROVED
        # Paid by the grouper, so the next round finds the lines taken.
        services.payment_mark_paid(payment=payment, by=grouper, method="cash")
    assert not Payment.objects.filter(paid_by=person).exists()


def _post_in_thread(client, url: str, data: dict, results: dict, key: str):
    def run():
        try:
            response = client.post(url, data)
            results[key] = (response.status_code, response.content.decode())
        finally:
            connection.close()

    return run


@pytest.mark.parametrize("threshold", RULE_ON)
def test_two_requests_from_one_person_at_once_through_the_pages(
    threshold, owed, officers, settings
):
    """The same officer, in two tabs, sends "Approve" and "Confirm: it was
    paid" at the same moment. The test holds the payment's row until both
    requests wait for it (so they are truly simultaneous), then lets go:
    the approval goes through (first in line), the mark paid is refused
    with the reason (403), and the payment is approved, not paid."""
    settings.PAYMENT_TWO_PERSON_ABOVE = threshold
    grouper, person = officers
    payment = _draft(owed, grouper)
    tab_one, tab_two = client_for(person), client_for(person)
    approve_url = reverse("compensation:payment_approve", kwargs={"pk": payment.pk})
    paid_url = reverse("compensation:payment_paid", kwargs={"pk": payment.pk})
    results: dict[str, tuple[int, str]] = {}
    seen = {}

    approving = threading.Thread(
        target=_post_in_thread(tab_one, approve_url, {}, results, "approve")
    )
    paying = threading.Thread(
        target=_post_in_thread(
            tab_two, paid_url, {"method": "bank", "reference": "TX-TABS"}, results, "paid"
        )
    )
    with transaction.atomic():
        Payment.objects.select_for_update().get(pk=payment.pk)
        approving.start()
        seen["approve waits"] = _wait_for_lock_waiters(1)
        paying.start()
        seen["both wait"] = _wait_for_lock_waiters(2)
    for thread in (approving, paying):
        thread.join(timeout=60)
    assert not approving.is_alive() and not paying.is_alive()

    assert seen == {"approve waits": True, "both wait": True}
    assert results["approve"][0] == 302
    status, page = results["paid"]
    assert status == 403
    assert "You approved this payment" in page
    payment.refresh_from_db()
    assert payment.status == Payment.Status.APPROVED
    assert payment.approved_by_id == person.pk and payment.paid_by_id is None


def test_with_the_rule_off_two_people_still_needed_under_concurrency(owed, officers, settings):
    """Rule off: the grouper's approval and a colleague's approval race; only
    the colleague's counts, and the grouper's mark paid sent at once is
    judged on it: paid by the grouper, approved by the colleague (two)."""
    settings.PAYMENT_TWO_PERSON_ABOVE = None
    grouper, colleague = officers
    payment = _draft(owed, grouper)
    results: dict[str, str] = {}
    barrier = threading.Barrier(2)

    def approve_as(user_pk: int, key: str):
        def run():
            try:
                user, target = User.objects.get(pk=user_pk), Payment.objects.get(pk=payment.pk)
                barrier.wait(timeout=30)
                results[key] = _outcome(lambda: services.payment_approve(payment=target, by=user))
            finally:
                connection.close()

        return run

    _in_threads(approve_as(grouper.pk, "grouper"), approve_as(colleague.pk, "colleague"))
    assert results["colleague"] == "done"
    # Refused for who they are, or (second in line) for the approval just made.
    assert results["grouper"] in (
        "four eyes",
        "ValidationError: This payment is “Approved”; only a draft is approved.",
    )
    paid = services.payment_mark_paid(payment=payment, by=grouper, method="cash")
    assert paid.approved_by_id == colleague.pk and paid.created_by_id == grouper.pk
    assert Payment.objects.filter(pk=payment.pk, approved_by=grouper).count() == 0
