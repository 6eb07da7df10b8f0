"""The age of the last good backup: on /healthz (for monitoring, apart from
the liveness status) and on the admin's backups page, which is read-only
and for administrators only."""

from __future__ import annotations

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from core import views
from core.backups.services import backup_state
from core.models import BackupRecord
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def good(hours_ago: float, **kwargs) -> BackupRecord:
    finished = timezone.now() - hours_ago * HOUR
    return BackupRecord.objects.create(
        started_at=finished - HOUR / 6,
        finished_at=finished,
        status=BackupRecord.Status.GOOD,
        name=f"tinig-{finished:%Y%m%dT%H%M%S}Z.tinigbak",
        size=12345,
        checksum="ab" * 32,
        **kwargs,
    )


@pytest.fixture
def up(monkeypatch):
    # The broker and worker are not this test's business.
    monkeypatch.setattr(views, "_check_broker", lambda: True)
    monkeypatch.setattr(views, "_check_worker", lambda: True)


def test_healthz_says_none_before_the_first_good_backup(client, up):
    BackupRecord.objects.create(status=BackupRecord.Status.FAILED, error="BackupKeyError: x")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["backup"] == {"state": "none", "age_hours": None}


def test_healthz_gives_the_age_of_the_last_good_backup(client, up):
    good(30)
    good(3.5)
    BackupRecord.objects.create(status=BackupRecord.Status.FAILED, error="DumpFailed: x")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["backup"] == {"state": "ok", "age_hours": 3}
    assert "tinig-" not in response.content.decode()  # no archive name


def test_a_stale_backup_is_said_but_does_not_make_the_site_unhealthy(client, up, settings):
    settings.BACKUP_MAX_AGE_HOURS = 48
    good(50)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["backup"] == {"state": "stale", "age_hours": 50}


def test_with_the_database_down_the_backup_state_is_unknown(client, up, monkeypatch):
    monkeypatch.setattr(views, "_check_database", lambda: False)
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["backup"] == {"state": "unknown", "age_hours": None}


def test_state_of_the_backups():
    assert backup_state().state == "none"
    record = good(1)
    state = backup_state()
    assert (state.state, state.last_good) == ("ok", record)


# --- The admin page ------------------------------------------------------------------------


URL = reverse("admin:core_backuprecord_changelist")


def test_the_admin_lists_backups_and_says_the_age_of_the_last_good_one(admin_user):
    record = good(5)
    failed = BackupRecord.objects.create(
        status=BackupRecord.Status.FAILED, error="ToolMissing: No pg_dump for PostgreSQL 18"
    )
    client = client_for(admin_user)
    response = client.get(URL)
    page = response.content.decode()
    assert response.status_code == 200
    assert "The last good backup is 5\xa0hours old." in page
    assert record.name in page and "12.1\xa0KB" in page and "abababababab" in page
    detail = client.get(reverse("admin:core_backuprecord_change", args=[failed.pk]))
    assert detail.status_code == 200
    assert "No pg_dump for PostgreSQL 18" in detail.content.decode()


def test_the_admin_warns_when_there_is_none_or_it_is_stale(admin_user, settings):
    client = client_for(admin_user)
    assert "There is no good backup yet." in client.get(URL).content.decode()
    settings.BACKUP_MAX_AGE_HOURS = 48
    good(72)
    page = client.get(URL).content.decode()
    assert "The last good backup is 3\xa0days old, older than 48 hours." in page


def test_the_admin_page_is_read_only(admin_user, rf):
    model_admin = admin.site._registry[BackupRecord]
    request = rf.get("/")
    request.user = admin_user
    record = good(1)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, record)
    assert not model_admin.has_delete_permission(request, record)
    client = client_for(admin_user)
    assert client.get(reverse("admin:core_backuprecord_add")).status_code == 403
    response = client.post(
        reverse("admin:core_backuprecord_delete", args=[record.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert BackupRecord.objects.filter(pk=record.pk).exists()


@pytest.mark.parametrize("role", ["manager_user", "finance_user", "programme_staff_user"])
def test_only_administrators_open_it(request, role):
    response = client_for(request.getfixturevalue(role)).get(URL)
    assert response.status_code in (302, 403)
