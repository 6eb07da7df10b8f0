"""Every e-mail and text message every reminder kind can send, for demo
data whose people all chose Filipino, is in Filipino: no English sentence,
still discreet (no revealing word in either language), SMS still one
message. And the calendar file."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from accounts import demo as accounts_demo
from accounts.models import User
from consultants import demo as consultants_demo
from consultants.models import Consultant
from engagements import calendar
from engagements import demo as engagements_demo
from engagements.models import Participation
from reminders import sms
from tests.i18n.english import english_lines, visible_text
from tests.i18n.test_pages_in_filipino import data_values
from tests.reminders.test_discretion import _every_message

pytestmark = pytest.mark.django_db

# On a lock screen, in either language.
REVEALING = re.compile(
    r"survivor|exploit|abuse|sexual|traffick|victim|biktima|pang-aabuso|trauma|osec|csam|"
    r"child|bata|wellbeing|kapakanan|rescue|testif|hearing|pagdinig",
    re.IGNORECASE,
)


@pytest.fixture
def demo_in_filipino(monkeypatch):
    from engagements import workflow

    monkeypatch.setattr(workflow, "registered_guards", lambda name: [])
    accounts_demo.seed()
    consultants_demo.seed()
    engagements_demo.seed()
    User.objects.update(language="fil")
    Consultant.objects.update(preferred_languages=["fil"])


def test_every_reminder_is_in_filipino(demo_in_filipino):
    messages = _every_message()
    kinds = {key for key, _recipient, _message in messages}
    assert len(kinds) >= 5, kinds
    allow = data_values() | {"Tinig"}
    english = []
    for key, recipient, message in messages:
        if isinstance(recipient, Consultant):
            allow_here = allow | {recipient.greeting_name}
        else:
            allow_here = allow | {str(recipient)}
        text = f"{message.subject}\n{message.text}\n{visible_text(message.html)}"
        found = english_lines(re.sub(r"https?://\S+", " ", text), allow=allow_here)
        if found:
            english.append((key, found))
        if isinstance(recipient, Consultant):  # our words; what staff typed is theirs
            ours = f"{message.subject}\n{message.text}"
            for value in sorted(allow_here, key=len, reverse=True):
                ours = ours.replace(value, " ")
            assert not REVEALING.search(ours), (key, ours)
        if not message.subject:  # a text message
            assert sms.fits_one_sms(message.text), (key, message.text)
    assert not english, "\n".join(f"{key}: {lines}" for key, lines in english)


def test_the_calendar_file_is_in_filipino(demo_in_filipino):
    participation = Participation.objects.select_related("engagement").first()
    with translation.override("fil"):
        text = calendar.participation_ics(participation, portal_url="https://tinig.example/p/1")
    assert "SUMMARY:Pulong sa Tinig" in text
    assert "Tinig meeting" not in text
    description = next(line for line in text.splitlines() if line.startswith("DESCRIPTION:"))
    assert english_lines(description.removeprefix("DESCRIPTION:"), allow={"Tinig"}) == []
