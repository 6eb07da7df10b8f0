"""How a rendered reminder reaches a person: by e-mail, through Django's
e-mail backend, or by text message (SMS), through ``reminders.sms``'s
backend. Another channel is one more class with the same methods and one
line in ``CHANNELS``.

A channel raises on failure (the caller records and retries); it must not
swallow errors, and must not log the address or the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives

from consultants.models import Consultant
from consultants.validators import normalise_ph_mobile
from reminders import sms


@dataclass(frozen=True)
class Message:
    subject: str
    text: str
    html: str = ""


class Channel(Protocol):
    key: str

    def is_available(self) -> bool:
        """False when the channel is turned off (a delivery is then skipped)."""

    def address_for(self, recipient) -> str:
        """Where to send: an e-mail address, a phone number; "" when none."""

    def send(self, message: Message, *, address: str, reference: str) -> None:
        """Send one message; ``reference`` is stable across attempts of one
        reminder (the e-mail's Message-ID, so a mail server can drop a
        duplicate)."""


class EmailChannel:
    key = "email"

    def is_available(self) -> bool:
        return True

    def address_for(self, recipient) -> str:
        # A consultant's contact address (encrypted on the profile), else the
        # e-mail of their portal account; a staff member's sign-in address.
        email = getattr(recipient, "delivery_email", None) or getattr(recipient, "email", "") or ""
        if not email and getattr(recipient, "user_id", None):
            email = recipient.user.delivery_email  # never a sealed account's lookup token
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


class SmsChannel:
    """A text to a consultant's mobile number (encrypted on the profile,
    stored as +639XXXXXXXXX). Staff get no text messages. The message's
    ``text`` is already one SMS long (``reminders.services.render_message``)."""

    key = "sms"

    def is_available(self) -> bool:
        return sms.is_enabled()

    def address_for(self, recipient) -> str:
        if not isinstance(recipient, Consultant) or recipient.is_erased:
            return ""
        phone = (recipient.phone or "").strip()
        if not phone:
            return ""
        try:
            return normalise_ph_mobile(phone)
        except ValidationError:
            # Saved before validation, or edited by hand: no guessing.
            return ""

    def send(self, message: Message, *, address: str, reference: str) -> None:
        sms.send_sms(to=address, text=message.text, reference=reference)


CHANNELS: dict[str, Channel] = {"email": EmailChannel(), "sms": SmsChannel()}


def get_channel(key: str) -> Channel:
    return CHANNELS[key]
