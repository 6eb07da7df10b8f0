"""Reads of the compensation app, for the finance pages, the portal and the
statement. Every total is a PostgreSQL ``SUM`` over ``numeric`` columns
(``Decimal`` in Python), never a float; every list is a fixed number of
queries whatever its length (tests assert the counts).

The callers scope first: a view passes what ``compensation.access`` lets the
person see (``lines_visible_to(user)`` …) or a consultant it already checked.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    Aggregate,
    Avg,
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from accounts.access import AnyUser
from compensation.access import RECORDABLE
from compensation.models import (
    ZERO,
    Agreement,
    AllowanceKind,
    AllowancePolicy,
    Decision,
    ExpenseClaim,
    Payment,
    PaymentLine,
    PaymentMethod,
    RateCard,
    RateUnit,
    Receipt,
    TimeEntry,
    TimeKind,
)
from consultants.models import Consultant
from core.bounded import Bounded, bounded
from core.encryption import encrypted_field_names
from engagements.models import Engagement, EngagementType, Participation, ParticipationRole

MANILA = ZoneInfo("Asia/Manila")
MONEY_ZERO = Value(ZERO)
DAY = datetime.timedelta(days=1)
# Time may be entered from this long before the engagement starts (preparation)
# to this long after it ends (late entries); never for a day still to come.
ENTRY_WINDOW = datetime.timedelta(days=90)


def target_days() -> int:
    return int(getattr(settings, "COMPENSATION_TARGET_DAYS_TO_PAY", 7))


def manila_today(now: datetime.datetime | None = None) -> datetime.date:
    return timezone.localtime(now or timezone.now(), MANILA).date()


def manila_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment, MANILA).date()


def _sum(queryset: QuerySet[Any], field_name: str = "amount") -> Decimal:
    return queryset.aggregate(total=Coalesce(Sum(field_name), MONEY_ZERO))["total"]


def unpaid_lines() -> QuerySet[PaymentLine]:
    """Lines not in a paid payment (in none, or in a draft or approved one)."""
    return PaymentLine.objects.exclude(payment__status=Payment.Status.PAID)


# --- Rates ------------------------------------------------------------------------


def rate_card_for(*, engagement_type: str, role: str, on: datetime.date) -> RateCard | None:
    """The rate card of a type and role in force on a date (at most one: the
    exclusion constraint)."""
    return (
        RateCard.objects.filter(engagement_type=engagement_type, role=role, effective_from__lte=on)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=on))
        .first()
    )


def rate_cards_current(*, on: datetime.date | None = None) -> QuerySet[RateCard]:
    on = on or manila_today()
    return RateCard.objects.filter(effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=on)
    )


def allowance_policies_in_force(*, on: datetime.date | None = None) -> QuerySet[AllowancePolicy]:
    """The version of each kind of allowance in force on a date (at most one
    per kind: the exclusion constraint)."""
    on = on or manila_today()
    return AllowancePolicy.objects.filter(effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=on)
    )


def allowance_policy_for(*, kind: str, on: datetime.date | None = None) -> AllowancePolicy | None:
    return allowance_policies_in_force(on=on).filter(kind=kind).first()


def allowance_policies_active(*, on: datetime.date | None = None) -> QuerySet[AllowancePolicy]:
    """The versions in force on a date that are offered."""
    return allowance_policies_in_force(on=on).filter(is_active=True)


def allowance_policies_for(engagement: Engagement) -> list[AllowancePolicy]:
    """The allowances a new agreement offers by default for this engagement:
    the versions in force on its first day (like its rate card) that are
    offered and have an amount, transport and lodging only in person (one
    query)."""
    in_person = engagement.mode == "in_person"
    return [
        policy
        for policy in allowance_policies_active(on=manila_date(engagement.start)).order_by("kind")
        if policy.default_amount > 0 and (in_person or not policy.in_person_only)
    ]


def default_estimated_hours(engagement: Engagement) -> dict[str, Decimal]:
    """The hours a new agreement expects by default, by part: the
    engagement's preparation hours, its length, two hours of travel when in
    person, one hour of debrief (no query)."""
    hours = Decimal((engagement.end - engagement.start).total_seconds()) / Decimal(3600)
    return {
        "estimated_preparation_hours": engagement.preparation_hours or ZERO,
        "estimated_travel_hours": Decimal("2.00") if engagement.mode == "in_person" else ZERO,
        "estimated_engagement_hours": min(hours.quantize(Decimal("0.01")), Decimal("200")),
        "estimated_debrief_hours": Decimal("1.00"),
    }


# --- Agreements -------------------------------------------------------------------


def agreement_latest(participation: Participation) -> Agreement | None:
    return (
        Agreement.objects.filter(participation=participation)
        .order_by("-version")
        .prefetch_related("allowances")
        .first()
    )


def agreement_in_force(participation: Participation) -> Agreement | None:
    """The last version the consultant acknowledged (accepting the invitation
    acknowledges the version in front of them)."""
    return (
        Agreement.objects.filter(participation=participation, acknowledged_at__isnull=False)
        .order_by("-version")
        .prefetch_related("allowances")
        .first()
    )


def agreement_awaiting_acknowledgement(participation: Participation) -> Agreement | None:
    """A change proposed after acceptance that the consultant has not yet seen
    and acknowledged (the latest version, unacknowledged, with an earlier
    acknowledged one)."""
    latest = agreement_latest(participation)
    if latest is None or latest.is_acknowledged:
        return None
    if not Agreement.objects.filter(
        participation=participation, acknowledged_at__isnull=False
    ).exists():
        return latest if participation.status != Participation.Status.INVITED else None
    return latest


def agreements_of(consultant: Consultant) -> QuerySet[Agreement]:
    """A consultant's agreements, every version, newest first, with their
    engagement and allowances (portal: 2 queries)."""
    return (
        Agreement.objects.filter(participation__consultant=consultant)
        .select_related("participation__engagement")
        .prefetch_related("allowances")
        .order_by("-participation__engagement__start", "participation_id", "-version")
    )


# --- Time and claims ----------------------------------------------------------------


def time_entries_of(consultant: Consultant) -> QuerySet[TimeEntry]:
    return TimeEntry.objects.filter(consultant=consultant).select_related(
        "participation__engagement", "line__payment"
    )


def time_entries_waiting(participations: QuerySet[Participation]) -> QuerySet[TimeEntry]:
    """Entries waiting for approval on the given participations (staff)."""
    return (
        TimeEntry.objects.filter(participation__in=participations, status="submitted")
        .select_related("participation__engagement", "consultant", "entered_by")
        .order_by("date", "id")
    )


def day_total(
    consultant: Consultant, day: datetime.date, *, exclude_pk: int | None = None
) -> Decimal:
    queryset = TimeEntry.objects.filter(consultant=consultant, date=day).exclude(status="rejected")
    if exclude_pk is not None:
        queryset = queryset.exclude(pk=exclude_pk)
    return _sum(queryset, "hours")


def claims_of(consultant: Consultant) -> QuerySet[ExpenseClaim]:
    return (
        ExpenseClaim.objects.filter(consultant=consultant)
        .select_related("participation__engagement", "line__payment")
        .prefetch_related(Prefetch("receipts", queryset=Receipt.objects.order_by("uploaded_at")))
    )


def claims_waiting(participations: QuerySet[Participation]) -> QuerySet[ExpenseClaim]:
    return (
        ExpenseClaim.objects.filter(participation__in=participations, status="submitted")
        .select_related("participation__engagement", "consultant", "submitted_by")
        .annotate(receipt_count=_count_of(Receipt.objects.filter(claim=OuterRef("pk")), "claim"))
        .order_by("submitted_at", "id")
    )


def _count_of(related: QuerySet[Any], key: str) -> Coalesce:
    """A correlated ``COUNT`` in the row's select list: PostgreSQL computes it
    after the sort and the limit, so only for the rows of the page."""
    return Coalesce(
        Subquery(related.order_by().values(key).annotate(n=Count("pk")).values("n")[:1]),
        0,
    )


def _sum_of(related: QuerySet[Any], key: str, field_name: str = "amount") -> Coalesce:
    """A correlated ``SUM`` of money, like ``_count_of``: for the page's rows only."""
    return Coalesce(
        Subquery(related.order_by().values(key).annotate(t=Sum(field_name)).values("t")[:1]),
        MONEY_ZERO,
    )


