"""Type checking: django-stubs' mypy plugin loads settings to learn the
models, and nothing more. No database or broker is contacted, so
placeholders stand in for anything the environment does not set."""

import os

os.environ.setdefault("DATABASE_URL", "postgres://typecheck@127.0.0.1:5432/typecheck")
os.environ.setdefault("SECRET_KEY", "typecheck-only")
# A valid Fernet key of zeros: nothing is encrypted or decrypted here.
os.environ.setdefault("FIELD_ENCRYPTION_KEY", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")
os.environ.setdefault("LOOKUP_HMAC_KEYS", "typecheck-only-lookup-key-not-a-secret-at-all")

from config.settings.base import *  # noqa: F403
from config.settings.base import env

SECRET_KEY = env.str("SECRET_KEY")
