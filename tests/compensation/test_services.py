"""The business rules of compensation, through the services: agreements,
time, claims, payments, adjustments, advances, cancellation and the bad
input the issue lists. Each refusal leaves nothing changed."""

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from accounts.roles import Role
from compensation import access, selectors, services
from compensation.models import (
    Agreement,
    ExpenseClaim,
    Payment,
    PaymentLine,
    TimeEntry,
)
from core.records import RecordIsImmutable
from engagements.models import Participation
from tests.compensation.factories import EXE, JPEG, PDF, PaymentMethodFactory, upload
from tests.engagements.factories import ParticipationFactory
from tests.helpers import approved_time, past_engagement

pytestmark = pytest.mark.django_db
P = Participation.Status
D = Decimal


def _codes(error: ValidationError) -> set[str]:
    if hasattr(error, "error_dict"):
        return {e.code for errors in error.error_dict.values() for e in errors}
    return {e.code for e in error.error_list}


# --- Rates --------------------------------------------------------------------------


def test_rate_lookup_by_date_and_a_new_rate_closes_the_old_one(finance_user):
    # Both made before either applies: a change never rewrites a day already
    # past (tests/compensation/test_desk_services.py).
    before = datetime.datetime(2024, 12, 1, tzinfo=datetime.UTC)
    first = services.rate_card_create(
        now=before,
        engagement_type="training",
        role="adviser",
        unit="hour",
        amount="450.00",
        effective_from=datetime.date(2025, 1, 1),
        by=finance_user,
    )
    second = services.rate_card_create(
        engagement_type="training",
        role="adviser",
        unit="hour",
        amount="500.00",
        effective_from=datetime.date(2026, 1, 1),
        by=finance_user,
        now=before,
    )
    first.refresh_from_db()
    assert first.effective_to == datetime.date(2025, 12, 31)
    lookup = services.rate_lookup
    assert lookup(engagement_type="training", role="adviser", on=datetime.date(2025, 6, 1)) == first
    assert (
        lookup(engagement_type="training", role="adviser", on=datetime.date(2026, 1, 1)) == second
    )
    assert lookup(engagement_type="training", role="adviser", on=datetime.date(2024, 1, 1)) is None


def test_overlapping_rates_are_refused(finance_user):
    kwargs = dict(engagement_type="training", role="adviser", unit="hour", by=finance_user)
    services.rate_card_create(
        amount="450",
        effective_from=datetime.date(2025, 1, 1),
        effective_to=datetime.date(2025, 12, 31),
        **kwargs,
    )
    with pytest.raises(ValidationError):
        services.rate_card_create(
            amount="500",
            effective_from=datetime.date(2025, 6, 1),
            effective_to=datetime.date(2025, 7, 1),
            **kwargs,
        )


@pytest.mark.parametrize("amount", ["12.345", "-1", "0", "abc", "NaN", "1e12"])
def test_bad_rate_amounts_are_refused(finance_user, amount):
    with pytest.raises(ValidationError):
        services.rate_card_create(
            engagement_type="training",
            role="adviser",
            unit="hour",
            amount=amount,
            effective_from=datetime.date(2025, 1, 1),
            by=finance_user,
        )


def test_only_finance_managers_and_admins_set_rates(programme_staff_user, consultant_user):
    for user in (programme_staff_user, consultant_user):
        with pytest.raises(PermissionDenied):
            services.rate_card_create(
                engagement_type="training",
                role="adviser",
                unit="hour",
                amount="1",
                effective_from=datetime.date(2025, 1, 1),
                by=user,
            )


# --- Agreements ----------------------------------------------------------------------


def test_proposal_takes_the_rate_card_and_allowances(participation, owner, rates, policies):
    agreement = services.agreement_propose(participation=participation, by=owner)
    assert agreement.version == 1
    assert agreement.rate_card == rates["hour"]
    assert (agreement.rate_unit, agreement.rate_amount) == ("hour", D("500.00"))
    assert agreement.estimated_engagement_hours == D("3.00")
    # Online engagement: no transport or lodging.
    assert {a.kind for a in agreement.allowances.all()} == {"meal", "communication"}
    assert agreement.cancellation_minimum == D("1500.00")
    assert not agreement.is_acknowledged


