"""Set-up for every test: the shared fixtures of tests/fixtures.py, the
parallel run of tests/parallel.py, a clean cache (Redis) per test, the
language each test found, private files in a temporary folder (or, for a
test that asks for ``private_bucket``, a bucket of a real S3 server:
tests/object_storage.py), and PDFs rendered only by tests marked ``pdf``
(so that ``-m "not pdf"`` skips every one of them)."""

from __future__ import annotations

import pytest
import weasyprint
from django.core.cache import cache
from django.utils import translation

pytest_plugins = [
    "tests.parallel",
    "tests.fixtures",
    "tests.object_storage",
    "tests.network.lead_world",  # survivor leaders (#18 part 3)
]


def pytest_configure(config):
    # The translation catalogues, compiled once by the controlling process
    # (./tinig test does it too; plain pytest must not test stale ones).
    if not hasattr(config, "workerinput"):
        from core.catalogues import compile_catalogues

        compile_catalogues()


@pytest.fixture(autouse=True)
def _clean_cache():
    # allauth's rate limits and used TOTP codes live in the cache. Only this
    # process's keys go: cache.clear() would flush the whole Redis database,
    # and with it the keys and Celery queues of the other xdist workers.
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
    if keys:
        client.delete(*keys)
    yield


@pytest.fixture(autouse=True)
def _language_as_found():
    # A request by a Filipino-speaking person activates Filipino in the test
    # thread (accounts.language.UserLanguageMiddleware), and nothing turns it
    # off: the next test in this process would start in Filipino.
    language = translation.get_language()
    yield
    translation.activate(language)


@pytest.fixture(autouse=True)
def _private_storage(settings, tmp_path):
    location = str(tmp_path / "private")
    settings.PRIVATE_STORAGE_ROOT = location
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": location}},
        "private": {**settings.STORAGES["private"], "OPTIONS": {"location": location}},
    }


@pytest.fixture(autouse=True)
def _pdf_only_when_marked(request, monkeypatch):
    if request.node.get_closest_marker("pdf") is None:
        monkeypatch.setattr(weasyprint.HTML, "write_pdf", _unmarked_pdf)


def _unmarked_pdf(*args, **kwargs):
    pytest.fail("this test renders a PDF with WeasyPrint: mark it @pytest.mark.pdf")
