"""Celery tasks for consultants: a way in, not where the work is done."""

from __future__ import annotations

from celery import shared_task

from consultants import services


@shared_task
def end_expired_breaks() -> int:
    """Return consultants whose break has ended to active (idempotent)."""
    return services.consultant_breaks_end_expired()