def test_no_rate_card_and_no_rate_is_refused(participation, owner):
    with pytest.raises(ValidationError) as caught:
        services.agreement_propose(participation=participation, by=owner)
    assert "no_rate" in _codes(caught.value)


def test_accepting_the_invitation_acknowledges_the_agreement(
    own_consultant, owner, consultant_user, rates, policies
):
    from engagements import services as engagement_services
    from engagements.models import Engagement
    from tests.engagements.factories import EngagementFactory

    engagement = EngagementFactory(owner=owner, status=Engagement.Status.STAFFING)
    participation = ParticipationFactory(engagement=engagement, consultant=own_consultant)
    agreement = services.agreement_propose(participation=participation, by=owner)
    engagement_services.participation_accept(participation=participation, by=consultant_user)
    agreement.refresh_from_db()
    assert agreement.acknowledged_by == consultant_user
    # In-advance allowances are now payable, due before the event.
    lines = PaymentLine.objects.filter(participation=participation)
    assert {line.allowance_kind for line in lines} == {"meal", "communication"}
    assert all(line.due_on < engagement.start.date() for line in lines)


def test_a_change_after_acceptance_needs_the_consultants_acknowledgement(
    agreement, owner, consultant_user, other_consultant, make_user
):
    with pytest.raises(ValidationError):
        services.agreement_change(agreement=agreement, by=owner, change_note="", terms={})
    changed = services.agreement_change(
        agreement=agreement,
        by=owner,
        change_note="More preparation",
        terms={"estimated_preparation_hours": D("4.00")},
    )
    assert changed.version == 2 and not changed.is_acknowledged
    participation = agreement.participation
    assert selectors.agreement_in_force(participation) == agreement
    assert selectors.agreement_awaiting_acknowledgement(participation) == changed
    # Someone else's consultant cannot acknowledge it; nor can the old version be.
    with pytest.raises(PermissionDenied):
        services.agreement_acknowledge(agreement=changed, by=other_consultant.user)
    with pytest.raises(ValidationError):
        services.agreement_acknowledge(agreement=agreement, by=consultant_user)
    services.agreement_acknowledge(agreement=changed, by=consultant_user)
    assert selectors.agreement_in_force(participation) == changed
    assert selectors.agreement_awaiting_acknowledgement(participation) is None


def test_an_agreement_version_is_never_edited(agreement):
    agreement.rate_amount = D("1.00")
    with pytest.raises(RecordIsImmutable):
        agreement.save()
    with pytest.raises(RecordIsImmutable):
        agreement.delete()


def test_a_changed_paid_allowance_becomes_an_adjustment(
    agreement, owner, finance_user, consultant_user, finance_colleague
):
    participation = agreement.participation
    meal = PaymentLine.objects.get(participation=participation, allowance_kind="meal")
    payment = services.payment_group(
        consultant=participation.consultant, by=finance_user, lines=[meal]
    )
    services.payment_approve(payment=payment, by=finance_colleague)
    services.payment_mark_paid(payment=payment, by=finance_user, method="cash")
    changed = services.agreement_change(
        agreement=agreement,
        by=owner,
        change_note="Dinner too",
        allowances=[
            {"kind": "meal", "amount": "500.00"},
            {"kind": "communication", "amount": "300"},
        ],
    )
    services.agreement_acknowledge(agreement=changed, by=consultant_user)
    adjustment = PaymentLine.objects.get(participation=participation, kind="adjustment")
    assert adjustment.amount == D("150.00") and adjustment.corrects == meal
    meal.refresh_from_db()
    assert meal.amount == D("350.00")


