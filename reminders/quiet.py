"""Quiet hours: no reminder reaches a person in their quiet hours; one due
then waits for the end of them.

Consultants share ``REMINDERS_QUIET_START`` to ``REMINDERS_QUIET_END``
(default 21:00-08:00) in ``REMINDERS_QUIET_TIME_ZONE`` (default
Asia/Manila). Each staff member has their own, on their
``StaffReminderPreference`` (same defaults without one): a staff item due
at 02:00 waits for their morning. Equal start and end: no quiet hours.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass

from django.conf import settings


def _parse(value: str) -> datetime.time:
    hours, minutes = value.split(":")
    return datetime.time(int(hours), int(minutes))


@dataclass(frozen=True)
class QuietHours:
    start: datetime.time
    end: datetime.time
    zone: zoneinfo.ZoneInfo

    def is_quiet(self, moment: datetime.datetime) -> bool:
        if self.start == self.end:
            return False
        local = moment.astimezone(self.zone).time()
        if self.start < self.end:
            return self.start <= local < self.end
        return local >= self.start or local < self.end

    def next_allowed(self, moment: datetime.datetime) -> datetime.datetime:
        """``moment`` itself outside quiet hours, otherwise the end of them."""
        if not self.is_quiet(moment):
            return moment
        local = moment.astimezone(self.zone)
        morning = datetime.datetime.combine(local.date(), self.end, tzinfo=self.zone)
        if morning <= local:
            morning = datetime.datetime.combine(
                local.date() + datetime.timedelta(days=1), self.end, tzinfo=self.zone
            )
        return morning


def default_hours() -> QuietHours:
    """The consultants' quiet hours, and a staff member's without a choice."""
    return QuietHours(
        _parse(getattr(settings, "REMINDERS_QUIET_START", "21:00")),
        _parse(getattr(settings, "REMINDERS_QUIET_END", "08:00")),
        zoneinfo.ZoneInfo(getattr(settings, "REMINDERS_QUIET_TIME_ZONE", "Asia/Manila")),
    )


def staff_hours(preference) -> QuietHours:
    """A staff member's own quiet hours (``preference`` may be None)."""
    if preference is None:
        return default_hours()
    try:
        zone = zoneinfo.ZoneInfo(preference.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = default_hours().zone
    return QuietHours(preference.quiet_start, preference.quiet_end, zone)


def quiet_hours() -> tuple[datetime.time, datetime.time, zoneinfo.ZoneInfo]:
    hours = default_hours()
    return hours.start, hours.end, hours.zone


def is_quiet(moment: datetime.datetime, hours: QuietHours | None = None) -> bool:
    return (hours or default_hours()).is_quiet(moment)


def next_allowed(moment: datetime.datetime, hours: QuietHours | None = None) -> datetime.datetime:
    """``moment`` itself outside quiet hours, otherwise the end of them."""
    return (hours or default_hours()).next_allowed(moment)