def participations_to_record(
    participations: QuerySet[Participation], *, search: str = ""
) -> QuerySet[Participation]:
    """Where staff may record time or a claim on a consultant's behalf: the
    given participations (those the person runs) in a recordable status,
    found by the consultant's pseudonym or the engagement's title, the
    latest engagement first (one query per page)."""
    queryset = participations.filter(status__in=RECORDABLE)
    search = (search or "").strip()[:100]
    if search:
        queryset = queryset.filter(
            Q(consultant__pseudonym__icontains=search) | Q(engagement__title__icontains=search)
        )
    return queryset.select_related("consultant", "engagement").order_by("-engagement__start", "-id")


# --- Lines, payments, the finance queue -------------------------------------------------


def lines_of(consultant: Consultant) -> QuerySet[PaymentLine]:
    return PaymentLine.objects.filter(consultant=consultant).select_related(
        "participation__engagement", "payment"
    )


def finance_queue() -> QuerySet[PaymentLine]:
    """Approved lines in no payment yet, oldest due first, with whose and
    which engagement (one query)."""
    return (
        PaymentLine.objects.filter(payment__isnull=True)
        .select_related("consultant", "participation__engagement")
        .order_by("due_on", "consultant_id", "id")
    )


def finance_queue_by_consultant(*, today: datetime.date | None = None) -> QuerySet[Any, Any]:
    """One row per consultant with lines waiting: pseudonym, number of lines,
    total, earliest due date and overdue count (one query)."""
    today = today or manila_today()
    return (
        PaymentLine.objects.filter(payment__isnull=True)
        .values("consultant_id", "consultant__pseudonym")
        .annotate(
            lines=Count("id"),
            total=Coalesce(Sum("amount"), MONEY_ZERO),
            earliest_due=Min("due_on"),
            overdue=Count("id", filter=Q(due_on__lt=today, amount__gt=0)),
        )
        .order_by("earliest_due", "consultant__pseudonym")
    )


