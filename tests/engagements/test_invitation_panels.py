"""The portal-side panel registry (``engagements.panels.register_invitation_panel``):
what other apps add to her invitation, before her answer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from engagements import panels
from engagements.models import Engagement
from tests.engagements.factories import EngagementFactory, ParticipationFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def panel_template(settings, tmp_path):
    (tmp_path / "partials").mkdir()
    (tmp_path / "partials" / "test_invitation_panel.html").write_text(
        "<section id='{{ key }}'><h2>{{ words }}</h2> on {{ participation.pk }}"
        " of {{ engagement.pk }}</section>"
    )
    engine = settings.TEMPLATES[0]
    settings.TEMPLATES = [{**engine, "DIRS": [*engine["DIRS"], tmp_path]}, *settings.TEMPLATES[1:]]


@pytest.fixture
def registered():
    seen = []

    def register(key, order, words):
        def context(participation, user):
            seen.append((key, participation.pk, user.pk))
            return None if words is None else {"key": key, "words": words}

        panels.register_invitation_panel(
            key, order=order, context=context, template="partials/test_invitation_panel.html"
        )

    yield register, seen
    for key in ("tests.late", "tests.early", "tests.hidden"):
        panels.unregister_invitation_panel(key)


def test_panels_render_in_order_before_the_answer(
    registered, panel_template, own_consultant, consultant_user, owner
):
    register, seen = registered
    register("tests.late", 90, "Second panel")
    register("tests.early", 1, "First panel")
    register("tests.hidden", 50, None)
    register("tests.early", 2, "First panel, again")  # the same key replaces it
    invitation = ParticipationFactory(
        engagement=EngagementFactory(owner=owner, status=Engagement.Status.STAFFING),
        consultant=own_consultant,
    )
    page = client_for(consultant_user).get(reverse("my_engagements:detail", args=[invitation.pk]))
    html = page.content.decode()
    assert f"First panel, again</h2> on {invitation.pk} of {invitation.engagement_id}" in html
    assert "tests.hidden" not in html
    first, second = html.index("First panel, again"), html.index("Second panel")
    assert html.index("How you are protected") < first < second < html.index("Yes, I will join")
    assert {(key, user) for key, _pk, user in seen} >= {
        ("tests.early", consultant_user.pk),
        ("tests.hidden", consultant_user.pk),
    }


def test_the_two_registries_are_apart():
    detail_keys = {panel.key for panel in panels.registered_detail_panels()}
    invitation_keys = {panel.key for panel in panels.registered_invitation_panels()}
    assert "checklists.checklist" in detail_keys and "checklists.checklist" not in invitation_keys
    assert "compensation.pay" in invitation_keys and "compensation.pay" not in detail_keys
    orders = [panel.order for panel in panels.registered_invitation_panels()]
    assert orders == sorted(orders)
