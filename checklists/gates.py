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


def _reasons(titles: list[str]) -> list[str]:
    return [
        gettext("Checklist: “%(title)s” is not done yet.") % {"title": title} for title in titles
    ]


def before_items_done(*, engagement, by, now):
    """Guard of "confirm"."""
    return _reasons(_open_gating_titles(engagement, Gate.CONFIRM))


def after_items_done(*, engagement, by, now):
    """Guard of "close"."""
    return _reasons(_open_gating_titles(engagement, Gate.CLOSE))
