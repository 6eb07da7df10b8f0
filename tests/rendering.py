"""Render a template the way a view does (a request with a user, a session
and messages), for tests that check what a page says in each state."""

from __future__ import annotations

from django.contrib.messages.storage.fallback import FallbackStorage
from django.template.loader import render_to_string
from django.test import RequestFactory


def render_page(template_name: str, context: dict, *, user) -> str:
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}
    request._messages = FallbackStorage(request)
    return render_to_string(template_name, context, request=request)
