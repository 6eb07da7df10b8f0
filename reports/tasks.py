"""Celery tasks for reports: a way in, not where the work is done.

Each task takes primary keys and calls a service. Messages are acknowledged
late (CELERY_TASK_ACKS_LATE), so a task may run twice; the services make
that harmless.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from reports import services

logger = logging.getLogger(__name__)

MAX_RETRIES = 5


@shared_task(bind=True, max_retries=MAX_RETRIES)
def render_report(self, job_id: str) -> None:
    """Render one report job. A database that is briefly unreachable is
    retried with exponential backoff (about 5 s, 10 s, 20 s... at most 5
    minutes apart); after the last attempt the job is marked failed."""
    try:
        services.report_render(job_id=job_id)
    except services.TRANSIENT_ERRORS as error:
        if self.request.retries >= self.max_retries:
            logger.error("Report job %s: database still unavailable, giving up.", job_id)
            services.report_fail(job_id=job_id)
            return
        countdown = get_exponential_backoff_interval(
            factor=5, retries=self.request.retries, maximum=300, full_jitter=True
        )
        raise self.retry(exc=error, countdown=countdown) from None


@shared_task
def purge_expired_reports() -> None:
    """Beat, every 15 minutes (config/schedule.py): delete documents past
    their retention, and close jobs that no worker will ever finish."""
    purged = services.report_purge_expired()
    stale = services.report_fail_stale()
    if purged or stale:
        logger.info("Reports: %s deleted after retention, %s stale marked failed.", purged, stale)
