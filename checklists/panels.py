"""The checklist's panel on the staff page of an engagement, registered
with ``engagements.panels.register_detail_panel`` in
``ChecklistsConfig.ready()``."""

from __future__ import annotations

from typing import Any

from checklists.selectors import checklist_for_engagement
from engagements.access import Actor
from engagements.models import Engagement

TEMPLATE = "checklists/partials/engagement_checklist.html"


def engagement_checklist(engagement: Engagement, user: Actor) -> dict[str, Any] | None:
    """Everyone who sees the engagement's page sees its checklist (or that
    there is none yet); the partial offers each person the items they may tick."""
    return {"checklist": checklist_for_engagement(engagement)}
