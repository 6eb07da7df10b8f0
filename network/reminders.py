"""The survivor network's reminder kind (registered from ``ready()``).

``review_requested`` (consultant audience, offered to survivor leaders
only): when a request whose audience a network asks a leader's review for
is submitted for approval, each leader of such a network is told at once
that a request is waiting for her review. Without it a manager cannot
approve (``network.services.reviews.approval_guard``) and nobody knew.

Built like ``invitation_made`` (``reminders.invitations``): the rows are
recorded in the submission's own transaction (``on_engagement_transitioned``,
a receiver of the workflow's signal) and sent after the commit; quiet
hours, her channel choices and turning the kind off apply as to every
kind; the sweep's ``collect`` finds the same rows (a no-op) within a
short look-back.

* **Identity**: the request, the leader, and the moment it was submitted
  (its ``EngagementTransition`` to submitted). A request submitted again
  later is a new moment, so a new reminder; a reminder of an earlier
  submission is void.
* **Recipients**: every consultant with an open leadership of a network
  whose review-needing audiences include the request's, with a portal
  account that holds the leader role (``network.access``'s rule); once
  each, whatever the number of networks she leads.
* **Still wanted** (``prepare``): the request is still submitted, this is
  its latest submission, she still leads such a network, and she has not
  reviewed it since it was submitted.
* **Discreet**: "Tinig", that a request is waiting for her review, and a
  link to it in her area behind the sign-in; nothing about the work, the
  audience or anyone.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.roles import Role, is_survivor_leader
from engagements.models import Engagement, EngagementTransition
from network.models import AdvisoryReview, Leadership
from network.services.reviews import required_audiences
from reminders.models import ReminderDelivery
from reminders.registry import (
    Audience,
    Due,
    Prepared,
    ReminderKind,
    Skip,
    Timing,
    Window,
    absolute_url,
    batched,
    configured_offsets,
    register_kind,
)

KEY = "review_requested"
SUBMISSION = "engagements.engagementtransition"
HOUR = datetime.timedelta(hours=1)
SUBMITTED = Engagement.Status.SUBMITTED
R = ReminderDelivery.Reason


def _open_leaderships(audiences: Iterable[str]):
    """Open leaderships of networks asking a review for any of
    ``audiences``, of leaders who can sign in to their area."""
    return Leadership.objects.filter(
        until__isnull=True,
        network__review_required_audiences__overlap=sorted(set(audiences)),
        consultant__user__is_active=True,
        consultant__user__groups__name=Role.SURVIVOR_LEADER,
    )


def _leaders_by_audience(audiences: Iterable[str]) -> dict[str, set[int]]:
    """For each audience, the consultants (ids) who lead a network asking a
    review for it. One query."""
    audiences = set(audiences)
    found: dict[str, set[int]] = {audience: set() for audience in audiences}
    rows = _open_leaderships(audiences).values_list(
        "consultant_id", "network__review_required_audiences"
    )
    for consultant_id, asked in rows:
        for audience in set(asked or ()) & audiences:
            found[audience].add(consultant_id)
    return found


def _dues(rows: list[dict], offsets: Iterable[int], leaders: dict[str, set[int]]) -> list[Due]:
    """Each submission in ``rows`` (pk, at, engagement_id, audience), at
    each offset, for each leader of its audience."""
    return [
        Due(
            target=(SUBMISSION, row["pk"]),
            due_at=row["at"] + offset * HOUR,
            consultant_id=consultant_id,
            engagement_id=row["engagement_id"],
        )
        for row in rows
        for offset in offsets
        for consultant_id in sorted(leaders.get(row["audience"], ()))
    ]


def _collect(window: Window) -> Iterator[list[Due]]:
    required = sorted(required_audiences())
    if not required:
        return
    for offset in window.offsets:
        since, until = window.anchor_range(after=offset)
        submissions = EngagementTransition.objects.filter(
            to_status=SUBMITTED,
            at__gt=since,
            at__lte=until,
            engagement__status=SUBMITTED,
            engagement__audience__in=required,
        ).values("pk", "at", "engagement_id", audience=F("engagement__audience"))
        for batch in batched(submissions, size=window.batch_size):
            leaders = _leaders_by_audience(row["audience"] for row in batch)
            dues = _dues(batch, (offset,), leaders)
            if dues:
                yield dues


def _prepare(delivery, *, now) -> Prepared | Skip:
    submission = (
        EngagementTransition.objects.select_related("engagement")
        .only("at", "engagement__status", "engagement__audience")
        .filter(pk=delivery.target_id, to_status=SUBMITTED)
        .first()
    )
    if submission is None or submission.engagement.status != SUBMITTED:
        return Skip(R.NOT_DUE)
    engagement = submission.engagement
    submitted_again = EngagementTransition.objects.filter(
        Q(at__gt=submission.at) | Q(at=submission.at, pk__gt=submission.pk),
        engagement=engagement,
        to_status=SUBMITTED,
    )
    if submitted_again.exists():
        return Skip(R.NOT_DUE)  # that submission has a reminder of its own
    still_leads = (
        _open_leaderships([engagement.audience])
        .filter(consultant_id=delivery.consultant_id)
        .exists()
    )
    if not still_leads:
        return Skip(R.NOT_DUE)
    reviewed = AdvisoryReview.objects.filter(
        engagement=engagement, leader_id=delivery.consultant_id, submitted_at__gte=submission.at
    )
    if reviewed.exists():
        return Skip(R.NOT_DUE)
    # The link to the request in her area, and nothing else.
    return Prepared({"url": absolute_url("lead:request", engagement.pk)})


KIND = register_kind(
    ReminderKind(
        key=KEY,
        description_for_her=_(
            "As soon as a request that needs a leader's review is submitted: a link to it "
            "in your leader area, nothing about the work."
        ),
        audience=Audience.CONSULTANT,
        label=_("A request to review"),
        description=_(
            "To a survivor leader, as soon as a request that needs a leader's review is "
            "submitted: a link to it in their area, nothing about the work."
        ),
        timing=Timing(
            _("Hours after the request is submitted"),
            default=(0,),
            help_text=_("0 is at once (quiet hours still apply)."),
        ),
        collect=_collect,
        prepare=_prepare,
        templates="network/reminders/review_requested",
        lookback=datetime.timedelta(hours=6),
        offered_to=is_survivor_leader,
    )
)


def on_engagement_transitioned(
    sender, *, engagement: Engagement, to_status: str, record: EngagementTransition, **kwargs
) -> None:
    """A request submitted for approval: record its leaders' messages in
    the submission's transaction, send them once that commits."""
    if to_status != SUBMITTED:
        return
    if record.at < timezone.now() - KIND.lookback:
        return  # recorded as submitted long ago (demo data): old news, not told
    leaders = _leaders_by_audience([engagement.audience])
    if not leaders[engagement.audience]:
        return  # nobody to tell: one query, and the submission goes on
    row = {
        "pk": record.pk,
        "at": record.at,
        "engagement_id": engagement.pk,
        "audience": engagement.audience,
    }
    dues = _dues([row], configured_offsets(KEY), leaders)
    from reminders import services

    ready = services.deliveries_record(kind_key=KEY, dues=dues)
    services.deliveries_send_after_commit(ready, what="Review message")
