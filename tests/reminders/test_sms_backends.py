"""The SMS backends, and Semaphore's against a stand-in provider on
127.0.0.1: what is posted, and every way it can fail, without the number
or the text ever reaching an exception."""

from __future__ import annotations

import json
import socket

import pytest
from django.core.exceptions import ImproperlyConfigured

from reminders import sms
from reminders.sms import SmsProviderError, SmsProviderUnreachable, TextMessage
from tests.reminders.provider import accepted

NUMBER = "+639171234567"
TEXT = "Tinig: you have something to look at. https://tinig.example.org/portal/"


def _message() -> TextMessage:
    return TextMessage(to=NUMBER, text=TEXT, reference="tinig.reminder.7")


# --- Length ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 160, (160, 160)),
        ("ñ" * 160, (160, 160)),  # Ñ, ñ are GSM-7: Filipino names fit
        ("[" * 80, (160, 160)),  # the extension counts twice
        ("€" * 81, (162, 160)),
        ("\u2019" + "a" * 69, (70, 70)),  # one curly quote: UCS-2, 70 at most
        ("😀", (2, 70)),  # outside the BMP: two UTF-16 units
    ],
)
def test_sms_length(text, expected):
    assert sms.sms_length(text) == expected


def test_fits_one_sms():
    assert sms.fits_one_sms("a" * 160)
    assert not sms.fits_one_sms("a" * 161)
    assert not sms.fits_one_sms("\u2019" + "a" * 70)
    assert not sms.fits_one_sms("")


# --- Development and test backends ---------------------------------------------------------


def test_locmem_backend_keeps_the_message(settings):
    settings.SMS_BACKEND = "reminders.sms.LocmemBackend"
    sms.send_sms(to=NUMBER, text=TEXT, reference="r1")
    assert sms.outbox == [TextMessage(to=NUMBER, text=TEXT, reference="r1")]


def test_console_backend_masks_the_number(settings, capsys):
    settings.SMS_BACKEND = "reminders.sms.ConsoleBackend"
    sms.send_sms(to=NUMBER, text=TEXT, reference="r1")
    out = capsys.readouterr().out
    assert TEXT in out
    assert NUMBER not in out and "9171234567" not in out
    assert out.count("567") == 1


def test_file_backend_writes_one_file_per_message(settings, tmp_path):
    settings.SMS_BACKEND = "reminders.sms.FileBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms")
    sms.send_sms(to=NUMBER, text=TEXT, reference="r1")
    sms.send_sms(to=NUMBER, text=TEXT, reference="r2")
    sent = sms.read_file_outbox(tmp_path / "sms")
    assert sorted(message.reference for message in sent) == ["r1", "r2"]
    assert not list((tmp_path / "sms").glob(".*.tmp"))


def test_file_backend_needs_its_folder(settings):
    settings.SMS_BACKEND = "reminders.sms.FileBackend"
    settings.SMS_FILE_PATH = ""
    with pytest.raises(ImproperlyConfigured):
        sms.send_sms(to=NUMBER, text=TEXT, reference="r1")


def test_empty_backend_is_off(settings):
    settings.SMS_BACKEND = ""
    assert not sms.is_enabled()
    with pytest.raises(ImproperlyConfigured):
        sms.send_sms(to=NUMBER, text=TEXT, reference="r1")


# --- Semaphore -------------------------------------------------------------------------------


def test_semaphore_posts_the_fields_it_documents(semaphore):
    sms.send_sms(to=NUMBER, text=TEXT, reference="r1")
    (received,) = semaphore.received
    assert received["_path"] == "/api/v4/messages"
    assert received["_content_type"].startswith("application/x-www-form-urlencoded")
    assert received["apikey"] == "test-api-key"
    assert received["number"] == "639171234567"
    assert received["message"] == TEXT
    assert received["sendername"] == "Tinig"


def test_semaphore_without_sender_name_sends_none(semaphore, settings):
    settings.SEMAPHORE_SENDER_NAME = ""
    sms.send_sms(to=NUMBER, text=TEXT, reference="r1")
    assert "sendername" not in semaphore.received[0]


def _assert_no_secret(error: Exception) -> None:
    text = f"{error} {error!r} {error.__cause__!r} {error.__context__!r}"
    for secret in (NUMBER, "9171234567", TEXT, "test-api-key", "something to look at"):
        assert secret not in text


@pytest.mark.parametrize(
    ("answer", "error"),
    [
        ((500, "Internal Server Error for 639171234567"), SmsProviderError),
        ((401, '{"apikey": ["Invalid."]}'), SmsProviderError),
        # Semaphore's validation errors can come with a 200.
        ((200, '{"number": ["The number 639171234567 is invalid."]}'), SmsProviderError),
        ((200, "[]"), SmsProviderError),
        ((200, "<html>maintenance</html>"), SmsProviderError),
        ((200, json.dumps([{"message_id": 1, "status": "Failed"}])), SmsProviderError),
        ((302, ""), SmsProviderError),  # a redirect is not followed
    ],
    ids=["500", "401", "field-errors", "empty-list", "not-json", "failed", "redirect"],
)
def test_semaphore_failures_raise_without_the_number_or_text(semaphore, answer, error):
    semaphore.answer(answer)
    with pytest.raises(error) as raised:
        sms.send_sms(to=NUMBER, text=TEXT, reference="r1")
    _assert_no_secret(raised.value)


def test_semaphore_field_errors_name_the_field_only(semaphore):
    semaphore.answer((200, '{"number": ["The number 639171234567 is invalid."]}'))
    with pytest.raises(SmsProviderError, match="fields: number"):
        sms.send_sms(to=NUMBER, text=TEXT, reference="r1")


def test_semaphore_unreachable(settings):
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings.SMS_BACKEND = "reminders.sms.SemaphoreBackend"
    settings.SEMAPHORE_API_KEY = "test-api-key"
    settings.SEMAPHORE_API_URL = f"http://127.0.0.1:{port}/api/v4/messages"
    with pytest.raises(SmsProviderUnreachable) as raised:
        sms.send_sms(to=NUMBER, text=TEXT, reference="r1")
    _assert_no_secret(raised.value)


def test_semaphore_times_out(settings):
    """A provider that accepts the connection and never answers."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        settings.SMS_BACKEND = "reminders.sms.SemaphoreBackend"
        settings.SEMAPHORE_API_KEY = "test-api-key"
        settings.SEMAPHORE_API_URL = f"http://127.0.0.1:{silent.getsockname()[1]}/"
        settings.SMS_TIMEOUT = 0.3
        with pytest.raises(SmsProviderUnreachable, match=r"TimeoutError|timeout"):
            sms.send_sms(to=NUMBER, text=TEXT, reference="r1")


@pytest.mark.parametrize(
    ("name", "value"),
    [("SEMAPHORE_API_KEY", ""), ("SEMAPHORE_API_URL", "file:///etc/passwd")],
)
def test_semaphore_refuses_a_bad_configuration(semaphore, settings, name, value):
    setattr(settings, name, value)
    with pytest.raises(ImproperlyConfigured, match=name):
        sms.send_sms(to=NUMBER, text=TEXT, reference="r1")
    assert semaphore.received == []


def test_semaphore_accepts_a_documented_answer(semaphore):
    semaphore.answer(accepted())
    sms.send_sms(to=NUMBER, text=TEXT, reference="r1")
    assert len(semaphore.received) == 1
