"""Reads of the checklists app, for pages. Query counts are tested.

Compliance is the share of items done on time: of the items that count
(not marked not applicable, and either done or already due), how many were
done by their due date. An item still open after its due date counts
against; one not yet due does not count yet.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import BooleanField, Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from checklists import access
from checklists.models import Checklist, ChecklistItem, ChecklistTally, Stage
from core.bounded import Bounded, UnionPaginator, bounded
from engagements.models import Engagement

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

S = ChecklistItem.Status


@dataclass
class StageProgress:
    stage: str
    label: StrOrPromise  # the stage's lazy label, translated when shown
    items: list[ChecklistItem] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def resolved(self) -> int:
        return sum(1 for item in self.items if item.resolved)

    @property
    def percent(self) -> int:
        return round(100 * self.resolved / self.total) if self.total else 100


@dataclass
class ChecklistProgress:
    """An engagement's checklist as its page shows it."""

    checklist: Checklist
    stages: list[StageProgress]  # per stage that has items
    total: int
    resolved: int
    overdue_count: int
    percent: int


FINISHED = [Engagement.Status.CLOSED, Engagement.Status.CANCELLED]


def checklist_for_engagement(engagement: Engagement, *, now=None) -> ChecklistProgress | None:
    """The engagement's checklist with its items (two queries), or None.
    ``stages``: a ``StageProgress`` per stage that has items; each item gets
    ``overdue``."""
    checklist = (
        Checklist.objects.filter(engagement=engagement)
        .select_related("engagement", "template")
        .first()
    )
    if checklist is None:
        return None
    now = now or timezone.now()
    items = list(
        checklist.items.select_related("assignee", "consultant", "done_by").order_by(
            "order", "consultant__pseudonym", "id"
        )
    )
    stages = {stage: StageProgress(stage, label) for stage, label in Stage.choices}
    # Once an engagement is closed or cancelled nothing is overdue any more:
    # what was left open shows in compliance, not as work to chase.
    still_running = checklist.engagement.status not in FINISHED
    overdue_count = 0
    for item in items:
        overdue = still_running and item.is_overdue(now)
        # A display attribute for the partial (the views set it likewise).
        setattr(item, "overdue", overdue)  # noqa: B010
        if overdue:
            overdue_count += 1
        stages[item.stage].items.append(item)
    resolved = sum(1 for item in items if item.resolved)
    return ChecklistProgress(
        checklist=checklist,
        stages=[progress for progress in stages.values() if progress.items],
        total=len(items),
        resolved=resolved,
        overdue_count=overdue_count,
        percent=round(100 * resolved / len(items)) if items else 100,
    )


def _task_branches(user) -> list[QuerySet[ChecklistItem]]:
    """One queryset per way an open staff item is ``user``'s
    (``access.tasks_conditions``), each answered by its own index, each
    leaving out finished engagements itself."""
    return [
        ChecklistItem.objects.filter(condition, status=S.OPEN)
        .exclude(checklist__engagement__status__in=FINISHED)
        .order_by()
        for condition in access.tasks_conditions(user)
    ]


TASKS_ORDER = ("due_at", "id")


def my_tasks(*, user, now=None) -> QuerySet[ChecklistItem]:
    """Open staff items that are ``user``'s (assigned to them, or of a role
    they hold on an engagement they see), soonest due first, with their
    engagement. Every one of them: the page pages with ``my_tasks_paginator``.

    The ids come from a ``UNION`` of one branch per way an item is theirs
    (``access.tasks_conditions``), each answered by its own index:
    ``checklists_item_my_open`` for "assigned to me",
    ``checklists_item_role_open`` for a role over every engagement
    (managers, finance), ``checklists_item_checklist_open`` through the
    checklists of the engagements programme staff run."""
    branches = [branch.values("pk") for branch in _task_branches(user)]
    if not branches:
        return ChecklistItem.objects.none()
    ids = branches[0].union(*branches[1:]) if len(branches) > 1 else branches[0]
    return (
        ChecklistItem.objects.filter(pk__in=ids)
        .select_related("checklist__engagement")
        .order_by(*TASKS_ORDER)
    )