def finance_queue_summary() -> dict[str, Any]:
    """Over the whole queue: consultants waiting, lines and their total (one query)."""
    return PaymentLine.objects.filter(payment__isnull=True).aggregate(
        consultants=Count("consultant", distinct=True),
        lines=Count("id"),
        total=Coalesce(Sum("amount"), MONEY_ZERO),
    )


GROUP_PAGE_LINES = 200


def waiting_lines_of(
    consultant: Consultant, *, today: datetime.date | None = None, limit: int = GROUP_PAGE_LINES
) -> Bounded[PaymentLine]:
    """A consultant's lines in no payment yet, oldest payable first, with
    their engagement, how many there are and their total (one query; at
    most ``limit`` rows). ``extra["later"]``: the ids of advances being
    netted that wait for the end of their engagement (not ticked by
    default, as grouping "all" leaves them)."""
    today = today or manila_today()
    result = bounded(
        PaymentLine.objects.filter(consultant=consultant, payment__isnull=True)
        .select_related("participation__engagement")
        .order_by("payable_since", "id"),
        limit=limit,
        total="amount",
    )
    later = {
        line.pk
        for line in result.rows
        if line.kind == PaymentLine.Kind.ADVANCE_RECOVERY and line.payable_since > today
    }
    result.extra["later"] = later
    return result


def payments_by_status(status: str | None = None) -> QuerySet[Payment]:
    """Payments (of one status), newest first, with the consultant, who
    grouped, approved and paid each, and their line count and current sum
    (one query; the count and sum are correlated subqueries, computed for
    the page's rows only, after the limit)."""
    lines = PaymentLine.objects.filter(payment=OuterRef("pk"))
    queryset = Payment.objects.select_related(
        "consultant", "payment_method", "created_by", "approved_by", "paid_by"
    ).annotate(line_count=_count_of(lines, "payment"), lines_total=_sum_of(lines, "payment"))
    if status:
        queryset = queryset.filter(status=status)
    return queryset.order_by("-created_at", "-id")


def payment_status_counts() -> dict[str, dict[str, Any]]:
    """Per status: how many payments and their total (one query)."""
    rows = (
        Payment.objects.values("status")
        .annotate(count=Count("id"), total=Coalesce(Sum("total"), MONEY_ZERO))
        .order_by()
    )
    counts = {status: {"count": 0, "total": ZERO} for status in Payment.Status.values}
    for row in rows:
        counts[row["status"]] = {"count": row["count"], "total": row["total"]}
    return counts


def payment_detail(pk: int | str) -> Payment:
    """One payment with its lines and their engagements (2 queries)."""
    return (
        Payment.objects.select_related(
            "consultant", "payment_method", "created_by", "approved_by", "paid_by"
        )
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=PaymentLine.objects.select_related("participation__engagement").order_by(
                    "payable_since", "id"
                ),
            )
        )
        .get(pk=pk)
    )


def payment_lines_total(payment: Payment) -> Decimal:
    return _sum(PaymentLine.objects.filter(payment=payment))


def payment_days_waiting(payment: Payment, *, today: datetime.date | None = None) -> int | None:
    """Days from payable to paid (paid), or waited so far (not yet paid)."""
    if payment.is_paid:
        return payment.days_to_pay
    since = (
        payment.payable_since
        or (PaymentLine.objects.filter(payment=payment).aggregate(m=Min("payable_since"))["m"])
    )
    if since is None:
        return None
    return ((today or manila_today()) - since).days


@dataclass(frozen=True)
class Balance:
    """``owed_now``: the unpaid lines payable by today. ``has_later``:
    unpaid lines payable after today exist (an advance netted against a fee
    still to come), left out of ``owed_now``."""

    owed_now: Decimal
    has_later: bool


def consultant_balance(consultant: Consultant, *, today: datetime.date | None = None) -> Balance:
    """What is owed now and not yet paid: lines outside paid payments that
    are payable by today (Manila). A line payable later (an advance being
    netted, payable when its engagement ends) is left out, as grouping
    leaves it and as the statement for a period ending today leaves it, so
    the portal and the statement give the same figure (one query)."""
    today = today or manila_today()
    sums = (
        unpaid_lines()
        .filter(consultant=consultant)
        .aggregate(
            owed_now=Coalesce(Sum("amount", filter=Q(payable_since__lte=today)), MONEY_ZERO),
            later=Count("id", filter=Q(payable_since__gt=today)),
        )
    )
    return Balance(owed_now=sums["owed_now"], has_later=sums["later"] > 0)


# --- On time --------------------------------------------------------------------------


class _IsAnyOf(Func):
    """``expression = ANY(ARRAY(subquery))``: unlike ``IN (subquery)`` (a
    hashed subplan, a filter on every row read), an index condition, which
    PostgreSQL may combine with another index's in a bitmap OR."""

    template = "%(expressions)s)"
    arg_joiner = " = ANY("
    output_field = BooleanField()

    def __init__(self, expression: Any, queryset: QuerySet[Any]) -> None:
        super().__init__(expression, ArraySubquery(queryset.order_by()))