# --- Time entries --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "code"),
    [
        ("-1", "not_positive"),
        ("0", "not_positive"),
        ("24.01", "too_many_hours"),
        ("100", "too_many_hours"),
        ("1.005", "too_many_decimals"),
        ("two", "not_a_number"),
        ("Infinity", "not_a_number"),
    ],
)
def test_bad_hours_are_refused(agreement, consultant_user, hours, code):
    with pytest.raises(ValidationError) as caught:
        services.time_entry_add(
            participation=agreement.participation,
            by=consultant_user,
            kind="preparation",
            date=timezone.localdate() - datetime.timedelta(days=11),
            hours=hours,
        )
    assert code in _codes(caught.value)
    assert not TimeEntry.objects.exists()


def test_a_day_has_at_most_24_hours_over_every_engagement(
    agreement, consultant_user, owner, own_consultant
):
    day = timezone.localdate() - datetime.timedelta(days=10)
    services.time_entry_add(
        participation=agreement.participation,
        by=consultant_user,
        kind="engagement",
        date=day,
        hours="20",
    )
    # Another engagement the same day (stepped back from it after some work).
    other = ParticipationFactory(
        engagement=past_engagement(owner, days_ago=10),
        consultant=own_consultant,
        status=P.WITHDRAWN,
    )
    with pytest.raises(ValidationError) as caught:
        services.time_entry_add(
            participation=other, by=consultant_user, kind="travel", date=day, hours="4.5"
        )
    assert "day_over_24" in _codes(caught.value)
    services.time_entry_add(
        participation=other, by=consultant_user, kind="travel", date=day, hours="4"
    )
    assert selectors.day_total(own_consultant, day) == D("24.00")


def test_no_time_for_a_day_to_come_or_an_invitation_not_accepted(
    agreement, consultant_user, owner, own_consultant
):
    with pytest.raises(ValidationError) as caught:
        services.time_entry_add(
            participation=agreement.participation,
            by=consultant_user,
            kind="preparation",
            date=timezone.localdate() + datetime.timedelta(days=1),
            hours="1",
        )
    assert "future" in _codes(caught.value)
    invited = ParticipationFactory(engagement=past_engagement(owner), consultant=own_consultant)
    with pytest.raises(ValidationError):
        services.time_entry_add(
            participation=invited,
            by=consultant_user,
            kind="preparation",
            date=timezone.localdate(),
            hours="1",
        )


def test_approval_makes_a_line_at_the_agreed_rate(agreement, owner, manager_user):
    entry = approved_time(agreement.participation, by=owner, approver=manager_user, hours="2.25")
    line = entry.line
    assert line.amount == D("1125.00")
    # Payable from the later of the engagement's end and the day it was entered.
    assert line.payable_since == selectors.manila_today()
    assert line.due_on == line.payable_since + datetime.timedelta(days=7)


def test_nobody_approves_their_own_time(agreement, owner, consultant_user):
    entry = services.time_entry_add(
        participation=agreement.participation,
        by=owner,
        on_behalf=True,
        kind="engagement",
        date=timezone.localdate() - datetime.timedelta(days=10),
        hours="2",
    )
    with pytest.raises(PermissionDenied):
        services.time_entry_approve(entry=entry, by=owner)
    with pytest.raises(PermissionDenied):
        services.time_entry_approve(entry=entry, by=consultant_user)
    entry.refresh_from_db()
    assert entry.status == "submitted" and not PaymentLine.objects.filter(kind="time").exists()


def test_a_decided_entry_is_final(agreement, owner, manager_user):
    entry = approved_time(agreement.participation, by=owner, approver=manager_user)
    with pytest.raises(ValidationError):
        services.time_entry_reject(entry=entry, by=manager_user, reason="no")
    entry.hours = D("9")
    with pytest.raises(RecordIsImmutable):
        entry.save()


def test_rejection_needs_a_reason(agreement, owner, manager_user):
    entry = services.time_entry_add(
        participation=agreement.participation,
        by=owner,
        on_behalf=True,
        kind="engagement",
        date=timezone.localdate() - datetime.timedelta(days=10),
        hours="2",
    )
    with pytest.raises(ValidationError):
        services.time_entry_reject(entry=entry, by=manager_user, reason=" ")
    services.time_entry_reject(entry=entry, by=manager_user, reason="Wrong day")
    assert TimeEntry.objects.get().status == "rejected"