def my_tasks_paginator(*, user, per_page: int) -> Paginator:
    """``my_tasks`` in pages, bounded in SQL (``core.bounded.UnionPaginator``):
    the count over the union of the branches' ids, then per page one query
    that takes each branch's first ids in its index's order (soonest due; a
    limit stops the index read), unites them, cuts the page and only then
    joins those rows to their checklist and engagement. Two queries a page,
    plus the user's roles once per request, whatever the number of items
    (the page once joined and sorted every one of them: ~8,650 for a
    manager at the large seed)."""
    branches = _task_branches(user)
    if not branches:
        return Paginator(ChecklistItem.objects.none(), per_page)
    return UnionPaginator(
        branches,
        per_page,
        order=TASKS_ORDER,
        fetch=lambda rows: rows.select_related("checklist__engagement"),
    )


def consultant_tasks(*, user) -> QuerySet[ChecklistItem]:
    """A consultant's own items, open ones first, soonest due first."""
    return (
        access.consultant_items(user)
        .select_related("checklist__engagement")
        .exclude(checklist__engagement__status__in=[Engagement.Status.CANCELLED])
        .order_by(F("done_at").desc(nulls_first=True), "due_at", "id")
    )


def consultant_open_count(*, user) -> int:
    """How many of a consultant's own items are still to tick, on
    engagements not closed or cancelled (one query, plus the user's roles
    once per request; the portal home's count)."""
    return (
        access.consultant_items(user)
        .filter(status=S.OPEN)
        .exclude(checklist__engagement__status__in=FINISHED)
        .count()
    )


# --- Compliance ------------------------------------------------------------------------


def _counting(now) -> Q:
    return ~Q(items__status=S.NOT_APPLICABLE) & (Q(items__status=S.DONE) | Q(items__due_at__lt=now))


def _on_time() -> Q:
    return Q(items__status=S.DONE, items__done_at__lte=F("items__due_at"))


def _percent(on_time: int, counted: int) -> Decimal | None:
    if not counted:
        return None
    return (Decimal(100) * on_time / counted).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ComplianceRow:
    engagement: Engagement
    counted: int
    on_time: int
    open_overdue: int
    open_items: int = 0  # still to do, due or not (the compliance page)

    @property
    def percent(self) -> Decimal | None:
        return _percent(self.on_time, self.counted)


@dataclass(frozen=True)
class Compliance:
    rows: list[ComplianceRow]

    @property
    def counted(self) -> int:
        return sum(row.counted for row in self.rows)

    @property
    def on_time(self) -> int:
        return sum(row.on_time for row in self.rows)

    @property
    def percent(self) -> Decimal | None:
        return _percent(self.on_time, self.counted)


def _annotated(queryset, now):
    return queryset.annotate(
        counted=Count("items", filter=_counting(now)),
        on_time=Count("items", filter=_on_time()),
        open_overdue=Count("items", filter=Q(items__status=S.OPEN, items__due_at__lt=now)),
    )


def compliance_for_engagement(engagement: Engagement, *, now=None) -> ComplianceRow | None:
    now = now or timezone.now()
    checklist = _annotated(Checklist.objects.filter(engagement=engagement), now).first()
    if checklist is None:
        return None
    return ComplianceRow(engagement, checklist.counted, checklist.on_time, checklist.open_overdue)


def compliance_overview(*, user, now=None, since: datetime.datetime | None = None) -> Compliance:
    """Per engagement the user may see, and overall (the programme, for
    managers). One query, but every row: for a report's period; the staff
    page pages in SQL (``compliance_page``)."""
    now = now or timezone.now()
    checklists = access.checklists_visible_to(user).select_related("engagement")
    if since is not None:
        checklists = checklists.filter(engagement__start__gte=since)
    rows = [
        ComplianceRow(c.engagement, c.counted, c.on_time, c.open_overdue)
        for c in _annotated(checklists, now).order_by("-engagement__start", "-id")
    ]
    return Compliance(rows)


