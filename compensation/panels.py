"""What an engagement pays, on the consultant's page of her invitation
(``engagements.panels.register_invitation_panel``, from
``CompensationConfig.ready()``): read before she says yes or no."""

from __future__ import annotations

from typing import Any

from compensation import access, selectors
from engagements.access import Actor
from engagements.models import Participation

TEMPLATE = "compensation/panels/invitation_pay.html"
P = Participation.Status

# An answered "no", or an invitation taken back: there is no offer to read.
NO_OFFER = frozenset({P.DECLINED, P.REVOKED})


def invitation_pay(participation: Participation, user: Actor) -> dict[str, Any] | None:
    """The offer (``selectors.offer_for``) for the consultant herself."""
    if participation.status in NO_OFFER or not access.can_view_agreement(user, participation):
        return None
    return {"offer": selectors.offer_for(participation)}