def _overdue(today: datetime.date) -> QuerySet[PaymentLine]:
    """Lines owed (positive), not paid, past their due date: bare (no joins,
    no order). Not paid is "in no payment, or in one of the few payments not
    paid" (``unpaid_lines``' rows): two indexes, OR-ed in a bitmap, read only
    the lines that match -- the lines in no payment past their due date
    (the partial index "overdue", which is why the date is said again in
    that branch) and the lines of those few payments (their ids an array,
    not joined to every line's payment)."""
    not_paid = Payment.objects.exclude(status=Payment.Status.PAID).values("pk")
    return PaymentLine.objects.filter(
        Q(payment__isnull=True, due_on__lt=today) | Q(_IsAnyOf(F("payment_id"), not_paid)),
        due_on__lt=today,
        amount__gt=0,
    )


def overdue_lines(*, today: datetime.date | None = None) -> QuerySet[PaymentLine]:
    """Lines owed (positive) and not paid whose due date has passed, oldest
    due first, with consultant, engagement and payment (one query)."""
    today = today or manila_today()
    return (
        _overdue(today)
        .select_related("consultant", "participation__engagement", "payment")
        .order_by("due_on", "id")
    )


def overdue_summary(*, today: datetime.date | None = None) -> dict[str, Any]:
    """How many lines are overdue, their total and the oldest due date (one
    query, over the bare overdue lines: ``_overdue``)."""
    today = today or manila_today()
    return _overdue(today).aggregate(
        count=Count("id"),
        total=Coalesce(Sum("amount"), MONEY_ZERO),
        oldest_due=Min("due_on"),
        consultants=Count("consultant", distinct=True),
    )


@dataclass(frozen=True)
class MonthShare:
    month: datetime.date
    payments: int
    on_time: int
    total: Decimal
    average_days: Decimal | None
    longest_days: int | None

    @property
    def share(self) -> Decimal | None:
        """Share paid on time, 0 to 1 (Decimal), None without payments."""
        if not self.payments:
            return None
        return (Decimal(self.on_time) / Decimal(self.payments)).quantize(Decimal("0.0001"))

    @property
    def percent(self) -> Decimal | None:
        share = self.share
        return None if share is None else (share * 100).quantize(Decimal("0.1"))


def on_time_by_month(*, date_from: datetime.date, date_to: datetime.date) -> list[MonthShare]:
    """Per month (Manila) of payment: payments paid, how many on time, total
    paid, average and longest days to pay (one query)."""
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=MANILA)
    end = datetime.datetime.combine(
        date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=MANILA
    )
    rows = (
        Payment.objects.filter(status=Payment.Status.PAID, paid_at__gte=start, paid_at__lt=end)
        .annotate(month=TruncMonth("paid_at", tzinfo=MANILA))
        .values("month")
        .annotate(
            payments=Count("id"),
            on_time_count=Count("id", filter=Q(on_time=True)),
            total_paid=Coalesce(Sum("total"), MONEY_ZERO),
            average_days=Avg("days_to_pay"),
            longest_days=Max("days_to_pay"),
        )
        .order_by("month")
    )
    return [
        MonthShare(
            month=_as_date(row["month"]),
            payments=row["payments"],
            on_time=row["on_time_count"],
            total=row["total_paid"],
            average_days=(
                None
                if row["average_days"] is None
                else Decimal(row["average_days"]).quantize(Decimal("0.1"))
            ),
            longest_days=row["longest_days"],
        )
        for row in rows
    ]


def _as_date(value: datetime.date | datetime.datetime) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return (
            timezone.localtime(value, MANILA).date() if timezone.is_aware(value) else value.date()
        )
    return value


def totals_by_month_and_type(
    *, date_from: datetime.date, date_to: datetime.date
) -> list[dict[str, Any]]:
    """Paid amounts per month (Manila, of the payment) and engagement type,
    from the lines of paid payments (one query). Lines without an engagement
    (general adjustments) come under type ``""``."""
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=MANILA)
    end = datetime.datetime.combine(
        date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=MANILA
    )
    rows = (
        PaymentLine.objects.filter(
            payment__status=Payment.Status.PAID,
            payment__paid_at__gte=start,
            payment__paid_at__lt=end,
        )
        .annotate(month=TruncMonth("payment__paid_at", tzinfo=MANILA))
        .values("month", "participation__engagement__type")
        .annotate(total=Coalesce(Sum("amount"), MONEY_ZERO), lines=Count("id"))
        .order_by("month", "participation__engagement__type")
    )
    return [
        {
            "month": _as_date(row["month"]),
            "engagement_type": row["participation__engagement__type"] or "",
            "total": row["total"],
            "lines": row["lines"],
        }
        for row in rows
    ]


@dataclass(frozen=True)
class KindTotals:
    """Sums per kind (of time, or of line) and their total."""

    by_kind: dict[str, Decimal]
    total: Decimal


