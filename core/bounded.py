"""A list bounded by construction: at most ``limit`` rows, and how many
there are in all, counted in SQL (the dashboard's cards: "and 12 more").

``bounded(queryset, limit=5)`` runs ONE query: the rows with a window
``COUNT(*) OVER ()`` (and, when asked, a window ``SUM``), which PostgreSQL
computes over every matching row before the ``LIMIT``. An empty result
means a count of 0.

Pages of staff lists (ARCHITECTURE.md, "Bounded by construction"):
``AnnotatedPaginator`` counts and slices the bare rows, then annotates the
page's rows only; ``keyset_page`` pages a list that people page deep (the
reminders log) by a cursor instead of an offset; ``UnionPaginator`` pages
a list that is the union of several indexed conditions ("my tasks") by
ranking each branch in its index's order first.
"""

from __future__ import annotations

import base64
import binascii
import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Generic, TypeVar

from django.core.paginator import Page, Paginator
from django.db.models import Count, DecimalField, Q, QuerySet, Subquery, Sum, Value, Window
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils.functional import cached_property

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


def bounded(
    queryset: QuerySet[Any],
    *,
    limit: int,
    total: str | None = None,
    count_from: QuerySet[Any] | None = None,
) -> Bounded[Any]:
    """The first ``limit`` rows of ``queryset`` (ordered) with the count of all
    and, with ``total="field"``, the sum of that money field over all: one
    query. Do not pass a ``distinct()`` queryset (the window would count
    duplicates).

    The window ``COUNT(*) OVER ()`` makes PostgreSQL join every matching row
    (``select_related``) before the ``LIMIT``. With ``count_from`` (the same
    rows, bare: no joins, no order), the count and sum are instead one
    uncorrelated aggregate over it (computed once, an InitPlan) beside the
    first rows, which then join only themselves: still one query."""
    annotations: dict[str, Any]
    if count_from is not None:
        figures = count_from.order_by().annotate(_bounded_all=Value(1)).values("_bounded_all")
        annotations = {
            _COUNT: Subquery(figures.annotate(n=Count("*")).values("n")),
        }
        if total:
            annotations[_TOTAL] = Coalesce(
                Subquery(figures.annotate(n=Sum(total)).values("n")),
                Value(Decimal("0.00")),
                output_field=DecimalField(),
            )
    else:
        annotations = {_COUNT: Window(Count("*"))}
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


# --- Pages: aggregates after the limit, keyset pages ---------------------------------


class AnnotatedPaginator(Paginator):
    """A ``Paginator`` that counts and slices the bare ``queryset`` (its
    filters and its order, no annotations) and annotates only the page's
    rows: ``annotate(queryset)`` is applied to ``pk IN (the page's ids)``,
    in the same order. Still two queries (the count, the page), and the
    counts, sums and subqueries of a row are computed for at most
    ``per_page`` rows, never for every row before the sort.

    ``annotate`` may add ``select_related`` too; ``queryset`` must be
    ordered (its ``order_by`` is repeated on the page)."""

    def __init__(
        self,
        object_list: QuerySet[Any],
        per_page: int,
        *,
        annotate: Callable[[QuerySet[Any]], QuerySet[Any]],
        **kwargs: Any,
    ) -> None:
        super().__init__(object_list, per_page, **kwargs)
        self._annotate = annotate

    def _get_page(self, *args: Any, **kwargs: Any) -> Page:
        page_rows, number, paginator = args
        queryset: QuerySet[Any] = self.object_list  # type: ignore[assignment]
        rows = self._annotate(
            queryset.model._default_manager.filter(pk__in=page_rows.values("pk"))
        ).order_by(*queryset.query.order_by)
        return Page(rows, number, paginator)


