"""Backups that restore: one encrypted archive per backup, and its restore.

``archive``   the encrypted, streamed file format (frames of Fernet tokens)
``postgres``  pg_dump and pg_restore of the server's own major version,
              row counts and the emptiness of a database
``retention`` which archives to keep (daily for 14 days, monthly for a year)
``services``  backup_create, backup_verify, backup_restore, backup_prune,
              and what the admin, /healthz and the reminder ask
              (last_good_backup, backup_age)

Commands: ``manage.py backup`` and ``manage.py restore ARCHIVE``; the daily
beat entry is ``core.tasks.backup_daily`` (config/schedule.py). How to keep
the keys, copy archives off the machine and rehearse a restore:
docs/OPERATIONS.md, "Back up and restore".
"""
