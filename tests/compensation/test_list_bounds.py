"""Every compensation list pages, and grows with neither the data nor its
annotations: the finance queue (grouped by consultant, totals from SQL),
the payments list (line counts and sums for the page's rows only), the
approvals page (two lists, each paged; receipt counts for the page's rows)
and the search of where to record on a consultant's behalf. Seeded a
little, then a lot, then more: the same number of queries each time, and
the page's HTML the same size once a page is full."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from compensation.models import ExpenseClaim, Payment, PaymentLine, TimeEntry
from compensation.views.staff import PER_PAGE
from consultants.models import Consultant
from engagements.models import Participation
from tests.consultants.factories import ConsultantFactory
from tests.engagements.factories import ParticipationFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

SMALL, LARGE, LARGER = 2, 2 * PER_PAGE + 3, 4 * PER_PAGE + 3


class Seed:
    """Adds rows up to a count, ``n`` of each kind at most."""

    def __init__(self, *, participation, owner, finance):
        self.participation = participation
        self.owner = owner
        self.finance = finance
        self.count = 0
        self.day = timezone.localtime(participation.engagement.start).date()

    def to(self, n: int) -> None:
        new = range(self.count, n)
        consultants = [ConsultantFactory(pseudonym=f"C{i:05d}") for i in new]
        today = datetime.date.today()
        PaymentLine.objects.bulk_create(
            PaymentLine(
                consultant=consultant,
                kind="adjustment",
                description="Adjustment",
                reason="Owed",
                amount=Decimal("100.00"),
                payable_since=today,
                due_on=today,
                created_by=self.finance,
            )
            for consultant in consultants
        )
        payments = Payment.objects.bulk_create(
            Payment(consultant=consultant, created_by=self.finance) for consultant in consultants
        )
        PaymentLine.objects.bulk_create(
            PaymentLine(
                consultant_id=payment.consultant_id,
                payment=payment,
                kind="adjustment",
                description="Adjustment",
                reason="Owed",
                amount=Decimal("200.00"),
                payable_since=today,
                due_on=today,
                created_by=self.finance,
            )
            for payment in payments
        )
        participation = self.participation
        for consultant in consultants:
            ParticipationFactory(
                engagement=participation.engagement,
                consultant=consultant,
                status=Participation.Status.ATTENDED,
                role="participant",
            )
        TimeEntry.objects.bulk_create(
            TimeEntry(
                participation=participation,
                consultant_id=participation.consultant_id,
                kind="preparation",
                date=self.day - datetime.timedelta(days=i),
                hours=Decimal("1.00"),
                entered_by=self.owner,
            )
            for i in new
        )
        ExpenseClaim.objects.bulk_create(
            ExpenseClaim(
                participation=participation,
                consultant_id=participation.consultant_id,
                category="meal",
                description="Lunch",
                amount=Decimal("100.00"),
                incurred_on=self.day,
                submitted_by=participation.consultant.user,
            )
            for _ in new
        )
        self.count = n


def _measure(client, url: str) -> tuple[int, int]:
    client.get(url)  # the session and the caches, once
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries), len(response.content)


@pytest.fixture
def seed(participation, owner, finance_user):
    return Seed(participation=participation, owner=owner, finance=finance_user)


def test_lists_are_bounded(seed, finance_user, manager_user, owner):
    pages = {
        "queue": (finance_user, reverse("compensation:queue")),
        "payments": (finance_user, reverse("compensation:payments")),
        "payments, drafts": (finance_user, reverse("compensation:payments") + "?status=draft"),
        "approvals": (manager_user, reverse("compensation:approvals")),
        "record": (owner, reverse("compensation:record")),
        "record, a search": (owner, reverse("compensation:record") + "?q=C0"),
    }
    clients = {user.pk: client_for(user) for user, _url in pages.values()}
    measured: dict[str, list[tuple[int, int]]] = {name: [] for name in pages}
    for n in (SMALL, LARGE, LARGER):
        seed.to(n)
        for name, (user, url) in pages.items():
            measured[name].append(_measure(clients[user.pk], url))
    assert Consultant.objects.count() > LARGER
    for name, ((q_small, _), (q_large, size_large), (q_larger, size_larger)) in measured.items():
        assert q_small == q_large == q_larger, (name, measured[name])
        # A full page is a full page: a few bytes for the page numbers and totals.
        assert abs(size_larger - size_large) < 400, (name, measured[name])


def test_a_page_holds_one_page_of_rows(seed, finance_user):
    seed.to(LARGE)
    client = client_for(finance_user)
    page = client.get(reverse("compensation:queue")).content.decode()
    assert page.count('<th scope="row">C') == PER_PAGE
    assert f"Page 1 of {-(-LARGE // PER_PAGE)}" in page
    page = client.get(reverse("compensation:queue"), {"page": "3"}).content.decode()
    assert page.count('<th scope="row">C') == LARGE - 2 * PER_PAGE
    # Hostile page numbers land on a real page.
    for hostile in ("-1", "abc", "99999999999999999999", "1;DROP"):
        assert client.get(reverse("compensation:queue"), {"page": hostile}).status_code == 200