# --- Claims and receipts --------------------------------------------------------------


def _claim(participation, by, **kwargs):
    values = dict(
        category="transport",
        description="Bus",
        amount="250.00",
        incurred_on=timezone.localtime(participation.engagement.start).date(),
    )
    values.update(kwargs)
    return services.claim_submit(participation=participation, by=by, **values)


def test_a_claim_without_a_required_receipt_is_refused(agreement, consultant_user):
    with pytest.raises(ValidationError) as caught:
        _claim(agreement.participation, consultant_user, category="lodging", amount="1800")
    assert "receipt_required" in _codes(caught.value)
    with pytest.raises(ValidationError):
        _claim(agreement.participation, consultant_user, category="other", amount="10")
    assert not ExpenseClaim.objects.exists()
    # Transport has no threshold: a jeepney fare has no receipt.
    assert _claim(agreement.participation, consultant_user).receipts.count() == 0


def test_an_executable_renamed_jpg_is_refused(agreement, consultant_user):
    with pytest.raises(ValidationError) as caught:
        _claim(
            agreement.participation,
            consultant_user,
            category="lodging",
            amount="1800",
            receipts=[upload(EXE, "receipt.jpg")],
        )
    assert "receipt_wrong_type" in _codes(caught.value)
    assert not ExpenseClaim.objects.exists()


def test_an_oversized_or_empty_receipt_is_refused(agreement, consultant_user):
    for content, code in [
        (JPEG + b"\x00" * (5 * 1024 * 1024), "receipt_too_large"),
        (b"", "receipt_empty"),
    ]:
        with pytest.raises(ValidationError) as caught:
            claim = _claim(agreement.participation, consultant_user)
            services.receipt_add(claim=claim, by=consultant_user, file=upload(content, "r.jpg"))
        assert code in _codes(caught.value)


def test_a_receipt_is_stored_privately_under_a_discreet_name(agreement, consultant_user):
    claim = _claim(
        agreement.participation,
        consultant_user,
        category="lodging",
        amount="1800",
        receipts=[upload(JPEG, "Maria Santos hotel.jpg")],
    )
    receipt = claim.receipts.get()
    assert receipt.kind == "jpg"
    assert receipt.file.name.startswith("receipts/") and "Maria" not in receipt.file.name
    assert services.receipt_download_name(receipt) == f"tinig-receipt-{receipt.pk}.jpg"


def test_claim_approval_makes_a_line_and_staff_never_approve_their_own(
    agreement, owner, manager_user, consultant_user
):
    mine = _claim(agreement.participation, owner, on_behalf=True)
    with pytest.raises(PermissionDenied):
        services.claim_approve(claim=mine, by=owner)
    with pytest.raises(PermissionDenied):
        services.claim_approve(claim=mine, by=consultant_user)
    services.claim_approve(claim=mine, by=manager_user)
    assert PaymentLine.objects.get(expense_claim=mine).amount == D("250.00")
    with pytest.raises(ValidationError):
        services.claim_approve(claim=mine, by=manager_user)  # approving twice


def test_receipts_open_for_the_owner_and_staff_with_a_reason_never_for_another(
    agreement, consultant_user, other_consultant, finance_user, owner, wellbeing_user
):
    claim = _claim(
        agreement.participation,
        consultant_user,
        category="lodging",
        amount="1800",
        receipts=[upload(PDF)],
    )
    receipt = claim.receipts.get()
    assert services.receipt_open(receipt=receipt, user=consultant_user).read() == PDF
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()
    for outsider in (other_consultant.user, wellbeing_user):
        with pytest.raises(Http404):
            access.receipt_for_user(outsider, receipt.pk)
        with pytest.raises(PermissionDenied):
            services.receipt_open(receipt=receipt, user=outsider, reason="curious")
    with pytest.raises(ValidationError):
        services.receipt_open(receipt=receipt, user=finance_user)
    assert (
        services.receipt_open(
            receipt=receipt, user=finance_user, reason="Checking the claim"
        ).read()
        == PDF
    )
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert entry.actor == finance_user and entry.additional_data["reason"] == "Checking the claim"
    assert access.receipt_for_user(owner, receipt.pk) == receipt


