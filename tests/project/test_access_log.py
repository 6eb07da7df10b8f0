"""Logs keep no secret a link carries (config/log_redaction.py).

The production server's own log is read in tests/project/test_deployment.py.
"""

from __future__ import annotations

import datetime
import logging

import pytest
from django.urls import reverse
from gunicorn.config import Config

from config.log_redaction import RedactingLogger, RedactSecrets, redact, redact_query

SECRET = "f3a9c1SecretToken0987"


@pytest.mark.parametrize(
    "path",
    [
        f"/accounts/invitation/{SECRET}/",
        f"/accounts/password/reset/key/1z-{SECRET}/",
        f"/accounts/confirm-email/{SECRET}/",
        f"/feedback/{SECRET}/",
    ],
)
def test_a_secret_segment_is_redacted_in_the_path_the_request_line_and_the_referer(path):
    assert SECRET not in redact(path)
    assert SECRET not in redact(f"GET {path}?next=/portal/ HTTP/1.1")
    assert SECRET not in redact(f"https://tinig.example.org{path}")
    assert redact(path).endswith("[redacted]/")


def test_the_paths_named_are_the_ones_the_site_has():
    assert reverse("account_invitation", args=[SECRET]) == f"/accounts/invitation/{SECRET}/"
    assert reverse("account_reset_password_from_key", args=["1z", SECRET]).startswith(
        "/accounts/password/reset/key/"
    )
    assert reverse("account_confirm_email", args=[SECRET]).startswith("/accounts/confirm-email/")
    assert reverse("partner_feedback:form", args=[SECRET]) == f"/feedback/{SECRET}/"


def test_ordinary_paths_are_kept_and_query_values_dropped():
    assert redact("/accounts/invitation/needed/") == "/accounts/invitation/needed/"
    assert redact("/staff/engagements/12/") == "/staff/engagements/12/"
    assert redact("GET /staff/consultants/?q=Amihan&page=2 HTTP/1.1") == (
        "GET /staff/consultants/?q=[redacted]&page=[redacted] HTTP/1.1"
    )
    assert redact_query("q=Amihan") == "q=[redacted]"
    assert redact(None) is None
    assert redact_query("") == ""


def test_the_logger_class_writes_the_redacted_line(caplog):
    config = Config()
    config.set("accesslog", "-")
    logger = RedactingLogger(config)
    logger.access_log.addHandler(caplog.handler)
    logger.access_log.setLevel(logging.INFO)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": f"/accounts/invitation/{SECRET}/?next=/x",
        "PATH_INFO": f"/accounts/invitation/{SECRET}/",
        "QUERY_STRING": "next=/x",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_REFERER": f"https://tinig.example.org/accounts/invitation/{SECRET}/",
    }

    class Response:
        status = "200 OK"
        sent = 10
        headers: list = []

    logger.access(Response(), environ, environ, datetime.timedelta(milliseconds=5))

    assert caplog.records, "nothing was logged"
    line = caplog.records[-1].getMessage()
    assert "/accounts/invitation/[redacted]/" in line
    assert SECRET not in line


def test_django_messages_and_tracebacks_lose_the_secret_through_the_settings_filter():
    """settings.LOGGING's console handler carries the filter: Django names the
    path of a request that failed ("Internal Server Error: …")."""
    from django.conf import settings

    assert "redact_secrets" in settings.LOGGING["handlers"]["console"]["filters"]
    record = logging.LogRecord(
        "django.request",
        logging.ERROR,
        __file__,
        1,
        "Internal Server Error: %s",
        (f"/accounts/invitation/{SECRET}/",),
        None,
    )
    try:
        raise ValueError(f"while showing /accounts/password/reset/key/1z-{SECRET}/")
    except ValueError:
        import sys

        record.exc_info = sys.exc_info()

    assert RedactSecrets().filter(record)
    assert record.getMessage() == "Internal Server Error: /accounts/invitation/[redacted]/"
    assert SECRET not in logging.Formatter().format(record)
