"""A survivor leader's advisory review of an incoming request.

One review per leader and request (``AdvisoryReview``'s unique pair). She
gives it while the request is submitted for approval, and may revise it
until then: a revision replaces the recommendation, the changes and the
notes, moves ``submitted_at`` to the moment of the revision, and is its own
audit event (``advisory_review_revised``; the change history keeps the
values before). Once the request is approved, declined or cancelled, the
review stays as it was and nothing more is taken.

She is paid once per review, whatever the revisions: one network work line
(``compensation.services.network_work_line``) whose source is
``review:<id>``, at the network's ``review_fee``; its description names no
request.

Whether a request needs a review before approval is the network's choice,
by audience (``Network.review_required_audiences``); the approval guard
(``approval_guard`` / ``approval_guard_many``, registered in
``NetworkConfig.ready()``) refuses approval without one.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from compensation.services.network_work import network_work_line
from core import audit
from engagements.models import Audience, Engagement
from network import access
from network.models import AdvisoryReview, Network

Recommendation = AdvisoryReview.Recommendation


class ReviewError(ValidationError):
    pass


@transaction.atomic
def review_give(
    *,
    engagement: Engagement,
    by,
    recommendation: str,
    changes: str = "",
    notes: str = "",
    request=None,
    now: datetime.datetime | None = None,
) -> AdvisoryReview:
    """Give (or revise) ``by``'s review of ``engagement``; pays her once."""
    leadership = access.leadership_of(by)
    if leadership is None:
        raise ReviewError(_("Only a survivor leader can review a request."), code="not_leader")
    leader = leadership.consultant
    engagement = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if engagement.status != Engagement.Status.SUBMITTED:
        raise ReviewError(
            _(
                "This request is no longer waiting for approval (it is “%(status)s”), "
                "so it cannot be reviewed now."
            )
            % {"status": engagement.get_status_display()},
            code="not_submitted",
        )
    changes = (changes or "").strip()
    notes = (notes or "").strip()
    errors: dict[str, list[str]] = {}
    if recommendation not in Recommendation.values:
        errors["recommendation"] = [_("Choose a recommendation.")]
    elif recommendation == Recommendation.WITH_CHANGES and not changes:
        errors["changes"] = [_("Say which changes the request needs.")]
    for name, text, limit in (("changes", changes, 2000), ("notes", notes, 4000)):
        if len(text) > limit:
            errors[name] = [
                _("Please keep this to %(limit)s characters or fewer.") % {"limit": limit}
            ]
    if errors:
        raise ReviewError(errors)
    now = now or timezone.now()
    review = (
        AdvisoryReview.objects.select_for_update()
        .filter(engagement=engagement, leader=leader)
        .first()
    )
    event = "advisory_review_revised"
    if review is None:
        event = "advisory_review_given"
        review = AdvisoryReview(engagement=engagement, leader=leader)
    review.recommendation = recommendation
    review.changes = changes
    review.notes = notes
    review.submitted_at = now
    review.full_clean()
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError as error:  # the same leader, at the same moment
        raise ReviewError(
            _("Your review was already saved; open the request again to change it.")
        ) from error
    audit.record_event(review, actor=by, event=event, request=request)
    network_work_line(
        consultant=leader,
        amount=leadership.network.review_fee,
        description=gettext_lazy("Advisory review for the survivor network"),
        source_key=f"review:{review.pk}",
        by=by,
        now=now,
    )
    return review


# --- Required before approval ----------------------------------------------------------


def required_audiences() -> frozenset[str]:
    """The audiences any network asks a leader's review for. One query."""
    found: set[str] = set()
    for audiences in Network.objects.values_list("review_required_audiences", flat=True):
        found.update(audiences or ())
    return frozenset(found)


def review_required(engagement: Engagement) -> bool:
    return engagement.audience in required_audiences()


def _refusal(engagement: Engagement) -> str:
    audience = (
        Audience(engagement.audience).label
        if engagement.audience in Audience.values
        else engagement.audience
    )
    return _(
        "A survivor leader must review this request before it is approved: the network "
        "asks for a review when the audience is “%(audience)s”. The leaders see it in "
        "their area now; ask one of them to review it, then approve."
    ) % {"audience": audience}


def approval_guard(*, engagement: Engagement, by=None, now=None) -> list[str]:
    """Why ``approve`` must wait: a required review not yet given."""
    if not review_required(engagement):
        return []
    if AdvisoryReview.objects.filter(engagement=engagement).exists():
        return []
    return [_refusal(engagement)]


def approval_guard_many(
    *, engagements: Iterable[Engagement], by=None, now=None
) -> dict[int, list[str]]:
    """``approval_guard`` for many engagements: two queries."""
    engagements = list(engagements)
    required = required_audiences()
    asking = [e for e in engagements if e.audience in required]
    if not asking:
        return {}
    reviewed = set(
        AdvisoryReview.objects.filter(engagement__in=[e.pk for e in asking]).values_list(
            "engagement_id", flat=True
        )
    )
    return {e.pk: [_refusal(e)] for e in asking if e.pk not in reviewed}