def test_receipts_live_in_object_storage_when_configured(
    private_bucket, agreement, consultant_user, finance_user
):
    claim = _claim(
        agreement.participation,
        consultant_user,
        category="lodging",
        amount="1800",
        receipts=[upload(JPEG, "Maria Santos hotel.jpg")],
    )
    receipt = claim.receipts.get()

    assert list(private_bucket.objects()) == [receipt.file.name]
    raw = private_bucket.raw(receipt.file.name)
    assert raw.startswith(b"TINIGENC1\n") and JPEG[:3] not in raw
    assert services.receipt_open(receipt=receipt, user=consultant_user).read() == JPEG
    opened = services.receipt_open(receipt=receipt, user=finance_user, reason="Checking the claim")
    assert opened.read() == JPEG


# --- Payments --------------------------------------------------------------------------


@pytest.fixture
def owed(agreement, owner, manager_user):
    """Approved time (2 h = 1,000.00) plus the allowances (650.00)."""
    approved_time(agreement.participation, by=owner, approver=manager_user)
    return agreement.participation.consultant


def test_group_approve_and_pay(owed, finance_user, finance_colleague):
    payment = services.payment_group(consultant=owed, by=finance_user)
    assert payment.lines.count() == 3
    payment = services.payment_approve(payment=payment, by=finance_colleague)
    assert payment.total == D("1650.00") == selectors.payment_lines_total(payment)
    paid = services.payment_mark_paid(
        payment=payment, by=finance_user, method="bank", reference="TX-1"
    )
    assert paid.is_paid and paid.days_to_pay is not None and paid.on_time is not None
    assert not selectors.finance_queue().exists()
    # Nothing left: grouping again is refused.
    with pytest.raises(services.NothingToPay):
        services.payment_group(consultant=owed, by=finance_user)


def test_marking_paid_is_idempotent_and_paying_twice_is_refused(
    owed, finance_user, finance_colleague
):
    payment = services.payment_approve(
        payment=services.payment_group(consultant=owed, by=finance_user), by=finance_colleague
    )
    first = services.payment_mark_paid(
        payment=payment, by=finance_user, method="bank", reference="TX-1"
    )
    again = services.payment_mark_paid(
        payment=payment, by=finance_user, method="bank", reference="TX-1"
    )
    assert again.paid_at == first.paid_at
    with pytest.raises(services.PaymentAlreadyPaid):
        services.payment_mark_paid(
            payment=payment, by=finance_user, method="bank", reference="TX-2"
        )


def test_a_paid_payment_and_its_lines_are_immutable(owed, finance_user, finance_colleague):
    payment = services.payment_approve(
        payment=services.payment_group(consultant=owed, by=finance_user), by=finance_colleague
    )
    services.payment_mark_paid(payment=payment, by=finance_user, method="cash")
    line = payment.lines.first()
    line.amount = D("1.00")
    with pytest.raises(RecordIsImmutable):
        line.save()
    with pytest.raises(RecordIsImmutable):
        line.delete()
    payment.refresh_from_db()
    payment.reference = "changed"
    with pytest.raises(RecordIsImmutable):
        payment.save()
    with pytest.raises(ValidationError):
        services.payment_return_to_draft(payment=payment, by=finance_user)