def _tallied(checklists: QuerySet[Checklist] | None, now) -> dict[str, int]:
    """Compliance summed over ``checklists`` (None: every checklist) in two
    queries whatever the number of items: done and done on time summed from
    the checklists' tallies (one row each, kept by the database:
    ``ChecklistTally``), open past due counted from the index of open items.
    Counted is what is done plus what is open past due (an item not
    applicable never counts)."""
    tallies = ChecklistTally.objects.all()
    open_overdue = ChecklistItem.objects.filter(status=S.OPEN, due_at__lt=now)
    if checklists is not None:
        tallies = tallies.filter(checklist__in=checklists.values("pk"))
        open_overdue = open_overdue.filter(checklist__in=checklists.values("pk"))
    row = tallies.aggregate(done=Coalesce(Sum("done"), 0), on_time=Coalesce(Sum("done_on_time"), 0))
    overdue = open_overdue.count()
    return {"counted": row["done"] + overdue, "on_time": row["on_time"], "open_overdue": overdue}


@dataclass(frozen=True)
class CompliancePage:
    """The compliance page: one page of rows, the figure over everything the
    user sees, the paginator's page (for its links)."""

    rows: list[ComplianceRow]
    page: Page
    counted: int
    on_time: int

    @property
    def percent(self) -> Decimal | None:
        return _percent(self.on_time, self.counted)


def compliance_page(
    *,
    user,
    page_number: str | int | None = None,
    per_page: int = 50,
    overdue_only: bool = False,
    now=None,
) -> CompliancePage:
    """Compliance per checklist the user may see, newest engagement first,
    one page at a time, all in SQL: the page's checklist ids (a count and a
    ``LIMIT``, ordered by the engagement's start), then the counts of those
    rows only (one grouped query over their items), then the figure over
    every checklist the user sees (their tallies, and their open items past
    due: ``_tallied``). Five queries (plus the user's roles once per
    request), whatever the number of checklists or items.
    ``overdue_only``: only checklists with an open item past due."""
    now = now or timezone.now()
    every = access.sees_every_checklist(user)
    # Someone who sees every checklist needs no "of a visible engagement"
    # filter (a semi-join of every engagement, for the page's count).
    visible = Checklist.objects.all() if every else access.checklists_visible_to(user)
    listed = visible
    if overdue_only:
        listed = listed.filter(
            Exists(
                ChecklistItem.objects.filter(
                    checklist=OuterRef("pk"), status=S.OPEN, due_at__lt=now
                )
            )
        )
    ordered = listed.order_by("-engagement__start", "-id").values_list("pk", flat=True)
    page = Paginator(ordered, per_page).get_page(page_number)
    ids = list(page.object_list)
    by_pk = {}
    if ids:
        annotated = _annotated(
            Checklist.objects.filter(pk__in=ids).select_related("engagement"), now
        ).annotate(open_items=Count("items", filter=Q(items__status=S.OPEN)))
        by_pk = {checklist.pk: checklist for checklist in annotated}
    rows = [
        ComplianceRow(c.engagement, c.counted, c.on_time, c.open_overdue, open_items=c.open_items)
        for c in (by_pk[pk] for pk in ids if pk in by_pk)
    ]
    totals = _tallied(None if every else visible, now)
    return CompliancePage(
        rows=rows, page=page, counted=totals["counted"], on_time=totals["on_time"]
    )


# --- Handing over someone's items ------------------------------------------------------

HANDOVER_PEOPLE = 10
HANDOVER_TAKERS = 50


def _staff_accounts():
    """Accounts that are not consultants' (a consultant's portal account is
    never a choice here, nor its name shown)."""
    return User.objects.exclude(
        pk__in=User.objects.filter(groups__name=Role.CONSULTANT.value).values("pk")
    )


