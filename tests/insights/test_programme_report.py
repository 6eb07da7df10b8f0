"""The programme report: rendered through the real report path for the demo
year, read back with pypdf; its figures match the database and no demo
consultant's legal name appears."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import reset_queries
from django.db.models import Count, Sum

from compensation.models import Decision, Payment, PaymentLine, TimeEntry
from compensation.selectors import manila_today
from consultants.models import ConsentScope, Consultant
from consultants.selectors import consultants_with_consent
from engagements.models import Engagement, EngagementType, Feedback, Participation
from insights.selectors import COUNTED_STATUSES, period_bounds
from tests.insights.conftest import render

pytestmark = [pytest.mark.django_db, pytest.mark.pdf]


def _demo_year():
    today = manila_today()
    return today - datetime.timedelta(days=300), today + datetime.timedelta(days=65)


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    # DEBUG keeps the last 9,000 queries: a full log would hide new ones
    # from django_assert_num_queries (it counts the log's growth).
    reset_queries()


def _figure(text: str, label: str) -> str:
    # Money reads "₱1,234.50" or "-₱1,500.00" (core.templatetags.money.peso).
    match = re.search(rf"{label}\s*(-?)(?:PHP |₱)?([\d.,-]+)", text, re.IGNORECASE)
    assert match, f"{label} not in the report"
    return (match.group(1) + match.group(2)).replace(",", "")


def _legal_names() -> list[str]:
    from consultants import demo as consultants_demo

    stored = [consultant.legal_name for consultant in Consultant.objects.all()]
    seeded = [demo.legal_name for demo in consultants_demo.DEMO_CONSULTANTS]
    names = {name for name in stored + seeded if name}
    assert len(names) >= 10
    return sorted(names)


def test_demo_year_renders_and_matches_the_database(demo, manager_user):
    date_from, date_to = _demo_year()
    start, end = period_bounds(date_from, date_to)
    _, text = render(
        kind="programme_report",
        user=manager_user,
        params={"date_from": date_from.isoformat(), "date_to": date_to.isoformat()},
        artifact="insights-programme-report.pdf",
    )
    engagements = Engagement.objects.filter(
        start__gte=start, start__lt=end, status__in=COUNTED_STATUSES
    )
    engaged = Participation.objects.filter(
        engagement__in=engagements, status__in=Participation.BOOKED
    )
    hours = TimeEntry.objects.filter(
        status=Decision.APPROVED, date__gte=date_from, date__lte=date_to
    ).aggregate(t=Sum("hours"))["t"]
    lines = PaymentLine.objects.filter(payable_since__gte=date_from, payable_since__lte=date_to)
    earned = lines.aggregate(t=Sum("amount"))["t"]
    paid = Payment.objects.filter(status="paid", paid_at__gte=start, paid_at__lt=end)
    paid_figures = paid.aggregate(n=Count("id"), t=Sum("total"))
    on_time = paid.filter(on_time=True).count()

    # Something to check: the demo year is not empty.
    assert engagements.count() and engaged.exists() and hours and earned and paid_figures["n"]
    assert int(_figure(text, "Engagements")) == engagements.count()
    consultants = engaged.values("consultant").distinct().count()
    assert int(_figure(text, "Consultants engaged")) == consultants
    # Named only while her consent to be quoted by pseudonym stands.
    quotable = consultants_with_consent(scope=ConsentScope.QUOTING)
    for consultant in engaged.values_list("consultant", flat=True).distinct():
        pseudonym = Consultant.objects.get(pk=consultant).pseudonym
        assert (pseudonym in text) == quotable.filter(pk=consultant).exists(), pseudonym
    assert Decimal(_figure(text, "Total hours")) == hours
    assert Decimal(_figure(text, "Total compensation")) == earned
    for kind, label in PaymentLine.Kind.choices:
        total = lines.filter(kind=kind).aggregate(t=Sum("amount"))["t"]
        if total:
            assert Decimal(_figure(text, f"\\n{label}")) == total, label
    assert Decimal(_figure(text, "Total paid")) == paid_figures["t"]
    assert f"Payments made: {paid_figures['n']}. Paid on time: {on_time}" in text
    for kind, label in EngagementType.choices:
        count = engagements.filter(type=kind).count()
        if count:
            assert int(_figure(text, f"\\n{label}")) == count, label
    feedback = Feedback.objects.filter(participation__engagement__in=engagements)
    assert f"Average of {feedback.count()} answer" in text
    safe = feedback.aggregate(t=Sum("felt_safe"))["t"] / feedback.count()
    assert Decimal(_figure(text, "I felt safe")) == Decimal(safe).quantize(Decimal("0.1"))

    # Never a legal name, an e-mail address or another encrypted value.
    for name in _legal_names():
        assert name not in text
        assert name.lower() not in text.lower()
    assert "@" not in text


def test_a_quote_needs_the_consent_to_be_quoted_standing_today(demo, manager_user):
    from consultants import services as consultant_services

    date_from, date_to = _demo_year()
    params = {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()}
    quoted = Feedback.objects.filter(anonymous=False).exclude(comments="")
    anonymous = Feedback.objects.filter(anonymous=True).select_related("participation__consultant")
    _, text = render(kind="programme_report", user=manager_user, params=params)
    assert "In their words" in text
    writer = quoted.first().participation.consultant
    assert f"— {writer.pseudonym}" in text
    for item in anonymous:
        assert f"— {item.participation.consultant.pseudonym}" not in text

    consultant_services.consent_withdraw(consultant=writer, scope="quoting", by=manager_user)
    _, text = render(kind="programme_report", user=manager_user, params=params)
    assert f"— {writer.pseudonym}" not in text
    assert quoted.first().comments not in text


def test_an_empty_period_says_so_clearly(manager_user):
    _, text = render(
        kind="programme_report",
        user=manager_user,
        params={"date_from": "2001-01-01", "date_to": "2001-12-31"},
        artifact="insights-programme-report-empty.pdf",
    )
    assert "Nothing in this period" in text
    assert "Period: 1 January 2001 to 31 December 2001" in text


def test_compliance_is_gathered_in_two_queries_and_sums_the_rows_it_replaced(
    demo, manager_user, django_assert_num_queries
):
    """The report's compliance figures were once every visible checklist's
    row, filtered in Python; the checklists' tallies and the open items
    past due now give the same sums."""
    from django.utils import timezone

    from checklists import selectors as checklist_selectors
    from engagements import selectors as engagement_selectors

    date_from, date_to = _demo_year()
    start, end = period_bounds(date_from, date_to)
    now = timezone.now()
    counted = engagement_selectors.engagements_counted(start=start, end=end)
    ids = set(counted.values_list("pk", flat=True))
    overview = checklist_selectors.compliance_overview(user=manager_user, since=start, now=now)
    rows = [row for row in overview.rows if row.engagement.pk in ids]
    # The roles are known by now: the tallies' sum and the open items past due.
    with django_assert_num_queries(2):
        totals = checklist_selectors.compliance_totals(
            user=manager_user, engagements=counted, since=start, now=now
        )
    assert sum(row.counted for row in rows) > 0
    assert (totals.counted, totals.on_time, totals.open_overdue) == (
        sum(row.counted for row in rows),
        sum(row.on_time for row in rows),
        sum(row.open_overdue for row in rows),
    )
    assert totals.percent == checklist_selectors.Compliance(rows).percent
