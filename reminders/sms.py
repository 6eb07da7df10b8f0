"""Text messages (SMS), behind a backend setting like Django's e-mail.

``SMS_BACKEND`` is the dotted path of a class with one method,
``send(message)``, that raises on failure:

- ``reminders.sms.ConsoleBackend``: prints each message (development
  default); the number is masked.
- ``reminders.sms.LocmemBackend``: keeps them in ``reminders.sms.outbox``
  (tests, like ``django.core.mail.outbox``).
- ``reminders.sms.FileBackend``: one JSON file per message in
  ``SMS_FILE_PATH`` (tests whose worker is another process).
- ``reminders.sms.SemaphoreBackend``: Semaphore (https://semaphore.co), the
  gateway many Philippine organisations use: ``SEMAPHORE_API_KEY``,
  ``SEMAPHORE_SENDER_NAME`` (a sender name registered with Semaphore),
  ``SEMAPHORE_API_URL``, ``SMS_TIMEOUT`` seconds.

An empty ``SMS_BACKEND`` turns text messages off (production's default):
consultants are not offered them, and a text already due is skipped with
its reason.

A backend never logs, and never puts in an exception, the number or the
text: an error's class and a short fixed sentence only.

A text fits in one SMS: 160 GSM-7 characters (the extension characters
``^{}[]~|€\\`` count twice), or 70 when any character is outside GSM-7.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

SEMAPHORE_API_URL = "https://api.semaphore.co/api/v4/messages"

# GSM 03.38: the basic set (one septet each) and its extension (two).
GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")
GSM7_LIMIT = 160
UCS2_LIMIT = 70


def sms_length(text: str) -> tuple[int, int]:
    """(length, limit of one message) for ``text``: GSM-7 septets and 160,
    or UTF-16 code units and 70 when a character is outside GSM-7."""
    septets = 0
    for char in text:
        if char in GSM7_BASIC:
            septets += 1
        elif char in GSM7_EXTENSION:
            septets += 2
        else:
            return len(text.encode("utf-16-le")) // 2, UCS2_LIMIT
    return septets, GSM7_LIMIT


def fits_one_sms(text: str) -> bool:
    length, limit = sms_length(text)
    return 0 < length <= limit


@dataclass(frozen=True)
class TextMessage:
    to: str  # +639XXXXXXXXX
    text: str
    reference: str  # stable across the attempts of one reminder


class SmsError(Exception):
    """Sending failed; the text never holds the number or the message."""


class SmsProviderError(SmsError):
    """The provider answered, and not with an accepted message."""


class SmsProviderUnreachable(SmsError):
    """No answer from the provider (refused, timed out, DNS)."""


class SmsTooLong(SmsError):
    """Not even the generic text fits in one SMS."""


class SmsBackend(Protocol):
    def send(self, message: TextMessage) -> None: ...


def is_enabled() -> bool:
    return bool(getattr(settings, "SMS_BACKEND", ""))


def get_backend() -> SmsBackend:
    path = getattr(settings, "SMS_BACKEND", "")
    if not path:
        raise ImproperlyConfigured("SMS_BACKEND is empty: text messages are off.")
    return import_string(path)()


def send_sms(*, to: str, text: str, reference: str) -> None:
    """Send one text through the configured backend; raises on failure."""
    get_backend().send(TextMessage(to=to, text=text, reference=reference))


def mask(number: str) -> str:
    """The last three digits only, for a developer's console."""
    return "•" * max(len(number) - 3, 0) + number[-3:]


# --- Development and tests ---------------------------------------------------------------


class ConsoleBackend:
    """Prints each text to standard output (development). Never in production:
    standard output ends up in logs."""

    def send(self, message: TextMessage) -> None:
        stream = sys.stdout
        stream.write(
            f"SMS to {mask(message.to)} ({message.reference}, "
            f"{sms_length(message.text)[0]} chars)\n{message.text}\n{'-' * 40}\n"
        )
        stream.flush()


outbox: list[TextMessage] = []


class LocmemBackend:
    """Keeps each text in ``reminders.sms.outbox`` (tests empty it)."""

    def send(self, message: TextMessage) -> None:
        outbox.append(message)


