"""The learning-event panel on the staff page of an engagement (registered
with ``engagements.panels.register_detail_panel`` in ``NetworkConfig.ready``):
"Learning event: kind, skills, facilitators", with the edit link for those
who run the engagement. Nothing for those who may not see it."""

from __future__ import annotations

from typing import Any

from engagements.access import Actor
from engagements.models import Engagement
from network import access_growth as access
from network.selectors import growth as selectors

TEMPLATE = "network/growth/panels/learning_event.html"


def learning_event(engagement: Engagement, user: Actor) -> dict[str, Any] | None:
    if not access.can_view_event(user, engagement):
        return None
    event = selectors.learning_event_of(engagement)
    can_set = access.can_set_event(user, engagement)
    if event is None and not can_set:
        return None
    return {"learning_event": event, "can_set_event": can_set}
