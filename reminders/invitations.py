"""A consultant is told of an invitation at once: the "invitation made" kind.

Why a reminder kind, with an offset of zero, rather than a column such as
``invitation_sent_at``: everything that makes a reminder go out exactly
once, discreetly and in her language already exists here, and an
invitation's first message needs all of it:

* **exactly once**: the ``ReminderDelivery`` row's identity (kind, the
  participation, her, the moment of the invitation) is unique in
  PostgreSQL and is inserted in the same transaction as the invitation
  itself (``on_participation_status_changed``, a receiver of the
  workflow's signal, which fires inside that transaction): no invitation
  without its row, no row without its invitation. A retried request or two
  staff clicking at once make one participation (the engagement's lock and
  the one-live-participation constraint), so one row; a second insert of
  the same identity (the sweep, later) does nothing;
* **sent after the commit, once**: ``transaction.on_commit`` sends the row
  in the web process (``delivery_send`` locks it, sends, marks it sent in
  one transaction, so the request, a worker and a second click never send
  it twice). The e-mail is out when the request returns. Should that
  process die or the mail server fail, the row is still pending: the
  dispatcher hands it to a worker after ``REMINDERS_REDISPATCH_SECONDS``,
  with the usual retries, backoff and the failed-deliveries page; the
  Message-ID is stable per row (``tinig.reminder.<id>``);
* **discreet and hers**: rendered in her preferred language (else the
  default), greeting her by her name for messages or her pseudonym, never
  a legal name; the message says that there is an invitation and links to
  its page behind the sign-in, nothing about the work. Quiet hours apply
  as to every message to a consultant: an invitation made at 23:00 is
  told at 08:00. She may turn it off like any reminder; staff may too.
* **other channels**: an SMS channel (``reminders.channels``) serves this
  kind as it serves the others.

The "still waiting" reminder (``invitation_waiting``, 48 hours later) is a
kind of its own and stays. ``collect`` makes the sweep find the same rows
(a no-op when the receiver recorded them), within a short look-back only:
it covers a kind turned back on, not old invitations.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from engagements.models import Engagement, Participation
from reminders.kinds import not_invited_reason
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

KEY = "invitation_made"
PARTICIPATION = "engagements.participation"
HOUR = datetime.timedelta(hours=1)
P = Participation.Status
# Engagement statuses in which an invitation can still be answered.
ANSWERABLE = (Engagement.Status.STAFFING, Engagement.Status.CONFIRMED)


def _due(participation_pk: int, consultant_id: int, engagement_id: int, at, offset: int) -> Due:
    return Due(
        target=(PARTICIPATION, participation_pk),
        due_at=at + offset * HOUR,
        consultant_id=consultant_id,
        engagement_id=engagement_id,
    )


def _collect(window: Window) -> Iterator[list[Due]]:
    for offset in window.offsets:
        since, until = window.anchor_range(after=offset)
        rows = Participation.objects.filter(
            status=P.INVITED,
            invited_at__gt=since,
            invited_at__lte=until,
            engagement__status__in=ANSWERABLE,
        ).values("pk", "consultant_id", "engagement_id", "invited_at")
        for batch in batched(rows, size=window.batch_size):
            yield [
                _due(
                    row["pk"], row["consultant_id"], row["engagement_id"], row["invited_at"], offset
                )
                for row in batch
            ]


def _prepare(delivery, *, now) -> Prepared | Skip:
    participation = (
        Participation.objects.select_related("engagement").filter(pk=delivery.target_id).first()
    )
    if participation is None:
        return Skip(not_invited_reason(""))
    if participation.status != P.INVITED:
        return Skip(not_invited_reason(participation.status))
    engagement = participation.engagement
    if engagement.status not in ANSWERABLE:
        return Skip(not_invited_reason(P.CANCELLED))
    if engagement.start <= now:
        return Skip(ReminderDelivery.Reason.TOO_LATE)
    # The link and nothing else: no date, no place, no title.
    return Prepared({"url": absolute_url("my_engagements:detail", participation.pk)})


KIND = register_kind(
    ReminderKind(
        key=KEY,
        description_for_her=_(
            "As soon as you are invited: a link to the invitation, nothing about the work."
        ),
        audience=Audience.CONSULTANT,
        label=_("A new invitation"),
        description=_(
            "To a consultant, as soon as they are invited: a link to the invitation, "
            "nothing about the work."
        ),
        timing=Timing(
            _("Hours after the invitation"),
            default=(0,),
            help_text=_("0 is at once (quiet hours still apply)."),
        ),
        collect=_collect,
        prepare=_prepare,
        templates="reminders/emails/invitation_made",
        lookback=datetime.timedelta(hours=6),
    )
)


def on_participation_status_changed(
    sender, *, participation: Participation, from_status: str, to_status: str, **kwargs
) -> None:
    """A new invitation (from nothing to invited): record its message in the
    invitation's transaction, send it once that commits."""
    if from_status != "" or to_status != P.INVITED:
        return
    if participation.invited_at < timezone.now() - KIND.lookback:
        return  # recorded as made long ago (demo data): old news, not told
    from reminders import services

    offsets = configured_offsets(KEY)
    dues = [
        _due(
            participation.pk,
            participation.consultant_id,
            participation.engagement_id,
            participation.invited_at,
            offset,
        )
        for offset in offsets
    ]
    ready = services.deliveries_record(kind_key=KEY, dues=dues)
    services.deliveries_send_after_commit(ready, what="Invitation message")
