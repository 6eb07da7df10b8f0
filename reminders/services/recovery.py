"""Recovery: sends cut short and messages lost with the broker; and what a
person decides about a reminder that failed or was possibly sent.

``deliveries_recover`` runs every minute (beat) and a little after a
worker (re)connects to the broker (``reminders.celery_steps``):

- A row "being sent" whose claim is older than
  ``REMINDERS_CLAIM_GRACE_SECONDS`` and that no live worker holds (its
  lock is gone: ``SKIP LOCKED``) was cut short: the message may have left.
  Its kind decides (``ReminderKind.on_uncertain``): send it again, or hold
  it as "possibly sent" for a person. Either way ``interrupted`` counts it.
- A pending row handed out to a worker more than
  ``REMINDERS_REDISPATCH_SECONDS`` ago (or before ``stale_before``, the
  moment a worker reconnected) is handed out again: its message may have
  died with the worker or the broker. Queuing it twice is harmless, the
  claim lets one through.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import record_event
from reminders import access, registry
from reminders.models import ReminderDelivery
from reminders.registry import OnUncertain
from reminders.services.configuration import _setting
from reminders.services.sweep import deliveries_dispatch

D = ReminderDelivery.Status

# Written to ``last_error`` of a row whose send was cut short.
INTERRUPTED = "Interrupted"


@dataclass
class RecoveryResult:
    resent: list[int] = field(default_factory=list)
    held: list[int] = field(default_factory=list)
    # Staff members whose digest rows were resent: their digest goes again.
    digest_users: set[int] = field(default_factory=set)
    chunks: list[list[int]] = field(default_factory=list)


def _policy(kind_key: str) -> OnUncertain:
    kind = registry.get_kind(kind_key)
    # A kind no longer registered would be skipped at send time anyway.
    return kind.on_uncertain if kind else OnUncertain.RESEND


def deliveries_recover(
    *, now: datetime.datetime | None = None, stale_before: datetime.datetime | None = None
) -> RecoveryResult:
    """Resolve the sends cut short, per kind, and hand out again what was
    lost on the way to a worker (module docstring)."""
    now = now or timezone.now()
    grace = datetime.timedelta(seconds=_setting("REMINDERS_CLAIM_GRACE_SECONDS", 30))
    result = RecoveryResult()
    with transaction.atomic():
        orphans = list(
            ReminderDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=D.SENDING, claimed_at__lt=now - grace)
            .order_by("claimed_at")
            .values_list("id", "kind", "digest", "user_id")[:2000]
        )
        for pk, kind_key, digest, user_id in orphans:
            if _policy(kind_key) == OnUncertain.HOLD:
                result.held.append(pk)
            else:
                result.resent.append(pk)
                if digest:
                    result.digest_users.add(user_id)
        if result.resent:
            # The claim token stays: should the old worker still confirm
            # before the row is claimed again, "sent" wins and nothing goes twice.
            ReminderDelivery.objects.filter(pk__in=result.resent).update(
                status=D.PENDING,
                send_after=now,
                dispatched_at=None,
                interrupted=F("interrupted") + 1,
                last_error=INTERRUPTED,
            )
        if result.held:
            ReminderDelivery.objects.filter(pk__in=result.held).update(
                status=D.UNCERTAIN, interrupted=F("interrupted") + 1, last_error=INTERRUPTED
            )
    result.chunks = deliveries_dispatch(now=now, stale_before=stale_before)
    return result


# --- What a person decides ------------------------------------------------------------------


def _locked_for(delivery: ReminderDelivery, action: str, refusal: str) -> ReminderDelivery:
    row = ReminderDelivery.objects.select_for_update().get(pk=delivery.pk)
    if not row.allows(action):
        raise ValidationError(refusal)
    return row


def delivery_retry(*, delivery: ReminderDelivery, by, request=None) -> ReminderDelivery:
    """Staff: send a failed or possibly-sent reminder again (audited)."""
    if not access.can_retry(by):
        raise PermissionDenied
    from reminders import tasks

    now = timezone.now()
    with transaction.atomic():
        row = _locked_for(
            delivery,
            "retry",
            _("Only a failed reminder, or one possibly sent, can be sent again."),
        )
        before = row.status
        row.status = D.PENDING
        row.digest = False
        row.attempts = 0
        row.send_after = now
        row.dispatched_at = now
        row.finished_at = None
        row.retried_by = by
        row.retried_at = now
        row.save(
            update_fields=[
                "status",
                "digest",
                "attempts",
                "send_after",
                "dispatched_at",
                "finished_at",
                "retried_by",
                "retried_at",
            ]
        )
        record_event(
            row, actor=by, event="reminder_send_again", request=request, status_before=before
        )
        transaction.on_commit(lambda: tasks.deliver_reminders.delay([row.pk]))
    delivery.refresh_from_db()
    return delivery


def delivery_mark_sent(*, delivery: ReminderDelivery, by, request=None) -> ReminderDelivery:
    """Staff: a possibly-sent reminder did reach its recipient (they checked
    the mail log, or asked): mark it sent (audited)."""
    if not access.can_retry(by):
        raise PermissionDenied
    now = timezone.now()
    with transaction.atomic():
        row = _locked_for(
            delivery, "mark_sent", _("Only a reminder possibly sent can be marked as sent.")
        )
        before = row.status
        row.status = D.SENT
        row.finished_at = now
        row.resolved_by = by
        row.resolved_at = now
        row.save(update_fields=["status", "finished_at", "resolved_by", "resolved_at"])
        record_event(
            row, actor=by, event="reminder_marked_sent", request=request, status_before=before
        )
    delivery.refresh_from_db()
    return delivery
