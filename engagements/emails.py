"""E-mails of the engagements app: one function per e-mail, three templates
each (``engagements/emails/<name>-subject.txt``, ``-body.txt``, ``-body.html``),
sent with ``core.emails.send_templated``.

Discreet by default: subjects and bodies say "Tinig" and what to do, never
the title, type, audience or any other detail of the nature of the work; a
link leads to the page behind the sign-in.
"""

from __future__ import annotations

from allauth.utils import build_absolute_uri
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from core.emails import send_templated


def send_participant_stepped_back(*, to: list[str], engagement_pk: int, pseudonym: str) -> None:
    """Tell the engagement's staff that a consultant stepped back: who (by
    pseudonym) and where to look, nothing else; no reason is ever asked."""
    with translation.override(settings.LANGUAGE_CODE):
        send_templated(
            "engagements/emails/participant_stepped_back",
            to=to,
            context={
                "pseudonym": pseudonym,
                "url": build_absolute_uri(
                    None, reverse("engagements:detail", args=[engagement_pk])
                ),
            },
        )
