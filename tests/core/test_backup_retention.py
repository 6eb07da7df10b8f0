"""Retention (core/backups/retention.py, services.backup_prune): every good
archive of the last 14 days, the first good one of each month for a year,
the newest good one always; nothing that is not ours is touched."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages

from core.backups import retention, services
from core.backups.retention import MANILA, Archive
from core.models import BackupRecord

NOW = datetime.datetime(2031, 6, 20, 3, 0, tzinfo=MANILA)
DAY = datetime.timedelta(days=1)


def daily(days: int, *, until: datetime.datetime = NOW) -> list[Archive]:
    """One archive at 02:30 Manila on each of the last ``days`` days."""
    last = until.replace(hour=2, minute=30)
    moments = [last - n * DAY for n in range(days)]
    return [
        Archive(retention.archive_name(moment), moment.astimezone(datetime.UTC))
        for moment in moments
    ]


def kept(archives: list[Archive], **kwargs) -> set[datetime.date]:
    doomed = set(retention.to_delete(archives, now=NOW, **kwargs))
    return {
        archive.made_at.astimezone(MANILA).date()
        for archive in archives
        if archive.name not in doomed
    }


def test_names_say_when_and_other_names_are_not_ours():
    moment = datetime.datetime(2031, 6, 1, 2, 30, 5, tzinfo=MANILA)
    name = retention.archive_name(moment)
    assert name == "tinig-20310531T183005Z.tinigbak"
    assert retention.made_at(name) == moment
    assert retention.made_at("tinig-20310531T183005Z_AbC12xY.tinigbak") == moment
    for other in ("notes.txt", "tinig-2031.tinigbak", "tinig-20310531T183005Z.tinigbak.part"):
        assert retention.made_at(other) is None


def test_two_years_of_dailies_keep_fourteen_days_and_a_year_of_firsts():
    archives = daily(730)
    days = kept(archives)
    last_fourteen = {(NOW - n * DAY).date() for n in range(14)}
    firsts = {
        day
        for day in (archive.made_at.astimezone(MANILA).date() for archive in archives)
        if day.day == 1 and NOW.date() - day < datetime.timedelta(days=365)
    }
    assert days == last_fourteen | firsts
    assert len(firsts) == 12
    assert datetime.date(2031, 6, 1) in days and datetime.date(2030, 7, 1) in days
    assert datetime.date(2030, 6, 1) not in days  # more than a year ago


def test_when_the_first_failed_the_first_good_one_of_the_month_is_kept():
    archives = daily(60)
    archives = [
        Archive(
            a.name, a.made_at, good=a.made_at.astimezone(MANILA).date() != datetime.date(2031, 5, 1)
        )
        for a in archives
    ]
    days = kept(archives)
    assert datetime.date(2031, 5, 1) not in days
    assert datetime.date(2031, 5, 2) in days
    assert datetime.date(2031, 5, 3) not in days


def test_failed_archives_are_not_kept_even_when_recent():
    archives = daily(3)
    archives[0] = Archive(archives[0].name, archives[0].made_at, good=False)
    assert kept(archives) == {(NOW - DAY).date(), (NOW - 2 * DAY).date()}


def test_the_newest_good_archive_is_kept_however_old():
    old = daily(3, until=NOW - 800 * DAY)
    assert kept(old) == {(NOW - 800 * DAY).date()}
    assert retention.to_delete([], now=NOW) == []


def test_other_periods_come_from_the_settings():
    archives = daily(40)
    assert len(kept(archives, daily_days=7, monthly_days=0)) == 7


# --- The service, on a real storage ----------------------------------------------------------


@pytest.fixture
def backups(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "backups": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "backups")},
        },
    }
    return storages["backups"]


@pytest.mark.django_db
def test_prune_deletes_the_archives_the_rule_drops_and_says_so_on_their_records(backups):
    archives = daily(40)
    for archive in archives:
        backups.save(archive.name, ContentFile(b"x"))
    backups.save("copied-by-hand.tinigbak", ContentFile(b"x"))
    failed = archives[1]
    BackupRecord.objects.create(
        started_at=failed.made_at, status=BackupRecord.Status.FAILED, name=failed.name
    )
    dropped = archives[20]  # 31 May: neither recent nor the first of its month
    dropped_record = BackupRecord.objects.create(
        started_at=dropped.made_at,
        finished_at=dropped.made_at,
        status=BackupRecord.Status.GOOD,
        name=dropped.name,
        size=1,
        checksum="a" * 64,
    )

    deleted = services.backup_prune(now=NOW)

    # Kept: 13 good dailies (the 19th failed), 1 June, and 12 May, the first of
    # May there is.
    kept_days = {(NOW - n * DAY).date() for n in range(14)} - {(NOW - DAY).date()}
    kept_days |= {datetime.date(2031, 6, 1), datetime.date(2031, 5, 12)}
    assert {a.made_at.astimezone(MANILA).date() for a in archives if a.name not in deleted} == (
        kept_days
    )
    assert len(deleted) == 40 - 15
    assert failed.name in deleted and dropped.name in deleted
    assert set(backups.listdir("")[1]) == ({a.name for a in archives} - set(deleted)) | {
        "copied-by-hand.tinigbak"
    }
    dropped_record.refresh_from_db()
    assert dropped_record.deleted_at == NOW
    assert services.backup_prune(now=NOW) == []
