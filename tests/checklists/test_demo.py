"""The demo checklists: ticked as far as each demo engagement's status says."""

import pytest

from accounts import demo as accounts_demo
from checklists import demo
from checklists.models import ChecklistItem, Gate
from consultants import demo as consultants_demo
from engagements import demo as engagements_demo
from engagements.models import Engagement

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_engagements():
    accounts_demo.seed()
    consultants_demo.seed()
    engagements_demo.seed()


def test_demo_checklists_match_the_statuses(demo_engagements):
    assert demo.seed()
    assert demo.seed() == []
    confirmed = Engagement.objects.filter(status__in=demo.CONFIRMED_OR_LATER)
    assert confirmed.exists()
    assert not ChecklistItem.objects.filter(
        checklist__engagement__in=confirmed, gates=Gate.CONFIRM, status="open"
    ).exists()
    assert not ChecklistItem.objects.filter(
        checklist__engagement__status=Engagement.Status.CLOSED, gates=Gate.CLOSE, status="open"
    ).exists()
