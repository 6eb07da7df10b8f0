"""What lets the suite run on several pytest-xdist workers at once.

`./tinig test` runs ``-n auto`` (pyproject.toml): a worker per core. With
``-n 0`` the same happens in one process.

One migrated database per run
    The first process to need a database migrates ``test_<name>`` once,
    under a PostgreSQL advisory lock, and marks it with the run's id; each
    process then tests on a copy of its own (``test_<name>_gw0``, ...;
    ``test_<name>_main`` without xdist), made by ``CREATE DATABASE ...
    TEMPLATE`` in well under a second. The template itself is never
    tested on, so no test (nor a transactional test's flush) changes it.
    Each process drops its copy at the end, and the controller drops the
    template, unless pytest-django's ``--reuse-db`` asks to keep it: the
    next run then only checks that it is migrated.

Redis of its own per worker
    All workers share the one Redis database of ``REDIS_URL``. Each puts
    its cache keys and its Celery broker keys (kombu's
    ``global_keyprefix``: queues, bindings and the broadcast channel of
    ``control.ping``) under a prefix of its own, and hands that prefix to
    the Celery processes its tests start (tests/processes.py,
    tests/worker_settings.py). A real worker started by one xdist worker
    therefore never takes another's tasks or answers another's pings, and
    clearing the cache between tests (tests/conftest.py) deletes only the
    clearing worker's keys.
"""

from __future__ import annotations

import uuid
import zlib
from contextlib import contextmanager

import pytest

TEMPLATES = pytest.StashKey[set]()


def xdist_worker(config: pytest.Config) -> str | None:
    """``"gw0"``, ``"gw1"``, ... in an xdist worker; None otherwise."""
    workerinput = getattr(config, "workerinput", None)
    return workerinput["workerid"] if workerinput else None


def pytest_configure(config: pytest.Config) -> None:
    config.stash[TEMPLATES] = set()
    worker = xdist_worker(config)
    if worker is None:
        return
    from django.conf import settings

    # Both are read when first used, after this: the cache when a test
    # first touches it, Celery's configuration live from Django's settings.
    prefix = f"test-{worker}:"
    settings.CACHES["default"]["KEY_PREFIX"] = f"{prefix}tinig"
    settings.CELERY_BROKER_TRANSPORT_OPTIONS = {
        **settings.CELERY_BROKER_TRANSPORT_OPTIONS,
        "global_keyprefix": prefix,
    }


# --- The database --------------------------------------------------------


@pytest.fixture(scope="session")
def django_db_modify_db_settings_xdist_suffix() -> None:
    """pytest-django would name each worker's database ``test_<name>_gwN``
    and migrate each; here ``test_<name>`` is the template they share."""


@pytest.fixture(scope="session")
def django_db_setup(
    request,
    django_test_environment,
    django_db_blocker,
    django_db_use_migrations,
    django_db_keepdb,
    django_db_createdb,
    django_db_modify_db_settings,
):
    """pytest-django's fixture of the same name, on a copy of a template
    migrated once per run."""
    from django.db import connections
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    config = request.config
    verbosity = config.option.verbose
    keepdb = django_db_keepdb and not django_db_createdb
    if not django_db_use_migrations:
        _disable_migrations()
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    worker = xdist_worker(config)
    run = config.workerinput["testrunuid"] if worker else uuid.uuid4().hex
    suffix = worker or "main"

    originals = {}
    with django_db_blocker.unblock():
        for alias in sorted(aliases):
            connection = connections[alias]
            originals[alias] = connection.settings_dict["NAME"]
            template = connection.creation._get_test_db_name()
            config.stash[TEMPLATES].add((alias, template))
            with _advisory_lock(connection, template):
                if _run_of(connection, template) != run:
                    # Names the connection after the template, migrated.
                    connection.creation.create_test_db(
                        verbosity=verbosity, autoclobber=True, serialize=False, keepdb=keepdb
                    )
                    _mark_run(connection, template, run)
                _point_at(connection, template)
                connection.creation.clone_test_db(suffix=suffix, verbosity=verbosity)
            _point_at(connection, connection.creation.get_test_db_clone_settings(suffix)["NAME"])
            if alias in serialized_aliases:
                contents = connection.creation.serialize_db_to_string()
                connection._test_serialized_contents = contents

    yield

    with django_db_blocker.unblock():
        for alias, original in originals.items():
            # Drops this process's copy and names the original database again.
            connections[alias].creation.destroy_test_db(original, verbosity=verbosity)


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Once every test is done, the process that is no xdist worker drops
    the templates made: its own, or those the workers reported."""
    config = session.config
    templates = config.stash.get(TEMPLATES, set())
    if xdist_worker(config):
        config.workeroutput["tinig_templates"] = sorted(templates)
        return
    if not templates or (config.getoption("reuse_db") and not config.getoption("create_db")):
        return
    from django.db import connections
    from pytest_django.plugin import blocking_manager_key

    with config.stash[blocking_manager_key].unblock():
        for alias, template in sorted(templates):
            connection = connections[alias]
            with connection._nodb_cursor() as cursor:
                cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(template)}")


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error) -> None:
    """xdist: a worker is done; note the templates it reported."""
    reported = getattr(node, "workeroutput", {}).get("tinig_templates", [])
    node.config.stash[TEMPLATES].update(tuple(entry) for entry in reported)


@contextmanager
def _advisory_lock(connection, name: str):
    """Held by one process at a time, on the server's maintenance database;
    PostgreSQL lets go of it if the process dies."""
    key = zlib.crc32(f"tinig-test-template:{name}".encode())
    with connection._nodb_cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [key])
        try:
            yield
        finally:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [key])


def _run_of(connection, name: str) -> str | None:
    """The run that made the template ``name``, from its comment."""
    with connection._nodb_cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _mark_run(connection, name: str, run: str) -> None:
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"COMMENT ON DATABASE {connection.ops.quote_name(name)} IS %s", [run])


def _point_at(connection, name: str) -> None:
    """Name ``connection`` after database ``name``, as ``create_test_db`` does."""
    from django.conf import settings

    connection.close()
    settings.DATABASES[connection.alias]["NAME"] = name
    connection.settings_dict["NAME"] = name
