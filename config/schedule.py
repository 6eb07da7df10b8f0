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
    # Every minute: reminders whose send was cut short (a killed worker, a
    # database that went away between send and confirm) are resent or held
    # for a person, per kind; pending reminders handed to a worker more
    # than a minute ago and never claimed (the message died with a worker
    # or with Redis) are handed out again. Without it they waited for the
    # ten-minute redispatch and the next five-minute sweep. Idempotent: a
    # reminder queued twice is claimed once.
    "reminders-recover": {
        "task": "reminders.tasks.recover_reminders",
        "schedule": crontab(minute="*"),
    },
    # Daily at 02:30 Manila time, when nobody works: one encrypted backup
    # archive (database, private files, manifest) into BACKUP_DIR, then the
    # retention rule (every archive of the last 14 days, the first of each
    # month for a year). Redelivered, it stops: the backup lock, and a good
    # scheduled backup of the last 12 hours (core/tasks.py).
    "core-backup-daily": {
        "task": "core.tasks.backup_daily",
        "schedule": crontab(minute=30, hour=2),
    },
    # Daily at 03:15 Manila time: delete expired sessions. They let no one
    # in, but each names its person, and the table grows with every sign-in.
    "accounts-clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": crontab(minute=15, hour=3),
    },
    # Daily at 08:00 Manila time: one digest per staff member who chose it.
    "reminders-staff-digests": {
        "task": "reminders.tasks.send_staff_digests",
        "schedule": crontab(minute=0, hour=8),
    },
}
