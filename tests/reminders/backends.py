"""E-mail backends for tests.

``FailingBackend`` fails its first ``FailingBackend.failures`` sends, then
delivers to the locmem outbox. ``SlowFileBackend`` writes each message to its
own file in EMAIL_FILE_PATH (atomically: a temporary name, then a rename)
after ``REMINDERS_TEST_SEND_DELAY`` seconds, like a slow mail server (and,
with a delay, marks each send's start with a ``.started-*`` file); the
worker tests count those files.
"""

from __future__ import annotations

import os
import smtplib
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend


class FailingBackend(LocmemBackend):
    failures = 0
    calls = 0

    def send_messages(self, messages):
        type(self).calls += 1
        if type(self).failures > 0:
            type(self).failures -= 1
            raise smtplib.SMTPServerDisconnected("refused for someone@example.net")
        return super().send_messages(messages)


class SlowFileBackend(BaseEmailBackend):
    def send_messages(self, messages):
        folder = Path(settings.EMAIL_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        delay = float(os.environ.get("REMINDERS_TEST_SEND_DELAY", "0"))
        for message in messages:
            if delay:
                # A sign that a send began (the claim is committed by now).
                (folder / f".started-{uuid.uuid4().hex}").touch()
            time.sleep(delay)
            name = uuid.uuid4().hex
            temporary = folder / f".{name}.tmp"
            temporary.write_bytes(message.message().as_bytes())
            os.replace(temporary, folder / f"{name}.eml")
        return len(messages)
