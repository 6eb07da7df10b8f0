"""The advisory reviews panel on the staff page of an engagement (registered
with ``engagements.panels.register_detail_panel`` in
``NetworkConfig.ready()``, first among the panels): what survivor leaders
advised, and whether the network asks for a review before approval. It is
the page where a manager approves, so the review is read where the decision
is made; the approval guard (``network.services.reviews.approval_guard``)
refuses approval while a required review is missing."""

from __future__ import annotations

from typing import Any

from engagements.access import Actor
from engagements.models import Engagement
from network import access
from network.selectors import reviews as selectors
from network.services import reviews as services

TEMPLATE = "network/panels/engagement_reviews.html"


def engagement_reviews(engagement: Engagement, user: Actor) -> dict[str, Any] | None:
    """Shown while the request waits for approval, and afterwards wherever
    a review was given; to staff who may see the engagement."""
    if engagement.status == Engagement.Status.DRAFT:
        return None
    if not access.can_view_reviews(user, engagement):
        return None
    reviews = selectors.reviews_of(engagement)
    waiting = engagement.status == Engagement.Status.SUBMITTED
    if not reviews and not waiting:
        return None
    return {
        "reviews": reviews,
        "review_required": services.review_required(engagement),
        "waiting": waiting,
    }
