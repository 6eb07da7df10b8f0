"""Engagement fixtures on top of the personas of tests/conftest.py."""

import datetime

import pytest
from django.utils import timezone

from consultants import services as consultant_services
from consultants.models import ConsentScope, ConsentText
from engagements.models import Engagement
from tests.consultants.factories import ConsultantFactory, WeeklyAvailabilityFactory
from tests.engagements.factories import MONDAY, EngagementFactory, at

EVERYDAY = (ConsentScope.PARTICIPATION, ConsentScope.DATA_PROCESSING)
ALL_SCOPES = tuple(ConsentScope.values)


@pytest.fixture
def texts(db):
    return {
        # A migration may have published a scope's first text already.
        scope: ConsentText.objects.get_or_create(
            scope=scope,
            version=1,
            defaults={"body": f"Text for {scope}", "published_at": timezone.now()},
        )[0]
        for scope in ConsentScope.values
    }


@pytest.fixture
def make_consultant(texts, make_user):
    """An active consultant free on Mondays 08:00-18:00 with the given consents."""
    from accounts.roles import Role

    recorder = make_user(Role.PROGRAMME_MANAGER)

    def _make(
        *,
        scopes=EVERYDAY,
        windows=((0, datetime.time(8), datetime.time(18)),),
        **kwargs,
    ):
        consultant = ConsultantFactory(**kwargs)
        for weekday, start, end in windows:
            WeeklyAvailabilityFactory(
                consultant=consultant, weekday=weekday, start_time=start, end_time=end
            )
        for scope in scopes:
            consultant_services.consent_grant(consultant=consultant, scope=scope, by=recorder)
        return consultant

    return _make


@pytest.fixture
def owner(programme_staff_user):
    return programme_staff_user


@pytest.fixture
def staffing(owner):
    """A staffing engagement owned by ``owner``: Monday 10:00-12:00, internal."""
    return EngagementFactory(owner=owner, status=Engagement.Status.STAFFING)


@pytest.fixture
def own_consultant(make_consultant, consultant_user):
    """The ``consultant_user`` persona's profile, free on Mondays, everyday consents."""
    return make_consultant(user=consultant_user, pseudonym="Tala")


__all__ = ["ALL_SCOPES", "EVERYDAY", "MONDAY", "at"]
