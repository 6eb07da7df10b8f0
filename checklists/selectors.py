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

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from checklists import access
from checklists.models import Checklist, ChecklistItem, Stage
from core.bounded import Bounded, bounded
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


def my_tasks(*, user, now=None) -> QuerySet[ChecklistItem]:
    """Open staff items that are ``user``'s (assigned to them, or of a role
    they hold on an engagement they see), soonest due first. One query
    (plus, once per request, the user's roles), whatever the number."""
    return (
        ChecklistItem.objects.filter(access.tasks_condition(user), status=S.OPEN)
        .exclude(checklist__engagement__status__in=FINISHED)
        .select_related("checklist__engagement")
        .order_by("due_at", "id")
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
    managers). One query."""
    now = now or timezone.now()
    checklists = access.checklists_visible_to(user).select_related("engagement")
    if since is not None:
        checklists = checklists.filter(engagement__start__gte=since)
    rows = [
        ComplianceRow(c.engagement, c.counted, c.on_time, c.open_overdue)
        for c in _annotated(checklists, now).order_by("-engagement__start", "-id")
    ]
    return Compliance(rows)


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
    as a subquery) and, with ``since``, starts then or later: ONE aggregate
    query over the items, one row back, whatever the number of checklists
    (the programme report)."""
    now = now or timezone.now()
    checklists = access.checklists_visible_to(user).filter(engagement__in=engagements.values("pk"))
    if since is not None:
        checklists = checklists.filter(engagement__start__gte=since)
    counting = ~Q(status=S.NOT_APPLICABLE) & (Q(status=S.DONE) | Q(due_at__lt=now))
    row = ChecklistItem.objects.filter(checklist__in=checklists.values("pk")).aggregate(
        counted=Count("pk", filter=counting),
        on_time=Count("pk", filter=Q(status=S.DONE, done_at__lte=F("due_at"))),
        open_overdue=Count("pk", filter=Q(status=S.OPEN, due_at__lt=now)),
    )
    return ComplianceTotals(
        counted=row["counted"], on_time=row["on_time"], open_overdue=row["open_overdue"]
    )
