"""Consultant fixtures on top of the shared ones of tests/fixtures.py."""

import pytest
from django.utils import timezone

from consultants import access
from consultants.models import ConsentScope, ConsentText
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
def published_texts(db) -> dict[str, ConsentText]:
    """Version 1 of every scope's text, published."""
    return {
        # A migration may have published a scope's first text already.
        scope: ConsentText.objects.get_or_create(
            scope=scope,
            version=1,
            defaults={"body": f"Text for {scope}", "published_at": timezone.now()},
        )[0]
        for scope in ConsentScope.values
    }
