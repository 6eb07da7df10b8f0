"""Compensation's reminder kinds: time and expenses to send in after an
engagement, a payment sent, and payments overdue (to finance). Each is
recorded once, sent once, skipped when no longer wanted, discreet (never an
amount, a title or a legal name), and collected in bounded queries."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.roles import Role
from compensation import services as pay
from compensation.models import ExpenseClaim, Payment, PaymentLine, TimeEntry
from compensation.reminders import _overdue_from
from engagements.models import Engagement, Participation
from reminders import registry, services
from reminders.models import ReminderDelivery
from reminders.registry import Window
from tests.consultants.factories import ConsultantFactory
from tests.engagements.factories import EngagementFactory, ParticipationFactory, at
from tests.reminders.conftest import DAY
from tests.reminders.helpers import run_beat_once

pytestmark = pytest.mark.django_db
D = ReminderDelivery.Status
R = ReminderDelivery.Reason
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)
AMOUNT = Decimal("4321.00")
LEGAL = "Maria Secret"


def attended(**consultant_kwargs) -> Participation:
    """An engagement on DAY 10:00-12:00 (completed), attended by a consultant."""
    start = at(DAY, 10)
    engagement = EngagementFactory(
        status=Engagement.Status.COMPLETED, start=start, end=start + 2 * HOUR
    )
    return ParticipationFactory(
        engagement=engagement,
        consultant=ConsultantFactory(**consultant_kwargs),
        status=Participation.Status.ATTENDED,
    )


def fee_line(participation, *, due_on: datetime.date, amount=AMOUNT) -> PaymentLine:
    return PaymentLine.objects.create(
        consultant=participation.consultant,
        participation=participation,
        kind=PaymentLine.Kind.FEE,
        description="Honorarium",
        amount=amount,
        payable_since=due_on - datetime.timedelta(days=7),
        due_on=due_on,
    )


def deliveries(kind):
    return list(ReminderDelivery.objects.filter(kind=kind).order_by("id"))


def assert_discreet(message, participation):
    text = f"{message.subject}\n{message.body}"
    assert message.subject.startswith("Tinig: ")
    assert LEGAL not in text
    assert participation.engagement.title not in text
    for amount in ("4321", "4,321"):
        assert amount not in text


# --- Consultant: time and expenses to send in ----------------------------------------------


def test_time_to_submit_a_day_after_the_end_once(clock):
    participation = attended(message_name="Bee", legal_name=LEGAL, pseudonym="Bituin")
    end = participation.engagement.end
    clock(end + 24 * HOUR - MINUTE)
    run_beat_once()
    assert deliveries("time_to_submit") == []
    clock(end + 24 * HOUR + MINUTE)
    run_beat_once()
    run_beat_once()
    services.reminders_sweep()
    [delivery] = deliveries("time_to_submit")
    assert (delivery.status, delivery.due_at) == (D.SENT, end + 24 * HOUR)
    [message] = mail.outbox
    assert message.to == [participation.consultant.email]
    assert message.subject == "Tinig: your time and expenses to send in"
    assert "Hello Bee," in message.body
    assert "/portal/pay/" in message.body
    assert_discreet(message, participation)


def _time_entry(participation):
    TimeEntry.objects.create(
        participation=participation,
        kind="engagement",
        date=DAY,
        hours=Decimal("2.00"),
        entered_by=participation.engagement.owner,
    )


def _claim(participation):
    ExpenseClaim.objects.create(
        participation=participation,
        consultant=participation.consultant,
        category="transport",
        description="Jeepney",
        amount=Decimal("80.00"),
        incurred_on=DAY,
        submitted_by=participation.engagement.owner,
    )


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("time", R.NOT_DUE),
        ("claim", R.NOT_DUE),
        ("no_show", R.NOT_DUE),
        ("cancelled", R.CANCELLED),
    ],
)
def test_time_to_submit_no_longer_wanted_is_skipped(clock, change, reason):
    participation = attended()
    clock(participation.engagement.end + 24 * HOUR + MINUTE)
    services.reminders_sweep()
    if change == "time":
        _time_entry(participation)
    elif change == "claim":
        _claim(participation)
    elif change == "no_show":
        Participation.objects.filter(pk=participation.pk).update(status="no_show")
    else:
        Engagement.objects.filter(pk=participation.engagement_id).update(status="cancelled")
    run_beat_once()
    assert mail.outbox == []
    [delivery] = deliveries("time_to_submit")
    assert (delivery.status, delivery.reason) == (D.SKIPPED, reason)


def test_time_already_in_or_not_attended_is_not_recorded(clock):
    with_time = attended()
    _time_entry(with_time)
    not_attended = attended()
    Participation.objects.filter(pk=not_attended.pk).update(status="no_show")
    clock(with_time.engagement.end + 24 * HOUR + MINUTE)
    services.reminders_sweep()
    assert deliveries("time_to_submit") == []


# --- Consultant: a payment sent -----------------------------------------------------------------


@pytest.fixture
def paid(finance_user, finance_colleague):
    def _pay(participation, *, paid_at):
        fee_line(participation, due_on=DAY + datetime.timedelta(days=7))
        payment = pay.payment_group(consultant=participation.consultant, by=finance_user)
        payment = pay.payment_approve(payment=payment, by=finance_colleague)
        return pay.payment_mark_paid(
            payment=payment, by=finance_user, method="cash", paid_at=paid_at
        )

    return _pay


def test_payment_sent_once_without_the_amount(clock, paid):
    participation = attended(message_name="Bee", legal_name=LEGAL)
    paid_at = at(DAY + datetime.timedelta(days=3), 14)
    clock(paid_at - MINUTE)
    payment = paid(participation, paid_at=paid_at)
    clock(paid_at + MINUTE)
    run_beat_once()
    run_beat_once()
    services.reminders_sweep()
    [delivery] = deliveries("payment_sent")
    assert (delivery.status, delivery.target_id) == (D.SENT, payment.pk)
    [message] = [m for m in mail.outbox if "payment" in m.subject]
    assert message.to == [participation.consultant.email]
    assert message.subject == "Tinig: a payment sent on 6 June"
    assert "Hello Bee," in message.body
    assert "/portal/pay/payments/" in message.body
    assert_discreet(message, participation)


def test_payment_not_paid_is_not_recorded_and_unpaid_is_skipped(
    clock, finance_user, finance_colleague
):
    participation = attended()
    fee_line(participation, due_on=DAY + datetime.timedelta(days=7))
    pay.payment_approve(
        payment=pay.payment_group(consultant=participation.consultant, by=finance_user),
        by=finance_colleague,
    )
    clock(at(DAY + datetime.timedelta(days=3), 14))
    services.reminders_sweep()
    assert deliveries("payment_sent") == []
    # A reminder about a payment that is not (or no longer) paid is skipped.
    kind = registry.get_kind("payment_sent")
    delivery = ReminderDelivery(
        kind="payment_sent",
        target_type="compensation.payment",
        target_id=Payment.objects.get().pk,
        consultant_id=participation.consultant_id,
        due_at=at(DAY, 10),
    )
    assert kind.prepare(delivery, now=at(DAY, 10)).reason == R.NOT_DUE


# --- Finance: payments overdue ------------------------------------------------------------------


DUE_ON = DAY + datetime.timedelta(days=7)
OVERDUE_AT = _overdue_from(DUE_ON) + 9 * HOUR


@pytest.fixture
def officers(make_user):
    return [make_user(Role.FINANCE_OFFICER), make_user(Role.FINANCE_OFFICER)]


def test_overdue_once_per_consultant_and_officer(clock, officers, make_user):
    make_user(Role.PROGRAMME_MANAGER)  # not finance: not reminded
    participation = attended(legal_name=LEGAL, pseudonym="Bituin")
    fee_line(participation, due_on=DUE_ON)
    PaymentLine.objects.create(
        consultant=participation.consultant,
        participation=participation,
        kind=PaymentLine.Kind.ALLOWANCE,
        allowance_kind="meal",
        description="Meals",
        amount=Decimal("350.00"),
        payable_since=DAY,
        due_on=DUE_ON,
    )
    clock(OVERDUE_AT - MINUTE)
    run_beat_once()
    assert deliveries("staff_payments_overdue") == []
    clock(OVERDUE_AT + MINUTE)
    run_beat_once()
    run_beat_once()
    services.reminders_sweep()
    rows = deliveries("staff_payments_overdue")
    assert [(d.user_id, d.status) for d in rows] == [(o.pk, D.SENT) for o in officers]
    assert {d.target_id for d in rows} == {participation.consultant_id}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(o.email for o in officers)
    for message in mail.outbox:
        assert message.subject == "Tinig: a payment overdue since 10 June"
        assert "/staff/compensation/overdue/" in message.body
        assert_discreet(message, participation)
        assert "Bituin" not in message.subject


def test_overdue_paid_in_the_meantime_is_skipped(clock, officers):
    participation = attended()
    clock(OVERDUE_AT + MINUTE)
    fee_line(participation, due_on=DUE_ON)
    services.reminders_sweep()
    assert len(deliveries("staff_payments_overdue")) == 2
    finance = officers[0]
    payment = pay.payment_approve(
        payment=pay.payment_group(consultant=participation.consultant, by=finance),
        by=officers[1],  # four eyes: not the one who grouped
    )
    pay.payment_mark_paid(payment=payment, by=finance, method="cash")
    run_beat_once()
    assert [m for m in mail.outbox if "overdue" in m.subject] == []
    assert {(d.status, d.reason) for d in deliveries("staff_payments_overdue")} == {
        (D.SKIPPED, R.NOT_DUE)
    }


def test_lines_not_yet_due_or_paid_are_not_collected(clock, officers):
    fee_line(attended(), due_on=DUE_ON + datetime.timedelta(days=1))
    clock(OVERDUE_AT + MINUTE)
    services.reminders_sweep()
    assert deliveries("staff_payments_overdue") == []


# --- Bounded collect ------------------------------------------------------------------------


def _seed(key, count, finance_user, finance_colleague):
    for n in range(count):
        participation = attended()
        if key == "payment_sent":
            fee_line(participation, due_on=DUE_ON)
            payment = pay.payment_approve(
                payment=pay.payment_group(consultant=participation.consultant, by=finance_user),
                by=finance_colleague,
            )
            pay.payment_mark_paid(
                payment=payment, by=finance_user, method="cash", paid_at=OVERDUE_AT - n * MINUTE
            )
        elif key == "staff_payments_overdue":
            fee_line(participation, due_on=DUE_ON)


def _moment(key):
    if key == "time_to_submit":
        return at(DAY, 12) + 24 * HOUR
    return OVERDUE_AT


@pytest.mark.parametrize("key", ["time_to_submit", "payment_sent", "staff_payments_overdue"])
@pytest.mark.parametrize("count", [7, 23])
def test_collect_is_bounded_per_batch(key, count, finance_user, make_user, clock):
    moment = _moment(key) + MINUTE
    clock(moment)
    colleague = make_user(Role.FINANCE_OFFICER)
    _seed(key, count, finance_user, colleague)
    kind = registry.get_kind(key)
    window = Window(
        since=moment - kind.lookback, until=moment, offsets=kind.timing.default, batch_size=5
    )
    with CaptureQueriesContext(connection) as captured:
        batches = list(kind.collect(window))
    officers = 2 if key == "staff_payments_overdue" else 1
    assert sum(len(batch) for batch in batches) == count * officers
    assert len(batches) == -(-count // 5)
    # One query per batch, one more (empty) at the end at most, and for the
    # overdue kind the due dates and the finance officers (once each).
    fixed = 1 + (2 if key == "staff_payments_overdue" else 0)
    assert len(captured) <= len(batches) + fixed


# --- Discretion over the demo data ------------------------------------------------------------


def test_no_legal_name_title_item_or_amount_in_the_demo_messages(monkeypatch):
    """Every message the checklist and compensation kinds would send for the
    demo data (the other kinds are checked by test_discretion)."""
    from accounts import demo as accounts_demo
    from checklists import demo as checklists_demo
    from checklists.models import ChecklistItem
    from compensation import demo as compensation_demo
    from consultants import demo as consultants_demo
    from consultants.models import Consultant
    from engagements import demo as engagements_demo
    from engagements import workflow
    from tests.reminders.test_discretion import _every_message

    monkeypatch.setattr(workflow, "registered_guards", lambda name: [])
    accounts_demo.seed()
    consultants_demo.seed()
    engagements_demo.seed()
    checklists_demo.seed()
    compensation_demo.seed()
    legal_names = [c.legal_name for c in Consultant.objects.all() if c.legal_name]
    titles = list(Engagement.objects.values_list("title", flat=True))
    titles += list(ChecklistItem.objects.values_list("title", flat=True).distinct())
    amounts = [
        f"{amount:,.2f}" for amount in PaymentLine.objects.values_list("amount", flat=True)
    ] + [f"{amount:.2f}" for amount in Payment.objects.values_list("total", flat=True)]
    ours = {
        "checklist_item_due",
        "staff_checklist_item_due",
        "staff_checklist_item_overdue",
        "time_to_submit",
        "payment_sent",
        "staff_payments_overdue",
    }
    messages = [m for m in _every_message() if m[0] in ours]
    seen = {key for key, _recipient, _message in messages}
    # The demo's attended participations all have their time in already.
    assert seen >= ours - {"time_to_submit"}, seen
    for key, recipient, message in messages:
        text = f"{message.subject}\n{message.text}"
        # An e-mail's subject, or a text message (no subject) itself.
        assert (message.subject or message.text).startswith("Tinig: "), key
        for secret in legal_names + titles + amounts:
            assert secret not in text, (key, secret)
        generic = message.text.startswith("Tinig: you have something to look at.")
        if isinstance(recipient, Consultant) and not generic:
            assert recipient.greeting_name in message.text, key
