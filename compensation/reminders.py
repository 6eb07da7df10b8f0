"""The reminder kinds of compensation (registered from ``ready()``).

Consultants: time and expenses to send in after an engagement they
attended; a payment was sent. Finance: payments overdue against the
target, one reminder per consultant and due date (not per line), so a
consultant with many late lines is one message.

Every message is discreet: never an amount, a title or a type of work;
"a payment", a date, a link behind the sign-in.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role
from compensation import selectors
from compensation.models import ExpenseClaim, Payment, TimeEntry
from consultants.models import Consultant
from engagements.models import Engagement, Participation
from reminders.models import ReminderDelivery
from reminders.registry import (
    Audience,
    Due,
    OnUncertain,
    Prepared,
    ReminderKind,
    Skip,
    Timing,
    Window,
    absolute_url,
    batched,
    configured_offsets,
    register_kind,
)

R = ReminderDelivery.Reason
E = Engagement.Status
P = Participation.Status
HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)

PARTICIPATION = "engagements.participation"
PAYMENT = "compensation.payment"
CONSULTANT = "consultants.consultant"
# The engagement took place (closing it does not make the pay wait less).
HAPPENED = (E.CONFIRMED, E.COMPLETED, E.CLOSED)


def _after(anchor: datetime.datetime, delivery) -> bool:
    return any(
        delivery.due_at - anchor == offset * HOUR for offset in configured_offsets(delivery.kind)
    )


# --- Consultant: time and expenses to send in ------------------------------------------------


def _nothing_sent_in():
    entries = TimeEntry.objects.filter(participation=OuterRef("pk"))
    claims = ExpenseClaim.objects.filter(participation=OuterRef("pk"))
    return ~Exists(entries) & ~Exists(claims)


def _collect_time_to_submit(window: Window) -> Iterator[list[Due]]:
    for offset in window.offsets:
        since, until = window.anchor_range(after=offset)
        rows = (
            Participation.objects.filter(
                status=P.ATTENDED,
                engagement__status__in=HAPPENED,
                engagement__end__gt=since,
                engagement__end__lte=until,
            )
            .filter(_nothing_sent_in())
            .values("pk", "consultant_id", "engagement_id", "engagement__end")
        )
        for batch in batched(rows, size=window.batch_size):
            yield [
                Due(
                    target=(PARTICIPATION, row["pk"]),
                    due_at=row["engagement__end"] + offset * HOUR,
                    consultant_id=row["consultant_id"],
                    engagement_id=row["engagement_id"],
                )
                for row in batch
            ]


def _prepare_time_to_submit(delivery, *, now) -> Prepared | Skip:
    participation = (
        Participation.objects.select_related("engagement")
        .filter(pk=delivery.target_id)
        .filter(_nothing_sent_in())
        .first()
    )
    if participation is None:
        # Gone, or time or a claim is already in: nothing to remind.
        return Skip(R.NOT_DUE)
    if participation.engagement.status not in HAPPENED:
        return Skip(R.CANCELLED)
    if participation.status != P.ATTENDED:
        return Skip(R.NOT_DUE)
    if not _after(participation.engagement.end, delivery):
        return Skip(R.DATES_CHANGED, void=True)
    return Prepared(
        {
            "end": participation.engagement.end,
            "url": absolute_url("my_pay:index"),
        }
    )


register_kind(
    ReminderKind(
        key="time_to_submit",
        description_for_her=_(
            "After an engagement you attended, while your time or expenses are not sent in yet."
        ),
        audience=Audience.CONSULTANT,
        label=_("Time and expenses to send in"),
        description=_(
            "To a consultant who attended an engagement and has not sent in "
            "their time or expenses yet."
        ),
        timing=Timing(_("Hours after the end"), default=(24,)),
        collect=_collect_time_to_submit,
        prepare=_prepare_time_to_submit,
        templates="compensation/reminders/time_to_submit",
        lookback=datetime.timedelta(days=3),
    )
)


# --- Consultant: a payment was sent -----------------------------------------------------------


def _collect_payment_sent(window: Window) -> Iterator[list[Due]]:
    for offset in window.offsets:
        since, until = window.anchor_range(after=offset)
        rows = Payment.objects.filter(
            status=Payment.Status.PAID, paid_at__gt=since, paid_at__lte=until
        ).values("pk", "consultant_id", "paid_at")
        for batch in batched(rows, size=window.batch_size):
            yield [
                Due(
                    target=(PAYMENT, row["pk"]),
                    due_at=row["paid_at"] + offset * HOUR,
                    consultant_id=row["consultant_id"],
                )
                for row in batch
            ]


def _prepare_payment_sent(delivery, *, now) -> Prepared | Skip:
    payment = Payment.objects.filter(pk=delivery.target_id).first()
    if payment is None or not payment.is_paid or payment.consultant_id != delivery.consultant_id:
        return Skip(R.NOT_DUE)
    if not _after(payment.paid_at, delivery):
        return Skip(R.DATES_CHANGED, void=True)
    # Never the amount: an e-mail is read where the portal is not.
    return Prepared(
        {
            "paid_at": payment.paid_at,
            "url": absolute_url("my_pay:payments"),
        }
    )


register_kind(
    ReminderKind(
        key="payment_sent",
        description_for_her=_("When a payment to you is marked paid."),
        audience=Audience.CONSULTANT,
        label=_("Payment sent"),
        description=_("To a consultant, when a payment to them is marked paid."),
        timing=Timing(_("Hours after it is marked paid"), default=(0,)),
        collect=_collect_payment_sent,
        prepare=_prepare_payment_sent,
        templates="compensation/reminders/payment_sent",
        lookback=datetime.timedelta(days=3),
        # A second "payment sent" reads as a second payment: a person decides
        # (reminders.registry, "When a send is cut short").
        on_uncertain=OnUncertain.HOLD,
    )
)


# --- Finance: payments overdue against the target ------------------------------------------------
#
# A line is overdue from the first moment of the day after its due date
# (Manila). One reminder per consultant with lines due on that date, to
# each finance officer: its identity is (consultant, the moment), so the
# sweep is bounded by consultants, not by lines.


def _overdue_from(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day + DAY, datetime.time(0), tzinfo=selectors.MANILA)


def _due_dates(since: datetime.datetime, until: datetime.datetime) -> list[datetime.date]:
    """The due dates of unpaid lines that become overdue in (since, until]
    (one query)."""
    days = (
        _unpaid_overdue(
            due_on__gte=selectors.manila_date(since) - DAY,
            due_on__lte=selectors.manila_date(until),
        )
        .order_by("due_on")
        .values_list("due_on", flat=True)
        .distinct()
    )
    return [day for day in days if since < _overdue_from(day) <= until]


def _finance_officers() -> list[int]:
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.FINANCE_OFFICER.value)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


def _unpaid_overdue(**filters):
    return selectors.unpaid_lines().filter(amount__gt=0, **filters)


def _collect_payments_overdue(window: Window) -> Iterator[list[Due]]:
    officers = None
    for offset in window.offsets:
        since, until = window.anchor_range(after=offset)
        for day in _due_dates(since, until):
            if officers is None:
                officers = _finance_officers()
            if not officers:
                return
            due_at = _overdue_from(day) + offset * HOUR
            rows = Consultant.objects.filter(
                Exists(_unpaid_overdue(consultant=OuterRef("pk"), due_on=day))
            ).values("pk")
            for batch in batched(rows, size=window.batch_size):
                yield [
                    Due(target=(CONSULTANT, row["pk"]), due_at=due_at, user_id=user_id)
                    for row in batch
                    for user_id in officers
                ]


def _prepare_payments_overdue(delivery, *, now) -> Prepared | Skip:
    days = [
        selectors.manila_date(delivery.due_at - offset * HOUR) - DAY
        for offset in configured_offsets(delivery.kind)
    ]
    still = _unpaid_overdue(consultant_id=delivery.target_id, due_on__in=days).order_by("due_on")
    oldest = still.values_list("due_on", flat=True).first()
    if oldest is None:
        # Paid (or the lines changed): nothing overdue from that day any more.
        return Skip(R.NOT_DUE)
    return Prepared(
        {
            "due_on": oldest,
            "target_days": selectors.target_days(),
            "url": absolute_url("compensation:overdue"),
        }
    )


register_kind(
    ReminderKind(
        key="staff_payments_overdue",
        audience=Audience.STAFF,
        label=_("Payments overdue"),
        description=_(
            "To finance officers, when what a consultant is owed is not paid by its due "
            "date (the target days to pay)."
        ),
        timing=Timing(
            _("Hours after the due date has passed"),
            default=(9,),
            help_text=_("9 is the morning after the due date, at 09:00."),
        ),
        collect=_collect_payments_overdue,
        prepare=_prepare_payments_overdue,
        templates="compensation/reminders/staff_payments_overdue",
        lookback=datetime.timedelta(days=3),
    )
)
