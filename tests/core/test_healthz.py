"""/healthz: up or down per part, fast, and nothing else."""

from __future__ import annotations

import json
import socket
import time
from contextlib import closing

import pytest
from django.conf import settings

from config.celery import app as celery_app


def closed_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def assert_reveals_nothing(response) -> None:
    body = response.content.decode()
    assert set(json.loads(body)) == {"status", "checks", "backup"}
    for secret in (settings.SECRET_KEY, *settings.FIELD_ENCRYPTION_KEY):
        assert secret not in body
    for detail in ("127.0.0.1", "localhost", "redis", "postgres", "6379", "5432", "Error"):
        assert detail not in body


@pytest.mark.worker
def test_everything_up_with_a_worker(client, celery_worker):
    response = client.get("/healthz")

    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "up", "broker": "up", "worker": "up"},
        "backup": {"state": "none", "age_hours": None},
    }
    assert response["Cache-Control"].startswith("max-age=0")
    assert_reveals_nothing(response)


def test_worker_down_without_a_worker(client, db):
    celery_app.control.purge()
    started = time.monotonic()

    response = client.get("/healthz")

    assert time.monotonic() - started < 5
    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "up", "broker": "up", "worker": "down"},
        "backup": {"state": "none", "age_hours": None},
    }
    assert_reveals_nothing(response)


def test_broker_down_answers_fast(client, db, settings):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port()}/0"
    # The Celery app reads its CELERY_* settings from Django's, live.
    assert celery_app.conf.broker_url == settings.CELERY_BROKER_URL
    started = time.monotonic()

    response = client.get("/healthz")

    assert time.monotonic() - started < 2
    assert response.status_code == 503
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "up", "broker": "down", "worker": "down"},
        "backup": {"state": "none", "age_hours": None},
    }
    assert_reveals_nothing(response)


def test_only_get(client, db):
    assert client.post("/healthz").status_code == 405
