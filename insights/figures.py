"""The programme's figures for survivor leaders (/portal/lead/figures/):
the last twelve months in aggregate, never a person.

* Engagements counted (approved and after, not cancelled) by month of
  their start and by type.
* Days from completion to payment: the median of the paid payments'
  ``days_to_pay`` (from the day their lines became payable to the day they
  were paid), computed by PostgreSQL (``PERCENTILE_CONT``).
* What became of the contributions of those engagements: adopted, partly
  adopted, not adopted.
* Learning events held and their attendance, peer circle meetings held and
  their attendance (``network.selectors.leadership``).

Small-cell suppression: every count below ``SMALL`` (5) is shown as "fewer
than 5", zero included, so a small number can never point at a person.
Where counts are parts of one whole (the months, the types, the outcomes)
a list never hides exactly one of them: its smallest shown count is hidden
too, so the hidden one cannot be worked out from the others and a total.
No total of such a list is shown. The median is shown only when at least
``SMALL`` payments stand behind it.

Five queries whatever the volume (``FIGURES_QUERIES``), each an aggregate.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from compensation import selectors as compensation_selectors
from engagements import selectors as engagement_selectors
from engagements.models import EngagementType
from impact import selectors as impact_selectors
from impact.models import OutcomeStatus
from insights.selectors import MANILA
from network.selectors import leadership as leadership_selectors

SMALL = 5
MONTHS = 12
FIGURES_QUERIES = 5
OUTCOMES = (OutcomeStatus.ADOPTED, OutcomeStatus.PARTLY_ADOPTED, OutcomeStatus.NOT_ADOPTED)


@dataclass(frozen=True)
class Cell:
    """A count, or None when it is hidden (fewer than ``SMALL``)."""

    label: str
    value: int | None

    @property
    def hidden(self) -> bool:
        return self.value is None


def cell(label: str, count: int) -> Cell:
    return Cell(label, count if count >= SMALL else None)


def suppressed(rows: list[tuple[str, int]]) -> list[Cell]:
    """Cells of a list whose counts are parts of one whole: below ``SMALL``
    hidden, and never exactly one hidden (the smallest shown goes too)."""
    cells = [cell(label, count) for label, count in rows]
    hidden = [c for c in cells if c.hidden]
    shown = [(count, index) for index, (_label, count) in enumerate(rows) if count >= SMALL]
    if len(hidden) == 1 and shown:
        _count, index = min(shown)
        cells[index] = Cell(cells[index].label, None)
    return cells


@dataclass(frozen=True)
class Month:
    month: datetime.date
    engagements: Cell


@dataclass(frozen=True)
class Figures:
    date_from: datetime.date
    date_to: datetime.date
    months: list[Month]
    by_type: list[Cell]
    payments: Cell
    median_days: Decimal | None  # None when hidden or without payments
    outcomes: list[Cell]
    learning_events: Cell
    learning_attendance: Cell
    circle_meetings: Cell
    circle_attendance: Cell


def _month_starts(today: datetime.date) -> list[datetime.date]:
    """The first days of the twelve months ending with this one."""
    months = []
    year, month = today.year, today.month
    for _ in range(MONTHS):
        months.append(datetime.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


def _next_month(day: datetime.date) -> datetime.date:
    return datetime.date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=MANILA)


def _by_month_and_type(counted: QuerySet) -> list[dict]:
    return list(
        counted.annotate(month=TruncMonth("start", tzinfo=MANILA))
        .values("month", "type")
        .annotate(n=Count("pk"))
        .order_by("month", "type")
    )


def leader_figures(*, now: datetime.datetime | None = None) -> Figures:
    """The last twelve months (this one and the eleven before, Manila)."""
    now = now or timezone.now()
    today = timezone.localtime(now, MANILA).date()
    months = _month_starts(today)
    start, end = _at(months[0]), _at(_next_month(months[-1]))
    counted = engagement_selectors.engagements_counted(start=start, end=end)

    # 1. Engagements by month and type (one grouped query, both margins).
    per_month: dict[datetime.date, int] = {}
    per_type: dict[str, int] = {}
    for row in _by_month_and_type(counted):
        month = timezone.localtime(row["month"], MANILA).date()
        per_month[month] = per_month.get(month, 0) + row["n"]
        per_type[row["type"]] = per_type.get(row["type"], 0) + row["n"]
    month_cells = suppressed([(month.isoformat(), per_month.get(month, 0)) for month in months])
    type_cells = suppressed(
        [(str(label), per_type.get(value, 0)) for value, label in EngagementType.choices]
    )

    # 2. Days from completion (lines payable) to payment: the median.
    paid = compensation_selectors.days_to_pay_median(start=start, end=end)
    payments = cell("payments", paid["n"])
    median = None
    if not payments.hidden and paid["median"] is not None:
        median = Decimal(str(paid["median"])).quantize(Decimal("0.1"))

    # 3. What became of the contributions of those engagements.
    outcome_counts = impact_selectors.decided_outcome_counts(engagements=counted)
    labels = dict(OutcomeStatus.choices)
    outcomes = suppressed(
        [(str(labels[status]), outcome_counts.get(status, 0)) for status in OUTCOMES]
    )

    # 4. and 5. Learning events and peer circles (the network's own totals).
    learning = leadership_selectors.learning_totals(start=start, end=end)
    circles = leadership_selectors.circle_totals(start=start, end=end)
    return Figures(
        date_from=months[0],
        date_to=today,
        months=[
            Month(month=month, engagements=month_cell)
            for month, month_cell in zip(months, month_cells, strict=True)
        ],
        by_type=type_cells,
        payments=payments,
        median_days=median,
        outcomes=outcomes,
        learning_events=cell("learning_events", learning.events),
        learning_attendance=cell("learning_attendance", learning.attendance),
        circle_meetings=cell("circle_meetings", circles.meetings),
        circle_attendance=cell("circle_attendance", circles.attendance),
    )
