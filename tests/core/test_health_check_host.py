"""/healthz under production's host and HTTPS rules: the internal host of a
container's health check reaches it over plain HTTP, and nothing else.

The settings below are production's (config/settings/production.py) with
.env.example's ALLOWED_HOSTS; tests/project/test_deployment.py runs the
compose file's own check against a real server with the real module.
"""

from __future__ import annotations

import pytest
from django.test import override_settings

PRODUCTION_LIKE = {
    "ALLOWED_HOSTS": ["tinig.example.org"],
    "SECURE_SSL_REDIRECT": True,
    "SECURE_REDIRECT_EXEMPT": [r"^healthz$"],
}

pytestmark = pytest.mark.django_db


def assert_health_answer(response) -> None:
    # No worker in this test: "degraded", 503. What matters is that the
    # health view answered (neither 400 nor a redirect).
    assert response.status_code in (200, 503), response
    assert set(response.json()) == {"status", "checks", "backup"}


@override_settings(**PRODUCTION_LIKE)
@pytest.mark.parametrize("host", ["localhost:8000", "localhost", "127.0.0.1:8000", "[::1]:8000"])
def test_the_internal_host_reaches_healthz_over_plain_http(client, host):
    response = client.get("/healthz", HTTP_HOST=host)

    assert_health_answer(response)
    assert response["Cache-Control"].startswith("max-age=0")


@override_settings(**PRODUCTION_LIKE)
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/admin/", "/healthz/", "/staff/"])
def test_the_internal_host_reaches_nothing_else(client, path):
    response = client.get(path, HTTP_HOST="localhost:8000")

    assert response.status_code == 400


@override_settings(**PRODUCTION_LIKE)
@pytest.mark.parametrize(
    "host", ["evil.example", "localhost.evil.example", "tinig.example.org.evil", "web:8000"]
)
def test_other_hosts_are_refused_on_healthz_too(client, host):
    assert client.get("/healthz", HTTP_HOST=host).status_code == 400


@override_settings(**PRODUCTION_LIKE)
def test_the_public_host_gets_healthz_without_the_redirect(client):
    assert_health_answer(client.get("/healthz", HTTP_HOST="tinig.example.org"))


@override_settings(**PRODUCTION_LIKE)
def test_the_public_host_is_still_redirected_to_https_elsewhere(client):
    response = client.get("/accounts/login/", HTTP_HOST="tinig.example.org")

    assert response.status_code == 301
    assert response["Location"] == "https://tinig.example.org/accounts/login/"


@override_settings(**PRODUCTION_LIKE)
def test_only_get_from_the_internal_host(client):
    assert client.post("/healthz", HTTP_HOST="localhost:8000").status_code == 405


@override_settings(**PRODUCTION_LIKE, HEALTH_CHECK_HOSTS=[])
def test_no_internal_host_when_none_is_configured(client):
    assert client.get("/healthz", HTTP_HOST="localhost:8000").status_code == 400


@override_settings(**PRODUCTION_LIKE)
def test_a_forwarded_host_is_not_the_host(client):
    # X-Forwarded-Host is chosen by a proxy's client: it never makes a
    # request internal.
    response = client.get("/", HTTP_HOST="evil.example", HTTP_X_FORWARDED_HOST="localhost")
    assert response.status_code == 400
    response = client.get("/healthz", HTTP_HOST="evil.example", HTTP_X_FORWARDED_HOST="localhost")
    assert response.status_code == 400
