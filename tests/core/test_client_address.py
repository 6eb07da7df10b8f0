"""The client's address behind our proxy (Caddy, TRUSTED_PROXY_COUNT=1) is
the one rate limits and the audit trail see; without a trusted proxy a
client's X-Forwarded-For is ignored."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.test import RequestFactory, override_settings
from django.urls import reverse

from core.middleware import ForwardedClientAddressMiddleware, forwarded_client
from tests.helpers import client_for
from tests.reports.factories import ready_job

CADDY = "172.18.0.5"
CLIENT = "203.0.113.9"


@pytest.mark.parametrize(
    ("header", "trusted", "expected"),
    [
        (CLIENT, 1, CLIENT),
        (f"198.51.100.1, {CLIENT}", 1, CLIENT),  # the client wrote the first one
        (f"{CLIENT}, 10.0.0.2", 2, CLIENT),  # a load balancer, then Caddy
        (CLIENT, 2, None),  # fewer entries than proxies: not through them
        (CLIENT, 0, None),  # no proxy trusted
        ("", 1, None),
        ("not-an-address", 1, None),
        ("203.0.113.9:4711", 1, None),
        ("2001:db8::1", 1, "2001:db8::1"),
        (" 2001:DB8::1 ", 1, "2001:db8::1"),
    ],
)
def test_forwarded_client(header, trusted, expected):
    assert forwarded_client(header, trusted) == expected


def _seen(meta: dict, **settings) -> dict:
    seen = {}

    def view(request):
        seen.update(request.META)

    with override_settings(**settings):
        ForwardedClientAddressMiddleware(view)(RequestFactory().get("/", **meta))
    return seen


def test_behind_one_proxy_the_client_is_the_address():
    seen = _seen(
        {"REMOTE_ADDR": CADDY, "HTTP_X_FORWARDED_FOR": f"198.51.100.1, {CLIENT}"},
        TRUSTED_PROXY_COUNT=1,
    )
    assert seen["REMOTE_ADDR"] == CLIENT
    assert seen["HTTP_X_FORWARDED_FOR"] == CLIENT


def test_without_a_trusted_proxy_the_header_is_dropped():
    seen = _seen({"REMOTE_ADDR": CLIENT, "HTTP_X_FORWARDED_FOR": "198.51.100.1"})
    assert seen["REMOTE_ADDR"] == CLIENT
    assert "HTTP_X_FORWARDED_FOR" not in seen


def test_a_malformed_header_behind_a_proxy_leaves_the_connection_address():
    seen = _seen({"REMOTE_ADDR": CADDY, "HTTP_X_FORWARDED_FOR": "<script>"}, TRUSTED_PROXY_COUNT=1)
    assert seen["REMOTE_ADDR"] == CADDY
    assert "HTTP_X_FORWARDED_FOR" not in seen


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("trusted", "recorded"), [(1, CLIENT), (0, CADDY)], ids=["behind-caddy", "no-proxy"]
)
def test_the_audit_trail_records_the_client(consultant_user, settings, trusted, recorded):
    settings.TRUSTED_PROXY_COUNT = trusted
    job = ready_job(requested_by=consultant_user)

    response = client_for(consultant_user).get(
        reverse("reports:download", args=[job.pk]),
        REMOTE_ADDR=CADDY,
        HTTP_X_FORWARDED_FOR=f"198.51.100.1, {CLIENT}" if trusted else CLIENT,
    )
    assert response.status_code == 200
    b"".join(response.streaming_content)

    [entry] = LogEntry.objects.filter(action=LogEntry.Action.ACCESS, object_pk=str(job.pk))
    assert entry.remote_addr == recorded