def test_paying_needs_approval_a_method_and_a_reference(owed, finance_user, finance_colleague):
    payment = services.payment_group(consultant=owed, by=finance_user)
    with pytest.raises(ValidationError):
        services.payment_mark_paid(payment=payment, by=finance_user, method="cash")
    services.payment_approve(payment=payment, by=finance_colleague)
    with pytest.raises(ValidationError):
        services.payment_mark_paid(payment=payment, by=finance_user, method="bank", reference="")
    with pytest.raises(ValidationError):
        services.payment_mark_paid(payment=payment, by=finance_user, method="barter", reference="x")
    with pytest.raises(ValidationError):
        services.payment_mark_paid(
            payment=payment,
            by=finance_user,
            method="cash",
            paid_at=timezone.now() + datetime.timedelta(days=2),
        )


def test_only_finance_pays(owed, owner, manager_user, consultant_user):
    for user in (owner, manager_user, consultant_user):
        with pytest.raises(PermissionDenied):
            services.payment_group(consultant=owed, by=user)


def test_a_line_in_a_payment_cannot_be_grouped_again(owed, finance_user):
    line = PaymentLine.objects.filter(consultant=owed).first()
    services.payment_group(consultant=owed, by=finance_user, lines=[line])
    with pytest.raises(services.PaymentAlreadyPaid):
        services.payment_group(consultant=owed, by=finance_user, lines=[line])


def test_adjustments_correct_a_paid_line_in_the_next_payment(owed, finance_user, finance_colleague):
    payment = services.payment_approve(
        payment=services.payment_group(consultant=owed, by=finance_user), by=finance_colleague
    )
    services.payment_mark_paid(payment=payment, by=finance_user, method="cash")
    paid_line = payment.lines.get(kind="time")
    with pytest.raises(ValidationError):
        services.adjustment_add(consultant=owed, by=finance_user, amount="10.001", reason="x")
    with pytest.raises(ValidationError):
        services.adjustment_add(consultant=owed, by=finance_user, amount="10", reason="")
    services.adjustment_add(
        consultant=owed, by=finance_user, amount="-100.50", reason="Overpaid", corrects=paid_line
    )
    services.adjustment_add(consultant=owed, by=finance_user, amount="250", reason="Extra hour")
    second = services.payment_approve(
        payment=services.payment_group(consultant=owed, by=finance_user), by=finance_colleague
    )
    assert second.total == D("149.50")


def test_an_advance_is_paid_before_and_netted_against_the_final_payment(
    participation, owner, finance_user, manager_user, rates, policies, finance_colleague
):
    agreement = services.agreement_propose(
        participation=participation, by=owner, terms={"advance_amount": "600.00"}, allowances=[]
    )
    services.agreement_acknowledge(agreement=agreement, by=owner, on_behalf=True)
    consultant = participation.consultant
    advance = PaymentLine.objects.get(kind="advance")
    first = services.payment_group(consultant=consultant, by=finance_user, lines=[advance])
    services.payment_approve(payment=first, by=finance_colleague)
    services.payment_mark_paid(payment=first, by=finance_user, method="cash")
    recovery = PaymentLine.objects.get(kind="advance_recovery")
    assert recovery.amount == D("-600.00") and recovery.recovers == advance
    # Alone it cannot be paid (a negative payment).
    with pytest.raises(ValidationError):
        services.payment_group(consultant=consultant, by=finance_user, lines=[recovery])
    approved_time(participation, by=owner, approver=manager_user, hours="3")
    final = services.payment_approve(
        payment=services.payment_group(consultant=consultant, by=finance_user), by=finance_colleague
    )
    assert final.total == D("900.00")  # 1,500.00 for the time less the 600.00 advance


def test_a_fixed_honorarium_is_paid_on_attendance_and_time_is_not_paid_twice(
    owner, own_consultant, rates, policies, manager_user
):
    from engagements import services as engagement_services
    from engagements.models import Engagement

    engagement = past_engagement(owner, days_ago=0, status=Engagement.Status.CONFIRMED)
    engagement.start = timezone.now() - datetime.timedelta(hours=4)
    engagement.end = timezone.now() - datetime.timedelta(hours=1)
    engagement.save()
    participation = ParticipationFactory(
        engagement=engagement, consultant=own_consultant, role="speaker", status=P.CONFIRMED
    )
    agreement = services.agreement_propose(participation=participation, by=owner, allowances=[])
    services.agreement_acknowledge(agreement=agreement, by=owner, on_behalf=True)
    engagement_services.participation_mark_attendance(
        participation=participation, by=owner, attended=True
    )
    assert PaymentLine.objects.get(kind="fee").amount == D("5000.00")
    entry = approved_time(participation, by=owner, approver=manager_user, hours="3")
    assert not PaymentLine.objects.filter(time_entry=entry).exists()
    # Corrected to "did not attend": the unpaid fee goes.
    engagement_services.participation_mark_attendance(
        participation=participation, by=owner, attended=False
    )
    assert not PaymentLine.objects.filter(kind="fee").exists()


