"""The reminder kinds of checklists (registered from ``ready()``).

Consultants: one of their own items is due soon. Staff: an item assigned
to them is due today, or is overdue; someone handed them an item (told at
once). Every message is discreet: "an item",
a date, a link behind the sign-in; never the item's title or the work.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.utils.translation import gettext_lazy as _

from checklists.models import ChecklistItem
from checklists.services import KEEPS_ITEMS
from engagements.models import Engagement, Participation
from reminders.models import ReminderDelivery
from reminders.registry import (
    Audience,
    Due,
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

ITEM = "checklists.checklistitem"
# An item is still worth doing while its engagement runs or has just ended.
LIVE_STATUSES = Engagement.OPEN_STATUSES | {E.COMPLETED}


def _moment_matches(item: ChecklistItem, delivery, *, before: bool) -> bool:
    delta = (item.due_at - delivery.due_at) if before else (delivery.due_at - item.due_at)
    return any(delta == offset * HOUR for offset in configured_offsets(delivery.kind))


def _item(delivery) -> ChecklistItem | None:
    return (
        ChecklistItem.objects.select_related("checklist__engagement")
        .filter(pk=delivery.target_id)
        .first()
    )


def _open_items(since: datetime.datetime, until: datetime.datetime):
    return ChecklistItem.objects.filter(
        status=ChecklistItem.Status.OPEN,
        due_at__gt=since,
        due_at__lte=until,
        checklist__engagement__status__in=LIVE_STATUSES,
    )


def _item_gone(item: ChecklistItem | None) -> Skip | None:
    if item is None or not item.is_open:
        return Skip(R.NOT_DUE)
    if item.checklist.engagement.status not in LIVE_STATUSES:
        return Skip(R.CANCELLED)
    return None


# --- Consultant: one of their items is due soon ----------------------------------------------


def _collect_consultant_item(window: Window) -> Iterator[list[Due]]:
    for offset in window.offsets:
        since, until = window.anchor_range(before=offset)
        rows = (
            _open_items(since, until)
            .filter(consultant__isnull=False)
            .values("pk", "due_at", "consultant_id", "checklist__engagement_id")
        )
        for batch in batched(rows, size=window.batch_size):
            yield [
                Due(
                    target=(ITEM, row["pk"]),
                    due_at=row["due_at"] - offset * HOUR,
                    consultant_id=row["consultant_id"],
                    engagement_id=row["checklist__engagement_id"],
                )
                for row in batch
            ]


def _prepare_consultant_item(delivery, *, now) -> Prepared | Skip:
    item = _item(delivery)
    gone = _item_gone(item)
    if gone:
        return gone
    if item.consultant_id != delivery.consultant_id:
        return Skip(R.NOT_DUE)
    taking_part = Participation.objects.filter(
        engagement_id=item.checklist.engagement_id,
        consultant_id=item.consultant_id,
        status__in=KEEPS_ITEMS,
    ).exists()
    if not taking_part:
        return Skip(R.STEPPED_BACK)
    if not _moment_matches(item, delivery, before=True):
        return Skip(R.DATES_CHANGED, void=True)
    return Prepared(
        {
            "due": item.due_at,
            "url": absolute_url("my_checklist:item", item.pk),
        }
    )


register_kind(
    ReminderKind(
        key="checklist_item_due",
        description_for_her=_("Before one of your checklist items is due."),
        audience=Audience.CONSULTANT,
        label=_("Checklist item due"),
        description=_("To a consultant, before one of their own checklist items is due."),
        timing=Timing(_("Hours before the item is due"), default=(24,)),
        collect=_collect_consultant_item,
        prepare=_prepare_consultant_item,
        templates="checklists/reminders/item_due",
        lookback=datetime.timedelta(hours=20),
    )
)


# --- Staff: an item assigned to them is due, or overdue -----------------------------------------


def _collect_staff_item(window: Window, *, before: bool) -> Iterator[list[Due]]:
    for offset in window.offsets:
        if before:
            since, until = window.anchor_range(before=offset)
        else:
            since, until = window.anchor_range(after=offset)
        rows = (
            _open_items(since, until)
            .filter(consultant__isnull=True, assignee__isnull=False, assignee__is_active=True)
            .values("pk", "due_at", "assignee_id", "checklist__engagement_id")
        )
        shift = -offset * HOUR if before else offset * HOUR
        for batch in batched(rows, size=window.batch_size):
            yield [
                Due(
                    target=(ITEM, row["pk"]),
                    due_at=row["due_at"] + shift,
                    user_id=row["assignee_id"],
                    engagement_id=row["checklist__engagement_id"],
                )
                for row in batch
            ]


def _prepare_staff_item(delivery, *, now, before: bool) -> Prepared | Skip:
    item = _item(delivery)
    gone = _item_gone(item)
    if gone:
        return gone
    if item.assignee_id != delivery.user_id:
        return Skip(R.NOT_DUE)
    if not _moment_matches(item, delivery, before=before):
        return Skip(R.DATES_CHANGED, void=True)
    engagement_id = item.checklist.engagement_id
    return Prepared(
        {
            "due": item.due_at,
            "url": absolute_url("checklists:engagement", engagement_id),
        }
    )


def _collect_staff_due(window: Window) -> Iterator[list[Due]]:
    return _collect_staff_item(window, before=True)


def _prepare_staff_due(delivery, *, now) -> Prepared | Skip:
    return _prepare_staff_item(delivery, now=now, before=True)


def _collect_staff_overdue(window: Window) -> Iterator[list[Due]]:
    return _collect_staff_item(window, before=False)


def _prepare_staff_overdue(delivery, *, now) -> Prepared | Skip:
    return _prepare_staff_item(delivery, now=now, before=False)


register_kind(
    ReminderKind(
        key="staff_checklist_item_due",
        audience=Audience.STAFF,
        label=_("Checklist items due"),
        description=_("To the person an open checklist item is assigned to, on the day."),
        timing=Timing(_("Hours before the item is due"), default=(8,)),
        collect=_collect_staff_due,
        prepare=_prepare_staff_due,
        templates="checklists/reminders/staff_item_due",
        lookback=datetime.timedelta(hours=20),
    )
)

register_kind(
    ReminderKind(
        key="staff_checklist_item_overdue",
        audience=Audience.STAFF,
        label=_("Checklist items overdue"),
        description=_("To the person an open checklist item is assigned to, once it is late."),
        timing=Timing(_("Hours after the item was due"), default=(24,)),
        collect=_collect_staff_overdue,
        prepare=_prepare_staff_overdue,
        templates="checklists/reminders/staff_item_overdue",
        lookback=datetime.timedelta(days=3),
    )
)


# --- Staff: an item was handed to them ------------------------------------------------------
#
# Told at once, like an invitation (``reminders.invitations``, whose docstring
# says why a kind rather than a column): ``item_reassign`` records the row in
# its own transaction (``tell_new_assignee``) and sends it after the commit;
# the sweep finds the same row (a no-op) and covers a lost send. The moment is
# the item's ``assigned_at``; a later reassignment is a new moment, so a new
# message, and one to someone who no longer holds the item is skipped.

ASSIGNED_KEY = "staff_checklist_item_assigned"


def _assigned_due(item_pk: int, user_id: int, engagement_id: int, at, offset: int) -> Due:
    return Due(
        target=(ITEM, item_pk),
        due_at=at + offset * HOUR,
        user_id=user_id,
        engagement_id=engagement_id,
    )


def _collect_staff_assigned(window: Window) -> Iterator[list[Due]]:
    for offset in window.offsets:
        since, until = window.anchor_range(after=offset)
        rows = ChecklistItem.objects.filter(
            status=ChecklistItem.Status.OPEN,
            assigned_at__gt=since,
            assigned_at__lte=until,
            consultant__isnull=True,
            assignee__isnull=False,
            assignee__is_active=True,
            checklist__engagement__status__in=LIVE_STATUSES,
        ).values("pk", "assigned_at", "assignee_id", "checklist__engagement_id")
        for batch in batched(rows, size=window.batch_size):
            yield [
                _assigned_due(
                    row["pk"],
                    row["assignee_id"],
                    row["checklist__engagement_id"],
                    row["assigned_at"],
                    offset,
                )
                for row in batch
            ]


def _prepare_staff_assigned(delivery, *, now) -> Prepared | Skip:
    item = _item(delivery)
    gone = _item_gone(item)
    if gone:
        return gone
    if item.assignee_id != delivery.user_id or item.assigned_at is None:
        return Skip(R.NOT_DUE)
    delta = delivery.due_at - item.assigned_at
    if not any(delta == offset * HOUR for offset in configured_offsets(delivery.kind)):
        return Skip(R.NOT_DUE)  # handed on again since: that moment has its own message
    return Prepared(
        {
            "due": item.due_at,
            "url": absolute_url("checklists:engagement", item.checklist.engagement_id),
        }
    )


ASSIGNED_KIND = register_kind(
    ReminderKind(
        key=ASSIGNED_KEY,
        audience=Audience.STAFF,
        label=_("Checklist item handed to you"),
        description=_(
            "To a staff member, as soon as someone reassigns a checklist item to them: "
            "a link to the checklist."
        ),
        timing=Timing(
            _("Hours after the item was reassigned"),
            default=(0,),
            help_text=_("0 is at once (quiet hours still apply)."),
        ),
        collect=_collect_staff_assigned,
        prepare=_prepare_staff_assigned,
        templates="checklists/reminders/staff_item_assigned",
        lookback=datetime.timedelta(hours=6),
    )
)


def tell_new_assignee(item: ChecklistItem) -> None:
    """Record the "handed to you" message of ``item`` (just reassigned, with
    ``assigned_at`` set) inside the reassignment's transaction; send it once
    that commits. Nothing when the kind is turned off."""
    from reminders import services

    if item.assigned_at is None or item.assignee_id is None:
        return
    dues = [
        _assigned_due(
            item.pk, item.assignee_id, item.checklist.engagement_id, item.assigned_at, offset
        )
        for offset in configured_offsets(ASSIGNED_KEY)
    ]
    ready = services.deliveries_record(kind_key=ASSIGNED_KEY, dues=dues)
    services.deliveries_send_after_commit(ready, what="Reassignment message")