def handover_person(pk) -> User | None:
    """The staff account whose items are handed over (active or not), or None."""
    if not str(pk).isdigit():
        return None
    return _staff_accounts().filter(pk=int(pk)).first()


def _sql_table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))


def _still_running(checklist_column: str) -> str:
    """SQL: true when the engagement of the checklist in ``checklist_column``
    is still running (params: ``FINISHED``). A scalar subquery, two look-ups
    by primary key: the planner cannot turn it into a join that reads every
    checklist and engagement first."""
    return (
        f"(SELECT engagement.status FROM {_sql_table(Checklist)} AS checklist "  # noqa: S608 (no value)
        f"INNER JOIN {_sql_table(Engagement)} AS engagement "
        "ON engagement.id = checklist.engagement_id "
        f"WHERE checklist.id = {checklist_column}) NOT IN ({_placeholders(FINISHED)})"
    )


def handover_people(*, query: str) -> list[User]:
    """Staff (active or not) whose name matches ``query`` and who hold at
    least one open staff item on an engagement still running: the first ten
    by name. One query. "At least one" stops at the first: per person, the
    checklists they hold items of, read from the index
    ``checklists_item_held_open`` alone (assignee, checklist: each checklist
    once, however many items), each looked up until one is running. Never a
    count of all their items nor a list of every finished engagement: how
    many they hold is the one-person page's (``handover_summary``)."""
    query = (query or "").strip()[:100]
    if not query:
        return []
    person = f"{_sql_table(User)}.id"
    holds_running = RawSQL(  # noqa: S611 (table names from the models; values are params)
        "EXISTS (SELECT 1 FROM ("  # noqa: S608 (table names from the models)
        f"SELECT DISTINCT held.checklist_id FROM {_sql_table(ChecklistItem)} AS held "
        f"WHERE held.assignee_id = {person} AND held.status = %s "
        "AND held.consultant_id IS NULL"
        f") AS theirs WHERE {_still_running('theirs.checklist_id')})",
        [S.OPEN, *FINISHED],
        output_field=BooleanField(),
    )
    return list(
        _staff_accounts()
        .filter(holds_running, display_name__icontains=query)
        .order_by("display_name", "pk")[:HANDOVER_PEOPLE]
    )


@dataclass(frozen=True)
class Handover:
    person: User
    open_items: int
    engagements: int
    takers: list[User]  # who may take some of them (people on those engagements)


def handover_summary(*, person: User) -> Handover:
    """What ``person`` holds (open staff items on running engagements) and
    who is on those engagements to take them: the first 50 by name. One
    query, which finds the running engagements once for the figures and the
    takers alike: ``person``'s items counted per checklist from the index
    ``checklists_item_held_open`` alone, joined to those checklists'
    engagements, the finished ones left out (one checklist per engagement:
    the running rows are the engagements)."""
    candidates, candidate_params = (
        _staff_accounts()
        .filter(is_active=True)
        .exclude(pk=person.pk)
        .order_by()
        .query.sql_with_params()
    )
    assigned = Engagement.assigned_staff.through
    rows = list(
        User.objects.raw(
            "WITH running AS MATERIALIZED ("  # noqa: S608 (table names from the models, ORM SQL)
            " SELECT engagement.id AS engagement_id, engagement.owner_id, held.items"
            " FROM (SELECT checklist_id, COUNT(checklist_id) AS items"
            f" FROM {_sql_table(ChecklistItem)}"
            " WHERE assignee_id = %s AND status = %s AND consultant_id IS NULL"
            " GROUP BY checklist_id) AS held"
            f" INNER JOIN {_sql_table(Checklist)} AS checklist ON checklist.id = held.checklist_id"
            f" INNER JOIN {_sql_table(Engagement)} AS engagement"
            " ON engagement.id = checklist.engagement_id"
            f" WHERE engagement.status NOT IN ({_placeholders(FINISHED)})"
            "), takers AS ("
            f" SELECT candidate.* FROM ({candidates}) AS candidate"
            " WHERE candidate.id IN (SELECT owner_id FROM running)"
            " OR candidate.id IN (SELECT assigned.user_id"
            f" FROM {_sql_table(assigned)} AS assigned INNER JOIN running USING (engagement_id))"
            " ORDER BY candidate.display_name, candidate.id LIMIT %s"
            ")"
            # The figures are one row, the takers 0 to 50: joined so that the
            # figures come even with nobody to take the items (a row whose
            # person is all nulls).
            " SELECT takers.*, figures.open_items, figures.engagements FROM ("
            "  SELECT COALESCE(SUM(items), 0)::integer AS open_items,"
            "  COUNT(*)::integer AS engagements FROM running"
            " ) AS figures LEFT JOIN takers ON TRUE"
            " ORDER BY takers.display_name, takers.id",
            [person.pk, S.OPEN, *FINISHED, *candidate_params, HANDOVER_TAKERS],
        )
    )
    figures = vars(rows[0])  # every row carries them, the row of nobody too
    takers = [row for row in rows if row.pk is not None]
    return Handover(person, figures["open_items"], figures["engagements"], takers)


