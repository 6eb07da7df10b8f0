"""Celery tasks of accounts (config/schedule.py)."""

from __future__ import annotations

from importlib import import_module

from celery import shared_task
from django.conf import settings


@shared_task
def clear_expired_sessions() -> None:
    """Beat, daily: delete the sessions whose expiry has passed.

    An expired session already lets no one in; deleting it keeps the table
    (which names the person each session belongs to, `accounts.Session`)
    from growing with every sign-in. What `manage.py clearsessions` does,
    for whichever engine is configured. Idempotent."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
