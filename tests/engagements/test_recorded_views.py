"""Encrypted fields shown in a staff page's normal view (no reveal form):
each page view that shows any writes one audit entry, on the page's
object, listing the fields ("viewed on <page>"), never one per row
(docs/ARCHITECTURE.md, "Encrypted fields on pages")."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from engagements.models import Engagement, Participation
from tests.engagements.factories import (
    DebriefFactory,
    EngagementFactory,
    ParticipationFactory,
    PrivacyPlanFactory,
)
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
S = Engagement.Status
P = Participation.Status


def views(instance=None):
    entries = LogEntry.objects.filter(action=LogEntry.Action.ACCESS)
    if instance is not None:
        entries = entries.filter(object_pk=str(instance.pk))
    return entries


@pytest.fixture
def completed(owner):
    """A completed engagement with two debriefs, one consultant who stepped
    back and one who declined, each with her words."""
    engagement = EngagementFactory(owner=owner, status=S.COMPLETED)
    DebriefFactory(engagement=engagement, note="First secret debrief")
    DebriefFactory(engagement=engagement, note="Second secret debrief")
    ParticipationFactory(
        engagement=engagement, status=P.WITHDRAWN, withdrawal_reason="My exams moved"
    )
    ParticipationFactory(engagement=engagement, status=P.DECLINED, decline_reason="Family matter")
    return engagement


def test_engagement_page_records_one_view_of_what_it_shows(completed, manager_user):
    client = client_for(manager_user)
    page = client.get(
        reverse("engagements:detail", args=[completed.pk]), REMOTE_ADDR="203.0.113.4"
    ).content.decode()

    for words in ("First secret debrief", "Second secret debrief", "My exams moved", "Family"):
        assert words in page
    entry = views().get()
    assert entry.object_pk == str(completed.pk)
    assert entry.content_type.model == "engagement"
    assert entry.actor == manager_user and entry.remote_addr == "203.0.113.4"
    assert entry.additional_data == {
        "fields": [
            "debrief.note",
            "participation.decline_reason",
            "participation.withdrawal_reason",
        ],
        "reason": "viewed on the engagement page",
    }
    client.get(reverse("engagements:detail", args=[completed.pk]))
    assert views(completed).count() == 2


def test_the_entry_lists_only_what_this_person_was_shown(completed, owner):
    page = client_for(owner).get(reverse("engagements:detail", args=[completed.pk]))
    assert "My exams moved" not in page.content.decode()  # managers only
    assert views().get().additional_data["fields"] == ["debrief.note"]


def test_a_page_that_shows_nothing_encrypted_records_nothing(owner, manager_user):
    engagement = EngagementFactory(owner=owner, status=S.CONFIRMED)
    # Its privacy plan's support person is summarised ("Arranged"), not shown.
    PrivacyPlanFactory(engagement=engagement)
    ParticipationFactory(engagement=engagement, status=P.CONFIRMED)
    for user in (owner, manager_user):
        page = client_for(user).get(reverse("engagements:detail", args=[engagement.pk]))
        assert page.status_code == 200
        assert "Secret Support Person" not in page.content.decode()
    assert not views().exists()


def test_debrief_page_records_one_view(completed, owner):
    page = client_for(owner).get(reverse("engagements:debrief", args=[completed.pk]))
    assert "Second secret debrief" in page.content.decode()
    entry = views(completed).get()
    assert entry.additional_data == {
        "fields": ["debrief.note"],
        "reason": "viewed on the debrief page",
    }


def test_privacy_plan_page_records_the_support_person_it_shows(owner):
    engagement = EngagementFactory(owner=owner, status=S.STAFFING)
    plan = PrivacyPlanFactory(engagement=engagement)
    page = client_for(owner).get(reverse("engagements:privacy_plan", args=[engagement.pk]))
    assert "Secret Support Person" in page.content.decode()
    entry = views(plan).get()
    assert entry.actor == owner
    assert entry.additional_data == {
        "fields": ["privacyplan.support_person_present"],
        "reason": "viewed on the privacy plan page",
    }


def test_privacy_plan_page_without_a_support_person_records_nothing(owner):
    engagement = EngagementFactory(owner=owner, status=S.STAFFING)
    PrivacyPlanFactory(engagement=engagement, support_person_present="")
    response = client_for(owner).get(reverse("engagements:privacy_plan", args=[engagement.pk]))
    assert response.status_code == 200
    assert not views().exists()


def test_her_own_engagement_page_in_the_portal_is_not_recorded(own_consultant, owner):
    engagement = EngagementFactory(owner=owner, status=S.CONFIRMED)
    PrivacyPlanFactory(engagement=engagement)
    mine = ParticipationFactory(engagement=engagement, consultant=own_consultant)
    response = client_for(own_consultant.user).get(reverse("my_engagements:detail", args=[mine.pk]))
    assert "Secret Support Person" in response.content.decode()
    assert not views().exists()
