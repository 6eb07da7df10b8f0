"""The impact panel on the staff page of an engagement (registered with
``engagements.panels.register_detail_panel`` in ``ImpactConfig.ready()``):
the contributions, their outcomes, the partner's answers, and the actions
for those who run it. Nothing before the engagement has taken place."""

from __future__ import annotations

from typing import Any

from engagements.access import Actor
from engagements.models import Engagement
from impact import access, selectors

TEMPLATE = "impact/panels/engagement_impact.html"
SHOWN_FROM = (Engagement.Status.CONFIRMED, Engagement.Status.COMPLETED, Engagement.Status.CLOSED)


def engagement_impact(engagement: Engagement, user: Actor) -> dict[str, Any] | None:
    if engagement.status not in SHOWN_FROM or not access.can_view(user, engagement):
        return None
    return {
        "impact": selectors.engagement_impact(engagement),
        "works": selectors.works_of_engagement(engagement),
        "can_record": access.can_record(user, engagement),
        "can_ask_partner": access.can_ask_partner(user, engagement),
    }
