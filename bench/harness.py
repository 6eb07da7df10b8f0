"""What every benchmark shares: a database of its own, timing, query counts.

Benchmarks run against ``<database>_bench`` next to the configured database
(embedded PostgreSQL when nothing is set), so realistic volumes never mix
with demo data. Seeding is idempotent: a second run reuses what is there.
Figures are wall-clock and vary with machine load; read them as orders of
magnitude and compare runs on the same machine. Tests assert query counts.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit


def use_bench_database() -> str:
    """Point DATABASE_URL (and DATABASE_OWNER_URL) at ``<name>_bench``, created
    if missing, as the owner; return its name."""
    from config import embedded
    from config.paths import read_dotenv

    read_dotenv()
    embedded.ensure_services()
    parts = urlsplit(os.environ["DATABASE_URL"])
    owner = urlsplit(os.environ.get("DATABASE_OWNER_URL") or os.environ["DATABASE_URL"])
    name = (parts.path.lstrip("/") or "tinig") + "_bench"

    import psycopg2

    # "postgres://postgres@/db" (socket in PGHOST) is also a valid libpq URL.
    connection = psycopg2.connect(urlunsplit(owner._replace(path="/postgres")))
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()
    # The owner (embedded: postgres) creates the bench database, so it also
    # runs there as the owner: no runtime role to keep in step for a bench.
    os.environ["DATABASE_OWNER_URL"] = os.environ["DATABASE_URL"] = urlunsplit(
        owner._replace(path=f"/{name}")
    )
    return name


@dataclass
class Figure:
    label: str
    median_ms: float
    p95_ms: float
    queries: int
    runs: int


def measure(label: str, action: Callable[[], object], *, runs: int = 20) -> Figure:
    """Run ``action`` once to warm up, then ``runs`` times; count its queries."""
    from django.db import connection

    # Counted with an execute wrapper rather than CaptureQueriesContext:
    # Django empties queries_log at every request start, which makes a
    # capture around a test-client request count nothing.
    executed = []

    def count(execute, sql, params, many, context):
        executed.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        result = action()
    status = getattr(result, "status_code", 200)
    if status != 200:
        raise RuntimeError(f"{label}: answered {status}, not 200; the figure would be meaningless")
    timings = []
    for _run in range(runs):
        started = time.perf_counter()
        action()
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return Figure(label, statistics.median(timings), p95, len(executed), runs)


def print_figures(title: str, volumes: str, figures: list[Figure]) -> None:
    print(f"\n{title}  ({volumes})")
    print(f"  {'measure':<58} {'median':>9} {'p95':>9} {'queries':>8}")
    for figure in figures:
        print(
            f"  {figure.label:<58} {figure.median_ms:>7.1f}ms {figure.p95_ms:>7.1f}ms "
            f"{figure.queries:>8}"
        )


def staff_client(role):
    """A signed-in client for a bench user of ``role`` with MFA set up."""
    from django.test import Client

    from accounts.models import User
    from tests.accounts.factories import UserFactory

    email = f"bench-{role.value}@example.org"
    user = User.objects.filter(email=email).first() or UserFactory(email=email, role=role, mfa=True)
    client = Client()
    client.force_login(user)
    return client, user
