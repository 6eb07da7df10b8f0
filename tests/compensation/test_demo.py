import pytest
from django.core.management import call_command

from accounts import demo as accounts_demo
from compensation import demo, selectors
from compensation.models import (
    Agreement,
    ExpenseClaim,
    Payment,
    PaymentLine,
    PaymentMethod,
    RateCard,
    Receipt,
    TimeEntry,
)
from consultants import demo as consultants_demo
from engagements import demo as engagements_demo

pytestmark = pytest.mark.django_db

TABLES = [
    RateCard,
    Agreement,
    TimeEntry,
    ExpenseClaim,
    Receipt,
    PaymentMethod,
    Payment,
    PaymentLine,
]


@pytest.fixture(autouse=True)
def _without_other_apps_guards(monkeypatch):
    """The demo engagements walk the workflow; other apps' guards (checklist
    gates) have their own demo data and tests. Only the core rules here."""
    from engagements import workflow

    monkeypatch.setattr(workflow, "_guards", {name: {} for name in workflow.TRANSITIONS})


def _counts():
    return {model.__name__: model.objects.count() for model in TABLES}


def test_demo_has_paid_pending_and_overdue_cases_and_adds_nothing_the_second_time():
    accounts_demo.seed()
    consultants_demo.seed()
    engagements_demo.seed()
    created = demo.seed()
    assert created
    first = _counts()

    assert demo.seed() == []
    assert _counts() == first

    paid = Payment.objects.filter(status="paid")
    assert paid.filter(on_time=True).exists()
    assert paid.filter(on_time=False).exists()
    assert Payment.objects.filter(status="approved").exists()
    assert selectors.overdue_lines().exists()
    assert selectors.finance_queue().exists()
    assert PaymentLine.objects.filter(kind="advance_recovery").exists()
    assert ExpenseClaim.objects.filter(status="submitted", receipts__isnull=False).exists()
    assert Agreement.objects.filter(acknowledged_at__isnull=True).exists()  # Amihan's invitation
    for payment in Payment.objects.exclude(status="draft"):
        assert payment.total == selectors.payment_lines_total(payment)


def test_demo_needs_the_engagements_first():
    with pytest.raises(RuntimeError):
        demo.seed()


def test_seed_demo_runs_compensation_after_engagements(settings):
    from core.management.commands.seed_demo import DEMO_APPS

    assert DEMO_APPS.index("compensation") > DEMO_APPS.index("engagements")
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    assert Payment.objects.exists()
