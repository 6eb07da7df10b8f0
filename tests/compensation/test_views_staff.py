"""Staff pages of compensation: the happy path, bad input and hostile input.

Finance groups, approves and pays; staff who run the engagement approve
time and claims (never their own); reveals, receipts and the bank export
are audited, never cached, and refused without a reason.
"""

from __future__ import annotations

import re

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from compensation.models import Payment, PaymentLine, TimeEntry
from tests.compensation.factories import PaymentMethodFactory
from tests.compensation.pages import build_world
from tests.helpers import approved_time, client_for

pytestmark = pytest.mark.django_db


def _accesses() -> int:
    return LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()


@pytest.fixture
def world(owner, participation, agreement, make_user):
    return build_world(
        owner=owner, participation=participation, agreement=agreement, make_user=make_user
    )


@pytest.fixture
def waiting(participation, agreement, owner, manager_user):
    """Approved lines waiting for the consultant, with a default account."""
    PaymentMethodFactory(consultant=participation.consultant, is_default=True)
    approved_time(participation, by=owner, approver=manager_user, hours="2.25")
    return participation.consultant


# --- Finance ---------------------------------------------------------------------------


def test_queue_groups_approves_and_pays(
    waiting, finance_user, finance_colleague, django_assert_max_num_queries
):
    """One officer groups and pays, a colleague approves (four eyes)."""
    client = client_for(finance_user)
    colleague = client_for(finance_colleague)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("compensation:queue"))
    assert response.status_code == 200
    assert b"Tala" in response.content
    group_page = client.get(reverse("compensation:group", kwargs={"consultant_pk": waiting.pk}))
    assert "₱1,125.00".encode() in group_page.content  # 2.25 h at ₱500.00
    owed = sum(PaymentLine.objects.filter(consultant=waiting).values_list("amount", flat=True))

    response = client.post(reverse("compensation:group", kwargs={"consultant_pk": waiting.pk}))
    payment = Payment.objects.get(consultant=waiting)
    assert response["Location"] == reverse("compensation:payment", kwargs={"pk": payment.pk})
    assert payment.status == Payment.Status.DRAFT
    page = client.get(reverse("compensation:payment", kwargs={"pk": payment.pk}))
    assert f"₱{owed:,.2f}".encode() in page.content

    confirm = colleague.get(reverse("compensation:payment_approve", kwargs={"pk": payment.pk}))
    assert b"Approve the payment" in confirm.content
    colleague.post(reverse("compensation:payment_approve", kwargs={"pk": payment.pk}))
    payment.refresh_from_db()
    assert payment.status == Payment.Status.APPROVED
    assert payment.total == owed

    paid_url = reverse("compensation:payment_paid", kwargs={"pk": payment.pk})
    response = client.post(paid_url, {"method": "bank", "reference": ""})
    assert response.status_code == 400
    assert b"transaction reference" in response.content
    payment.refresh_from_db()
    assert payment.status == Payment.Status.APPROVED

    response = client.post(paid_url, {"method": "bank", "reference": "TRX-1"})
    assert response.status_code == 302
    payment.refresh_from_db()
    assert payment.status == Payment.Status.PAID

    # The same form sent twice: unchanged. Paying again differently: refused.
    assert client.post(paid_url, {"method": "bank", "reference": "TRX-1"}).status_code == 302
    response = client.post(paid_url, {"method": "cash", "reference": ""})
    assert response.status_code == 400
    assert b"already paid" in response.content
    payment.refresh_from_db()
    assert (payment.method, payment.reference) == ("bank", "TRX-1")


def test_grouping_nothing_says_so(finance_user, own_consultant):
    client = client_for(finance_user)
    response = client.post(
        reverse("compensation:group", kwargs={"consultant_pk": own_consultant.pk}), follow=True
    )
    assert b"Nothing is waiting to be paid" in response.content
    assert not Payment.objects.exists()


def test_hostile_group_and_payment_ids(finance_user):
    client = client_for(finance_user)
    assert client.post(reverse("compensation:group", args=[999999])).status_code == 404
    assert client.get(reverse("compensation:payment", args=[999999])).status_code == 404
    assert client.get(reverse("compensation:group", args=[999999])).status_code == 404
    assert client.put(reverse("compensation:group", args=[1])).status_code == 405


def test_payments_list_filters_and_ignores_a_forged_status(world, finance_user):
    client = client_for(finance_user)
    response = client.get(reverse("compensation:payments"), {"status": "approved"})
    assert f"#{world.payment.pk}".encode() in response.content
    response = client.get(reverse("compensation:payments"), {"status": "paid"})
    assert f"#{world.payment.pk}<".encode() not in response.content
    response = client.get(reverse("compensation:payments"), {"status": "'; drop table"})
    assert response.status_code == 200


