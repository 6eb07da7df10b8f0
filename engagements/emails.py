"""E-mails of the engagements app: one function per e-mail, three templates
each (``engagements/emails/<name>-subject.txt``, ``-body.txt``, ``-body.html``),
sent with ``core.emails.send_templated_to`` (each reader in their language).

Discreet by default: subjects and bodies say "Tinig" and what to do, never
the title, type, audience or any other detail of the nature of the work; a
link leads to the page behind the sign-in.
"""

from __future__ import annotations

from allauth.utils import build_absolute_uri
from django.urls import reverse

from core.emails import send_templated_to


def send_participant_stepped_back(*, staff: list, engagement_pk: int, pseudonym: str) -> None:
    """Tell the engagement's staff that a consultant stepped back: who (by
    pseudonym) and where to look, nothing else; no reason is ever asked.
    Each in their own language."""
    send_templated_to(
        "engagements/emails/participant_stepped_back",
        people=staff,
        context={
            "pseudonym": pseudonym,
            "url": build_absolute_uri(None, reverse("engagements:detail", args=[engagement_pk])),
        },
    )
