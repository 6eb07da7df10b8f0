"""The seams of compensation: one package of services with the same public
names, one decided base for time entries and claims (one way to reject),
records that may not change refused with core's one exception, and the
aggregates ``insights`` reads through compensation's selectors."""

import datetime
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from compensation import selectors, services
from compensation.models import (
    AgreementAllowance,
    DecidedRecord,
    ExpenseClaim,
    PaymentLine,
    TimeEntry,
)
from core.records import AppendOnlyModel, RecordIsImmutable
from tests.helpers import approved_time

pytestmark = pytest.mark.django_db


def test_every_public_name_is_importable_from_the_package():
    for name in services.__all__:
        assert getattr(services, name) is not None, name
    for name in ("receipt_download_name", "participation_changed", "parse_amount"):
        assert name in services.__all__


def test_time_entries_and_claims_share_the_decided_base():
    assert issubclass(TimeEntry, DecidedRecord)
    assert issubclass(ExpenseClaim, DecidedRecord)
    assert DecidedRecord._meta.abstract
    for model in (TimeEntry, ExpenseClaim):
        names = {field.name for field in model._meta.fields}
        assert {"status", "decided_by", "decided_at", "rejection_reason"} <= names


def test_agreement_allowances_are_append_only(agreement):
    allowance = AgreementAllowance.objects.filter(agreement=agreement).first()
    assert allowance is not None
    assert isinstance(allowance, AppendOnlyModel)
    allowance.amount = D("1.00")
    with pytest.raises(RecordIsImmutable) as caught:
        allowance.save()
    assert "propose a new version" in caught.value.messages[0]
    with pytest.raises(RecordIsImmutable):
        allowance.delete()


def _entry(agreement, owner):
    return services.time_entry_add(
        participation=agreement.participation,
        by=owner,
        on_behalf=True,
        kind="engagement",
        date=timezone.localdate() - datetime.timedelta(days=10),
        hours="2",
    )


def _claim(agreement, consultant_user):
    return services.claim_submit(
        participation=agreement.participation,
        by=consultant_user,
        category="transport",
        description="Jeepney",
        amount="40",
        incurred_on=timezone.localdate() - datetime.timedelta(days=10),
    )


def test_one_reject_for_entries_and_claims(agreement, owner, manager_user, consultant_user):
    entry = services.time_entry_reject(
        entry=_entry(agreement, owner), by=manager_user, reason="  Wrong day  "
    )
    claim = services.claim_reject(
        claim=_claim(agreement, consultant_user), by=manager_user, reason="  No receipt  "
    )
    for record, message in (
        (entry, "This entry is already decided."),
        (claim, "This claim is already decided."),
    ):
        record.refresh_from_db()
        assert record.status == "rejected"
        assert record.decided_by == manager_user
        assert record.decided_at is not None
        assert record.rejection_reason in ("Wrong day", "No receipt")
        assert not PaymentLine.objects.filter(time_entry=entry).exists()
        reject = (
            services.time_entry_reject if isinstance(record, TimeEntry) else services.claim_reject
        )
        key = "entry" if isinstance(record, TimeEntry) else "claim"
        with pytest.raises(ValidationError) as caught:
            reject(**{key: record}, by=manager_user, reason="again")
        assert caught.value.messages == [message]


def test_reject_asks_the_reason_first_then_who_may_decide(agreement, owner, consultant_user):
    entry = _entry(agreement, owner)
    with pytest.raises(ValidationError) as caught:
        services.time_entry_reject(entry=entry, by=owner, reason=" ")
    assert caught.value.error_dict["reason"][0].code == "reason_required"
    # Whoever entered it never decides it.
    with pytest.raises(PermissionDenied):
        services.time_entry_reject(entry=entry, by=owner, reason="no")
    claim = _claim(agreement, consultant_user)
    with pytest.raises(PermissionDenied):
        services.claim_reject(claim=claim, by=consultant_user, reason="no")


def test_a_decided_claim_is_immutable(agreement, manager_user, consultant_user):
    claim = services.claim_reject(
        claim=_claim(agreement, consultant_user), by=manager_user, reason="No"
    )
    claim.amount = D("41")
    with pytest.raises(RecordIsImmutable) as caught:
        claim.save()
    assert caught.value.messages == ["A decided claim is never changed."]


def test_the_aggregates_insights_reads(agreement, owner, manager_user, django_assert_num_queries):
    today = timezone.localdate()
    approved_time(agreement.participation, by=owner, approver=manager_user, hours="2.50")
    approved_time(
        agreement.participation, by=owner, approver=manager_user, hours="1.25", kind="travel"
    )
    _entry(agreement, owner)  # waiting: not counted
    period = {"date_from": today - datetime.timedelta(days=400), "date_to": today}
    with django_assert_num_queries(1):  # the total is the sum of the kinds' sums
        hours = selectors.approved_hours(**period)
    assert hours.by_kind == {"engagement": D("2.50"), "travel": D("1.25")}
    assert hours.total == D("3.75")
    with django_assert_num_queries(1):
        earned = selectors.earned(**period)
    lines = PaymentLine.objects.filter(
        payable_since__gte=period["date_from"], payable_since__lte=period["date_to"]
    )
    assert earned.total == sum((line.amount for line in lines), D("0.00"))
    assert set(earned.by_kind) == set(PaymentLine.Kind.values)
    assert sum(earned.by_kind.values(), D("0.00")) == earned.total
    empty = {"date_from": datetime.date(2000, 1, 1), "date_to": datetime.date(2000, 1, 31)}
    assert selectors.approved_hours(**empty).by_kind == {}
    assert selectors.approved_hours(**empty).total == D("0.00")
    assert selectors.approved_hours(**empty).total.as_tuple().exponent == -2
    assert selectors.earned(**empty).total == D("0.00")
    assert selectors.earned(**empty).total.as_tuple().exponent == -2