class FileBackend:
    """Writes each text as its own JSON file in ``SMS_FILE_PATH``, atomically
    (a temporary name, then a rename), so another process can count them."""

    def send(self, message: TextMessage) -> None:
        folder = Path(getattr(settings, "SMS_FILE_PATH", "") or "")
        if not str(folder) or str(folder) == ".":
            raise ImproperlyConfigured("SMS_FILE_PATH is needed by the file SMS backend.")
        folder.mkdir(parents=True, exist_ok=True)
        name = uuid.uuid4().hex
        temporary = folder / f".{name}.tmp"
        temporary.write_text(json.dumps(asdict(message)), encoding="utf-8")
        os.replace(temporary, folder / f"{name}.json")


def read_file_outbox(folder: Path) -> list[TextMessage]:
    return [
        TextMessage(**json.loads(path.read_text(encoding="utf-8")))
        for path in sorted(Path(folder).glob("*.json"))
    ]


# --- Semaphore ------------------------------------------------------------------------------


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would turn the POST into a GET and lose the message."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


# Semaphore's statuses for a message it will not deliver.
SEMAPHORE_REFUSED = frozenset({"failed", "refunded"})


class SemaphoreBackend:
    """POST to Semaphore's messages API (form fields ``apikey``, ``number``,
    ``message``, ``sendername``). It answers a list with one record per
    message (``message_id``, ``status``); anything else is an error, even
    with HTTP 200 (a validation error is a JSON object of field errors)."""

    def __init__(self) -> None:
        self.api_key: str = getattr(settings, "SEMAPHORE_API_KEY", "")
        self.sender_name: str = getattr(settings, "SEMAPHORE_SENDER_NAME", "")
        self.url: str = getattr(settings, "SEMAPHORE_API_URL", "") or SEMAPHORE_API_URL
        self.timeout: float = float(getattr(settings, "SMS_TIMEOUT", 10))

    def _request(self, message: TextMessage) -> urllib.request.Request:
        if not self.api_key:
            raise ImproperlyConfigured("SEMAPHORE_API_KEY is not set.")
        if urllib.parse.urlsplit(self.url).scheme not in ("https", "http"):
            raise ImproperlyConfigured("SEMAPHORE_API_URL must be an http(s) address.")
        fields = {
            "apikey": self.api_key,
            # Semaphore takes 639XXXXXXXXX (or 09XXXXXXXXX); ours are +639XXXXXXXXX.
            "number": message.to.removeprefix("+"),
            "message": message.text,
        }
        if self.sender_name:
            fields["sendername"] = self.sender_name
        # The scheme is checked above: http(s) only, never file:.
        return urllib.request.Request(  # noqa: S310
            self.url,
            data=urllib.parse.urlencode(fields).encode("utf-8"),
            method="POST",
            headers={
                "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
                "Accept": "application/json",
                "User-Agent": "Tinig",
            },
        )

    def send(self, message: TextMessage) -> None:
        request = self._request(message)
        opener = urllib.request.build_opener(_NoRedirects)
        try:
            with opener.open(request, timeout=self.timeout) as response:
                status = response.status
                body = response.read(64 * 1024)
        except urllib.error.HTTPError as error:
            # Neither the body nor the URL: the body may echo the message.
            raise SmsProviderError(f"Semaphore answered HTTP {error.code}.") from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise SmsProviderUnreachable(
                f"Semaphore could not be reached ({type(error).__name__})."
            ) from None
        if not 200 <= status < 300:
            raise SmsProviderError(f"Semaphore answered HTTP {status}.")
        self._check(body)
        logger.info("SMS %s accepted by Semaphore.", message.reference)

    @staticmethod
    def _check(body: bytes) -> None:
        try:
            answer: Any = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            raise SmsProviderError("Semaphore answered something that is not JSON.") from None
        if isinstance(answer, dict):
            # Field errors, e.g. {"number": ["The number format is invalid."]}:
            # name the fields, never their text (it may quote the number).
            fields = ", ".join(sorted(str(key) for key in answer)[:5])
            raise SmsProviderError(f"Semaphore refused the message (fields: {fields}).")
        if not isinstance(answer, list) or not answer:
            raise SmsProviderError("Semaphore answered without a message record.")
        for record in answer:
            if not isinstance(record, dict) or "message_id" not in record:
                raise SmsProviderError("Semaphore answered without a message record.")
            if str(record.get("status", "")).lower() in SEMAPHORE_REFUSED:
                raise SmsProviderError("Semaphore marked the message as failed.")
