"""Celery tasks of core: the daily backup (config/schedule.py).

A backup may take longer than an ordinary task (a large dump): it has its
own time limits. Messages are acknowledged late, so the task may be
delivered twice (a worker that died, or Redis handing out a message still
running after its visibility timeout): the backup lock makes the second
wait its turn or stop, and a good scheduled backup of the last 12 hours
makes it stop.
"""

from __future__ import annotations

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from core.backups import services
from core.backups.archive import BackupError
from core.models import BackupRecord

logger = logging.getLogger(__name__)

RECENT = datetime.timedelta(hours=12)


@shared_task(
    time_limit=settings.BACKUP_TASK_TIME_LIMIT,
    soft_time_limit=max(settings.BACKUP_TASK_TIME_LIMIT - 5 * 60, 60),
)
def backup_daily() -> None:
    """Beat, daily at 02:30 Manila: one archive, then the retention rule."""
    recent = BackupRecord.objects.filter(
        trigger=BackupRecord.Trigger.SCHEDULED,
        status=BackupRecord.Status.GOOD,
        started_at__gte=timezone.now() - RECENT,
    ).exists()
    if recent:
        logger.info("Backup: a scheduled backup of the last 12 hours is good; nothing to do.")
        return
    try:
        record = services.backup_create(trigger=BackupRecord.Trigger.SCHEDULED)
    except services.BackupBusy:
        logger.info("Backup: another backup is running; this one stops.")
        return
    except BackupError as error:
        # Recorded on the backup's row (the admin, /healthz, the reminder).
        logger.error("Backup failed: %s", error)
    else:
        logger.info("Backup %s written (%s bytes).", record.name, record.size)
    try:
        deleted = services.backup_prune()
    except services.BackupBusy:
        return
    if deleted:
        logger.info("Backup retention: %s archives deleted.", len(deleted))
