"""The .ics file: valid, in UTC, and discreet."""

import pytest

from engagements.calendar import ics_filename, participation_ics, participation_uid
from tests.engagements.factories import MONDAY, EngagementFactory, ParticipationFactory, at

pytestmark = pytest.mark.django_db


def test_ics_is_discreet_and_valid():
    engagement = EngagementFactory(
        title="Senate hearing on online exploitation",
        type="legislative_hearing",
        audience="government",
        mode="in_person",
        venue="Senate of the Philippines, Room 5",
        start=at(MONDAY, 10),
        end=at(MONDAY, 12),
    )
    participation = ParticipationFactory(engagement=engagement)
    text = participation_ics(
        participation, portal_url="https://tinig.example.org/portal/engagements/1/"
    )
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "SUMMARY:Tinig meeting\r\n" in text
    assert "DTSTART:20310602T020000Z" in text  # 10:00 Manila
    assert "DTEND:20310602T040000Z" in text
    unfolded = text.replace("\r\n ", "")
    for secret in (
        "Senate",
        "hearing",
        "exploitation",
        "government",
        participation.consultant.pseudonym,
    ):
        assert secret.lower() not in unfolded.lower()
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert participation_uid(participation) in text
    assert str(participation.pk) not in participation_uid(participation).split("@")[0].split("-")[0]
    assert ics_filename() == "tinig-meeting.ics"


def test_a_cancelled_engagement_cancels_the_entry():
    participation = ParticipationFactory(engagement=EngagementFactory(status="cancelled"))
    assert "STATUS:CANCELLED" in participation_ics(participation)
