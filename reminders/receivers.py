"""Listeners to the engagements app's signals (connected in apps.py).

A change of dates voids the pending reminders whose due moment no longer
matches (the next sweep records the new ones); a cancellation closes the
pending reminders of the engagement. Both run inside the transaction of
the change, so they commit or roll back with it.
"""

from __future__ import annotations

from reminders import services


def on_dates_changed(sender, *, engagement, **kwargs) -> None:
    services.engagement_reminders_recheck(engagement_id=engagement.pk)


def on_transitioned(sender, *, engagement, to_status, **kwargs) -> None:
    if to_status == "cancelled":
        services.engagement_reminders_recheck(engagement_id=engagement.pk)
