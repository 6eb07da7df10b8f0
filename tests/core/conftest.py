"""Fixtures for the encryption, rotation and audit tests."""

from __future__ import annotations

import pytest

from tests.core.helpers import BIRTH_DATE, EMAIL, LEGAL_NAME, NOTES


@pytest.fixture
def use_keys(settings):
    """``use_keys(KEY_B, KEY_A)``: the key list, newest first, for this test."""

    def _use(*keys: str) -> None:
        settings.FIELD_ENCRYPTION_KEY = list(keys)

    return _use


@pytest.fixture
def make_person(db):
    from tests.encryption_app.models import Person

    def _make(**kwargs):
        values = {
            "pseudonym": "Tala",
            "legal_name": LEGAL_NAME,
            "notes": NOTES,
            "email": EMAIL,
            "birth_date": BIRTH_DATE,
            **kwargs,
        }
        return Person.objects.create(**values)

    return _make
