"""Tests: the same real PostgreSQL and Redis as development.

`DATABASE_URL` / `REDIS_URL` (CI points them at the machine's services) or,
with nothing set, the embedded servers. Only what makes tests fast and
observable differs from development.
"""

import os

from config import embedded
from config.paths import read_dotenv

read_dotenv()

_redis_was_configured = bool(os.environ.get("REDIS_URL") or os.environ.get("CELERY_BROKER_URL"))
embedded.ensure_services()
if not _redis_was_configured:
    # The embedded Redis may be the one `./tinig run` uses: keep tests in
    # their own database number so flushing them never touches the demo.
    os.environ["REDIS_URL"] = os.environ["REDIS_URL"].rsplit("/", 1)[0] + "/15"
for _name, _value in embedded.development_secrets().items():
    os.environ.setdefault(_name, _value)
os.environ["DJANGO_DEBUG"] = "false"

from config.settings.base import *  # noqa: E402,F403
from config.settings.base import env  # noqa: E402
from config.settings.storage import private_storages  # noqa: E402

SECRET_KEY = env.str("SECRET_KEY")
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A test-only app whose models carry every encrypted field type, so the
# encryption, audit and key-rotation tests have rows to work on.
INSTALLED_APPS = [*INSTALLED_APPS, "tests.encryption_app"]  # noqa: F405
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "reminders.sms.LocmemBackend"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Each test run writes private files to its own folder (tests/conftest.py
# points this at a temporary directory, and hands it to a test's Celery
# worker through the environment, read here).
PRIVATE_STORAGE_ROOT = env.path(
    "PRIVATE_STORAGE_ROOT",
    default=str(LOCAL_DIR / "test-private"),  # noqa: F405
)
# (A worker started by an object storage test gets PRIVATE_STORAGE_S3_*
# instead, and keeps the bucket: tests/core/test_object_storage.py.)
STORAGES.update(private_storages(env, root=str(PRIVATE_STORAGE_ROOT)))  # noqa: F405
# Archives of a test run's backups: tests that make them point this at a
# temporary folder of their own.
STORAGES["backups"]["OPTIONS"]["location"] = str(LOCAL_DIR / "test-backups")  # noqa: F405
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
# The suite runs as the owner (DATABASE_OWNER_URL, or DATABASE_URL when it is
# unset): it creates, migrates, copies and flushes (TRUNCATE) the test
# databases, which the runtime role may not. tests/core/test_database_roles.py
# connects as the runtime role of DATABASE_URL to prove what it may not do.
DATABASES["default"]["USER"] = OWNER_DATABASE.get("USER", "")  # noqa: F405
DATABASES["default"]["PASSWORD"] = OWNER_DATABASE.get("PASSWORD", "")  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# A neutral page for "Exit this page" to leave for in browser tests
# (/static/e2e/weather.html; the network is closed): tests set EXIT_URL to it.
STATICFILES_DIRS = [*STATICFILES_DIRS, ("e2e", BASE_DIR / "tests" / "e2e" / "static")]  # noqa: F405
