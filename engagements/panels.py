"""Panels other apps add to the pages of engagements.

Engagements know no app that depends on them; an app that has something to
show on an engagement's page registers a panel from its ``ready()``. There
are two places a panel may go:

* the **staff page of an engagement** (``register_detail_panel``):
  ``context(engagement, user)``. The page renders the panels after its list
  of consultants; e.g. checklists adds the checklist summary::

    # checklists/apps.py
    def ready(self):
        from engagements.panels import register_detail_panel
        register_detail_panel(
            "checklists.checklist",
            order=10,
            context=checklists.panels.engagement_checklist,
            template="checklists/panels/engagement_detail.html",
        )

* the **consultant's page of one participation** in the portal: the
  invitation, and the same page once she has answered
  (``register_invitation_panel``): ``context(participation, user)``. The
  page renders these after what she would do and how she is protected, and
  *before* the yes/no form, so that everything an app knows about the offer
  is read before the question; e.g. compensation adds what it pays::

    # compensation/apps.py
    def ready(self):
        from engagements.panels import register_invitation_panel
        register_invitation_panel(
            "compensation.pay",
            order=10,
            context=compensation.panels.invitation_pay,
            template="compensation/panels/invitation_pay.html",
        )

A context function returns the template's context, or None to show nothing
to this user. Each page renders its panels by ``order`` (then key); each
template gets its context, the ``engagement`` (and, on the portal, the
``participation``) and the request (``request``, ``csrf_token``). A panel
template starts with its own ``<h2>``. Registering the same key again
replaces the panel, so an app's ``ready()`` may run twice harmlessly.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from engagements.models import Engagement, Participation

if TYPE_CHECKING:
    from engagements.access import Actor

Subject = TypeVar("Subject", Engagement, Participation)

PanelContext = Callable[[Engagement, "Actor"], "dict[str, Any] | None"]
InvitationPanelContext = Callable[[Participation, "Actor"], "dict[str, Any] | None"]


@dataclass(frozen=True)
class Panel(Generic[Subject]):
    key: str
    order: int
    context: Callable[[Subject, Actor], dict[str, Any] | None]
    template: str


DetailPanel = Panel[Engagement]
InvitationPanel = Panel[Participation]


class PanelRegistry(Generic[Subject]):
    """The panels of one place, by key."""

    def __init__(self) -> None:
        self._panels: dict[str, Panel[Subject]] = {}

    def register(
        self,
        key: str,
        *,
        order: int,
        context: Callable[[Subject, Actor], dict[str, Any] | None],
        template: str,
    ) -> None:
        self._panels[key] = Panel(key=key, order=order, context=context, template=template)

    def unregister(self, key: str) -> None:
        self._panels.pop(key, None)

    def registered(self) -> list[Panel[Subject]]:
        return sorted(self._panels.values(), key=lambda panel: (panel.order, panel.key))

    def render(
        self, *, request: HttpRequest, subject: Subject, extra: dict[str, Any]
    ) -> list[SafeString]:
        """Each registered panel that has something for this user, rendered."""
        rendered = []
        for panel in self.registered():
            context = panel.context(subject, request.user)
            if context is None:
                continue
            rendered.append(render_to_string(panel.template, {**extra, **context}, request=request))
        return rendered


detail_panels: PanelRegistry[Engagement] = PanelRegistry()
invitation_panels: PanelRegistry[Participation] = PanelRegistry()


# --- The staff page of an engagement --------------------------------------------------


def register_detail_panel(key: str, *, order: int, context: PanelContext, template: str) -> None:
    """Add a panel to the staff page of an engagement."""
    detail_panels.register(key, order=order, context=context, template=template)


def unregister_detail_panel(key: str) -> None:
    detail_panels.unregister(key)


def registered_detail_panels() -> list[DetailPanel]:
    return detail_panels.registered()


def render_detail_panels(*, request: HttpRequest, engagement: Engagement) -> list[SafeString]:
    """Each registered panel that has something for this user, rendered."""
    return detail_panels.render(
        request=request, subject=engagement, extra={"engagement": engagement}
    )


# --- The consultant's page of one participation (portal) -------------------------------


def register_invitation_panel(
    key: str, *, order: int, context: InvitationPanelContext, template: str
) -> None:
    """Add a panel to the consultant's page of one participation (the
    invitation), shown before her answer."""
    invitation_panels.register(key, order=order, context=context, template=template)


def unregister_invitation_panel(key: str) -> None:
    invitation_panels.unregister(key)


def registered_invitation_panels() -> list[InvitationPanel]:
    return invitation_panels.registered()


def render_invitation_panels(
    *, request: HttpRequest, participation: Participation
) -> list[SafeString]:
    """Each registered invitation panel that has something for this user, rendered."""
    return invitation_panels.render(
        request=request,
        subject=participation,
        extra={"engagement": participation.engagement, "participation": participation},
    )
