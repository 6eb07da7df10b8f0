"""The reminder kinds of impact (registered from ``ready()``).

* ``outcome_changed`` (consultant, at once): a contribution she gave has a
  new known outcome. Like ``invitation_made`` (``reminders.invitations``):
  its rows are written in the outcome's own transaction
  (``tell_consultants``) and sent after the commit; quiet hours, her
  channel choices and turning it off apply as to every kind. The message
  says only that there is something to look at, and links to "What your
  voice changed" behind the sign-in: no title, no outcome, no partner.
  The sweep's ``collect`` finds the same rows (a no-op) within a short
  look-back.
* ``staff_outcome_unknown`` (staff): one, three and six months after an
  engagement ended, its owner is asked while any of its contributions'
  outcome is still unknown.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engagements.models import Engagement
from impact.models import Contribution, Outcome, OutcomeStatus
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

R = ReminderDelivery.Reason
HOUR = datetime.timedelta(hours=1)
OUTCOME = "impact.outcome"
ENGAGEMENT = "engagements.engagement"
CHANGED = "outcome_changed"
UNKNOWN = "staff_outcome_unknown"
# About one, three and six months, in hours.
MONTHS = (30 * 24, 91 * 24, 182 * 24)


# --- Consultant: an outcome of hers changed ------------------------------------------------


def _changed_dues(outcome_pk, recorded_at, engagement_id, consultant_ids, offset) -> list[Due]:
    return [
        Due(
            target=(OUTCOME, outcome_pk),
            due_at=recorded_at + offset * HOUR,
            consultant_id=consultant_id,
            engagement_id=engagement_id,
        )
        for consultant_id in consultant_ids
    ]


def _collect_changed(window: Window) -> Iterator[list[Due]]:
    through = Contribution.consultants.through
    for offset in window.offsets:
        since, until = window.anchor_range(after=offset)
        rows = (
            Outcome.objects.filter(recorded_at__gt=since, recorded_at__lte=until)
            .exclude(status=OutcomeStatus.UNKNOWN)
            .values("pk", "recorded_at", "contribution_id", "contribution__engagement_id")
        )
        for batch in batched(rows, size=window.batch_size):
            people: dict[int, list[int]] = {}
            for contribution_id, consultant_id in through.objects.filter(
                contribution_id__in={row["contribution_id"] for row in batch}
            ).values_list("contribution_id", "consultant_id"):
                people.setdefault(contribution_id, []).append(consultant_id)
            yield [
                due
                for row in batch
                for due in _changed_dues(
                    row["pk"],
                    row["recorded_at"],
                    row["contribution__engagement_id"],
                    people.get(row["contribution_id"], []),
                    offset,
                )
            ]


def _prepare_changed(delivery, *, now) -> Prepared | Skip:
    outcome = Outcome.objects.filter(pk=delivery.target_id).only("pk", "contribution_id").first()
    if outcome is None:
        return Skip(R.NOT_DUE)
    latest = (
        Outcome.objects.filter(contribution_id=outcome.contribution_id)
        .order_by("-recorded_at", "-id")
        .values_list("pk", flat=True)
        .first()
    )
    if latest != outcome.pk:
        return Skip(R.NOT_DUE)  # a newer outcome tells her instead
    still_hers = Contribution.consultants.through.objects.filter(
        contribution_id=outcome.contribution_id, consultant_id=delivery.consultant_id
    ).exists()
    if not still_hers:
        return Skip(R.NOT_DUE)
    return Prepared({"url": absolute_url("my_impact:index")})


CHANGED_KIND = register_kind(
    ReminderKind(
        key=CHANGED,
        description_for_her=_(
            "When the team learns what became of something you contributed: a link, "
            "nothing about the work."
        ),
        audience=Audience.CONSULTANT,
        label=_("What your voice changed"),
        description=_(
            "To a consultant, when the team learns what became of something they "
            "contributed: a link, nothing about the work."
        ),
        timing=Timing(
            _("Hours after the outcome is recorded"),
            default=(0,),
            help_text=_("0 is at once (quiet hours still apply)."),
        ),
        collect=_collect_changed,
        prepare=_prepare_changed,
        templates="impact/reminders/outcome_changed",
        lookback=datetime.timedelta(hours=6),
    )
)


def tell_consultants(outcome: Outcome, *, consultant_ids: Iterable[int]) -> None:
    """Inside the outcome's transaction: record her message, send it once
    that commits."""
    from reminders import services

    if outcome.recorded_at < timezone.now() - CHANGED_KIND.lookback:
        return  # recorded as known long ago (demo data): old news, not told
    ids = list(consultant_ids)
    dues = [
        due
        for offset in configured_offsets(CHANGED)
        for due in _changed_dues(
            outcome.pk, outcome.recorded_at, outcome.contribution.engagement_id, ids, offset
        )
    ]
    ready = services.deliveries_record(kind_key=CHANGED, dues=dues)
    services.deliveries_send_after_commit(ready, what="Outcome message")


# --- Staff: outcomes still unknown, months after --------------------------------------------


def _unknown_exists():
    return Exists(
        Contribution.objects.filter(engagement=OuterRef("pk"), status=OutcomeStatus.UNKNOWN)
    )


ENDED = (Engagement.Status.COMPLETED, Engagement.Status.CLOSED)


def _collect_unknown(window: Window) -> Iterator[list[Due]]:
    for offset in window.offsets:
        since, until = window.anchor_range(after=offset)
        rows = (
            Engagement.objects.filter(
                end__gt=since, end__lte=until, status__in=ENDED, owner__is_active=True
            )
            .filter(_unknown_exists())
            .values("pk", "end", "owner_id")
        )
        for batch in batched(rows, size=window.batch_size):
            yield [
                Due(
                    target=(ENGAGEMENT, row["pk"]),
                    due_at=row["end"] + offset * HOUR,
                    user_id=row["owner_id"],
                    engagement_id=row["pk"],
                )
                for row in batch
            ]


def _prepare_unknown(delivery, *, now) -> Prepared | Skip:
    engagement = (
        Engagement.objects.filter(pk=delivery.target_id)
        .annotate(has_unknown=_unknown_exists())
        .only("pk", "end", "owner_id", "status")
        .first()
    )
    if engagement is None or engagement.status not in ENDED:
        return Skip(R.CANCELLED)
    if engagement.owner_id != delivery.user_id:
        return Skip(R.NOT_DUE)
    if not engagement.has_unknown:
        return Skip(R.NOT_DUE)
    offsets = configured_offsets(UNKNOWN)
    if not any(delivery.due_at - engagement.end == offset * HOUR for offset in offsets):
        return Skip(R.DATES_CHANGED, void=True)
    return Prepared(
        {"url": absolute_url("impact:engagement", engagement.pk), "ended": engagement.end}
    )


register_kind(
    ReminderKind(
        key=UNKNOWN,
        audience=Audience.STAFF,
        label=_("Outcomes still unknown"),
        description=_(
            "To an engagement's owner, one, three and six months after it ended, while "
            "what became of a contribution is still unknown."
        ),
        timing=Timing(_("Hours after the engagement ended"), default=MONTHS),
        collect=_collect_unknown,
        prepare=_prepare_unknown,
        templates="impact/reminders/staff_outcome_unknown",
        lookback=datetime.timedelta(days=7),
    )
)
