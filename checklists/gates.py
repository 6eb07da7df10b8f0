"""The checklist's conditions on the engagement workflow, registered with
``engagements.workflow.register_guard`` in ``ChecklistsConfig.ready()``.

Confirming needs every item that gates confirmation (the "before" items
marked so) done, or justified not applicable; closing needs every item that
gates closing (the "after" items). A refusal names each item still open,
by its title (in the person's language), so the person can go and do it.

An engagement without a checklist (one approved before this app, or made
directly in a later status by a test) has nothing to gate.
"""

from __future__ import annotations

from django.db.models import F
from django.utils.translation import gettext

from checklists.models import ChecklistItem, Gate


def _open_gating_titles(engagement, gate: str) -> list[str]:
    """Their titles in the active language (that of the person refused)."""
    items = (
        ChecklistItem.objects.filter(
            checklist__engagement=engagement, gates=gate, status=ChecklistItem.Status.OPEN
        )
        .order_by("order", "id")
        .only("title", "title_fil")
    )
    return [item.shown_title for item in items]


def _open_gating_titles_many(engagements, gate: str) -> dict[int, list[str]]:
    """``_open_gating_titles`` for many engagements: one query."""
    titles: dict[int, list[str]] = {engagement.pk: [] for engagement in engagements}
    items = (
        ChecklistItem.objects.filter(
            checklist__engagement__in=list(titles),
            gates=gate,
            status=ChecklistItem.Status.OPEN,
        )
        .annotate(gated_engagement_id=F("checklist__engagement_id"))
        .order_by("checklist__engagement_id", "order", "id")
        .only("title", "title_fil")
    )
    for item in items:
        titles[item.gated_engagement_id].append(item.shown_title)
    return titles


def _reasons(titles: list[str]) -> list[str]:
    return [
        gettext("Checklist: “%(title)s” is not done yet.") % {"title": title} for title in titles
    ]


def before_items_done(*, engagement, by, now):
    """Guard of "confirm"."""
    return _reasons(_open_gating_titles(engagement, Gate.CONFIRM))


def before_items_done_many(*, engagements, by, now):
    """``before_items_done`` for many engagements (one query)."""
    return {
        pk: _reasons(titles)
        for pk, titles in _open_gating_titles_many(engagements, Gate.CONFIRM).items()
    }


def after_items_done_many(*, engagements, by, now):
    """``after_items_done`` for many engagements (one query)."""
    return {
        pk: _reasons(titles)
        for pk, titles in _open_gating_titles_many(engagements, Gate.CLOSE).items()
    }


def after_items_done(*, engagement, by, now):
    """Guard of "close"."""
    return _reasons(_open_gating_titles(engagement, Gate.CLOSE))
