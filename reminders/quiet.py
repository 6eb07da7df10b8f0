"""Quiet hours: no message reaches a consultant between
``REMINDERS_QUIET_START`` and ``REMINDERS_QUIET_END`` (default 21:00-08:00)
in ``REMINDERS_QUIET_TIME_ZONE`` (default Asia/Manila). A message due then
waits for the end of the quiet hours."""

from __future__ import annotations

import datetime
import zoneinfo

from django.conf import settings


def _parse(value: str) -> datetime.time:
    hours, minutes = value.split(":")
    return datetime.time(int(hours), int(minutes))


def quiet_hours() -> tuple[datetime.time, datetime.time, zoneinfo.ZoneInfo]:
    start = _parse(getattr(settings, "REMINDERS_QUIET_START", "21:00"))
    end = _parse(getattr(settings, "REMINDERS_QUIET_END", "08:00"))
    zone = zoneinfo.ZoneInfo(getattr(settings, "REMINDERS_QUIET_TIME_ZONE", "Asia/Manila"))
    return start, end, zone


def is_quiet(moment: datetime.datetime) -> bool:
    start, end, zone = quiet_hours()
    if start == end:
        return False
    local = moment.astimezone(zone).time()
    if start < end:
        return start <= local < end
    return local >= start or local < end


def next_allowed(moment: datetime.datetime) -> datetime.datetime:
    """``moment`` itself outside quiet hours, otherwise the end of them."""
    if not is_quiet(moment):
        return moment
    _start, end, zone = quiet_hours()
    local = moment.astimezone(zone)
    morning = datetime.datetime.combine(local.date(), end, tzinfo=zone)
    if morning <= local:
        morning = datetime.datetime.combine(
            local.date() + datetime.timedelta(days=1), end, tzinfo=zone
        )
    return morning
