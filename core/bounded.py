"""A list bounded by construction: at most ``limit`` rows, and how many
there are in all, counted in SQL (the dashboard's cards: "and 12 more").

``bounded(queryset, limit=5)`` runs ONE query: the rows with a window
``COUNT(*) OVER ()`` (and, when asked, a window ``SUM``), which PostgreSQL
computes over every matching row before the ``LIMIT``. An empty result
means a count of 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.db.models import Count, DecimalField, QuerySet, Sum, Value, Window
from django.db.models.functions import Coalesce

T = TypeVar("T")

_COUNT = "_bounded_count"
_TOTAL = "_bounded_total"


@dataclass(frozen=True)
class Bounded(Generic[T]):
    """``rows`` (at most the limit), ``count`` of all, ``total`` of all (when
    summed), ``extra`` for what a selector adds (an oldest date, a link)."""

    rows: list[T]
    count: int
    total: Decimal | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def more(self) -> int:
        """How many are not shown."""
        return max(self.count - len(self.rows), 0)

    def __bool__(self) -> bool:
        return self.count > 0


def bounded(queryset: QuerySet[Any], *, limit: int, total: str | None = None) -> Bounded[Any]:
    """The first ``limit`` rows of ``queryset`` (ordered) with the count of all
    and, with ``total="field"``, the sum of that money field over all: one
    query. Do not pass a ``distinct()`` queryset (the window would count
    duplicates)."""
    annotations: dict[str, Any] = {_COUNT: Window(Count("*"))}
    if total:
        annotations[_TOTAL] = Coalesce(
            Window(Sum(total)), Value(Decimal("0.00")), output_field=DecimalField()
        )
    rows = list(queryset.annotate(**annotations)[:limit])
    if not rows:
        return Bounded(rows=[], count=0, total=Decimal("0.00") if total else None)
    first = rows[0]
    return Bounded(
        rows=rows,
        count=getattr(first, _COUNT),
        total=getattr(first, _TOTAL) if total else None,
    )
