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
    # Daily just after midnight Manila time: a consultant whose break has
    # ended becomes active again, so the end date they chose takes effect.
    "consultants-end-expired-breaks": {
        "task": "consultants.tasks.end_expired_breaks",
        "schedule": crontab(minute=15, hour=0),
    },
    # Every 5 minutes: record the reminders that fell due and send those
    # whose moment has come (consultants' quiet hours wait for morning).
    # Safe to run twice at once: each reminder is recorded and sent once.
    "reminders-sweep": {
        "task": "reminders.tasks.sweep_reminders",
        "schedule": crontab(minute="*/5"),
    },
    # Daily at 08:00 Manila time: one digest per staff member who chose it.
    "reminders-staff-digests": {
        "task": "reminders.tasks.send_staff_digests",
        "schedule": crontab(minute=0, hour=8),
    },
}
