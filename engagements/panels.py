"""Panels other apps add to the staff page of an engagement.

Engagements know no app that depends on them; an app that has something to
show on the engagement's page registers a panel from its ``ready()``::

    # checklists/apps.py
    def ready(self):
        from engagements.panels import register_detail_panel
        register_detail_panel(
            "checklists.checklist",
            order=10,
            context=checklists.panels.engagement_checklist,
            template="checklists/panels/engagement_detail.html",
        )

``context(engagement, user)`` returns the template's context, or None to
show nothing to this user. The page renders the panels by ``order`` (then
key) after its list of consultants; each template gets its context, the
``engagement`` and the request (``request``, ``csrf_token``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from engagements.models import Engagement

if TYPE_CHECKING:
    from engagements.access import Actor

PanelContext = Callable[[Engagement, "Actor"], "dict[str, Any] | None"]


@dataclass(frozen=True)
class DetailPanel:
    key: str
    order: int
    context: PanelContext
    template: str


_panels: dict[str, DetailPanel] = {}


def register_detail_panel(key: str, *, order: int, context: PanelContext, template: str) -> None:
    """Add a panel; registering the same key again replaces it (so an app's
    ``ready()`` may run twice harmlessly)."""
    _panels[key] = DetailPanel(key=key, order=order, context=context, template=template)


def unregister_detail_panel(key: str) -> None:
    _panels.pop(key, None)


def registered_detail_panels() -> list[DetailPanel]:
    return sorted(_panels.values(), key=lambda panel: (panel.order, panel.key))


def render_detail_panels(*, request: HttpRequest, engagement: Engagement) -> list[SafeString]:
    """Each registered panel that has something for this user, rendered."""
    rendered = []
    for panel in registered_detail_panels():
        context = panel.context(engagement, request.user)
        if context is None:
            continue
        rendered.append(
            render_to_string(panel.template, {"engagement": engagement, **context}, request=request)
        )
    return rendered
