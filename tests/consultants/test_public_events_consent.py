"""The consent to appear at public events: a scope of its own, distinct from
being quoted, whose first text a migration publishes (once)."""

import importlib

import pytest
from django.apps import apps

from consultants.models import ConsentScope, ConsentText

pytestmark = pytest.mark.django_db

migration = importlib.import_module("consultants.migrations.0004_public_events_consent")
filipino = importlib.import_module("consultants.migrations.0008_filipino_consent_texts")


def test_the_first_text_is_published_once_in_plain_words():
    # The test database may have been emptied since it was migrated: run the
    # data step again, twice; it publishes one text and leaves it alone.
    migration.publish_first_text(apps, None)
    migration.publish_first_text(apps, None)
    filipino.translate_published_texts(apps, None)  # as migrate does next
    (text,) = ConsentText.objects.filter(scope=ConsentScope.PUBLIC_EVENTS)
    assert text.is_published and text.version == 1
    assert "pseudonym" in text.body
    assert "does not mean I agree to be quoted" in text.body
    assert "withdraw this consent at any time" in text.body


def test_it_is_distinct_from_being_quoted():
    assert ConsentScope.PUBLIC_EVENTS != ConsentScope.QUOTING
    assert str(ConsentScope.PUBLIC_EVENTS.label) == "Appearing at public events"
