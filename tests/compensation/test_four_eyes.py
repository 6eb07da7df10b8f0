"""Four eyes on money (compensation.workflow): no one carries a payment
from grouped to paid alone, with the amount rule on (every payment, or
above a threshold the payment passes) and off (or a threshold it stays
under); through the services and through the staff pages, which offer a
step only to a person the rule allows and say why to the others. Each
step records who and when, on the payment and in the audit trail.

The totals here: 2 h of time at ₱500.00 plus ₱650.00 of allowances, so
every payment is ₱1,650.00."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.urls import reverse

from accounts.roles import Role
from compensation import services, workflow
from compensation.models import Payment
from config.settings.base import _two_person_amount
from tests.compensation.factories import PaymentMethodFactory
from tests.helpers import approved_time, client_for

pytestmark = pytest.mark.django_db

TOTAL = D("1650.00")

# The amount rule, as settings.PAYMENT_TWO_PERSON_ABOVE, and whether it
# applies to a payment of TOTAL (the approver may not mark it paid).
RULES = [
    pytest.param(D("0"), True, id="always (the default)"),
    pytest.param(D("1000.00"), True, id="on, the payment above the threshold"),
    pytest.param(TOTAL, False, id="on, the payment at the threshold (not above)"),
    pytest.param(D("5000.00"), False, id="on, the payment below the threshold"),
    pytest.param(None, False, id="off"),
]


@pytest.fixture
def owed(agreement, owner, manager_user):
    """Approved time and allowances waiting for the consultant (₱1,650.00),
    with a default account."""
    PaymentMethodFactory(consultant=agreement.participation.consultant, is_default=True)
    approved_time(agreement.participation, by=owner, approver=manager_user)
    return agreement.participation.consultant


@pytest.fixture
def third_officer(make_user):
    return make_user(Role.FINANCE_OFFICER, display_name="Tess Third")


def _refused_for_four_eyes(call) -> str:
    with pytest.raises(workflow.SecondPersonRequired) as refused:
        call()
    return " ".join(refused.value.messages)


# --- Through the services ---------------------------------------------------------------


@pytest.mark.parametrize(("threshold", "approver_may_not_pay"), RULES)
def test_one_person_alone_never_takes_a_payment_from_grouped_to_paid(
    threshold, approver_may_not_pay, owed, finance_user, settings
):
    """Whatever the amount rule, the grouper's every step past grouping is
    refused, and the payment stays an unpaid draft."""
    settings.PAYMENT_TWO_PERSON_ABOVE = threshold
    payment = services.payment_group(consultant=owed, by=finance_user)
    message = _refused_for_four_eyes(
        lambda: services.payment_approve(payment=payment, by=finance_user)
    )
    assert message == "You grouped this payment, so someone else approves it."
    with pytest.raises(ValidationError):
        services.payment_mark_paid(payment=payment, by=finance_user, method="cash")
    with pytest.raises(ValidationError):
        services.payment_return_to_draft(payment=payment, by=finance_user)
    payment.refresh_from_db()
    assert payment.status == Payment.Status.DRAFT
    assert (payment.approved_by, payment.paid_by, payment.total) == (None, None, D("0.00"))


@pytest.mark.parametrize(("threshold", "approver_may_not_pay"), RULES)
def test_the_approver_marks_paid_only_where_the_amount_rule_lets_them(
    threshold, approver_may_not_pay, owed, finance_user, finance_colleague, settings
):
    settings.PAYMENT_TWO_PERSON_ABOVE = threshold
    payment = services.payment_group(consultant=owed, by=finance_user)
    payment = services.payment_approve(payment=payment, by=finance_colleague)
    assert payment.total == TOTAL
    assert workflow.approver_may_not_pay(payment.total) is approver_may_not_pay
    if approver_may_not_pay:
        message = _refused_for_four_eyes(
            lambda: services.payment_mark_paid(payment=payment, by=finance_colleague, method="cash")
        )
        assert message.startswith("You approved this payment")
        payment.refresh_from_db()
        assert payment.status == Payment.Status.APPROVED and payment.paid_by is None
        # The grouper may mark it paid: two people still.
        payer = finance_user
    else:
        payer = finance_colleague
    paid = services.payment_mark_paid(payment=payment, by=payer, method="cash")
    assert paid.is_paid
    people = {paid.created_by_id, paid.approved_by_id, paid.paid_by_id}
    assert paid.created_by_id != paid.approved_by_id
    assert len(people) == 2
    if approver_may_not_pay:
        assert paid.approved_by_id != paid.paid_by_id


def test_the_threshold_message_names_the_amount(owed, finance_user, finance_colleague, settings):
    settings.PAYMENT_TWO_PERSON_ABOVE = D("1000")
    payment = services.payment_approve(
        payment=services.payment_group(consultant=owed, by=finance_user), by=finance_colleague
    )
    message = _refused_for_four_eyes(
        lambda: services.payment_mark_paid(payment=payment, by=finance_colleague, method="cash")
    )
    assert message == (
        "You approved this payment, and a payment above ₱1,000.00 is marked paid by someone else."
    )


def test_going_back_to_draft_does_not_launder_a_step(
    owed, finance_user, finance_colleague, third_officer
):
    """Undoing an approval and giving it again keeps the rule: the grouper
    still may not approve, and the new approver may not pay."""
    payment = services.payment_group(consultant=owed, by=finance_user)
    services.payment_approve(payment=payment, by=finance_colleague)
    services.payment_return_to_draft(payment=payment, by=finance_user)
    _refused_for_four_eyes(lambda: services.payment_approve(payment=payment, by=finance_user))
    services.payment_approve(payment=payment, by=third_officer)
    _refused_for_four_eyes(
        lambda: services.payment_mark_paid(payment=payment, by=third_officer, method="cash")
    )
    paid = services.payment_mark_paid(payment=payment, by=finance_colleague, method="cash")
    assert (paid.created_by, paid.approved_by, paid.paid_by) == (
        finance_user,
        third_officer,
        finance_colleague,
    )


def test_an_administrator_is_held_to_the_same_rule(owed, admin_user, finance_user):
    payment = services.payment_group(consultant=owed, by=admin_user)
    _refused_for_four_eyes(lambda: services.payment_approve(payment=payment, by=admin_user))
    services.payment_approve(payment=payment, by=finance_user)
    _refused_for_four_eyes(
        lambda: services.payment_mark_paid(payment=payment, by=finance_user, method="cash")
    )


def test_only_the_payer_resending_their_own_form_is_idempotent(
    owed, finance_user, finance_colleague
):
    """The approver sending the payer's exact form is told it is already
    paid, not that they recorded it."""
    payment = services.payment_approve(
        payment=services.payment_group(consultant=owed, by=finance_user), by=finance_colleague
    )
    services.payment_mark_paid(payment=payment, by=finance_user, method="bank", reference="TX-9")
    again = services.payment_mark_paid(
        payment=payment, by=finance_user, method="bank", reference="TX-9"
    )
    assert again.paid_by == finance_user
    with pytest.raises(services.PaymentAlreadyPaid):
        services.payment_mark_paid(
            payment=payment, by=finance_colleague, method="bank", reference="TX-9"
        )


def test_each_step_records_who_and_when_and_an_audit_event(owed, finance_user, finance_colleague):
    payment = services.payment_group(consultant=owed, by=finance_user)
    payment = services.payment_approve(payment=payment, by=finance_colleague)
    payment = services.payment_return_to_draft(payment=payment, by=finance_user)
    payment = services.payment_approve(payment=payment, by=finance_colleague)
    payment = services.payment_mark_paid(
        payment=payment, by=finance_user, method="bank", reference="TX-1"
    )
    assert payment.created_by == finance_user and payment.created_at
    assert payment.approved_by == finance_colleague and payment.approved_at
    assert payment.paid_by == finance_user and payment.paid_at
    events = [
        (entry.additional_data["event"], entry.actor_id)
        for entry in LogEntry.objects.get_for_object(payment)
        .filter(additional_data__has_key="event")
        .order_by("pk")
    ]
    assert events == [
        ("payment_grouped", finance_user.pk),
        ("payment_approved", finance_colleague.pk),
        ("payment_returned_to_draft", finance_user.pk),
        ("payment_approved", finance_colleague.pk),
        ("payment_paid", finance_user.pk),
    ]
    paid = LogEntry.objects.get_for_object(payment).get(additional_data__event="payment_paid")
    assert paid.additional_data["amount"] == "1650.00"
    assert paid.additional_data["method"] == "bank"
    assert "TX-1" not in str(paid.additional_data)  # the reference stays on the payment


def test_discarding_a_draft_is_audited(owed, finance_user):
    payment = services.payment_group(consultant=owed, by=finance_user)
    pk = payment.pk
    services.payment_discard(payment=payment, by=finance_user)
    entry = LogEntry.objects.get(object_pk=str(pk), additional_data__event="payment_discarded")
    assert entry.actor_id == finance_user.pk


def test_options_ask_the_same_rule_as_the_services(
    owed, finance_user, finance_colleague, third_officer, manager_user
):
    payment = services.payment_group(consultant=owed, by=finance_user)
    mine = workflow.options(payment=payment, user=finance_user)
    assert mine["approve"].applies and not mine["approve"].allowed
    assert mine["approve"].reason == "You grouped this payment, so someone else approves it."
    assert mine["discard"].allowed and not mine["mark_paid"].applies
    theirs = workflow.options(payment=payment, user=finance_colleague)
    assert theirs["approve"].allowed and theirs["approve"].reason == ""
    nobody = workflow.options(payment=payment, user=manager_user)
    assert not any(option.applies or option.allowed or option.reason for option in nobody.values())

    payment = services.payment_approve(payment=payment, by=finance_colleague)
    assert not workflow.options(payment=payment, user=finance_colleague)["mark_paid"].allowed
    assert workflow.options(payment=payment, user=finance_user)["mark_paid"].allowed
    assert workflow.options(payment=payment, user=third_officer)["mark_paid"].allowed


def test_a_negative_threshold_in_code_counts_as_always(settings):
    settings.PAYMENT_TWO_PERSON_ABOVE = D("-1")
    assert workflow.two_person_threshold() == 0
    assert workflow.approver_may_not_pay(D("0.00"))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0", D("0.00")),
        ("", D("0.00")),  # empty: the stricter default, never off
        ("  ", D("0.00")),
        ("5000", D("5000.00")),
        ("5,000.50", D("5000.50")),
        ("off", None),
        ("OFF", None),
    ],
)
def test_the_setting_reads_an_amount_or_off(raw, expected):
    assert _two_person_amount(raw, name="PAYMENT_TWO_PERSON_ABOVE") == expected


@pytest.mark.parametrize("raw", ["-1", "abc", "1.234", "nan", "inf", "1e40", "none", "0x10"])
def test_a_bad_setting_stops_the_start(raw):
    with pytest.raises(ImproperlyConfigured, match="PAYMENT_TWO_PERSON_ABOVE"):
        _two_person_amount(raw, name="PAYMENT_TWO_PERSON_ABOVE")


# --- Through the staff pages -------------------------------------------------------------


def _url(name: str, payment: Payment | int) -> str:
    return reverse(f"compensation:{name}", kwargs={"pk": getattr(payment, "pk", payment)})


@pytest.mark.parametrize(("threshold", "approver_may_not_pay"), RULES)
def test_one_person_alone_cannot_pay_through_the_pages(
    threshold, approver_may_not_pay, owed, finance_user, settings
):
    settings.PAYMENT_TWO_PERSON_ABOVE = threshold
    client = client_for(finance_user)
    client.post(reverse("compensation:group", kwargs={"consultant_pk": owed.pk}))
    payment = Payment.objects.get(consultant=owed)
    assert payment.created_by == finance_user

    page = client.get(_url("payment", payment)).content.decode()
    assert _url("payment_approve", payment) not in page  # not offered
    assert "You grouped this payment, so someone else approves it." in page
    confirm = client.get(_url("payment_approve", payment))
    assert confirm.status_code == 200
    assert "Approve the payment" not in confirm.content.decode()
    assert "someone else approves it" in confirm.content.decode()

    response = client.post(_url("payment_approve", payment))
    assert response.status_code == 403
    assert "You grouped this payment, so someone else approves it." in response.content.decode()
    response = client.post(_url("payment_paid", payment), {"method": "cash", "reference": ""})
    assert response.status_code == 400
    assert "Approve the payment before marking it paid." in response.content.decode()
    payment.refresh_from_db()
    assert payment.status == Payment.Status.DRAFT and payment.approved_by is None


@pytest.mark.parametrize(("threshold", "approver_may_not_pay"), RULES)
def test_two_people_pay_through_the_pages_and_the_pages_say_who_did_what(
    threshold, approver_may_not_pay, owed, finance_user, finance_colleague, settings
):
    settings.PAYMENT_TWO_PERSON_ABOVE = threshold
    grouper, approver = client_for(finance_user), client_for(finance_colleague)
    grouper.post(reverse("compensation:group", kwargs={"consultant_pk": owed.pk}))
    payment = Payment.objects.get(consultant=owed)

    page = approver.get(_url("payment", payment)).content.decode()
    assert _url("payment_approve", payment) in page
    assert approver.post(_url("payment_approve", payment)).status_code == 302

    page = approver.get(_url("payment", payment)).content.decode()
    offered = _url("payment_paid", payment) in page
    assert offered is not approver_may_not_pay
    form = approver.get(_url("payment_paid", payment)).content.decode()
    assert ("Confirm: it was paid" in form) is not approver_may_not_pay
    response = approver.post(_url("payment_paid", payment), {"method": "bank", "reference": "T-1"})
    if approver_may_not_pay:
        assert "You approved this payment" in page
        assert response.status_code == 403
        assert "You approved this payment" in response.content.decode()
        payment.refresh_from_db()
        assert payment.status == Payment.Status.APPROVED
        assert (
            _url("payment_paid", payment) in grouper.get(_url("payment", payment)).content.decode()
        )
        response = grouper.post(
            _url("payment_paid", payment), {"method": "bank", "reference": "T-1"}
        )
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.is_paid
    payer = finance_colleague if not approver_may_not_pay else finance_user
    assert payment.paid_by == payer

    detail = grouper.get(_url("payment", payment)).content.decode()
    steps = detail[detail.index('id="payment-steps"') :]
    steps = steps[: steps.index("</dl>")]
    assert f"by {finance_user.display_name}," in steps.split("Approved")[0]
    assert f"by {finance_colleague.display_name}," in steps.split("Approved")[1].split("Marked")[0]
    assert f"by {payer.display_name}," in steps.split("Marked paid")[1]

    listing = grouper.get(reverse("compensation:payments")).content.decode()
    assert f"Grouped: {finance_user.display_name}" in listing
    assert f"Approved: {finance_colleague.display_name}" in listing
    assert f"Paid: {payer.display_name}" in listing


def test_the_pages_state_the_rule_as_set(owed, finance_user, finance_colleague, settings):
    payment = services.payment_group(consultant=owed, by=finance_user)
    client = client_for(finance_colleague)
    settings.PAYMENT_TWO_PERSON_ABOVE = D("0")
    assert "the person who approved it does not mark it paid" in (
        client.get(_url("payment", payment)).content.decode()
    )
    settings.PAYMENT_TWO_PERSON_ABOVE = D("20000")
    assert "above ₱20,000.00 the person who approved it" in (
        client.get(_url("payment_approve", payment)).content.decode()
    )
    settings.PAYMENT_TWO_PERSON_ABOVE = None
    page = client.get(_url("payment", payment)).content.decode()
    assert "The person who grouped a payment does not approve it." in page
    assert "mark it paid" not in page


def test_a_payment_page_takes_a_fixed_number_of_queries_with_its_people(
    owed, finance_user, finance_colleague, django_assert_max_num_queries
):
    payment = services.payment_approve(
        payment=services.payment_group(consultant=owed, by=finance_user), by=finance_colleague
    )
    services.payment_mark_paid(payment=payment, by=finance_user, method="cash")
    client = client_for(finance_user)
    client.get(reverse("compensation:index"))  # the session settles
    for url in (_url("payment", payment), reverse("compensation:payments")):
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200
