"""Celery processes that tests start for real: their environment and a
handle to wait for, stop or kill one."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from urllib.parse import quote


def database_url(settings_dict) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or ""
    port = f":{settings_dict['PORT']}" if settings_dict.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{settings_dict['NAME']}"


def worker_environment(settings, **overrides: str) -> dict[str, str]:
    """The environment of a Celery process started by a test: this test's
    database and private files, and the broker keys of this xdist worker
    (tests/parallel.py), passed on to tests/worker_settings.py."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.worker_settings",
        "DATABASE_URL": database_url(settings.DATABASES["default"]),
        "DATABASE_OWNER_URL": database_url(settings.DATABASES["default"]),
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "PRIVATE_STORAGE_ROOT": str(settings.PRIVATE_STORAGE_ROOT),
        "TINIG_TEST_REDIS_PREFIX": settings.CELERY_BROKER_TRANSPORT_OPTIONS.get(
            "global_keyprefix", ""
        ),
        **overrides,
    }


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
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def kill(self) -> None:
        """Kill the worker outright, as a crash would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
