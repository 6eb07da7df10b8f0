"""A worker bootstep: each time the worker's consumer (re)connects to the
broker, ask for a reminders recovery a little later.

A worker that starts may be replacing one that was killed, whose messages
sit unacknowledged in Redis until the visibility timeout (twenty minutes);
a worker that reconnects may have lost the broker with everything queued
in it. Either way what was handed out before this moment may never
arrive, so a recovery two seconds later hands it out again
(``stale_before``) instead of waiting for it to go stale, and a second one
just past the claim grace settles the sends the dead worker had begun.
Queuing twice is harmless (the claim).

Installed by config/celery.py. Imports nothing from Django at load time.
"""

from __future__ import annotations

import logging

from celery import bootsteps

logger = logging.getLogger(__name__)


class RecoverRemindersOnConnect(bootsteps.StartStopStep):
    requires = {"celery.worker.consumer.tasks:Tasks"}

    def start(self, parent):
        from django.utils import timezone

        from reminders.tasks import recover_reminders, recovery_delay

        connected = timezone.now().isoformat()
        delays = (2.0, recovery_delay().total_seconds())
        try:
            # Soon: hand out again what was queued before this moment. After
            # the claim grace: sends the dead worker had begun (cut short).
            for delay in delays:
                recover_reminders.apply_async(kwargs={"stale_before": connected}, countdown=delay)
        except Exception:  # the broker dropped again: the beat entry still runs
            logger.warning("reminders: could not ask for a recovery after connecting.")
            return
        logger.info(
            "reminders: connected to the broker; recovery in %s s and %s s.",
            *(int(delay) for delay in delays),
        )