def approved_hours(*, date_from: datetime.date, date_to: datetime.date) -> KindTotals:
    """Hours of approved time entries dated in the period (both days
    included): per kind of time that has any, and in all. One query: the
    total is the sum of PostgreSQL's per-kind sums (a handful of exact
    ``Decimal`` values), not a second pass over the period's entries."""
    hours = TimeEntry.objects.filter(
        status=Decision.APPROVED, date__gte=date_from, date__lte=date_to
    )
    by_kind = {
        row["kind"]: row["total"]
        for row in hours.values("kind").annotate(total=Sum("hours")).order_by()
    }
    return KindTotals(by_kind=by_kind, total=sum(by_kind.values(), ZERO))


def earned(*, date_from: datetime.date, date_to: datetime.date) -> KindTotals:
    """What became payable in the period (lines by ``payable_since``, both
    days included): per line kind, every kind (zero when none), and in all.
    One query: the total is the sum of PostgreSQL's per-kind sums (exact
    ``Decimal``), not a second pass over the period's lines."""
    lines = PaymentLine.objects.filter(payable_since__gte=date_from, payable_since__lte=date_to)
    by_kind = totals_by_kind(lines)
    return KindTotals(by_kind=by_kind, total=sum(by_kind.values(), ZERO))


def totals_by_kind(queryset: QuerySet[PaymentLine]) -> dict[str, Decimal]:
    """Sum per line kind of the given lines (one query)."""
    rows = queryset.values("kind").annotate(total=Coalesce(Sum("amount"), MONEY_ZERO)).order_by()
    totals = {kind: ZERO for kind in PaymentLine.Kind.values}
    for row in rows:
        totals[row["kind"]] = row["total"]
    return totals


# --- Portal ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentsOnTheWay:
    """Payments approved for a consultant and not yet paid."""

    count: int
    total: Decimal


def consultant_payments_on_the_way(consultant: Consultant) -> PaymentsOnTheWay:
    """How many of her payments are approved and not yet paid, and their
    total, summed by PostgreSQL (one query; the portal home's count)."""
    row = Payment.objects.filter(consultant=consultant, status=Payment.Status.APPROVED).aggregate(
        count=Count("id"), total=Coalesce(Sum("total"), MONEY_ZERO)
    )
    return PaymentsOnTheWay(count=row["count"], total=row["total"])


def consultant_time_to_send(consultant: Consultant, *, now: datetime.datetime | None = None) -> int:
    """How many engagements she attended still wait for her time: over, not
    longer ago than time may be entered (``ENTRY_WINDOW``), with no time
    entry sent in (waiting or approved; a rejected one is to send again),
    and paid by the hour, half day or day (a fixed honorarium covers the
    time). One query (the portal home's count)."""
    now = now or timezone.now()
    sent = TimeEntry.objects.filter(participation=OuterRef("pk")).exclude(status=Decision.REJECTED)
    in_force_unit = Subquery(
        Agreement.objects.filter(participation=OuterRef("pk"), acknowledged_at__isnull=False)
        .order_by("-version")
        .values("rate_unit")[:1]
    )
    return (
        Participation.objects.filter(
            consultant=consultant,
            status=Participation.Status.ATTENDED,
            engagement__end__lte=now,
            engagement__end__gt=now - ENTRY_WINDOW,
        )
        .exclude(Exists(sent))
        .annotate(rate_unit=in_force_unit)
        .exclude(rate_unit=RateUnit.FIXED)
        .count()
    )


# The parts of her time an offer lists, in the order she reads them.
OFFER_PARTS = (
    (TimeKind.PREPARATION, "estimated_preparation_hours"),
    (TimeKind.ENGAGEMENT, "estimated_engagement_hours"),
    (TimeKind.TRAVEL, "estimated_travel_hours"),
    (TimeKind.DEBRIEF, "estimated_debrief_hours"),
)


@dataclass(frozen=True)
class OfferPart:
    """Hours expected for one part of her time, and what they pay (None: a
    fixed honorarium covers them, or no rate is known)."""

    kind: str
    label: str
    hours: Decimal
    pay: Decimal | None


@dataclass(frozen=True)
class OfferAllowance:
    kind: str
    label: str
    amount: Decimal
    paid_in_advance: bool


@dataclass(frozen=True)
class Offer:
    """What one participation pays, as the consultant reads it before she
    answers (``offer_for``).

    ``source``: ``"agreement"`` (the version in front of her), ``"rate_card"``
    (no agreement yet: the card for her role and the engagement's type on
    its date, with the default hours and allowances a new agreement would
    take), or ``"none"`` (no rate known: the page says the team will tell
    her before she decides; ``rate_amount``, ``time_pay`` and ``total`` are
    None, never zero)."""

    source: str
    rate_amount: Decimal | None
    rate_unit: str
    rate_unit_label: str
    parts: tuple[OfferPart, ...]
    allowances: tuple[OfferAllowance, ...]
    advance: Decimal
    time_pay: Decimal | None
    total: Decimal | None
    target_days: int
    pay_due_on: datetime.date
    advance_due_on: datetime.date
    cancellation_notice_hours: int | None = None
    cancellation_minimum: Decimal | None = None
    agreement_id: int | None = None

    AGREEMENT = "agreement"
    RATE_CARD = "rate_card"
    NONE = "none"

    @property
    def known(self) -> bool:
        return self.rate_amount is not None

    @property
    def is_fixed(self) -> bool:
        return self.rate_unit == RateUnit.FIXED

    @property
    def hours(self) -> Decimal:
        return sum((part.hours for part in self.parts), ZERO)

    @property
    def has_advance_items(self) -> bool:
        return self.advance > 0 or any(a.paid_in_advance for a in self.allowances)