class UnionPaginator(Paginator):
    """Pages the union of ``branches`` (querysets of one model, each a way a
    row belongs to the list, each answered by an index in ``order``) without
    touching every row of the union:

    - the count is ``SELECT count(*)`` over the union of the branches' ids
      (one query, no join);
    - a page is ONE query: each branch's first ``bottom + per_page`` ids in
      ``order`` (an index read in order stops there), united, sorted and cut
      to the page, then only those rows fetched with ``fetch``'s joins
      (``select_related``), in ``order``.

    ``order`` names plain fields of the model, ending with ``"id"`` so that
    it is total. Two queries per page, whatever the number of rows."""

    def __init__(
        self,
        branches: list[QuerySet[Any]],
        per_page: int,
        *,
        order: tuple[str, ...],
        fetch: Callable[[QuerySet[Any]], QuerySet[Any]] = lambda queryset: queryset,
        **kwargs: Any,
    ) -> None:
        if not branches:
            raise ValueError("UnionPaginator needs at least one branch")
        super().__init__([], per_page, **kwargs)
        self._branches = [branch.order_by() for branch in branches]
        self._order = order
        self._fetch = fetch
        self._model = branches[0].model
        self._columns = ["id", *(name.lstrip("-") for name in order if name.lstrip("-") != "id")]

    @cached_property
    def count(self) -> int:
        ids = [branch.values("id") for branch in self._branches]
        first, *rest = ids
        return (first.union(*rest) if rest else first).count()

    def page(self, number: Any) -> Page:
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ranked = [
            branch.values(*self._columns).order_by(*self._order)
            for branch in self._branches
            if not branch.query.is_empty()
        ]
        if not ranked or top <= bottom:  # nothing at all: the empty first page
            return Page(self._model._default_manager.none(), number, self)
        first, *rest = ranked
        if rest:
            ids = first[:top].union(*(branch[:top] for branch in rest)).order_by(*self._order)
        else:
            ids = first
        sql, params = ids[bottom:top].query.sql_with_params()
        rows = self._fetch(
            self._model._default_manager.filter(
                pk__in=RawSQL(f"SELECT id FROM ({sql}) AS page", params)  # noqa: S608,S611 (the ORM's own SQL)
            )
        ).order_by(*self._order)
        return Page(rows, number, self)


CURSOR_MAX_LENGTH = 120


class InvalidCursor(ValueError):
    """A ``newer``/``older`` parameter that is not one Tinig wrote."""


def encode_cursor(moment: datetime.datetime, pk: int) -> str:
    """A row's place in a list ordered by (moment, id): URL-safe, opaque."""
    text = f"{moment.astimezone(datetime.UTC).isoformat()}|{pk}"
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime.datetime, int]:
    """The (moment, id) of ``cursor``; ``InvalidCursor`` for anything else
    (too long, not base64, not a moment with its zone, not a positive id)."""
    if not cursor or len(cursor) > CURSOR_MAX_LENGTH:
        raise InvalidCursor(cursor)
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        moment_text, pk_text = text.split("|")
        moment = datetime.datetime.fromisoformat(moment_text)
        pk = int(pk_text)
    except (ValueError, UnicodeDecodeError, binascii.Error) as error:
        raise InvalidCursor(cursor) from error
    if moment.tzinfo is None or not 0 < pk < 2**63:
        raise InvalidCursor(cursor)
    return moment, pk


@dataclass(frozen=True)
class KeysetPage(Generic[T]):
    """One page of a list ordered newest first by (a moment, id): its rows,
    and the cursors of the pages either side (``None`` at either end)."""

    rows: list[T]
    newer: str | None
    older: str | None

    def __iter__(self):
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)


def keyset_page(
    queryset: QuerySet[Any],
    *,
    moment: str,
    per_page: int,
    newer: str | None = None,
    older: str | None = None,
) -> KeysetPage[Any]:
    """The page of ``queryset`` (newest first by the ``moment`` field, then id) after
    the ``older`` cursor or before the ``newer`` one, the first page when
    neither: one query of ``per_page + 1`` rows, whatever the depth (an
    index on (``moment``, id) serves it; no OFFSET, no count). Raises
    ``InvalidCursor`` for a cursor Tinig did not write; the view answers
    with the first page (and 400)."""
    if older:
        at, pk = decode_cursor(older)
        rows = list(
            queryset.filter(
                Q(**{f"{moment}__lte": at}) & (Q(**{f"{moment}__lt": at}) | Q(pk__lt=pk))
            ).order_by(f"-{moment}", "-pk")[: per_page + 1]
        )
        has_newer, has_older = True, len(rows) > per_page
        rows = rows[:per_page]
    elif newer:
        at, pk = decode_cursor(newer)
        rows = list(
            queryset.filter(
                Q(**{f"{moment}__gte": at}) & (Q(**{f"{moment}__gt": at}) | Q(pk__gt=pk))
            ).order_by(moment, "pk")[: per_page + 1]
        )
        if len(rows) <= per_page:
            # Back at the newest rows: the first page, full.
            return keyset_page(queryset, moment=moment, per_page=per_page)
        has_newer, has_older = True, True
        rows = rows[:per_page][::-1]
    else:
        rows = list(queryset.order_by(f"-{moment}", "-pk")[: per_page + 1])
        has_newer, has_older = False, len(rows) > per_page
        rows = rows[:per_page]
    if not rows:
        return KeysetPage(rows=[], newer=None, older=None)
    first, last = rows[0], rows[-1]
    return KeysetPage(
        rows=rows,
        newer=encode_cursor(getattr(first, moment), first.pk) if has_newer else None,
        older=encode_cursor(getattr(last, moment), last.pk) if has_older else None,
    )
