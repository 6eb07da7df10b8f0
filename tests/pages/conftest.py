"""The portal home's fixtures: the shared ones (tests/fixtures.py) and the
engagements' consultant, free on Mondays with the everyday consents."""

import pytest


@pytest.fixture
def own_consultant(make_consultant, consultant_user):
    """The ``consultant_user`` persona's profile, free on Mondays, everyday consents."""
    return make_consultant(user=consultant_user, pseudonym="Tala")