def _offer_agreement(participation: Participation) -> Agreement | None:
    """The version in force (the last she acknowledged); before any, the
    newest, which is what she accepts when she says yes (one query, and one
    for its allowances)."""
    return (
        Agreement.objects.filter(participation=participation)
        .order_by(
            Case(
                When(acknowledged_at__isnull=False, then=Value(0)),
                default=Value(1),
            ),
            "-version",
        )
        .prefetch_related("allowances")
        .first()
    )


def offer_for(participation: Participation) -> Offer:
    """What ``participation`` pays: the rate, the hours expected by part and
    what each pays, the allowances (and which are paid in advance), any
    advance, the estimated total, and when payment is due (the time: within
    the target days after the engagement's last day; the advance and the
    allowances paid in advance: the day before it starts at the latest).
    Amounts are Decimal pesos, rounded as the payment lines will be
    (``Agreement.pay_for_hours``). At most three queries."""
    engagement = participation.engagement
    start_day = manila_date(engagement.start)
    days = target_days()
    agreement = _offer_agreement(participation)
    allowances: list[OfferAllowance]
    terms: Agreement
    if agreement is not None:
        source = Offer.AGREEMENT
        terms = agreement
        allowances = [
            OfferAllowance(a.kind, str(a.get_kind_display()), a.amount, a.paid_in_advance)
            for a in sorted(agreement.allowances.all(), key=lambda a: a.kind)
        ]
    else:
        card = rate_card_for(engagement_type=engagement.type, role=participation.role, on=start_day)
        source = Offer.RATE_CARD if card is not None else Offer.NONE
        terms = Agreement(
            participation=participation,
            rate_unit=card.unit if card else "",
            rate_amount=card.amount if card else ZERO,
            **default_estimated_hours(engagement),
        )
        allowances = [
            OfferAllowance(
                p.kind, str(AllowanceKind(p.kind).label), p.default_amount, p.paid_in_advance
            )
            for p in allowance_policies_for(engagement)
        ]
    known = source != Offer.NONE
    paid_by_hour = known and not terms.is_fixed
    parts = tuple(
        OfferPart(
            kind=str(kind),
            label=str(kind.label),
            hours=getattr(terms, field),
            pay=terms.pay_for_hours(getattr(terms, field)) if paid_by_hour else None,
        )
        for kind, field in OFFER_PARTS
        if getattr(terms, field) > 0
    )
    time_pay = terms.estimated_time_pay() if known else None
    allowances_total = sum((a.amount for a in allowances), ZERO)
    return Offer(
        source=source,
        rate_amount=terms.rate_amount if known else None,
        rate_unit=terms.rate_unit if known else "",
        rate_unit_label=str(terms.get_rate_unit_display()) if known else "",
        parts=parts,
        allowances=tuple(allowances),
        advance=agreement.advance_amount if agreement is not None else ZERO,
        time_pay=time_pay,
        total=None if time_pay is None else time_pay + allowances_total,
        target_days=days,
        pay_due_on=manila_date(engagement.end) + datetime.timedelta(days=days),
        advance_due_on=start_day - DAY,
        cancellation_notice_hours=(
            agreement.cancellation_notice_hours if agreement is not None else None
        ),
        cancellation_minimum=agreement.cancellation_minimum if agreement is not None else None,
        agreement_id=agreement.pk if agreement is not None else None,
    )


def payments_of(consultant: Consultant) -> QuerySet[Payment]:
    """A consultant's payments, newest first, with line count (one query)."""
    return (
        Payment.objects.filter(consultant=consultant)
        .exclude(status=Payment.Status.DRAFT)
        .annotate(line_count=Count("lines"))
        .order_by("-created_at", "-id")
    )


def payment_methods_of(consultant: Consultant) -> QuerySet[PaymentMethod]:
    """Kind and provider only are meant to be shown; never the encrypted values."""
    return PaymentMethod.objects.filter(consultant=consultant, is_active=True).defer(
        "account_name", "account_number"
    )


def participations_with_compensation(consultant: Consultant) -> QuerySet[Participation]:
    """The consultant's participations that have an agreement, each with its
    engagement and whether a change waits for acknowledgement (one query)."""
    waiting = Agreement.objects.filter(
        participation=OuterRef("pk"), acknowledged_at__isnull=True
    ).filter(version__gt=Coalesce(_latest_acknowledged_version(), Value(0)))
    return (
        Participation.objects.filter(consultant=consultant, agreements__isnull=False)
        .distinct()
        .select_related("engagement")
        .annotate(change_waiting=Exists(waiting))
        .order_by("-engagement__start", "-id")
    )


def _latest_acknowledged_version() -> Subquery:
    return Subquery(
        Agreement.objects.filter(
            participation=OuterRef("participation"), acknowledged_at__isnull=False
        )
        .order_by("-version")
        .values("version")[:1]
    )


