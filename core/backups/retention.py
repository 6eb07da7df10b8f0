"""Which archives to keep: every one of the last days, one a month for a year.

Kept:

* every good archive made in the last ``daily_days`` (14 by default): the
  daily ones, and any made by hand;
* the first good archive of each month (normally the one of the 1st),
  Manila time, for ``monthly_days`` (365 by default);
* the newest good archive, always, however old: a backup schedule that
  stopped must never leave nothing behind.

An archive is known by its name, ``tinig-<UTC time>.tinigbak``, which says
when it was made; names of any other shape are not ours and never
touched. "Good" comes from the backup records: an archive whose record
says it failed, or is still running when no backup runs (its process
died), is not kept at all; one with no record (copied in, or made before
the database was restored) counts as good.
"""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass

MANILA = zoneinfo.ZoneInfo("Asia/Manila")
# The storage may add "_" and a few letters when two archives share a second.
_NAME = re.compile(r"^tinig-(\d{8}T\d{6})Z(?:[-_][A-Za-z0-9]+)?\.tinigbak$")


def archive_name(moment: datetime.datetime) -> str:
    return f"tinig-{moment.astimezone(datetime.UTC):%Y%m%dT%H%M%S}Z.tinigbak"


def made_at(name: str) -> datetime.datetime | None:
    """When the archive of that name was made, or None for a name not ours."""
    match = _NAME.match(name)
    if match is None:
        return None
    return datetime.datetime.strptime(match.group(1), "%Y%m%dT%H%M%S").replace(tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Archive:
    name: str
    made_at: datetime.datetime
    good: bool = True


def to_delete(
    archives: Iterable[Archive],
    *,
    now: datetime.datetime,
    daily_days: int = 14,
    monthly_days: int = 365,
) -> list[str]:
    """The names of the archives the rule no longer keeps, oldest first."""
    archives = sorted(archives, key=lambda archive: (archive.made_at, archive.name))
    keep: set[str] = set()
    good = [archive for archive in archives if archive.good]
    for archive in good:
        if now - archive.made_at < datetime.timedelta(days=daily_days):
            keep.add(archive.name)
    first_of_month: dict[tuple[int, int], Archive] = {}
    for archive in good:
        local = archive.made_at.astimezone(MANILA)
        first_of_month.setdefault((local.year, local.month), archive)
    for archive in first_of_month.values():
        if now - archive.made_at < datetime.timedelta(days=monthly_days):
            keep.add(archive.name)
    if good:
        keep.add(good[-1].name)
    return [archive.name for archive in archives if archive.name not in keep]
