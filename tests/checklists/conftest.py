"""Checklist fixtures on top of the shared ones of tests/fixtures.py."""

import pytest

from accounts.roles import Role
from engagements import workflow
from engagements.models import Audience, Engagement, Mode
from tests.engagements.factories import EngagementFactory

S = Engagement.Status


@pytest.fixture
def approve(manager_user):
    """Approve a submitted engagement through the workflow (the checklist is made)."""

    def _approve(engagement, *, by=None):
        return workflow.engagement_transition(
            engagement=engagement, name="approve", by=by or manager_user
        )

    return _approve


@pytest.fixture
def public_engagement(owner, approve):
    """In person, public audience, approved: the full checklist."""
    engagement = EngagementFactory(
        owner=owner,
        status=S.SUBMITTED,
        audience=Audience.PUBLIC,
        mode=Mode.IN_PERSON,
        venue="Community hall",
        online_link="",
    )
    return approve(engagement)


@pytest.fixture
def internal_online(owner, approve):
    """Online, internal audience, approved."""
    engagement = EngagementFactory(owner=owner, status=S.SUBMITTED)
    return approve(engagement)


@pytest.fixture
def make_user_with(make_user):
    def _make(role):
        return make_user(Role(role))

    return _make
