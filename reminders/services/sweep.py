"""The sweep: record what fell due, once; hand what may go now to workers;
void what a change of dates made wrong."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from reminders import quiet, registry
from reminders.models import ConsultantReminderPreference, ReminderDelivery, StaffReminderPreference
from reminders.registry import Audience, Due, ReminderKind, Skip, Window
from reminders.services.configuration import _setting, kind_configs
from reminders.services.sending import _finish

D = ReminderDelivery.Status
R = ReminderDelivery.Reason

_INSERT_COLUMNS = (
    "kind",
    "target_type",
    "target_id",
    "consultant_id",
    "user_id",
    "due_at",
    "send_after",
    "engagement_id",
    "channel",
    "digest",
    "status",
    "reason",
    "attempts",
    "last_error",
    "created_at",
)


def _insert(rows: list[tuple]) -> int:
    """INSERT ... ON CONFLICT DO NOTHING on the identity (one query), then
    revive the rows a change of dates voided if the dates came back to
    their moment (one query). Neither waits for a row being sent."""
    if not rows:
        return 0
    table = ReminderDelivery._meta.db_table
    placeholders = "(" + ", ".join(["%s"] * len(_INSERT_COLUMNS)) + ")"
    values = ", ".join([placeholders] * len(rows))
    params = [value for row in rows for value in row]
    # Only the table name (model meta) and placeholders are put together here.
    insert = (
        f"INSERT INTO {table} ({', '.join(_INSERT_COLUMNS)}) VALUES {values}"  # noqa: S608
        " ON CONFLICT ON CONSTRAINT reminders_delivery_identity DO NOTHING"
    )
    identity = "(%s, %s, %s, %s::bigint, %s::bigint, %s::timestamptz, %s::timestamptz, %s)"
    revive = (
        f"UPDATE {table} AS d SET status = 'pending', reason = '', finished_at = NULL,"  # noqa: S608
        " dispatched_at = NULL, send_after = v.send_after"
        f" FROM (VALUES {', '.join([identity] * len(rows))})"
        " AS v(kind, target_type, target_id, consultant_id, user_id, due_at, send_after, channel)"
        " WHERE d.status = 'void' AND d.kind = v.kind AND d.target_type = v.target_type"
        " AND d.target_id = v.target_id AND d.due_at = v.due_at AND d.channel = v.channel"
        " AND d.consultant_id IS NOT DISTINCT FROM v.consultant_id"
        " AND d.user_id IS NOT DISTINCT FROM v.user_id"
    )
    # The identity's columns (see _INSERT_COLUMNS): the first seven and the channel.
    revive_params = [value for row in rows for value in (*row[:7], row[8])]
    with connection.cursor() as cursor:
        cursor.execute(insert, params)
        inserted = cursor.rowcount
        cursor.execute(revive, revive_params)
        return inserted + cursor.rowcount


def _staff_preferences(user_ids: set[int]) -> dict[int, StaffReminderPreference]:
    """Each staff member's digest choice and quiet hours (one query)."""
    if not user_ids:
        return {}
    return {
        preference.user_id: preference
        for preference in StaffReminderPreference.objects.filter(user_id__in=user_ids)
    }


def _consultant_choices(kind_key: str, consultant_ids: set[int]) -> dict[int, str]:
    """Each consultant's choice for one kind (one query); none: e-mail."""
    if not consultant_ids:
        return {}
    return dict(
        ConsultantReminderPreference.objects.filter(
            kind=kind_key, consultant_id__in=consultant_ids
        ).values_list("consultant_id", "channel")
    )


def _channels_of(choice: str | None) -> tuple[str, ...]:
    # "Not at all" still records one (e-mail) row, skipped when it is due, so
    # the log shows the reminder was there and why it did not go.
    return ConsultantReminderPreference.delivery_channels(choice) or ("email",)


def _rows_for(kind: ReminderKind, batch: list[Due], now: datetime.datetime) -> list[tuple]:
    consultant_kind = kind.audience == Audience.CONSULTANT
    preferences = (
        {} if consultant_kind else _staff_preferences({d.user_id for d in batch if d.user_id})
    )
    choices = (
        _consultant_choices(kind.key, {due.consultant_id for due in batch if due.consultant_id})
        if consultant_kind
        else {}
    )
    rows = []
    for due in batch:
        if (due.consultant_id is None) == (due.user_id is None):
            raise ValueError(f"{kind.key}: a reminder has exactly one recipient.")
        preference = preferences.get(due.user_id or 0)
        digest = bool(preference and preference.daily_digest)
        if consultant_kind:
            send_after = quiet.next_allowed(due.due_at)
            channels = _channels_of(choices.get(due.consultant_id or 0))
        elif digest:
            send_after = due.due_at  # the digest goes at 08:00, whatever the hours
            channels = ("email",)
        else:
            # Each staff member's own quiet hours (none chosen: 21:00-08:00 Manila).
            send_after = quiet.staff_hours(preference).next_allowed(due.due_at)
            channels = ("email",)
        for channel in channels:
            rows.append(
                (
                    kind.key,
                    due.target[0],
                    due.target[1],
                    due.consultant_id,
                    due.user_id,
                    due.due_at,
                    send_after,
                    due.engagement_id,
                    channel,
                    digest,
                    D.PENDING,
                    "",
                    0,
                    "",
                    now,
                )
            )
    return rows


