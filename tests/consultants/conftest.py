"""Consultant fixtures on top of the shared ones of tests/fixtures.py."""

import pytest

from consultants import access
from consultants.models import ConsentText
from tests.consultants.factories import ConsultantFactory


@pytest.fixture
def consultant(db):
    """A consultant who is nobody's in particular."""
    return ConsultantFactory(pseudonym="Bituin", legal_name="Maria Secret Santos")


@pytest.fixture
def assigned_wellbeing_user(wellbeing_user, consultant):
    access.grant_wellbeing(wellbeing_user, consultant)
    return wellbeing_user


@pytest.fixture
def granted_staff_user(programme_staff_user, consultant):
    """Programme staff on an engagement of ``consultant``: may see and reveal."""
    access.grant_consultant_view(programme_staff_user, consultant)
    access.grant_identity_reveal(programme_staff_user, consultant)
    return programme_staff_user


@pytest.fixture
def published_texts(texts) -> dict[str, ConsentText]:
    """Version 1 of every scope's text, published (the shared ``texts``)."""
    return texts