# --- Statement ------------------------------------------------------------------------


@dataclass
class StatementEngagement:
    title: str
    type_label: str
    start: datetime.datetime
    role_label: str
    total: Decimal = ZERO


@dataclass
class Statement:
    consultant: Consultant
    date_from: datetime.date
    date_to: datetime.date
    lines: list[PaymentLine]
    payments: Sequence[Payment]
    engagements: list[StatementEngagement]
    totals_by_kind: dict[str, Decimal]
    earned: Decimal
    paid: Decimal
    outstanding: Decimal
    kind_labels: dict[str, str] = field(default_factory=dict)


def statement_for(
    *, consultant: Consultant, date_from: datetime.date, date_to: datetime.date
) -> Statement:
    """A consultant's statement for a period (Manila dates, both included):

    * lines payable in the period, with their engagements;
    * payments paid in the period;
    * earned: the sum of those lines; paid: the sum of those payments;
    * outstanding: every line payable up to the end of the period and not
      paid by then.

    All sums by PostgreSQL; 6 queries whatever the period holds.
    """
    end = datetime.datetime.combine(
        date_to + datetime.timedelta(days=1), datetime.time.min, tzinfo=MANILA
    )
    start = datetime.datetime.combine(date_from, datetime.time.min, tzinfo=MANILA)
    period_lines = PaymentLine.objects.filter(
        consultant=consultant, payable_since__gte=date_from, payable_since__lte=date_to
    )
    lines = list(
        period_lines.select_related("participation__engagement", "payment").order_by(
            "payable_since", "id"
        )
    )
    payments = list(
        Payment.objects.filter(
            consultant=consultant,
            status=Payment.Status.PAID,
            paid_at__gte=start,
            paid_at__lt=end,
        )
        .annotate(line_count=Count("lines"))
        .order_by("paid_at", "id")
    )
    by_kind = totals_by_kind(period_lines)
    paid_by_end = Q(payment__status=Payment.Status.PAID, payment__paid_at__lt=end)
    sums = PaymentLine.objects.filter(consultant=consultant, payable_since__lte=date_to).aggregate(
        earned=Coalesce(Sum("amount", filter=Q(payable_since__gte=date_from)), MONEY_ZERO),
        outstanding=Coalesce(Sum("amount", filter=~paid_by_end), MONEY_ZERO),
    )
    paid = _sum(
        Payment.objects.filter(
            consultant=consultant,
            status=Payment.Status.PAID,
            paid_at__gte=start,
            paid_at__lt=end,
        ),
        "total",
    )
    type_labels = dict(EngagementType.choices)
    role_labels = dict(ParticipationRole.choices)
    engagements = [
        StatementEngagement(
            title=row["participation__engagement__title"],
            type_label=str(type_labels.get(row["participation__engagement__type"], "")),
            start=row["participation__engagement__start"],
            role_label=str(role_labels.get(row["participation__role"], "")),
            total=row["total"],
        )
        for row in period_lines.filter(participation__isnull=False)
        .values(
            "participation_id",
            "participation__engagement__title",
            "participation__engagement__type",
            "participation__engagement__start",
            "participation__role",
        )
        .annotate(total=Coalesce(Sum("amount"), MONEY_ZERO))
        .order_by("participation__engagement__start", "participation_id")
    ]
    return Statement(
        consultant=consultant,
        date_from=date_from,
        date_to=date_to,
        lines=lines,
        payments=payments,
        engagements=engagements,
        totals_by_kind=by_kind,
        earned=sums["earned"],
        paid=paid,
        outstanding=sums["outstanding"],
        kind_labels={kind: str(label) for kind, label in PaymentLine.Kind.choices},
    )


# --- The staff dashboard ("what needs you today") ---------------------------------------
# Each a bounded list: the first ``limit`` rows and the count (and total) of
# all in one query (``core.bounded``), oldest first, so the dashboard's
# query count never grows with the data.

DASHBOARD_ROWS = 5


def _without_identity(queryset: QuerySet[Any], path: str = "consultant") -> QuerySet[Any]:
    return queryset.defer(*[f"{path}__{name}" for name in encrypted_field_names(Consultant)])


def overdue_lines_card(
    *, today: datetime.date | None = None, limit: int = DASHBOARD_ROWS
) -> Bounded[PaymentLine]:
    """Overdue lines (``overdue_lines``), oldest due first: the first
    ``limit`` with consultant, engagement and payment; ``count`` and
    ``total`` (pesos) of all; each row's ``days_overdue``. One query."""
    today = today or manila_today()
    # Counted and summed over the bare lines (no joins), beside the first rows.
    card = bounded(
        _without_identity(overdue_lines(today=today)),
        limit=limit,
        total="amount",
        count_from=_overdue(today),
    )
    for line in card.rows:
        line.days_overdue = (today - line.due_on).days
    return card


