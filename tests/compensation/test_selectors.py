"""Reads for the finance pages and the portal: right numbers, and a fixed
number of queries whatever the number of rows."""

import datetime
from decimal import Decimal

import pytest

from compensation import selectors, services
from compensation.models import PaymentLine
from consultants.models import Consultant
from engagements.models import Participation
from tests.consultants.factories import ConsultantFactory
from tests.engagements.factories import ParticipationFactory
from tests.helpers import approved_time, past_engagement

pytestmark = pytest.mark.django_db


def _add_consultants(
    count, owner, manager_user, finance_user, rates, policies, *, pay=False, approver=None
):
    for _ in range(count):
        participation = ParticipationFactory(
            engagement=past_engagement(owner, days_ago=20),
            consultant=ConsultantFactory(),
            status=Participation.Status.ATTENDED,
            role="participant",
        )
        agreement = services.agreement_propose(participation=participation, by=owner)
        services.agreement_acknowledge(agreement=agreement, by=owner, on_behalf=True)
        approved_time(participation, by=owner, approver=manager_user)
        if pay:
            payment = services.payment_approve(
                payment=services.payment_group(
                    consultant=participation.consultant, by=finance_user
                ),
                by=approver,
            )
            services.payment_mark_paid(payment=payment, by=finance_user, method="cash")


@pytest.mark.parametrize("count", [1, 4])
def test_finance_lists_take_a_fixed_number_of_queries(
    count,
    owner,
    manager_user,
    finance_user,
    finance_colleague,
    rates,
    policies,
    django_assert_num_queries,
):
    _add_consultants(count, owner, manager_user, finance_user, rates, policies)
    _add_consultants(
        count,
        owner,
        manager_user,
        finance_user,
        rates,
        policies,
        pay=True,
        approver=finance_colleague,
    )
    today = selectors.manila_today()
    month = {"date_from": today - datetime.timedelta(days=60), "date_to": today}
    with django_assert_num_queries(1):
        rows = list(selectors.finance_queue())
        assert len(rows) == 3 * count
        for line in rows:
            assert line.consultant.pseudonym and line.participation.engagement.title
    with django_assert_num_queries(1):
        assert len(list(selectors.finance_queue_by_consultant())) == count
    with django_assert_num_queries(1):
        payments = list(selectors.payments_by_status("paid"))
        assert len(payments) == count
        assert all(p.lines_total == p.total for p in payments)
        assert all(p.consultant.pseudonym for p in payments)
    with django_assert_num_queries(1):
        selectors.payment_status_counts()
    with django_assert_num_queries(1):
        list(selectors.overdue_lines(today=today + datetime.timedelta(days=30)))
    with django_assert_num_queries(1):
        summary = selectors.overdue_summary(today=today + datetime.timedelta(days=30))
    assert summary["count"] == 3 * count
    # The dashboard's card: one query, counted and summed over the bare lines
    # beside its first rows; the same figures as the summary, oldest first.
    later = today + datetime.timedelta(days=30)
    with django_assert_num_queries(1):
        card = selectors.overdue_lines_card(today=later, limit=2)
        assert all(line.participation.engagement.title for line in card.rows)
    assert (card.count, card.total) == (summary["count"], summary["total"])
    expected = list(
        selectors.unpaid_lines()
        .filter(due_on__lt=later, amount__gt=0)
        .order_by("due_on", "id")
        .values_list("pk", flat=True)
    )
    assert [line.pk for line in card.rows] == expected[:2]
    assert [line.pk for line in selectors.overdue_lines(today=later)] == expected
    with django_assert_num_queries(1):
        rows = selectors.totals_by_month_and_type(**month)
    assert sum(row["total"] for row in rows) == Decimal("1650.00") * count
    with django_assert_num_queries(1):
        shares = selectors.on_time_by_month(**month)
    assert sum(share.payments for share in shares) == count


def test_overdue_lines_in_no_payment_or_one_not_paid_yet(
    owner, manager_user, finance_user, finance_colleague, rates, policies
):
    # Three consultants' lines: in no payment, in a draft payment, in an
    # approved one; a fourth's are paid (never overdue).
    _add_consultants(4, owner, manager_user, finance_user, rates, policies)
    consultants = list(Consultant.objects.filter(payment_lines__isnull=False).distinct())
    draft = services.payment_group(consultant=consultants[1], by=finance_user)
    approved = services.payment_approve(
        payment=services.payment_group(consultant=consultants[2], by=finance_user),
        by=finance_colleague,
    )
    paid = services.payment_approve(
        payment=services.payment_group(consultant=consultants[3], by=finance_user),
        by=finance_colleague,
    )
    services.payment_mark_paid(payment=paid, by=finance_user, method="cash")
    later = selectors.manila_today() + datetime.timedelta(days=30)

    overdue = list(selectors.overdue_lines(today=later))
    assert {line.consultant_id for line in overdue} == {c.pk for c in consultants[:3]}
    assert {line.payment_id for line in overdue} == {None, draft.pk, approved.pk}
    expected = (
        selectors.unpaid_lines().filter(due_on__lt=later, amount__gt=0).order_by("due_on", "id")
    )
    assert [line.pk for line in overdue] == list(expected.values_list("pk", flat=True))
    summary = selectors.overdue_summary(today=later)
    assert (summary["count"], summary["consultants"]) == (expected.count(), 3)
    card = selectors.overdue_lines_card(today=later, limit=2)
    assert card.count == len(overdue) and len(card.rows) == 2
    assert card.total == sum(line.amount for line in overdue)
    # Not yet due: nothing.
    assert not selectors.overdue_lines(today=selectors.manila_today() - datetime.timedelta(days=60))


