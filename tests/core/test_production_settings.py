"""config.settings.production refuses to start without its secrets, and passes
``check --deploy`` without a warning once they are set.

Each case runs ``manage.py`` in a fresh process with a clean environment:
none of the development defaults (embedded services, generated secrets).
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet

from config.paths import BASE_DIR
from tests.processes import database_url

REQUIRED = (
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEY",
    "LOOKUP_HMAC_KEYS",
    "DATABASE_URL",
    "REDIS_URL",
    "ALLOWED_HOSTS",
)

pytestmark = pytest.mark.skipif(
    (BASE_DIR / ".env").exists(),
    reason="a .env file would fill in the variables these tests leave out",
)


@pytest.fixture
def production_env(db, settings):
    """Every required variable, pointing at the test database and Redis."""
    new_key, old_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    return {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEY": f"{new_key},{old_key}",
        "LOOKUP_HMAC_KEYS": f"{secrets.token_urlsafe(48)},{secrets.token_urlsafe(48)}",
        "DATABASE_URL": database_url(settings.DATABASES["default"]),
        "REDIS_URL": settings.CELERY_BROKER_URL,
        "ALLOWED_HOSTS": "tinig.example.org",
    }


def manage(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("missing", REQUIRED)
def test_each_missing_secret_stops_with_one_line_naming_it(production_env, missing):
    env = {name: value for name, value in production_env.items() if name != missing}

    result = manage("check", env=env)

    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert missing in lines[0]
    assert lines[0].startswith("Tinig refuses to start")
    for name in set(REQUIRED) - {missing}:
        assert name not in lines[0]
    # The values that were set are not echoed.
    for value in env.values():
        assert value not in result.stderr
    assert result.stdout == ""


def test_all_missing_are_named_together(production_env):
    result = manage("check", env={})

    assert result.returncode != 0
    (line,) = result.stderr.strip().splitlines()
    for name in REQUIRED:
        assert name in line


def test_an_invalid_encryption_key_stops_with_its_position(production_env):
    good = Fernet.generate_key().decode()
    env = {**production_env, "FIELD_ENCRYPTION_KEY": f"{good},not-a-key-at-all"}

    result = manage("check", env=env)

    assert result.returncode != 0
    (line,) = result.stderr.strip().splitlines()
    assert "FIELD_ENCRYPTION_KEY" in line and "position(s) 2 " in line
    assert good not in result.stderr and "not-a-key-at-all" not in result.stderr


def test_a_short_lookup_key_stops_with_its_position(production_env):
    good = secrets.token_urlsafe(48)
    env = {**production_env, "LOOKUP_HMAC_KEYS": f"{good},too-short"}

    result = manage("check", env=env)

    assert result.returncode != 0
    (line,) = result.stderr.strip().splitlines()
    assert "LOOKUP_HMAC_KEYS" in line and "position(s) 2 " in line
    assert good not in result.stderr and "too-short" not in result.stderr


def test_deploy_check_passes_without_a_warning(production_env):
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr
    assert result.stderr == ""


def test_hosts_links_and_health_under_production(production_env):
    # Several host names with a space after the comma, as Caddy needs them
    # when docker-compose.yml hands it the same ALLOWED_HOSTS.
    env = {**production_env, "ALLOWED_HOSTS": "tinig.example.org, www.tinig.example.org"}
    show = (
        "from django.conf import settings as s; import json; print(json.dumps(["
        "s.ALLOWED_HOSTS, s.SITE_DOMAIN, s.ACCOUNT_DEFAULT_HTTP_PROTOCOL,"
        "s.SECURE_REDIRECT_EXEMPT, s.HEALTH_CHECK_HOSTS, s.TRUSTED_PROXY_COUNT]))"
    )

    result = manage("shell", "-c", show, env=env)

    assert result.returncode == 0, result.stderr
    last_line = result.stdout.strip().splitlines()[-1]  # after the shell's own notice
    hosts, site, protocol, exempt, health_hosts, proxies = json.loads(last_line)
    assert hosts == ["tinig.example.org", "www.tinig.example.org"]
    assert site == "tinig.example.org" and protocol == "https"
    assert exempt == [r"^healthz$"]
    assert health_hosts == ["localhost", "127.0.0.1", "[::1]"]
    assert proxies == 0  # docker-compose.yml sets 1 for its Caddy