def approved_unpaid_card(
    *, today: datetime.date | None = None, limit: int = DASHBOARD_ROWS
) -> Bounded[Payment]:
    """Approved payments not yet paid, longest waiting first: the first
    ``limit`` with their consultant, ``count`` and ``total`` of all; each
    row's ``approved_on`` (Manila date) and ``days_waiting`` since then.
    One query."""
    today = today or manila_today()
    card = bounded(
        _without_identity(
            Payment.objects.filter(status=Payment.Status.APPROVED)
            .select_related("consultant")
            .order_by("approved_at", "id")
        ),
        limit=limit,
        total="total",
    )
    for payment in card.rows:
        payment.approved_on = manila_date(payment.approved_at)
        payment.days_waiting = (today - payment.approved_on).days
    return card


def drafts_to_approve_card(
    *, today: datetime.date | None = None, limit: int = DASHBOARD_ROWS
) -> Bounded[Payment]:
    """Draft payments waiting for finance's approval, oldest first, each with
    ``prepared_on`` and ``days_waiting``; the count of all. One query."""
    today = today or manila_today()
    card = bounded(
        _without_identity(
            Payment.objects.filter(status=Payment.Status.DRAFT)
            .select_related("consultant")
            .order_by("created_at", "id")
        ),
        limit=limit,
    )
    for payment in card.rows:
        payment.prepared_on = manila_date(payment.created_at)
        payment.days_waiting = (today - payment.prepared_on).days
    return card


@dataclass(frozen=True)
class ApprovalsWaiting:
    """Time entries and expense claims waiting for the staff who run the
    engagement (``participations``): how many, and the oldest date."""

    time_entries: int
    claims: int
    oldest: datetime.date | None

    @property
    def count(self) -> int:
        return self.time_entries + self.claims

    def __bool__(self) -> bool:
        return self.count > 0


def approvals_waiting_card(
    *, participations: QuerySet[Participation], viewer: AnyUser
) -> ApprovalsWaiting:
    """Counts of time and claims that ``viewer`` may decide, waiting for
    approval on ``participations`` (``compensation.access.participations_run_by``),
    two queries. Every participation (no filter, managers) asks no semi-join:
    the counts are read from the partial indexes of what waits.

    What she entered or submitted herself (on a consultant's behalf) is left
    out: four eyes, someone else decides it (``access.can_decide_time``,
    ``access.can_decide_claim``). A plain ``<> her id`` on the scanned rows,
    so the plan and the number of queries stay as they were."""
    viewer_pk = getattr(viewer, "pk", None)
    waiting_entries = TimeEntry.objects.filter(status="submitted").exclude(entered_by_id=viewer_pk)
    waiting_claims = ExpenseClaim.objects.filter(status="submitted").exclude(
        submitted_by_id=viewer_pk
    )
    if participations.query.has_filters():
        waiting_entries = waiting_entries.filter(participation__in=participations)
        waiting_claims = waiting_claims.filter(participation__in=participations)
    entries = waiting_entries.aggregate(count=Count("id"), oldest=Min("date"))
    claims = waiting_claims.aggregate(count=Count("id"), oldest=Min("submitted_at"))
    oldest = [
        day
        for day in (
            entries["oldest"],
            manila_date(claims["oldest"]) if claims["oldest"] else None,
        )
        if day is not None
    ]
    return ApprovalsWaiting(
        time_entries=entries["count"], claims=claims["count"], oldest=min(oldest, default=None)
    )


# --- Statement: by month (gathered by PostgreSQL) ---------------------------------------


@dataclass(frozen=True)
class StatementMonth:
    month: datetime.date
    lines: int
    amount: Decimal
    unpaid: Decimal  # of ``amount``, in no paid payment (as the lines show it)


def statement_months(
    *, consultant: Consultant, date_from: datetime.date, date_to: datetime.date
) -> list[StatementMonth]:
    """Per month of ``payable_since`` in the period (both days included):
    how many of her lines, their sum, and the part in no paid payment. One
    grouped query, at most 13 rows back whatever the lines."""
    rows = (
        PaymentLine.objects.filter(
            consultant=consultant, payable_since__gte=date_from, payable_since__lte=date_to
        )
        .annotate(month=TruncMonth("payable_since"))
        .values("month")
        .annotate(
            line_count=Count("id"),
            total=Coalesce(Sum("amount"), MONEY_ZERO),
            paid=Coalesce(Sum("amount", filter=Q(payment__status=Payment.Status.PAID)), MONEY_ZERO),
        )
        .order_by("month")
    )
    return [
        StatementMonth(
            month=_as_date(row["month"]),
            lines=row["line_count"],
            amount=row["total"],
            unpaid=row["total"] - row["paid"],
        )
        for row in rows
    ]


class _Median(Aggregate):
    """PostgreSQL's ``PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY x)``."""

    function = "PERCENTILE_CONT"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def days_to_pay_median(*, start: datetime.datetime, end: datetime.datetime) -> dict[str, Any]:
    """How many payments were paid in [start, end) and the median of their
    days to pay, worked out by PostgreSQL (``n``, ``median`` or None). One
    query; for aggregate figures (insights.figures)."""
    return Payment.objects.filter(
        status=Payment.Status.PAID, paid_at__gte=start, paid_at__lt=end
    ).aggregate(n=Count("pk"), median=_Median("days_to_pay"))
