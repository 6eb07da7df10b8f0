"""Receivers of the engagements app's signals (connected in ``ready()``).

They run inside the engagement action's transaction: if one fails, the
approval, the change of dates or the participation change fails with it,
so an engagement never ends up approved without its checklist.
"""

from __future__ import annotations

from checklists import services
from engagements.models import Participation


def on_engagement_transitioned(sender, *, engagement, transition, **kwargs):
    if transition == "approve":
        services.checklist_instantiate(engagement=engagement)


def on_engagement_dates_changed(sender, *, engagement, **kwargs):
    services.checklist_recompute_due_dates(engagement=engagement)


def on_participation_status_changed(sender, *, participation: Participation, to_status, **kwargs):
    if to_status in services.TAKING_PART:
        services.checklist_add_consultant(
            engagement=participation.engagement, consultant=participation.consultant
        )
    elif to_status not in services.KEEPS_ITEMS:
        services.checklist_remove_consultant(
            engagement=participation.engagement, consultant=participation.consultant
        )
