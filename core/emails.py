"""Sending one e-mail from three templates.

Each e-mail is ``<prefix>-subject.txt``, ``<prefix>-body.txt`` and
``<prefix>-body.html``; the app that owns the e-mail has one function per
e-mail that builds the context (discreet by default: "Tinig" and what to
do, never the nature of the work) and calls ``send_templated``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string


def render_templated(prefix: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject on one line, text body, HTML body)."""
    subject = " ".join(render_to_string(f"{prefix}-subject.txt", context).splitlines()).strip()
    text = render_to_string(f"{prefix}-body.txt", context)
    html = render_to_string(f"{prefix}-body.html", context)
    return subject, text, html


def send_templated(prefix: str, *, to: Sequence[str], context: dict[str, Any]) -> None:
    """Render and send; nothing when there is nobody to send to."""
    if not to:
        return
    subject, text, html = render_templated(prefix, context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, list(to))
    message.attach_alternative(html, "text/html")
    message.send()
