"""Fixtures shared by every test: personas for each role, a clean cache
(Redis) per test, private files in a temporary folder, and a real Celery
worker for the tests whose behaviour depends on one."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.test import Client

from accounts.roles import Role
from tests.accounts.factories import UserFactory

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"

STAFF_ROLES = [
    Role.PROGRAMME_STAFF,
    Role.PROGRAMME_MANAGER,
    Role.FINANCE_OFFICER,
    Role.WELLBEING_LEAD,
    Role.ADMINISTRATOR,
]


@pytest.fixture(autouse=True)
def _clean_cache():
    # allauth's rate limits and used TOTP codes live in the cache.
    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    location = str(tmp_path / "private")
    settings.PRIVATE_STORAGE_ROOT = location
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": location}},
        "private": {**settings.STORAGES["private"], "OPTIONS": {"location": location}},
    }


# --- Personas -----------------------------------------------------------------


@pytest.fixture
def make_user(db):
    def _make(role: Role | None = None, **kwargs):
        return UserFactory(role=role, **kwargs)

    return _make


@pytest.fixture
def consultant_user(make_user):
    return make_user(Role.CONSULTANT, display_name="Tala")


@pytest.fixture
def programme_staff_user(make_user):
    return make_user(Role.PROGRAMME_STAFF)


@pytest.fixture
def manager_user(make_user):
    return make_user(Role.PROGRAMME_MANAGER)


@pytest.fixture
def finance_user(make_user):
    return make_user(Role.FINANCE_OFFICER)


@pytest.fixture
def wellbeing_user(make_user):
    return make_user(Role.WELLBEING_LEAD)


@pytest.fixture
def admin_user(make_user):
    return make_user(Role.ADMINISTRATOR)


@pytest.fixture
def no_role_user(make_user):
    return make_user(None)


@pytest.fixture
def persona(request, make_user):
    """Parametrise with a role value, "anonymous" or "no_role"."""
    name = request.param
    if name == "anonymous":
        return None
    if name == "no_role":
        return make_user(None)
    return make_user(Role(name))


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# --- A real Celery worker ---------------------------------------------------------


def _database_url(settings_dict) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or ""
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{settings_dict['NAME']}"


@pytest.fixture
def celery_worker(transactional_db, settings):
    """A real `celery worker` process on the test database and the test broker.

    Tests that use it must commit what the worker should see, hence
    ``transactional_db``. Yields a handle with ``.name`` and ``.log_path``.
    """
    from config.celery import app

    app.control.purge()  # messages left by earlier tests that had no worker
    name = f"test-{uuid.uuid4().hex[:8]}@localhost"
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / f"worker-{name.split('@')[0]}.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(settings.DATABASES["default"]),
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "PRIVATE_STORAGE_ROOT": settings.PRIVATE_STORAGE_ROOT,
    }
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "-l",
        "INFO",
        "-c",
        "1",
        "-n",
        name,
        "--without-mingle",
        "--without-gossip",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    handle = WorkerHandle(process=process, name=name, log_path=log_path)
    try:
        handle.wait_ready()
        yield handle
    finally:
        handle.stop()


class WorkerHandle:
    def __init__(self, *, process, name, log_path):
        self.process = process
        self.name = name
        self.log_path = log_path

    def wait_ready(self, timeout: float = 60) -> None:
        from config.celery import app

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"worker exited early:\n{self.log_path.read_text()[-3000:]}")
            if app.control.ping(destination=[self.name], timeout=0.5):
                return
        raise RuntimeError(f"worker not ready in {timeout}s:\n{self.log_path.read_text()[-3000:]}")

    def stop(self) -> None:
        import signal

        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def kill(self) -> None:
        """Kill the worker outright, as a crash would."""
        import signal

        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
