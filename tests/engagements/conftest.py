"""Engagement fixtures on top of the shared ones of tests/fixtures.py."""

import pytest

from engagements.models import Engagement
from tests.engagements.factories import EngagementFactory


@pytest.fixture
def staffing(owner):
    """A staffing engagement owned by ``owner``: Monday 10:00-12:00, internal."""
    return EngagementFactory(owner=owner, status=Engagement.Status.STAFFING)


@pytest.fixture
def own_consultant(make_consultant, consultant_user):
    """The ``consultant_user`` persona's profile, free on Mondays, everyday consents."""
    return make_consultant(user=consultant_user, pseudonym="Tala")
