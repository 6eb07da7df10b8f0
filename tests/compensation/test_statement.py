"""The consultant statement: requested through the reports path, rendered by
the real render path (WeasyPrint), read back with pypdf; its totals match
the database; no legal name; a consultant gets their own only."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from compensation import services
from compensation.models import PaymentLine
from reports import services as report_services
from reports.models import ReportJob
from tests.helpers import ARTIFACTS, approved_time, pdf_text
from tests.reports.factories import ReportJobFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(agreement, owner, manager_user, finance_user, finance_colleague):
    """Time and allowances, part paid, an adjustment waiting."""
    participation = agreement.participation
    consultant = participation.consultant
    approved_time(participation, by=owner, approver=manager_user, hours="2.50")
    meal = PaymentLine.objects.get(allowance_kind="meal")
    payment = services.payment_group(consultant=consultant, by=finance_user, lines=[meal])
    services.payment_approve(payment=payment, by=finance_colleague)
    services.payment_mark_paid(payment=payment, by=finance_user, method="cash")
    services.adjustment_add(consultant=consultant, by=finance_user, amount="-25.50", reason="Typo")
    return consultant


def _period():
    from compensation.selectors import manila_today

    today = manila_today()
    return {
        "date_from": (today - datetime.timedelta(days=60)).isoformat(),
        "date_to": today.isoformat(),
    }


def _amount(text: str, label: str) -> Decimal:
    match = re.search(rf"{label}\s*(-?)₱([\d.,]+)", text, re.IGNORECASE)
    assert match, f"{label} not in the statement (written as ₱1,234.50)"
    return Decimal(match.group(1) + match.group(2).replace(",", ""))


@pytest.mark.pdf
def test_statement_renders_and_its_totals_match_the_database(
    history, consultant_user, finance_user
):
    params = {**_period(), "consultant": history.pk}
    job = ReportJobFactory(kind="consultant_statement", requested_by=consultant_user, params=params)

    report_services.report_render(job_id=job.pk)

    job.refresh_from_db()
    assert job.status == ReportJob.Status.READY, (
        job.error_message if hasattr(job, "error_message") else ""
    )
    content = job.file.read()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "compensation-statement.pdf").write_bytes(content)
    text = pdf_text(content)
    lines = PaymentLine.objects.filter(consultant=history)
    earned = lines.aggregate(t=Sum("amount"))["t"]
    paid = history.payments.filter(status="paid").aggregate(t=Sum("total"))["t"]
    assert _amount(text, "Earned in the period") == earned == Decimal("1874.50")
    assert _amount(text, "Paid in the period") == paid == Decimal("350.00")
    assert _amount(text, "Not yet paid at the end") == earned - paid
    assert "Tala" in text
    assert history.legal_name not in text
    assert "Statement" in text and "Tinig" in text
    assert "Typo" not in text  # the reason of an adjustment stays with finance
    assert "PHP" not in text  # money is written one way: ₱1,234.50


def test_finance_requests_anyone_a_consultant_only_themselves(
    history, consultant_user, finance_user, other_consultant, programme_staff_user, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    params = {**_period(), "consultant": history.pk}
    job = report_services.report_request(
        user=finance_user, kind="consultant_statement", params=params
    )
    assert job.params["consultant"] == history.pk
    own = report_services.report_request(
        user=consultant_user, kind="consultant_statement", params={**_period()}
    )
    assert own.params["consultant"] == history.pk
    with pytest.raises(ValidationError):
        report_services.report_request(
            user=other_consultant.user, kind="consultant_statement", params=params
        )
    with pytest.raises(PermissionDenied):
        report_services.report_request(
            user=programme_staff_user, kind="consultant_statement", params=params
        )


def test_a_period_of_ten_years_is_refused(history, finance_user):
    with pytest.raises(ValidationError):
        report_services.report_request(
            user=finance_user,
            kind="consultant_statement",
            params={"consultant": history.pk, "date_from": "2016-01-01", "date_to": "2026-01-01"},
        )


@pytest.mark.pdf
def test_an_empty_period_says_so(own_consultant, consultant_user):
    job = ReportJobFactory(
        kind="consultant_statement",
        requested_by=consultant_user,
        params={
            "consultant": own_consultant.pk,
            "date_from": "2025-01-01",
            "date_to": "2025-01-31",
        },
    )
    report_services.report_render(job_id=job.pk)
    job.refresh_from_db()
    text = pdf_text(job.file.read())
    assert "Nothing became payable in this period." in text
    assert "No payment in this period." in text


def test_the_statement_is_gathered_by_month_in_one_query(
    history, finance_user, django_assert_num_queries
):
    from compensation import selectors

    period = {key: datetime.date.fromisoformat(value) for key, value in _period().items()}
    with django_assert_num_queries(1):
        months = selectors.statement_months(consultant=history, **period)
    lines = PaymentLine.objects.filter(consultant=history)
    assert sum(month.lines for month in months) == lines.count()
    assert (
        sum((month.amount for month in months), Decimal(0)) == lines.aggregate(t=Sum("amount"))["t"]
    )
    unpaid = lines.exclude(payment__status="paid").aggregate(t=Sum("amount"))["t"]
    assert sum((month.unpaid for month in months), Decimal(0)) == unpaid
    # Many more lines, still one query and one row a month.
    for _ in range(20):
        services.adjustment_add(consultant=history, by=finance_user, amount="1.00", reason="x")
    with django_assert_num_queries(1):
        more = selectors.statement_months(consultant=history, **period)
    assert len(more) == len({month.month for month in more}) <= 3
    assert sum(month.lines for month in more) == lines.count()
