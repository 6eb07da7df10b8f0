"""Every periodic task, in one place, with when it runs and why.

Times are Asia/Manila (CELERY_TIMEZONE). Tasks must be idempotent: two beat
processes or a retried task must never do the work twice.
"""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Every 15 minutes: delete generated reports whose retention has passed,
    # so private PDFs never linger on disk.
    "reports-purge-expired": {
        "task": "reports.tasks.purge_expired_reports",
        "schedule": crontab(minute="*/15"),
    },
}