# --- The staff dashboard ----------------------------------------------------------------

DASHBOARD_ROWS = 5


def overdue_items_card(*, user, now=None, limit: int = DASHBOARD_ROWS) -> Bounded[ChecklistItem]:
    """Open staff items past their due moment that are ``user``'s to chase
    (``access.items_to_chase_condition``: their tasks; every staff item for
    managers), on engagements still running, oldest due first: the first
    ``limit`` with their engagement, and the count of all. One query (plus,
    once per request, the user's roles). ``extra["everyone"]``: the whole
    programme's (managers)."""
    now = now or timezone.now()
    queryset = (
        ChecklistItem.objects.filter(
            access.items_to_chase_condition(user), status=S.OPEN, due_at__lt=now
        )
        .exclude(checklist__engagement__status__in=FINISHED)
        .select_related("checklist__engagement")
        .order_by("due_at", "id")
    )
    card = bounded(queryset, limit=limit)
    return Bounded(
        rows=card.rows,
        count=card.count,
        extra={"everyone": access.chases_every_item(user)},
    )


# --- Compliance totals for a report (gathered by PostgreSQL) -----------------------------


@dataclass(frozen=True)
class ComplianceTotals:
    """Items that count, done on time, and open past due, summed over
    engagements; ``percent`` as ``Compliance.percent`` gives it."""

    counted: int
    on_time: int
    open_overdue: int

    @property
    def percent(self) -> Decimal | None:
        return _percent(self.on_time, self.counted)


def compliance_totals(
    *,
    user,
    engagements: QuerySet[Engagement],
    since: datetime.datetime | None = None,
    now=None,
) -> ComplianceTotals:
    """The sums of ``compliance_overview``'s rows for the checklists ``user``
    may see whose engagement is in ``engagements`` (a lazy queryset, taken
    as a subquery) and, with ``since``, starts then or later: two queries,
    one row back each, whatever the number of checklists or items
    (``_tallied``; the programme report)."""
    now = now or timezone.now()
    # Someone who sees every checklist needs no "of a visible engagement"
    # filter (a semi-join of every engagement), as on the compliance page.
    visible = (
        Checklist.objects.all()
        if access.sees_every_checklist(user)
        else access.checklists_visible_to(user)
    )
    checklists = visible.filter(engagement__in=engagements.values("pk"))
    if since is not None:
        checklists = checklists.filter(engagement__start__gte=since)
    totals = _tallied(checklists, now)
    return ComplianceTotals(
        counted=totals["counted"], on_time=totals["on_time"], open_overdue=totals["open_overdue"]
    )
