"""The reminder kinds whose data lives in consultants and engagements.

Consultants: an invitation waiting for an answer, an engagement coming up,
availability to refresh each month, a consent whose text has a new
version. Staff: invitations unanswered, confirmation still missing a few
days before the start, a debrief not written after the end.

Checklists and compensation register their own kinds from their
``ready()`` (see ``reminders.registry``). Every message is discreet: "a
meeting", a date, a link behind the sign-in; never a title or a type.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator

from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from consultants.models import ConsentRecord, ConsentText, Consultant
from engagements.models import Debrief, Engagement, Participation
from reminders.models import ReminderDelivery
from reminders.registry import (
    Audience,
    Due,
    OnUncertain,
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
P = Participation.Status
E = Engagement.Status
HOUR = datetime.timedelta(hours=1)

PARTICIPATION = "engagements.participation"
ENGAGEMENT = "engagements.engagement"
CONSULTANT = "consultants.consultant"
CONSENT_TEXT = "consultants.consenttext"
DIGEST_TEMPLATES = "reminders/emails/staff_digest"


def _staff_engagement_url(engagement_id: int) -> str:
    return absolute_url("engagements:detail", engagement_id)


def _portal_engagements_url() -> str:
    return absolute_url("my_engagements:index")


def _offset_matches(
    anchor: datetime.datetime, due_at: datetime.datetime, offsets, *, before: bool
) -> bool:
    delta = (anchor - due_at) if before else (due_at - anchor)
    return any(delta == datetime.timedelta(hours=offset) for offset in offsets)


def _staff_of(batch: list[dict]) -> dict[int, set[int]]:
    """Owner and assigned staff of the engagements of a batch (one query)."""
    engagement_ids = {row["engagement_id"] for row in batch}
    staff = {row["engagement_id"]: {row["engagement__owner_id"]} for row in batch}
    through = Engagement.assigned_staff.through
    for engagement_id, user_id in through.objects.filter(
        engagement_id__in=engagement_ids
    ).values_list("engagement_id", "user_id"):
        staff.setdefault(engagement_id, set()).add(user_id)
    return staff


# --- Consultant: an invitation waiting for an answer -------------------------------------


def _collect_invitation_waiting(window: Window) -> Iterator[list[Due]]:
    for offset in window.offsets:
        since, until = window.anchor_range(after=offset)
        rows = Participation.objects.filter(
            status=P.INVITED,
            invited_at__gt=since,
            invited_at__lte=until,
            engagement__status__in=Engagement.OPEN_STATUSES,
            engagement__start__gt=window.until,
        ).values("pk", "consultant_id", "engagement_id", "invited_at")
        for batch in batched(rows, size=window.batch_size):
            yield [
                Due(
                    target=(PARTICIPATION, row["pk"]),
                    due_at=row["invited_at"] + offset * HOUR,
                    consultant_id=row["consultant_id"],
                    engagement_id=row["engagement_id"],
                )
                for row in batch
            ]


def _participation(delivery) -> Participation | None:
    return (
        Participation.objects.select_related("engagement", "engagement__privacy_plan")
        .filter(pk=delivery.target_id)
        .first()
    )


def _engagement_gone(engagement: Engagement, now) -> Skip | None:
    if engagement.status not in Engagement.OPEN_STATUSES:
        return Skip(R.CANCELLED)
    if engagement.start <= now:
        return Skip(R.TOO_LATE)
    return None


def _prepare_invitation_waiting(delivery, *, now) -> Prepared | Skip:
    participation = _participation(delivery)
    if participation is None:
        return Skip(R.NOT_DUE)
    if participation.status != P.INVITED:
        return Skip(not_invited_reason(participation.status))
    gone = _engagement_gone(participation.engagement, now)
    if gone:
        return gone
    return Prepared(
        {
            "start": participation.engagement.start,
            "url": _portal_engagements_url(),
        }
    )


def not_invited_reason(status: str) -> str:
    """Why a reminder about an invitation is no longer sent, by what became
    of it: answered (not due), said no, closed because the places were
    taken, or the engagement cancelled."""
    if status == P.CANCELLED:
        return R.CANCELLED
    if status == P.FULL:
        return R.FULL
    if status in (P.DECLINED, P.WITHDRAWN, P.REVOKED):
        return R.STEPPED_BACK
    return R.NOT_DUE


register_kind(
    ReminderKind(
        key="invitation_waiting",
        description_for_her=_("When an invitation is still waiting for your answer."),
        audience=Audience.CONSULTANT,
        label=_("Invitation waiting for an answer"),
        description=_("To a consultant who has not answered an invitation yet."),
        timing=Timing(_("Hours after the invitation"), default=(48,)),
        collect=_collect_invitation_waiting,
        prepare=_prepare_invitation_waiting,
        templates="reminders/emails/invitation_waiting",
    )
)


# --- Consultant: an engagement coming up ----------------------------------------------------


UPCOMING_STATUSES = (E.STAFFING, E.CONFIRMED)


def _collect_upcoming(window: Window) -> Iterator[list[Due]]:
    for offset in window.offsets:
        since, until = window.anchor_range(before=offset)
        rows = Participation.objects.filter(
            status__in=(P.ACCEPTED, P.CONFIRMED),
            engagement__status__in=UPCOMING_STATUSES,
            engagement__start__gt=since,
            engagement__start__lte=until,
        ).values("pk", "consultant_id", "engagement_id", "engagement__start")
        for batch in batched(rows, size=window.batch_size):
            yield [
                Due(
                    target=(PARTICIPATION, row["pk"]),
                    due_at=row["engagement__start"] - offset * HOUR,
                    consultant_id=row["consultant_id"],
                    engagement_id=row["engagement_id"],
                )
                for row in batch
            ]


def _prepare_upcoming(delivery, *, now) -> Prepared | Skip:
    participation = _participation(delivery)
    if participation is None:
        return Skip(R.NOT_DUE)
    engagement = participation.engagement
    if engagement.status not in UPCOMING_STATUSES or participation.status == P.CANCELLED:
        return Skip(R.CANCELLED)
    if participation.status not in (P.ACCEPTED, P.CONFIRMED):
        return Skip(R.STEPPED_BACK)
    if not _offset_matches(
        engagement.start, delivery.due_at, configured_offsets(delivery.kind), before=True
    ):
        return Skip(R.DATES_CHANGED, void=True)
    if engagement.start <= now:
        return Skip(R.TOO_LATE)
    plan = getattr(engagement, "privacy_plan", None)
    return Prepared(
        {
            "start": engagement.start,
            "end": engagement.end,
            "online": engagement.mode == "online",
            "venue": engagement.venue,
            "online_link": engagement.online_link,
            "support_person": plan.support_person_present if plan else "",
            "url": _portal_engagements_url(),
        }
    )


register_kind(
    ReminderKind(
        key="engagement_upcoming",
        description_for_her=_(
            "Before the day: the time, the place or link, and your support person."
        ),
        audience=Audience.CONSULTANT,
        label=_("Engagement coming up"),
        description=_("Time, place or link, and support person, before the day."),
        timing=Timing(_("Hours before the start"), default=(72, 24)),
        collect=_collect_upcoming,
        prepare=_prepare_upcoming,
        templates="reminders/emails/engagement_upcoming",
        lookback=datetime.timedelta(hours=20),
    )
)


# --- Consultant: availability to refresh each month -----------------------------------------


def _month_starts(since: datetime.datetime, until: datetime.datetime) -> list[datetime.datetime]:
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    first = since.astimezone(zone).date().replace(day=1)
    last = until.astimezone(zone).date()
    starts = []
    day = first
    while day <= last:
        starts.append(datetime.datetime.combine(day, datetime.time(0), tzinfo=zone))
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    return starts


AVAILABILITY_STATUSES = (Consultant.Status.ACTIVE, Consultant.Status.ONBOARDING)


def _collect_availability(window: Window) -> Iterator[list[Due]]:
    for offset in window.offsets:
        for month in _month_starts(window.since - offset * HOUR, window.until):
            due_at = month + offset * HOUR
            if not (window.since < due_at <= window.until):
                continue
            rows = Consultant.objects.filter(
                status__in=AVAILABILITY_STATUSES,
                user__isnull=False,
                user__is_active=True,
                identity_erased_at__isnull=True,
            ).values("pk")
            for batch in batched(rows, size=window.batch_size):
                yield [
                    Due(target=(CONSULTANT, row["pk"]), due_at=due_at, consultant_id=row["pk"])
                    for row in batch
                ]


def _prepare_availability(delivery, *, now) -> Prepared | Skip:
    consultant = delivery.consultant
    if consultant.status not in AVAILABILITY_STATUSES or consultant.user_id is None:
        return Skip(R.INACTIVE)
    return Prepared(
        {
            "month": delivery.due_at,
            "url": absolute_url("my:availability"),
        }
    )


register_kind(
    ReminderKind(
        key="availability_refresh",
        description_for_her=_(
            "Once a month, to check that your free times and busy dates are still right."
        ),
        audience=Audience.CONSULTANT,
        label=_("Availability to refresh"),
        description=_("Once a month, to check the times and busy dates on the portal."),
        timing=Timing(
            _("Hours after the month begins"),
            default=(9,),
            help_text=_("9 is the first day of the month at 09:00."),
        ),
        collect=_collect_availability,
        prepare=_prepare_availability,
        templates="reminders/emails/availability_refresh",
        lookback=datetime.timedelta(days=3),
    )
)


# --- Consultant: a consent whose text has a new version ---------------------------------------


def _outdated_grants(text: ConsentText):
    """Consultants whose current record for the text's scope is a grant
    under an older version of it."""
    newer = ConsentRecord.objects.filter(
        consultant=OuterRef("consultant"),
        scope=OuterRef("scope"),
        recorded_at__gt=OuterRef("recorded_at"),
    )
    return ConsentRecord.objects.filter(
        scope=text.scope,
        action=ConsentRecord.Action.GRANTED,
        consent_text__version__lt=text.version,
        consultant__status__in=AVAILABILITY_STATUSES,
        consultant__identity_erased_at__isnull=True,
    ).filter(~Exists(newer))


def _collect_consent_renewal(window: Window) -> Iterator[list[Due]]:
    for offset in window.offsets:
        since, until = window.anchor_range(after=offset)
        texts = ConsentText.objects.filter(published_at__gt=since, published_at__lte=until)
        for text in texts:
            rows = _outdated_grants(text).values("pk", "consultant_id")
            for batch in batched(rows, size=window.batch_size):
                yield [
                    Due(
                        target=(CONSENT_TEXT, text.pk),
                        due_at=text.published_at + offset * HOUR,
                        consultant_id=row["consultant_id"],
                    )
                    for row in batch
                ]


def _prepare_consent_renewal(delivery, *, now) -> Prepared | Skip:
    text = ConsentText.objects.filter(pk=delivery.target_id).first()
    if text is None or not text.is_published:
        return Skip(R.NOT_DUE)
    latest = (
        ConsentRecord.objects.filter(consultant_id=delivery.consultant_id, scope=text.scope)
        .select_related("consent_text")
        .order_by("-recorded_at", "-id")
        .first()
    )
    if latest is None or not latest.is_grant or latest.consent_text.version >= text.version:
        return Skip(R.NOT_DUE)
    return Prepared({"url": absolute_url("my:consent")})


register_kind(
    ReminderKind(
        key="consent_renewal",
        description_for_her=_(
            "When a consent you gave has a new text, so you can give it again or withdraw it."
        ),
        audience=Audience.CONSULTANT,
        label=_("Consent to look at again"),
        description=_(
            "When the text of a consent the consultant gave has a new version, "
            "so they can renew or withdraw it."
        ),
        timing=Timing(_("Hours after the new text is published"), default=(24,)),
        collect=_collect_consent_renewal,
        prepare=_prepare_consent_renewal,
        templates="reminders/emails/consent_renewal",
        lookback=datetime.timedelta(days=7),
        # Asking about consent twice is pressure: a person decides (registry).
        on_uncertain=OnUncertain.HOLD,
    )
)


# --- Staff: invitations unanswered ---------------------------------------------------------


def _collect_unanswered(window: Window) -> Iterator[list[Due]]:
    for offset in window.offsets:
        since, until = window.anchor_range(after=offset)
        rows = Participation.objects.filter(
            status=P.INVITED,
            invited_at__gt=since,
            invited_at__lte=until,
            engagement__status__in=Engagement.OPEN_STATUSES,
            engagement__start__gt=window.until,
        ).values("pk", "engagement_id", "engagement__owner_id", "invited_at")
        for batch in batched(rows, size=window.batch_size):
            staff = _staff_of(batch)
            yield [
                Due(
                    target=(PARTICIPATION, row["pk"]),
                    due_at=row["invited_at"] + offset * HOUR,
                    user_id=user_id,
                    engagement_id=row["engagement_id"],
                )
                for row in batch
                for user_id in sorted(staff[row["engagement_id"]])
            ]


def _prepare_unanswered(delivery, *, now) -> Prepared | Skip:
    participation = (
        Participation.objects.select_related("engagement", "consultant")
        .filter(pk=delivery.target_id)
        .first()
    )
    if participation is None or participation.status != P.INVITED:
        return Skip(R.NOT_DUE)
    gone = _engagement_gone(participation.engagement, now)
    if gone:
        return gone
    return Prepared(
        {
            "pseudonym": participation.consultant.pseudonym,
            "invited_at": participation.invited_at,
            "start": participation.engagement.start,
            "url": _staff_engagement_url(participation.engagement_id),
        }
    )


register_kind(
    ReminderKind(
        key="staff_invitation_unanswered",
        audience=Audience.STAFF,
        label=_("Invitations unanswered"),
        description=_("To the engagement's staff, when a consultant has not answered."),
        timing=Timing(_("Hours after the invitation"), default=(96,)),
        collect=_collect_unanswered,
        prepare=_prepare_unanswered,
        templates="reminders/emails/staff_invitation_unanswered",
    )
)


# --- Staff: confirmation still missing before the start ----------------------------------------


def _collect_unconfirmed(window: Window) -> Iterator[list[Due]]:
    for offset in window.offsets:
        since, until = window.anchor_range(before=offset)
        rows = Engagement.objects.filter(
            status=E.STAFFING, start__gt=since, start__lte=until
        ).values("pk", "owner_id", "start")
        for batch in batched(rows, size=window.batch_size):
            staff = _staff_of(
                [
                    {"engagement_id": row["pk"], "engagement__owner_id": row["owner_id"]}
                    for row in batch
                ]
            )
            yield [
                Due(
                    target=(ENGAGEMENT, row["pk"]),
                    due_at=row["start"] - offset * HOUR,
                    user_id=user_id,
                    engagement_id=row["pk"],
                )
                for row in batch
                for user_id in sorted(staff[row["pk"]])
            ]


def _prepare_unconfirmed(delivery, *, now) -> Prepared | Skip:
    from engagements.workflow import refusal_reasons

    engagement = Engagement.objects.filter(pk=delivery.target_id).first()
    if engagement is None or engagement.status != E.STAFFING:
        return Skip(R.NOT_DUE if engagement and engagement.is_open else R.CANCELLED)
    if not _offset_matches(
        engagement.start, delivery.due_at, configured_offsets(delivery.kind), before=True
    ):
        return Skip(R.DATES_CHANGED, void=True)
    if engagement.start <= now:
        return Skip(R.TOO_LATE)
    reasons = refusal_reasons(
        engagement=engagement, name="confirm", by=delivery.user, now=now, check_permission=False
    )
    # Only how many: a reason names consultants and consents, and an
    # e-mail is read in places the staff site is not.
    return Prepared(
        {
            "start": engagement.start,
            "blocking": len(reasons),
            "url": _staff_engagement_url(engagement.pk),
        }
    )


register_kind(
    ReminderKind(
        key="staff_confirmation_blocked",
        audience=Audience.STAFF,
        label=_("Engagement not confirmed before its start"),
        description=_(
            "To the engagement's staff, a few days before the start, with how many "
            "things still block its confirmation."
        ),
        timing=Timing(_("Hours before the start"), default=(72,)),
        collect=_collect_unconfirmed,
        prepare=_prepare_unconfirmed,
        templates="reminders/emails/staff_confirmation_blocked",
        lookback=datetime.timedelta(hours=20),
    )
)


# --- Staff: debrief not written ---------------------------------------------------------------


DEBRIEF_STATUSES = (E.CONFIRMED, E.COMPLETED)


def _collect_debrief(window: Window) -> Iterator[list[Due]]:
    for offset in window.offsets:
        since, until = window.anchor_range(after=offset)
        rows = (
            Engagement.objects.filter(status__in=DEBRIEF_STATUSES, end__gt=since, end__lte=until)
            .filter(~Exists(Debrief.objects.filter(engagement=OuterRef("pk"))))
            .values("pk", "owner_id", "end")
        )
        for batch in batched(rows, size=window.batch_size):
            staff = _staff_of(
                [
                    {"engagement_id": row["pk"], "engagement__owner_id": row["owner_id"]}
                    for row in batch
                ]
            )
            yield [
                Due(
                    target=(ENGAGEMENT, row["pk"]),
                    due_at=row["end"] + offset * HOUR,
                    user_id=user_id,
                    engagement_id=row["pk"],
                )
                for row in batch
                for user_id in sorted(staff[row["pk"]])
            ]


def _prepare_debrief(delivery, *, now) -> Prepared | Skip:
    engagement = Engagement.objects.filter(pk=delivery.target_id).first()
    if engagement is None or engagement.status not in DEBRIEF_STATUSES:
        return Skip(R.CANCELLED if engagement and engagement.status == E.CANCELLED else R.NOT_DUE)
    if engagement.debriefs.exists():
        return Skip(R.NOT_DUE)
    if not _offset_matches(
        engagement.end, delivery.due_at, configured_offsets(delivery.kind), before=False
    ):
        return Skip(R.DATES_CHANGED, void=True)
    return Prepared({"end": engagement.end, "url": _staff_engagement_url(engagement.pk)})


register_kind(
    ReminderKind(
        key="staff_debrief_missing",
        audience=Audience.STAFF,
        label=_("Debrief not written"),
        description=_("To the engagement's staff, when no debrief is written after the end."),
        timing=Timing(_("Hours after the end"), default=(48,)),
        collect=_collect_debrief,
        prepare=_prepare_debrief,
        templates="reminders/emails/staff_debrief_missing",
        lookback=datetime.timedelta(days=3),
    )
)
