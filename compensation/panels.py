"""Compensation's panels on engagement pages (registered from
``CompensationConfig.ready()``):

* what an engagement pays, on the consultant's page of her invitation
  (``engagements.panels.register_invitation_panel``): read before she says
  yes or no;
* the agreements of its consultants, on the staff page of an engagement
  (``register_detail_panel``), for those who may propose them: each
  consultant's latest version, whether it is in force or waits for her
  acknowledgement, and a link to the finance desk."""

from __future__ import annotations

from typing import Any

from compensation import access, selectors
from compensation.models import Agreement
from engagements.access import Actor
from engagements.models import Engagement, Participation

TEMPLATE = "compensation/panels/invitation_pay.html"
AGREEMENTS_TEMPLATE = "compensation/panels/engagement_agreements.html"
P = Participation.Status

# An answered "no", or an invitation taken back: there is no offer to read.
NO_OFFER = frozenset({P.DECLINED, P.REVOKED})
# Nobody booked: nothing to agree (``services.NO_AGREEMENT_FOR``).
NO_AGREEMENT_FOR = frozenset({P.DECLINED, P.REVOKED, P.FULL})


def invitation_pay(participation: Participation, user: Actor) -> dict[str, Any] | None:
    """The offer (``selectors.offer_for``) for the consultant herself."""
    if participation.status in NO_OFFER or not access.can_view_agreement(user, participation):
        return None
    return {"offer": selectors.offer_for(participation)}


def engagement_agreements(engagement: Engagement, user: Actor) -> dict[str, Any] | None:
    """Two queries: the participations ``user`` may propose for, and their
    agreements' versions."""
    if not access.can_open_agreement_desk(user):
        return None
    participations = list(
        access.participations_for_agreement_desk(user)
        .filter(engagement=engagement)
        .exclude(status__in=NO_AGREEMENT_FOR)
        .select_related("consultant")
        .order_by("consultant__pseudonym", "pk")
    )
    if not participations:
        return None
    versions: dict[int, list[Agreement]] = {}
    for agreement in Agreement.objects.filter(
        participation__in=[p.pk for p in participations]
    ).order_by("participation_id", "-version"):
        versions.setdefault(agreement.participation_id, []).append(agreement)
    rows = []
    for participation in participations:
        own = versions.get(participation.pk, [])
        latest = own[0] if own else None
        in_force = next((v for v in own if v.is_acknowledged), None)
        rows.append({"participation": participation, "latest": latest, "in_force": in_force})
    return {"agreement_rows": rows}
