"""Settings of the worker and beat processes the worker test starts: the
test settings, with e-mail written to files (one per message, slowly, like
a real mail server) so this process can count what the worker sent."""

from config.settings.test import *  # noqa: F403
from config.settings.test import env

EMAIL_BACKEND = "tests.reminders.backends.SlowFileBackend"
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH")