def test_a_late_cancellation_by_the_organisation_pays_the_minimum(
    owner, own_consultant, rates, policies, manager_user
):
    from engagements import workflow
    from engagements.models import Engagement
    from tests.engagements.factories import EngagementFactory

    start = timezone.now() + datetime.timedelta(hours=24)
    engagement = EngagementFactory(
        owner=owner,
        status=Engagement.Status.CONFIRMED,
        start=start,
        end=start + datetime.timedelta(hours=2),
    )
    participation = ParticipationFactory(
        engagement=engagement,
        consultant=own_consultant,
        status=P.CONFIRMED,
        responded_at=timezone.now(),
    )
    agreement = services.agreement_propose(participation=participation, by=owner)
    services.agreement_acknowledge(agreement=agreement, by=owner, on_behalf=True)
    workflow.engagement_transition(
        engagement=engagement, name="cancel", by=owner, reason="Venue lost"
    )
    line = PaymentLine.objects.get(kind="cancellation")
    assert line.amount == agreement.cancellation_minimum == D("1000.00")


# --- Payment methods, reveal and export -----------------------------------------------------


def test_payment_method_numbers_are_normalised_and_checked(own_consultant, consultant_user):
    method = services.payment_method_add(
        consultant=own_consultant,
        by=consultant_user,
        kind="e_wallet",
        provider="GCash",
        account_name="Tala Account",
        account_number="0917 123 4567",
    )
    assert method.account_number == "+639171234567"
    with pytest.raises(ValidationError):
        services.payment_method_add(
            consultant=own_consultant,
            by=consultant_user,
            kind="bank",
            provider="Bank",
            account_name="x",
            account_number="12ab",
        )


def test_only_finance_reveals_payment_details_and_it_is_audited(
    own_consultant, finance_user, admin_user, manager_user, consultant_user
):
    method = PaymentMethodFactory(consultant=own_consultant)
    for user in (admin_user, manager_user, consultant_user):
        with pytest.raises(PermissionDenied):
            services.payment_method_reveal(method=method, user=user, reason="x")
    with pytest.raises(ValidationError):
        services.payment_method_reveal(method=method, user=finance_user, reason="")
    values = services.payment_method_reveal(method=method, user=finance_user, reason="Bank batch")
    assert values == {"account_name": "SECRET ACCOUNT HOLDER", "account_number": "9876543210"}
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert entry.additional_data == {
        "fields": ["account_name", "account_number"],
        "reason": "Bank batch",
    }


def test_the_bank_export_is_finance_only_audited_and_safe(
    owed, finance_user, admin_user, finance_colleague
):
    own = owed
    own.legal_name = "=HYPERLINK(evil)"
    own.save()
    PaymentMethodFactory(consultant=own, is_default=True)
    payment = services.payment_approve(
        payment=services.payment_group(consultant=own, by=finance_user), by=finance_colleague
    )
    with pytest.raises(PermissionDenied):
        services.payment_batch_export(payments=[payment], user=admin_user, reason="x")
    csv_text = services.payment_batch_export(
        payments=[payment], user=finance_user, reason="Batch 12"
    )
    header, row = csv_text.strip().splitlines()
    assert header.startswith("payment,legal_name,pseudonym")
    assert "'=HYPERLINK(evil)" in row and "9876543210" in row and "1650.00" in row
    reveals = LogEntry.objects.filter(action=LogEntry.Action.ACCESS)
    assert reveals.count() == 2  # the identity and the account


