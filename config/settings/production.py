"""Production: every secret from the environment, or no start at all.

A missing variable stops the process with one line that names it, before
Django has done anything. With all of them set, `manage.py check --deploy`
passes without a warning (tests/core/test_production_settings.py).
"""

import os
import sys

from config.paths import read_dotenv

read_dotenv()

REQUIRED = (
    "SECRET_KEY",
    "FIELD_ENCRYPTION_KEY",
    "LOOKUP_HMAC_KEYS",
    "DATABASE_URL",
    "REDIS_URL",
    "ALLOWED_HOSTS",
)
_missing = [name for name in REQUIRED if not os.environ.get(name)]
if _missing:
    sys.exit(f"Tinig refuses to start: missing required setting(s): {', '.join(_missing)}")


def _invalid_key_positions(value: str) -> list[str]:
    """Positions (1 = newest) of entries that are not Fernet keys; never the keys."""
    from cryptography.fernet import Fernet

    invalid = []
    for position, key in enumerate([k for k in value.split(",") if k], start=1):
        try:
            Fernet(key.strip())
        except (ValueError, TypeError):
            invalid.append(str(position))
    return invalid


# Checked here too, so a bad key is one clear line naming its position
# rather than a traceback from the encryption library's import.
_invalid_keys = _invalid_key_positions(os.environ["FIELD_ENCRYPTION_KEY"])
if _invalid_keys:
    sys.exit(
        "Tinig refuses to start: FIELD_ENCRYPTION_KEY: invalid Fernet key at position(s) "
        f"{', '.join(_invalid_keys)} (1 = newest; each must be 32 url-safe base64-encoded bytes)"
    )

_short_lookup_keys = [
    str(position)
    for position, key in enumerate(
        [k.strip() for k in os.environ["LOOKUP_HMAC_KEYS"].split(",") if k.strip()], start=1
    )
    if len(key) < 32
]
if _short_lookup_keys:
    sys.exit(
        "Tinig refuses to start: LOOKUP_HMAC_KEYS: key(s) shorter than 32 characters at "
        f"position(s) {', '.join(_short_lookup_keys)} (1 = newest)"
    )

from config.settings.base import *  # noqa: E402,F403
from config.settings.base import env  # noqa: E402

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = [host.strip() for host in env.list("ALLOWED_HOSTS") if host.strip()]
# Links in e-mails name the public host, over HTTPS (core/sites.py).
SITE_DOMAIN = env.str("SITE_DOMAIN", default="") or ALLOWED_HOSTS[0]
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

# HTTPS everywhere. Behind a proxy that terminates TLS, set
# SECURE_PROXY_SSL_HEADER_ENABLED=true so Django trusts X-Forwarded-Proto
# (docker-compose.yml does: Caddy sets it, and replaces whatever a client
# sent). /healthz alone answers plain HTTP too: a health check inside the
# machine has no TLS and cannot follow a redirect (core.middleware:
# HealthCheckHostMiddleware answers the internal host before this applies).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env.bool("SECURE_PROXY_SSL_HEADER_ENABLED", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_NAME = "__Host-csrftoken"
