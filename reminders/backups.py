"""The administrators' reminder: no good backup for two days.

Its anchor is the end of the last good backup (``core.backups.services``),
or, while no backup has ever been good, the start of the first attempt. It
is due ``offset`` hours after the anchor (48 by default), to every active
administrator, once per anchor: each good backup is a new anchor, so if
backups stop again the next reminder comes two days after the last good
one. ``prepare`` checks again at sending time: no newer good backup, and
the recipient still an administrator. The message says only that backups
need a look, with a link to the admin's backups page.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.contrib.auth import get_user_model
from django.db.models import F, Value
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role, has_role
from core.models import BackupRecord
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
    configured_offsets,
    register_kind,
)

R = ReminderDelivery.Reason
HOUR = datetime.timedelta(hours=1)
TARGET = "core.backuprecord"
GOOD = "good"
FIRST = "first"


def _anchor() -> tuple[int, datetime.datetime, str] | None:
    """(record id, moment, "good" or "first"), in one query."""
    records = BackupRecord.objects.order_by()
    good = (
        records.filter(status=BackupRecord.Status.GOOD, finished_at__isnull=False)
        .annotate(anchor=F("finished_at"), which=Value(GOOD))
        .order_by("-finished_at", "-pk")
        .values_list("pk", "anchor", "which")[:1]
    )
    first = (
        records.annotate(anchor=F("started_at"), which=Value(FIRST))
        .order_by("started_at", "pk")
        .values_list("pk", "anchor", "which")[:1]
    )
    rows = list(good.union(first, all=True))
    for row in rows:
        if row[2] == GOOD:
            return row
    return rows[0] if rows else None


def _administrators() -> list[int]:
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.ADMINISTRATOR.value)
        .order_by("pk")
        .values_list("pk", flat=True)
        .distinct()
    )


def _collect(window: Window) -> Iterator[list[Due]]:
    anchor = _anchor()
    if anchor is None:
        return
    pk, moment, _which = anchor
    for offset in window.offsets:
        since, until = window.anchor_range(after=offset)
        if since < moment <= until:
            yield [
                Due(target=(TARGET, pk), due_at=moment + offset * HOUR, user_id=user_id)
                for user_id in _administrators()
            ]


def _prepare(delivery, *, now) -> Prepared | Skip:
    anchor = _anchor()
    if anchor is None or anchor[0] != delivery.target_id:
        # A newer good backup since: nothing to remind.
        return Skip(R.NOT_DUE)
    _pk, moment, which = anchor
    offsets = configured_offsets(delivery.kind)
    if not any(delivery.due_at - moment == offset * HOUR for offset in offsets):
        return Skip(R.DATES_CHANGED, void=True)
    if not has_role(delivery.user, Role.ADMINISTRATOR):
        return Skip(R.NOT_DUE)
    return Prepared(
        {
            "since": moment,
            "never": which == FIRST,
            "url": absolute_url("admin:core_backuprecord_changelist"),
        }
    )


KIND = register_kind(
    ReminderKind(
        key="staff_backup_overdue",
        audience=Audience.STAFF,
        label=_("Backups not made"),
        description=_(
            "To administrators, when the last good backup is older than this (two days by default)."
        ),
        timing=Timing(_("Hours after the last good backup"), default=(48,)),
        collect=_collect,
        prepare=_prepare,
        templates="reminders/emails/staff_backup_overdue",
        lookback=datetime.timedelta(days=3),
    )
)
