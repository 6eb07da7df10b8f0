"""Every periodic task in config/schedule.py names a task the worker knows."""

import pytest
from django.contrib.sites.models import Site

from config.celery import app
from config.schedule import BEAT_SCHEDULE


@pytest.mark.parametrize("entry", sorted(BEAT_SCHEDULE))
def test_scheduled_task_is_registered(entry):
    app.loader.import_default_modules()
    assert BEAT_SCHEDULE[entry]["task"] in app.tasks


@pytest.mark.django_db
def test_site_is_named_for_emails():
    assert Site.objects.get_current().name == "Tinig"