def deliveries_record(
    *, kind_key: str, dues: list[Due], now: datetime.datetime | None = None
) -> list[int]:
    """Record reminders of ``kind_key`` the moment the data makes them due,
    without waiting for the sweep (an invitation is told at once, see
    ``reminders.invitations``); returns the ids of the rows now pending and
    due, to send after the commit. The same ``INSERT ... ON CONFLICT DO
    NOTHING`` on the identity as the sweep, so the sweep finding them later
    records nothing twice. The rows are marked handed out: the dispatcher
    leaves them to the caller for ``REMINDERS_REDISPATCH_SECONDS``, then
    picks up any whose sending was lost. Call inside the transaction of the
    change, so the rows commit or roll back with it. Nothing when the kind
    is off."""
    now = now or timezone.now()
    config = kind_configs().get(kind_key)
    if config is None or not config.enabled or not dues:
        return []
    kind = config.kind
    _insert(_rows_for(kind, dues, now))
    identities = Q()
    for due in dues:
        identities |= Q(
            target_type=due.target[0],
            target_id=due.target[1],
            consultant_id=due.consultant_id,
            user_id=due.user_id,
            due_at=due.due_at,
        )
    pending = ReminderDelivery.objects.filter(identities, kind=kind_key, status=D.PENDING)
    pending.filter(dispatched_at__isnull=True).update(dispatched_at=now)
    return list(pending.filter(send_after__lte=now).order_by("pk").values_list("pk", flat=True))


@dataclass
class SweepResult:
    recorded: int = 0
    batches: int = 0
    per_kind: dict[str, int] = field(default_factory=dict)


def reminders_sweep(
    *, now: datetime.datetime | None = None, batch_size: int | None = None
) -> SweepResult:
    """Record every reminder that fell due, once. Each batch of a kind is
    one or two reading queries and one insert, whatever the volume."""
    now = now or timezone.now()
    batch_size = batch_size or _setting("REMINDERS_BATCH_SIZE", 500)
    result = SweepResult()
    for config in kind_configs().values():
        if not config.enabled:
            continue
        kind = config.kind
        window = Window(
            since=now - kind.lookback, until=now, offsets=config.offsets, batch_size=batch_size
        )
        count = 0
        for batch in kind.collect(window):
            if not batch:
                continue
            result.batches += 1
            count += _insert(_rows_for(kind, batch, now))
        result.per_kind[kind.key] = count
        result.recorded += count
    return result


def deliveries_dispatch(
    *,
    now: datetime.datetime | None = None,
    stale_before: datetime.datetime | None = None,
    limit: int = 2000,
    chunk: int = 25,
) -> list[list[int]]:
    """Pending rows whose moment has come and that are not (or no longer)
    with a worker, in chunks for ``deliver_reminders`` tasks; marks them
    handed out. A row handed out before ``stale_before`` (default:
    ``REMINDERS_REDISPATCH_SECONDS`` ago) counts as lost with its message
    and is handed out again: the claim makes a second message harmless."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=_setting("REMINDERS_REDISPATCH_SECONDS", 60))
    if stale_before is not None:
        stale = max(stale, stale_before)
    with transaction.atomic():
        ids = list(
            ReminderDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=D.PENDING, digest=False, send_after__lte=now)
            .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=stale))
            .order_by("send_after", "id")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            ReminderDelivery.objects.filter(id__in=ids).update(dispatched_at=now)
    return [ids[start : start + chunk] for start in range(0, len(ids), chunk)]


def deliveries_undispatch(*, ids: list[int]) -> None:
    """Rows whose task could not be queued (the broker was down): handed
    out again by the next recovery, without waiting for them to go stale."""
    ReminderDelivery.objects.filter(id__in=ids, status=D.PENDING).update(dispatched_at=None)


# --- Voiding -------------------------------------------------------------------------


def engagement_reminders_recheck(
    *, engagement_id: int, now: datetime.datetime | None = None
) -> int:
    """After a change of dates (or a cancellation): void or skip the pending
    reminders of the engagement that no longer match it. Runs inside the
    transaction of the change. Returns how many were closed."""
    now = now or timezone.now()
    closed = 0
    pending = (
        ReminderDelivery.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("consultant", "user")
        .filter(engagement_id=engagement_id, status=D.PENDING)
    )
    for delivery in pending:
        kind = registry.get_kind(delivery.kind)
        verdict = kind.prepare(delivery, now=now) if kind else Skip(R.NOT_DUE)
        if isinstance(verdict, Skip):
            _finish(delivery, D.VOID if verdict.void else D.SKIPPED, verdict.reason, now)
            closed += 1
    return closed
