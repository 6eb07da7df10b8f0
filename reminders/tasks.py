"""Celery tasks for reminders: a way in, not where the work is done.

Messages are acknowledged late, so any task may run twice or be cut short
by a dying worker; ``reminders.services`` makes both harmless (see its
docstring). Beat runs ``sweep_reminders`` every five minutes,
``recover_reminders`` every minute and ``send_staff_digests`` each
morning (config/schedule.py); a worker that (re)connects to the broker
asks for ``recover_reminders`` too (``reminders.celery_steps``).

A database or broker error is retried with backoff (at most
``DB_RETRY_MAX_SECONDS`` between tries, so a database that comes back is
used within that); whatever a retry cannot reach is handed out again by
the next recovery.
"""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval
from django.db import DatabaseError
from django.utils.dateparse import parse_datetime
from kombu.exceptions import OperationalError as BrokerError

from reminders import services

logger = logging.getLogger(__name__)

MAX_RETRIES = 5
DB_RETRIES = 12
DB_RETRY_MAX_SECONDS = 15


def _db_backoff(retries: int) -> int:
    return get_exponential_backoff_interval(
        factor=1, retries=retries, maximum=DB_RETRY_MAX_SECONDS, full_jitter=False
    )


def _enqueue(chunks: list[list[int]]) -> int:
    """Queue a task per chunk; what the broker refuses is marked not handed
    out, so the next recovery (a minute at most) hands it out again."""
    queued = 0
    for index, chunk in enumerate(chunks):
        try:
            deliver_reminders.delay(chunk)
        except BrokerError:
            rest = [pk for later in chunks[index:] for pk in later]
            logger.warning(
                "Reminders: the broker refused %s; recovery will hand them out.", len(rest)
            )
            services.deliveries_undispatch(ids=rest)
            break
        queued += len(chunk)
    return queued


@shared_task(bind=True, max_retries=DB_RETRIES)
def sweep_reminders(self) -> int:
    """Record what fell due, then hand what may be sent now to workers."""
    try:
        result = services.reminders_sweep()
        chunks = services.deliveries_dispatch()
    except DatabaseError as error:
        raise self.retry(exc=error, countdown=_db_backoff(self.request.retries)) from error
    queued = _enqueue(chunks)
    if result.recorded or queued:
        logger.info("Reminders: %s recorded, %s handed to workers.", result.recorded, queued)
    return result.recorded


@shared_task(bind=True, max_retries=DB_RETRIES)
def recover_reminders(self, stale_before: str | None = None) -> dict[str, int]:
    """Sends cut short (resent or held, per kind) and messages lost on the
    way to a worker (handed out again); see reminders.services.recovery."""
    before = parse_datetime(stale_before) if stale_before else None
    try:
        result = services.deliveries_recover(stale_before=before)
    except DatabaseError as error:
        raise self.retry(exc=error, countdown=_db_backoff(self.request.retries)) from error
    queued = _enqueue(result.chunks)
    for user_id in result.digest_users:
        send_staff_digest.delay(user_id)
    if result.resent or result.held or queued:
        logger.info(
            "Reminders recovery: %s cut short and resent, %s held as possibly sent, "
            "%s handed to workers again.",
            len(result.resent),
            len(result.held),
            queued,
        )
    return {"resent": len(result.resent), "held": len(result.held), "queued": queued}


@shared_task(bind=True, max_retries=MAX_RETRIES)
def deliver_reminders(self, delivery_ids: list[int]) -> dict[str, int]:
    """Send each reminder of the chunk that is still pending and due. Those
    whose channel failed are tried again with exponential backoff (their
    rows say when; recovery hands them out again if this retry is lost).
    A database error retries the rest of the chunk soon."""
    outcomes: dict[str, int] = {}
    again = []
    for index, delivery_id in enumerate(delivery_ids):
        try:
            outcome = services.delivery_send(delivery_id=delivery_id)
        except DatabaseError as error:
            rest = delivery_ids[index:] + again
            raise self.retry(
                args=[rest],
                exc=error,
                countdown=_db_backoff(self.request.retries),
                max_retries=DB_RETRIES,
            ) from error
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if outcome in ("retry", "released"):
            again.append(delivery_id)
    if again and self.request.retries < self.max_retries:
        countdown = max(
            services.retry_delay(self.request.retries + 1).total_seconds(),
            get_exponential_backoff_interval(
                factor=5, retries=self.request.retries, maximum=300, full_jitter=False
            ),
        )
        raise self.retry(args=[again], countdown=countdown)
    return outcomes


@shared_task
def send_staff_digests() -> int:
    """Each morning: one message per staff member who prefers a digest."""
    users = services.digest_recipients()
    for user_id in users:
        send_staff_digest.delay(user_id)
    return len(users)


@shared_task(bind=True, max_retries=MAX_RETRIES)
def send_staff_digest(self, user_id: int) -> str:
    try:
        outcome = services.digest_send(user_id=user_id)
    except DatabaseError as error:
        raise self.retry(
            exc=error, countdown=_db_backoff(self.request.retries), max_retries=DB_RETRIES
        ) from error
    if outcome in ("retry", "released") and self.request.retries < self.max_retries:
        raise self.retry(countdown=services.retry_delay(self.request.retries + 1).total_seconds())
    return outcome


def recovery_delay() -> datetime.timedelta:
    """How long after a worker (re)connects its recovery runs: just past the
    claim grace, so a send the dead worker had begun counts as cut short."""
    from django.conf import settings

    return datetime.timedelta(seconds=getattr(settings, "REMINDERS_CLAIM_GRACE_SECONDS", 30) + 1)
