"""Reminder fixtures: an engagement coming up with a booked consultant, and
a clock to move (time-machine)."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.core import mail

from accounts.roles import Role
from engagements.models import Engagement, Participation
from reminders import sms
from tests.consultants.factories import ConsultantFactory
from tests.engagements.factories import EngagementFactory, ParticipationFactory, at

# A Tuesday far ahead; engagements start at 10:00 Manila unless told.
DAY = datetime.date(2031, 6, 3)


@pytest.fixture
def clock():
    """``clock(moment)`` moves the clock (and keeps it ticking from there)."""
    travellers = []

    def _move(moment: datetime.datetime):
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(moment, tick=True)
        traveller.start()
        travellers.append(traveller)

    yield _move
    while travellers:
        travellers.pop().stop()


@pytest.fixture
def booked(db, make_user):
    """A confirmed engagement on DAY 10:00-12:00 with one confirmed consultant."""

    def _make(*, start=None, status=Engagement.Status.CONFIRMED, **consultant_kwargs):
        owner = make_user(Role.PROGRAMME_STAFF)
        start = start or at(DAY, 10)
        engagement = EngagementFactory(
            owner=owner, status=status, start=start, end=start + datetime.timedelta(hours=2)
        )
        consultant = ConsultantFactory(**consultant_kwargs)
        participation = ParticipationFactory(
            engagement=engagement, consultant=consultant, status=Participation.Status.CONFIRMED
        )
        return participation

    return _make


@pytest.fixture(autouse=True)
def _empty_outbox():
    mail.outbox = []
    sms.outbox.clear()
    yield
    sms.outbox.clear()


@pytest.fixture
def semaphore(settings):
    """Text messages through the Semaphore backend, to a stand-in provider
    (a real HTTP server on 127.0.0.1); ``semaphore.answer(...)`` scripts it."""
    from tests.reminders.provider import StandInProvider

    provider = StandInProvider().start()
    settings.SMS_BACKEND = "reminders.sms.SemaphoreBackend"
    settings.SEMAPHORE_API_URL = provider.url
    settings.SEMAPHORE_API_KEY = "test-api-key"
    settings.SEMAPHORE_SENDER_NAME = "Tinig"
    settings.SMS_TIMEOUT = 5
    yield provider
    provider.stop()