HOSTILE_CELLS = [
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    " =HYPERLINK(evil)",
    "  +cmd",
    "\n=cmd|' /C calc'!A0",
    "\r\n@SUM(A1)",
    "\t=1",
    "\t",
    "\rtext",
    "\u00a0\u3000-2+3",  # no-break and ideographic spaces are white space too
]


@pytest.mark.parametrize("value", HOSTILE_CELLS, ids=repr)
def test_a_cell_that_could_start_a_formula_is_text(value):
    from compensation.services.export import _cell

    assert _cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Maria", "a=b", "1-2", "x @y", "", None, "09171234567"])
def test_a_plain_cell_is_left_as_it_is(value):
    from compensation.services.export import _cell

    assert _cell(value) == ("" if value is None else value)


def test_the_bank_export_guards_formulas_after_white_space(owed, finance_user, finance_colleague):
    import csv
    import io

    own = owed
    own.legal_name = "\n=cmd|' /C calc'!A0"
    own.save()
    PaymentMethodFactory(
        consultant=own, is_default=True, account_name=" =HYPERLINK(evil)", account_number="\t@1"
    )
    payment = services.payment_approve(
        payment=services.payment_group(consultant=own, by=finance_user), by=finance_colleague
    )
    csv_text = services.payment_batch_export(
        payments=[payment], user=finance_user, reason="Batch 13"
    )
    header, row = list(csv.reader(io.StringIO(csv_text)))
    cells = dict(zip(header, row, strict=True))
    assert cells["legal_name"] == "'\n=cmd|' /C calc'!A0"
    assert cells["account_name"] == "' =HYPERLINK(evil)"
    assert cells["account_number"] == "'\t@1"


def test_a_draft_cannot_be_exported(owed, finance_user):
    payment = services.payment_group(consultant=owed, by=finance_user)
    with pytest.raises(ValidationError):
        services.payment_batch_export(payments=[payment], user=finance_user, reason="x")


def test_return_to_draft_and_discard(owed, finance_user, finance_colleague):
    payment = services.payment_approve(
        payment=services.payment_group(consultant=owed, by=finance_user), by=finance_colleague
    )
    services.payment_return_to_draft(payment=payment, by=finance_user)
    services.payment_discard(payment=payment, by=finance_user)
    assert not Payment.objects.exists()
    assert PaymentLine.objects.filter(payment__isnull=True).count() == 3


def test_on_time_and_overdue(owed, finance_user, time_machine, finance_colleague):
    lines = PaymentLine.objects.filter(consultant=owed)
    due = min(line.due_on for line in lines)
    assert selectors.overdue_lines(today=due + datetime.timedelta(days=1)).count() >= 1
    payment = services.payment_approve(
        payment=services.payment_group(consultant=owed, by=finance_user), by=finance_colleague
    )
    paid = services.payment_mark_paid(payment=payment, by=finance_user, method="cash")
    assert paid.days_to_pay == (selectors.manila_today() - payment.payable_since).days
    months = selectors.on_time_by_month(
        date_from=selectors.manila_today().replace(day=1), date_to=selectors.manila_today()
    )
    assert len(months) == 1 and months[0].payments == 1
    assert months[0].on_time == (1 if paid.on_time else 0)
    assert not selectors.overdue_lines().exists()


def test_agreement_visible_to_its_people_only(
    agreement, consultant_user, other_consultant, owner, make_user, finance_user, wellbeing_user
):
    assert access.agreement_for_user(consultant_user, agreement.pk) == agreement
    assert access.agreement_for_user(owner, agreement.pk) == agreement
    assert access.agreement_for_user(finance_user, agreement.pk) == agreement
    for outsider in (other_consultant.user, make_user(Role.PROGRAMME_STAFF), wellbeing_user):
        with pytest.raises(Http404):
            access.agreement_for_user(outsider, agreement.pk)
    assert Agreement.objects.count() == 1
