"""Idle timeouts: 30 minutes for staff, renewed on every request; longer on the portal."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.models import Session
from tests.helpers import STAFF_ROLES, client_for

NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
LOGIN = reverse("account_login")


def expires_at(client) -> datetime.datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_staff_idle_time_is_thirty_minutes(settings):
    assert settings.STAFF_SESSION_IDLE_SECONDS == 30 * 60
    assert settings.PORTAL_SESSION_IDLE_SECONDS > settings.STAFF_SESSION_IDLE_SECONDS
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


@pytest.mark.parametrize("role", STAFF_ROLES, ids=lambda role: role.value)
def test_staff_session_is_renewed_on_each_request_and_ends_after_30_idle_minutes(make_user, role):
    with time_machine.travel(NOW, tick=False) as clock:
        client = client_for(make_user(role))
        assert client.get("/staff/").status_code == 200
        assert expires_at(client) == NOW + datetime.timedelta(minutes=30)

        # Active for two hours, never idle for 30 minutes: still signed in.
        for _ in range(4):
            clock.shift(datetime.timedelta(minutes=29))
            assert client.get("/staff/").status_code == 200
            assert expires_at(client) == timezone.now() + datetime.timedelta(minutes=30)

        clock.shift(datetime.timedelta(minutes=30, seconds=1))
        response = client.get("/staff/")

        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


def test_portal_session_lasts_longer(consultant_user, settings):
    idle = settings.PORTAL_SESSION_IDLE_SECONDS
    with time_machine.travel(NOW, tick=False) as clock:
        client = client_for(consultant_user)
        assert client.get("/portal/").status_code == 200
        assert expires_at(client) == NOW + datetime.timedelta(seconds=idle)

        clock.shift(datetime.timedelta(minutes=31))
        assert client.get("/portal/").status_code == 200

        clock.shift(datetime.timedelta(seconds=idle + 1))
        response = client.get("/portal/")
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


def test_the_idle_time_comes_from_the_setting(programme_staff_user, settings):
    settings.STAFF_SESSION_IDLE_SECONDS = 60
    with time_machine.travel(NOW, tick=False) as clock:
        client = client_for(programme_staff_user)
        client.get("/staff/")

        clock.shift(datetime.timedelta(seconds=61))

        assert client.get("/staff/").status_code == 302


def test_a_staff_member_without_mfa_keeps_no_session(make_user):
    """Signed out at once (accounts.middleware): nothing is left to expire."""
    with time_machine.travel(NOW, tick=False):
        client = client_for(make_user(STAFF_ROLES[0], mfa=False))

        assert client.get("/staff/")["Location"] == reverse("account_invitation_needed")
        assert "_auth_user_id" not in client.session


def test_expired_sessions_are_deleted_by_the_daily_task_and_live_ones_kept(make_user):
    from accounts.tasks import clear_expired_sessions

    expired = client_for(make_user(STAFF_ROLES[0]))
    live = client_for(make_user(STAFF_ROLES[0]))
    Session.objects.filter(session_key=expired.session.session_key).update(
        expire_date=timezone.now() - datetime.timedelta(seconds=1)
    )

    clear_expired_sessions()

    assert list(Session.objects.values_list("session_key", flat=True)) == [live.session.session_key]
