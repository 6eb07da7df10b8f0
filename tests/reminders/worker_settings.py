"""Settings of the worker and beat processes the worker test starts: those
of every Celery process a test starts (tests/worker_settings.py), with
e-mail written to files (one per message, slowly, like a real mail server)
so this process can count what the worker sent."""

from tests.worker_settings import *  # noqa: F403
from tests.worker_settings import env

EMAIL_BACKEND = "tests.reminders.backends.SlowFileBackend"
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH")