def test_reveal_needs_a_reason_and_is_audited(world, finance_user):
    client = client_for(finance_user)
    url = reverse("compensation:payment_reveal", kwargs={"pk": world.payment.pk})
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400
    assert b"9876543210" not in response.content
    assert _accesses() == 0

    response = client.post(url, {"reason": "Bank asked to confirm"})
    assert response.status_code == 200
    assert b"9876543210" in response.content
    assert "no-store" in response["Cache-Control"]
    entry = LogEntry.objects.get(action=LogEntry.Action.ACCESS)
    assert entry.actor == finance_user
    # The plain payment page never shows it.
    page = client.get(reverse("compensation:payment", kwargs={"pk": world.payment.pk}))
    assert b"9876543210" not in page.content


def test_export_csv_is_finance_only_with_a_reason(world, finance_user, admin_user):
    client = client_for(finance_user)
    url = reverse("compensation:export")
    response = client.post(url, {"payments": [world.payment.pk], "reason": ""})
    assert response.status_code == 400
    assert _accesses() == 0

    response = client.post(url, {"payments": [world.payment.pk], "reason": "Batch 12"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="tinig-payments.csv"'
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "9876543210" in body
    assert world.participation.consultant.legal_name in body
    assert _accesses() >= 2

    # A draft payment is not offered; a forged id is refused by the form.
    draft = Payment.objects.create(
        consultant=world.participation.consultant, created_by=finance_user
    )
    response = client.post(url, {"payments": [draft.pk], "reason": "Batch 12"})
    assert response.status_code == 400
    assert not response.get("Content-Disposition")
    # An administrator without the finance role may not export.
    assert (
        client_for(admin_user)
        .post(url, {"payments": [world.payment.pk], "reason": "x"})
        .status_code
        == 403
    )


def test_totals_and_overdue_show_pesos(world, finance_user, manager_user):
    client = client_for(finance_user)
    client.post(
        reverse("compensation:payment_paid", kwargs={"pk": world.payment.pk}),
        {"method": "cash", "reference": ""},
    )
    world.payment.refresh_from_db()
    assert world.payment.is_paid
    response = client_for(manager_user).get(reverse("compensation:totals"))
    assert response.status_code == 200
    assert f"₱{world.payment.total:,.2f}".encode() in response.content
    assert client_for(manager_user).get(reverse("compensation:overdue")).status_code == 200
    assert client.get(reverse("compensation:totals"), {"year": "abc"}).status_code == 200


# --- Approvals ---------------------------------------------------------------------------


def test_owner_approves_and_rejects_time(world):
    client = client_for(world.owner)
    page = client.get(reverse("compensation:approvals"))
    assert b"Tala" in page.content
    url = reverse("compensation:time_decide", kwargs={"pk": world.entry.pk})
    response = client.post(url, {"decision": "reject", "reason": ""})
    assert response.status_code == 400
    assert b"Say why" in response.content
    world.entry.refresh_from_db()
    assert world.entry.status == "submitted"

    response = client.post(url, {"decision": "approve"})
    assert response.status_code == 302
    world.entry.refresh_from_db()
    assert world.entry.status == "approved"
    assert PaymentLine.objects.filter(time_entry=world.entry).exists()
    # Deciding twice: refused with a message, nothing changes.
    response = client.post(url, {"decision": "reject", "reason": "late"})
    assert response.status_code == 400
    assert b"already decided" in response.content


def _label(content: bytes, field: str) -> str:
    match = re.search(rf'<label for="id_{field}">(.*?)</label>', content.decode(), re.S)
    assert match, f"no label for {field}"
    return match.group(1)


def test_labels_say_when_a_field_is_required_never_optional(world, finance_user):
    """The reason for declining and a payment's reference are refused when
    missing (not approving; bank, e-wallet, cheque): their labels say so
    instead of "(optional)"."""
    client = client_for(world.owner)
    # The decision page of a time entry shows its form again when refused.
    page = client.post(
        reverse("compensation:time_decide", kwargs={"pk": world.entry.pk}),
        {"decision": "reject", "reason": ""},
    )
    assert page.status_code == 400
    label = _label(page.content, "reason")
    assert "(required if you do not approve)" in label and "(optional)" not in label
    page = client.get(reverse("compensation:claim", kwargs={"pk": world.claim.pk}))
    label = _label(page.content, "reason")
    assert "(required if you do not approve)" in label and "(optional)" not in label
    page = client_for(finance_user).get(
        reverse("compensation:payment_paid", kwargs={"pk": world.payment.pk})
    )
    label = _label(page.content, "reference")
    assert "(required unless paid in cash)" in label and "(optional)" not in label


def test_an_e_wallet_payment_needs_its_reference(world, finance_user):
    url = reverse("compensation:payment_paid", kwargs={"pk": world.payment.pk})
    response = client_for(finance_user).post(url, {"method": "e_wallet", "reference": " "})
    assert response.status_code == 400
    assert b"Give the transaction reference or cheque number." in response.content
    world.payment.refresh_from_db()
    assert not world.payment.is_paid


def test_staff_may_not_approve_what_they_entered(world, participation):
    from compensation import services

    entry = services.time_entry_add(
        participation=participation,
        by=world.owner,
        on_behalf=True,
        kind="debrief",
        date=world.day,
        hours="1.00",
    )
    client = client_for(world.owner)
    response = client.post(
        reverse("compensation:time_decide", kwargs={"pk": entry.pk}), {"decision": "approve"}
    )
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.status == "submitted"
    assert not PaymentLine.objects.filter(time_entry=entry).exists()
    page = client.get(reverse("compensation:approvals"))
    assert b"someone else approves it" in page.content


def test_claim_review_and_approve(world):
    client = client_for(world.owner)
    url = reverse("compensation:claim", kwargs={"pk": world.claim.pk})
    page = client.get(url)
    assert b"Lunch on the way" in page.content
    assert reverse("compensation:receipt", kwargs={"pk": world.receipt.pk}).encode() in page.content
    assert client.post(url, {"decision": "sideways"}).status_code == 400
    assert client.post(url, {"decision": "approve"}).status_code == 302
    world.claim.refresh_from_db()
    assert world.claim.status == "approved"


def test_receipt_download_needs_a_reason_and_is_discreet(world):
    client = client_for(world.owner)
    url = reverse("compensation:receipt", kwargs={"pk": world.receipt.pk})
    assert client.get(url).status_code == 200
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert _accesses() == 0
    response = client.post(url, {"reason": "Checking the total"})
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Disposition"] == (
        f'attachment; filename="tinig-receipt-{world.receipt.pk}.jpg"'
    )
    assert b"".join(response.streaming_content).startswith(b"\xff\xd8\xff")
    assert _accesses() == 1


def test_a_decided_entry_is_final_through_the_page(world, manager_user):
    TimeEntry.objects.filter(pk=world.entry.pk)  # still submitted
    client = client_for(manager_user)
    url = reverse("compensation:time_decide", kwargs={"pk": world.entry.pk})
    assert client.post(url, {"decision": "reject", "reason": "Wrong day"}).status_code == 302
    assert client.post(url, {"decision": "approve"}).status_code == 400
    world.entry.refresh_from_db()
    assert world.entry.status == "rejected"


def test_staff_lists_take_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    """The session, the user and the MFA check, then a few queries per page."""
    payment_url = reverse("compensation:payment", kwargs={"pk": world.payment.pk})
    for user, urls in (
        (world.owner, [reverse("compensation:index"), reverse("compensation:approvals")]),
        (
            world.finance,
            [reverse(f"compensation:{name}") for name in ("queue", "payments", "overdue", "totals")]
            + [payment_url],
        ),
    ):
        client = client_for(user)
        client.get(reverse("compensation:index"))  # the session settles
        for url in urls:
            with django_assert_max_num_queries(14):
                assert client.get(url).status_code == 200


def test_adjustment(world, finance_user):
    client = client_for(finance_user)
    consultant = world.participation.consultant
    url = reverse("compensation:adjust", kwargs={"consultant_pk": consultant.pk})
    before = PaymentLine.objects.count()
    for bad in ({"amount": "10.005", "reason": "x"}, {"amount": "0", "reason": "x"}):
        response = client.post(url, bad)
        assert response.status_code == 400
    # Exponent notation is refused (not read as -100 pesos).
    response = client.post(url, {"amount": "-1e2", "reason": "x"})
    assert response.status_code == 400
    assert b"Please write the amount in digits only" in response.content
    response = client.post(url, {"amount": "", "reason": ""})
    assert b"This field is required" in response.content
    assert PaymentLine.objects.count() == before
    response = client.post(url, {"amount": "-150.00", "reason": "Paid twice for lunch"})
    assert response.status_code == 302
    line = PaymentLine.objects.latest("pk")
    assert (line.kind, str(line.amount), line.payment) == ("adjustment", "-150.00", None)


def test_back_to_draft_then_remove(world, finance_user):
    client = client_for(finance_user)
    url = reverse("compensation:payment_discard", kwargs={"pk": world.payment.pk})
    page = client.get(url).content.decode()
    assert "Undo the approval? The payment becomes a draft again." in page
    assert "Undo</button>" in page
    assert client.post(url).status_code == 302
    world.payment.refresh_from_db()
    assert world.payment.status == Payment.Status.DRAFT
    page = client.get(url).content.decode()
    assert "Remove this draft? Its lines wait to be grouped again." in page
    assert "Undo</button>" in page
    lines = list(world.payment.lines.values_list("pk", flat=True))
    assert client.post(url)["Location"] == reverse("compensation:queue")
    assert not Payment.objects.filter(pk=world.payment.pk).exists()
    assert not PaymentLine.objects.filter(pk__in=lines, payment__isnull=False).exists()


def test_a_paid_payment_cannot_be_undone(world, finance_user):
    client = client_for(finance_user)
    client.post(
        reverse("compensation:payment_paid", kwargs={"pk": world.payment.pk}),
        {"method": "cash"},
    )
    url = reverse("compensation:payment_discard", kwargs={"pk": world.payment.pk})
    # The payment's page offers no undo, and the undo page says why, with no button.
    detail = client.get(reverse("compensation:payment", kwargs={"pk": world.payment.pk}))
    assert url not in detail.content.decode()
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "This payment is already paid." in html
    assert "Undo</button>" not in html
    assert "becomes a draft again" not in html and "lines wait to be grouped" not in html
    response = client.post(url)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Only a draft payment can be removed." in html and "Undo</button>" not in html
    world.payment.refresh_from_db()
    assert world.payment.is_paid


def test_staff_may_not_approve_a_claim_they_submitted(world, participation):
    from compensation import services

    claim = services.claim_submit(
        participation=participation,
        by=world.owner,
        on_behalf=True,
        category="communication",
        description="Load for the call",
        amount="100.00",
        incurred_on=world.day,
    )
    client = client_for(world.owner)
    url = reverse("compensation:claim", kwargs={"pk": claim.pk})
    page = client.get(url)
    assert b"You recorded this for the consultant, so someone else approves" in page.content
    assert client.post(url, {"decision": "approve"}).status_code == 403
    claim.refresh_from_db()
    assert claim.status == "submitted"


def test_finance_records_the_day_the_money_was_sent(world, finance_user):
    """A transfer sent yesterday and recorded today counts from yesterday:
    days to pay and "on time" follow the day it was sent (Manila)."""
    import datetime as dt

    from django.utils import timezone

    from compensation.selectors import MANILA, manila_today

    today = manila_today()
    yesterday = today - dt.timedelta(days=1)
    Payment.objects.filter(pk=world.payment.pk).update(
        approved_at=timezone.now() - dt.timedelta(days=5)
    )
    url = reverse("compensation:payment_paid", kwargs={"pk": world.payment.pk})
    client = client_for(finance_user)
    page = client.get(url).content.decode()
    assert 'name="paid_on"' in page and f'value="{today.isoformat()}"' in page
    assert f'max="{today.isoformat()}"' in page

    response = client.post(
        url, {"method": "bank", "reference": "TRX-9", "paid_on": yesterday.isoformat()}
    )
    assert response.status_code == 302
    payment = Payment.objects.get(pk=world.payment.pk)
    assert payment.is_paid
    assert timezone.localtime(payment.paid_at, MANILA).date() == yesterday
    assert payment.days_to_pay == max((yesterday - payment.payable_since).days, 0)
    assert payment.on_time == (yesterday <= payment.due_on)


@pytest.mark.parametrize(
    ("days", "message"),
    [
        (1, "A payment cannot be recorded in the future."),
        (-30, "A payment is paid after it is approved."),
    ],
    ids=["tomorrow", "before-approval"],
)
def test_a_paid_on_day_that_cannot_be_is_refused_at_its_field(world, finance_user, days, message):
    import datetime as dt

    from compensation.selectors import manila_today

    url = reverse("compensation:payment_paid", kwargs={"pk": world.payment.pk})
    day = manila_today() + dt.timedelta(days=days)
    response = client_for(finance_user).post(
        url, {"method": "bank", "reference": "TRX-9", "paid_on": day.isoformat()}
    )
    assert response.status_code == 400
    assert message in _label_and_errors(response.content, "paid_on")
    assert not Payment.objects.get(pk=world.payment.pk).is_paid


def test_a_paid_on_that_is_not_a_date_is_refused(world, finance_user):
    url = reverse("compensation:payment_paid", kwargs={"pk": world.payment.pk})
    for bad in ("yesterday", "2026-02-30", "<script>", "9" * 40):
        response = client_for(finance_user).post(
            url, {"method": "bank", "reference": "TRX-9", "paid_on": bad}
        )
        assert response.status_code == 400, bad
        assert not Payment.objects.get(pk=world.payment.pk).is_paid


def _label_and_errors(content: bytes, name: str) -> str:
    """The field's block: its label, help text and errors."""

    html = content.decode()
    match = re.search(
        rf'<div class="field[^"]*">(?:(?!<div class="field).)*?name="{name}"', html, re.S
    )
    assert match, name
    return match.group(0)
