"""The demo: contributions and outcomes on two past demo engagements, once."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command

from impact.models import Contribution, Outcome, OutcomeStatus, Work

pytestmark = pytest.mark.django_db


def test_seed_demo_adds_contributions_once(settings):
    from core.management.commands.seed_demo import DEMO_APPS

    assert DEMO_APPS.index("impact") > DEMO_APPS.index("engagements")
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)
    assert Contribution.objects.count() == 3
    assert set(Contribution.objects.values_list("status", flat=True)) == {
        OutcomeStatus.ADOPTED,
        OutcomeStatus.UNDER_CONSIDERATION,
        OutcomeStatus.UNKNOWN,
    }
    assert Outcome.objects.count() == 2
    assert not [m for m in mail.outbox if "/portal/voice/" in m.body]  # old news
    assert Work.objects.count() == 1
    call_command("seed_demo", verbosity=0)
    assert Contribution.objects.count() == 3
    assert Work.objects.count() == 1
