"""Celery tasks for reminders: a way in, not where the work is done.

Messages are acknowledged late, so any task may run twice or be cut short
by a dying worker; ``reminders.services`` makes both harmless (see its
docstring). Beat runs ``sweep_reminders`` every few minutes and
``send_staff_digests`` each morning (config/schedule.py).
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from reminders import services

logger = logging.getLogger(__name__)

MAX_RETRIES = 5


@shared_task
def sweep_reminders() -> int:
    """Record what fell due, then hand what may be sent now to workers."""
    result = services.reminders_sweep()
    chunks = services.deliveries_dispatch()
    for chunk in chunks:
        deliver_reminders.delay(chunk)
    if result.recorded or chunks:
        logger.info(
            "Reminders: %s recorded, %s handed to workers.",
            result.recorded,
            sum(len(chunk) for chunk in chunks),
        )
    return result.recorded


@shared_task(bind=True, max_retries=MAX_RETRIES)
def deliver_reminders(self, delivery_ids: list[int]) -> dict[str, int]:
    """Send each reminder of the chunk that is still pending and due. Those
    whose channel failed are tried again with exponential backoff (their
    rows say when; the sweep hands them out again if this retry is lost)."""
    outcomes: dict[str, int] = {}
    again = []
    for delivery_id in delivery_ids:
        outcome = services.delivery_send(delivery_id=delivery_id)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        if outcome == "retry":
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
    outcome = services.digest_send(user_id=user_id)
    if outcome == "retry" and self.request.retries < self.max_retries:
        raise self.retry(countdown=services.retry_delay(self.request.retries + 1).total_seconds())
    return outcome