def test_queue_by_consultant_totals_in_the_database(agreement, owner, manager_user):
    approved_time(agreement.participation, by=owner, approver=manager_user, hours="1.33")
    row = selectors.finance_queue_by_consultant().get()
    assert row["total"] == Decimal("665.00") + Decimal("650.00")
    assert row["lines"] == 3


@pytest.mark.parametrize("count", [1, 3])
def test_portal_lists_take_a_fixed_number_of_queries(
    count, agreement, owner, manager_user, consultant_user, django_assert_num_queries
):
    participation = agreement.participation
    for index in range(count):
        approved_time(
            participation,
            by=owner,
            approver=manager_user,
            hours="1",
            day=selectors.manila_date(participation.engagement.start)
            - datetime.timedelta(days=index),
        )
        services.claim_submit(
            participation=participation,
            by=consultant_user,
            category="meal",
            description="Lunch",
            amount="100",
            incurred_on=selectors.manila_date(participation.engagement.start),
        )
    consultant = participation.consultant
    with django_assert_num_queries(2):
        rows = list(selectors.agreements_of(consultant))
        assert [a.allowances.all() for a in rows]
        assert rows[0].participation.engagement.title
    with django_assert_num_queries(1):
        entries = list(selectors.time_entries_of(consultant))
        assert len(entries) == count
        assert all(entry.line.amount for entry in entries)
    with django_assert_num_queries(2):
        claims = list(selectors.claims_of(consultant))
        assert all(list(claim.receipts.all()) == [] for claim in claims)
    with django_assert_num_queries(1):
        list(selectors.payments_of(consultant))
    with django_assert_num_queries(1):
        rows = list(selectors.participations_with_compensation(consultant))
    assert rows == [participation] and rows[0].change_waiting is False
    with django_assert_num_queries(6):
        statement = selectors.statement_for(
            consultant=consultant,
            date_from=selectors.manila_today() - datetime.timedelta(days=30),
            date_to=selectors.manila_today(),
        )
    assert (
        statement.earned
        == PaymentLine.objects.filter(consultant=consultant).aggregate(
            t=__import__("django.db.models", fromlist=["Sum"]).Sum("amount")
        )["t"]
    )


def test_a_change_waiting_shows_on_the_portal(agreement, owner):
    services.agreement_change(agreement=agreement, by=owner, change_note="More", terms={})
    rows = list(selectors.participations_with_compensation(agreement.participation.consultant))
    assert rows[0].change_waiting is True


def test_the_balance_is_what_is_owed_now_as_on_the_statement_to_today(
    agreement, owner, manager_user, finance_user, finance_colleague
):
    """An advance netted against a fee still to come is payable when its
    engagement ends: the portal's "owed to you" leaves it out, as grouping
    and the statement for a period ending today do (it once counted it, and
    the portal said less than the statement)."""
    from engagements.models import Engagement

    consultant = agreement.participation.consultant
    today = selectors.manila_today()

    def statement_outstanding():
        return selectors.statement_for(
            consultant=consultant,
            date_from=today - datetime.timedelta(days=60),
            date_to=today,
        ).outstanding

    upcoming = ParticipationFactory(
        engagement=past_engagement(owner, days_ago=-30, status=Engagement.Status.CONFIRMED),
        consultant=consultant,
        status=Participation.Status.CONFIRMED,
        role="participant",
    )
    offer = services.agreement_propose(
        participation=upcoming, by=owner, terms={"advance_amount": "1500.00"}, allowances=[]
    )
    services.agreement_acknowledge(agreement=offer, by=owner, on_behalf=True)
    advance = PaymentLine.objects.get(kind="advance")
    # The advance approved and not paid yet: owed now, no recovery yet.
    first = services.payment_approve(
        payment=services.payment_group(consultant=consultant, by=finance_user, lines=[advance]),
        by=finance_colleague,
    )
    balance = selectors.consultant_balance(consultant)
    assert balance.owed_now == statement_outstanding()
    assert not balance.has_later

    # Paid: its recovery (negative) waits for the engagement's end.
    services.payment_mark_paid(payment=first, by=finance_user, method="cash")
    recovery = PaymentLine.objects.get(kind="advance_recovery")
    assert recovery.payable_since > today
    approved_time(agreement.participation, by=owner, approver=manager_user, hours="2")
    waiting = services.payment_approve(
        payment=services.payment_group(consultant=consultant, by=finance_user),
        by=finance_colleague,
    )
    assert not waiting.lines.filter(pk=recovery.pk).exists()

    balance = selectors.consultant_balance(consultant)
    assert balance.owed_now == statement_outstanding() == waiting.total > 0
    assert balance.has_later
    # Counting every unpaid line would take the recovery off too soon.
    unpaid = selectors.unpaid_lines().filter(consultant=consultant)
    assert selectors._sum(unpaid) == waiting.total + recovery.amount
    # On the engagement's end the recovery is owed (netted) like the rest.
    later = selectors.consultant_balance(consultant, today=recovery.payable_since)
    assert later.owed_now == waiting.total + recovery.amount
    assert not later.has_later

    # The portal says the same figure, and that something falls due later.
    from django.urls import reverse

    from tests.helpers import client_for

    client = client_for(consultant.user)
    for name in ("my_pay:index", "my_pay:payments"):
        page = client.get(reverse(name)).content.decode()
        assert f"Owed to you and not yet paid: ₱{waiting.total:,.2f}" in page
        assert "are not counted yet" in page
