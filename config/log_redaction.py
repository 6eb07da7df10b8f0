"""Logs without the secrets some addresses carry.

A one-time link is a secret in its path: whoever reads it in a log could
use it before its owner does (a staff invitation sets a password and an
authenticator; a password-reset link sets a password; a partner's feedback
link answers for an engagement). gunicorn logs the
raw request line, the path and the Referer as they came, and both gunicorn
("Error handling request …") and Django ("Internal Server Error: …") name
the path when a request fails. So:

- `RedactingLogger`, the Dockerfile's `--logger-class`: gunicorn's access
  and error logs with "[redacted]" in place of the secret segment; query
  strings keep their names and lose their values (a search box's words are
  about people);
- `RedactSecrets`, a logging filter on settings.LOGGING's console handler,
  for every message Django and our code log.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import parse_qsl

from gunicorn.glogging import Logger

REDACTED = "[redacted]"

# The path segment after each of these is a secret. A new one-time link
# belongs here (tests/project/test_access_log.py asks each of them).
SECRET_PATHS = re.compile(
    r"(?P<prefix>/accounts/(?:invitation|password/reset/key|confirm-email)/|/feedback/)"
    r"(?!needed/)(?P<secret>[^/?#\s\"']+)"
)


def redact_secrets(text: str) -> str:
    """Only the secret path segments, anywhere in a text (a log message)."""
    return SECRET_PATHS.sub(lambda match: match["prefix"] + REDACTED, text)


def redact(text: str | None) -> str | None:
    """A path, URL or request line: secret segments and query values."""
    if not text:
        return text
    text = redact_secrets(text)
    path, separator, query = text.partition("?")
    if not separator:
        return text
    # In a request line the query ends at the first space (" HTTP/1.1").
    query, space, rest = query.partition(" ")
    return path + "?" + (redact_query(query) or "") + space + rest


def redact_query(query: str | None) -> str | None:
    if not query:
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    return "&".join(f"{name}={REDACTED}" for name, _value in pairs)


class RedactSecrets(logging.Filter):
    """Rewrites a record's message (and its traceback's text) without
    secret path segments."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_secrets(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_secrets(record.exc_text)
        return True


class RedactingLogger(Logger):
    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.addFilter(RedactSecrets())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        atoms["r"] = redact(atoms["r"])
        atoms["U"] = redact(atoms["U"])
        atoms["q"] = redact_query(atoms["q"])
        atoms["f"] = redact(atoms["f"])
        for key in [key for key in atoms if key in ("{referer}i", "{referer}e")]:
            atoms[key] = redact(atoms[key])
        return atoms
