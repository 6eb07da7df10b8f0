"""Development: zero configuration.

With nothing set, embedded PostgreSQL and Redis start (config.embedded) and
development secrets are generated in `.local/`. Anything set in the
environment or `.env` wins.
"""

import os

from config import embedded
from config.paths import read_dotenv

read_dotenv()

embedded.ensure_services()
for _name, _value in embedded.development_secrets().items():
    os.environ.setdefault(_name, _value)
os.environ.setdefault("DJANGO_DEBUG", "true")

from config.settings.base import *  # noqa: E402,F403
from config.settings.base import env  # noqa: E402

SECRET_KEY = env.str("SECRET_KEY")
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
SMS_BACKEND = env.str("SMS_BACKEND", default="reminders.sms.ConsoleBackend")
# The demo signs in on http://localhost; WebAuthn and secure cookies need
# HTTPS, which production has.
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
# Serve static files straight from the source folders (no collectstatic).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
