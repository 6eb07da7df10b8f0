"""How a rendered reminder reaches a person. E-mail today, through Django's
e-mail backend; an SMS channel is one more class with the same two methods
and one line in ``CHANNELS``.

A channel raises on failure (the caller records and retries); it must not
swallow errors, and must not log the address or the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.mail import EmailMultiAlternatives


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str = ""


class Channel(Protocol):
    key: str

    def address_for(self, recipient) -> str:
        """Where to send: an e-mail address, a phone number; "" when none."""

    def send(self, message: Message, *, address: str, reference: str) -> None:
        """Send one message; ``reference`` is stable across attempts of one
        reminder (the e-mail's Message-ID, so a mail server can drop a
        duplicate)."""


class EmailChannel:
    key = "email"

    def address_for(self, recipient) -> str:
        # A consultant's contact address (encrypted on the profile), else the
        # e-mail of their portal account; a staff member's sign-in address.
        email = getattr(recipient, "email", "") or ""
        if not email and getattr(recipient, "user_id", None):
            email = recipient.user.email
        return email.strip()

    def send(self, message: Message, *, address: str, reference: str) -> None:
        domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "tinig.invalid"
        email = EmailMultiAlternatives(
            message.subject,
            message.text,
            settings.DEFAULT_FROM_EMAIL,
            [address],
            headers={"Message-ID": f"<{reference}@{domain}>"},
        )
        if message.html:
            email.attach_alternative(message.html, "text/html")
        email.send(fail_silently=False)


CHANNELS: dict[str, Channel] = {"email": EmailChannel()}


def get_channel(key: str) -> Channel:
    return CHANNELS[key]
