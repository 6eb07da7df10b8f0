"""The histories are append-only records (``core.records``), and other apps
add panels to the engagement's staff page without engagements knowing them."""

import re

import pytest
from django.urls import reverse

from core.records import RecordIsImmutable
from engagements import panels
from engagements.models import Engagement, EngagementTransition, ParticipationChange
from tests.engagements.factories import EngagementFactory, ParticipationFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def test_the_workflow_history_may_not_change_or_go():
    record = EngagementTransition.objects.create(
        engagement=EngagementFactory(), name="create", to_status="draft"
    )
    record.reason = "changed"
    with pytest.raises(RecordIsImmutable, match=re.escape("The workflow history is append-only.")):
        record.save()
    with pytest.raises(RecordIsImmutable, match="append-only"):
        record.delete()
    assert EngagementTransition.objects.filter(pk=record.pk, reason="").exists()


def test_the_participation_history_may_not_change_or_go():
    change = ParticipationChange.objects.create(
        participation=ParticipationFactory(), from_status="", to_status="invited"
    )
    change.to_status = "accepted"
    with pytest.raises(
        RecordIsImmutable, match=re.escape("The participation history is append-only.")
    ):
        change.save()
    with pytest.raises(RecordIsImmutable, match="append-only"):
        change.delete()
    assert ParticipationChange.objects.filter(pk=change.pk, to_status="invited").exists()


@pytest.fixture
def test_panel():
    seen = []

    def context(engagement, user):
        seen.append((engagement.pk, user.pk))
        if engagement.title == "Hidden":
            return None
        return {"words": "A panel from elsewhere"}

    panels.register_detail_panel(
        "tests.panel", order=99, context=context, template="partials/test_panel.html"
    )
    yield seen
    panels.unregister_detail_panel("tests.panel")


@pytest.fixture
def panel_template(settings, tmp_path):
    (tmp_path / "partials").mkdir()
    (tmp_path / "partials" / "test_panel.html").write_text(
        "<section id='test-panel'>{{ words }} on {{ engagement.pk }}</section>"
    )
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], tmp_path]}, *settings.TEMPLATES[1:]]


def test_a_registered_panel_is_rendered_on_the_detail_page(owner, test_panel, panel_template):
    engagement = EngagementFactory(owner=owner, status=Engagement.Status.STAFFING)
    page = client_for(owner).get(reverse("engagements:detail", args=[engagement.pk]))
    assert page.status_code == 200
    assert f"A panel from elsewhere on {engagement.pk}" in page.content.decode()
    assert test_panel == [(engagement.pk, owner.pk)]


def test_a_panel_without_context_shows_nothing(owner, test_panel, panel_template):
    engagement = EngagementFactory(owner=owner, title="Hidden")
    page = client_for(owner).get(reverse("engagements:detail", args=[engagement.pk]))
    assert "test-panel" not in page.content.decode()


def test_panels_come_in_order_and_the_checklist_is_one_of_them():
    keys = [panel.key for panel in panels.registered_detail_panels()]
    assert "checklists.checklist" in keys
    orders = [panel.order for panel in panels.registered_detail_panels()]
    assert orders == sorted(orders)
