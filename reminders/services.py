"""Writes of the reminders app: the sweep, sending, retrying, settings and
preferences.

Exactly once, step by step:

1. ``reminders_sweep`` asks every kind that is on which reminders fell due
   and inserts them with ``INSERT ... ON CONFLICT DO NOTHING`` on their
   identity (kind, target, recipient, due moment, channel): a second sweep,
   a second beat or a retried task inserts nothing new. (A row voided by a change of
   dates comes back to life if the dates return to that very moment.)
2. ``deliveries_dispatch`` hands pending rows whose moment has come to the
   workers, marking them ``dispatched_at`` under ``FOR UPDATE SKIP LOCKED``;
   a row whose worker died is handed out again after
   ``REMINDERS_REDISPATCH_SECONDS``.
3. ``delivery_send`` locks one row (``FOR UPDATE``: a second worker waits,
   then finds it sent), returns at once unless it is still pending and due,
   checks it is still wanted, sends it and marks it sent in the same
   transaction. A worker killed
   before the commit rolls the row back to pending and the message is sent
   by the next attempt; two workers never hold the row at once.

   The one gap no database can close is a worker killed after the mail
   server accepted the message and before the ``COMMIT`` (a few
   milliseconds). The e-mail's Message-ID is stable per reminder
   (``tinig.reminder.<id>``), so a mail server that sees it twice may drop
   the copy.

A failed send is recorded (attempts, the error's class, never its text,
which may hold an address) and tried again with exponential backoff
(``REMINDERS_RETRY_BASE_SECONDS`` doubling, at most
``REMINDERS_MAX_ATTEMPTS``), then marked failed; staff can retry it from
the failed deliveries page.

Quiet hours (``reminders.quiet``): a consultant's reminder due at night
waits until the morning, and a retry that would land at night waits too.

Channels: a consultant chooses per kind e-mail, text message (SMS), both
or none (``ConsultantReminderPreference``). The sweep records one row per
chosen channel, the channel being part of the identity, so "both" is an
e-mail and a text, each sent once by the steps above; quiet hours, retries
and the failed list are the same for both. At send time the row's channel
must still be chosen (else skipped, "opted out"), on (``SMS_BACKEND``; else
"channel off") and have an address (a removed number: "no address"). A
text is one SMS long: the kind's ``-sms.txt`` template, or a generic
discreet line when there is none or it is too long; a link is never cut.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

from allauth.utils import build_absolute_uri
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import F, Q
from django.template.loader import TemplateDoesNotExist, render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from consultants.models import Consultant
from reminders import access, quiet, registry, sms
from reminders.channels import Message, SmsChannel, get_channel
from reminders.models import (
    MAX_OFFSET_HOURS,
    ConsultantReminderPreference,
    ReminderDelivery,
    ReminderSetting,
    StaffReminderPreference,
)
from reminders.registry import Audience, Due, Prepared, ReminderKind, Skip, Window

logger = logging.getLogger(__name__)

D = ReminderDelivery.Status
R = ReminderDelivery.Reason


def _setting(name: str, default):
    return getattr(settings, name, default)


# --- Settings of each kind ------------------------------------------------------------


@dataclass(frozen=True)
class KindConfig:
    kind: ReminderKind
    enabled: bool
    offsets: tuple[int, ...]
    customised: bool = False


def kind_configs() -> dict[str, KindConfig]:
    """Every registered kind with its effective settings (one query)."""
    stored = {row.kind: row for row in ReminderSetting.objects.all()}
    configs = {}
    for kind in registry.kinds():
        row = stored.get(kind.key)
        if row is None:
            configs[kind.key] = KindConfig(kind, kind.default_enabled, tuple(kind.timing.default))
        else:
            configs[kind.key] = KindConfig(kind, row.enabled, tuple(row.offsets), True)
    return configs


def reminder_setting_save(
    *, kind: str, enabled: bool, offsets: Iterable[int], by
) -> ReminderSetting:
    """Change a kind's timing and on/off switch (managers and administrators)."""
    if not access.can_manage_settings(by):
        raise PermissionDenied
    if registry.get_kind(kind) is None:
        raise ValidationError(_("Unknown reminder."))
    offsets = sorted(set(int(value) for value in offsets), reverse=True)
    if not offsets:
        raise ValidationError({"offsets": _("Give at least one time.")})
    if any(value < 0 or value > MAX_OFFSET_HOURS for value in offsets):
        raise ValidationError(
            {
                "offsets": _("Each time must be between 0 and %(max)s hours.")
                % {"max": MAX_OFFSET_HOURS}
            }
        )
    if len(offsets) > 6:
        raise ValidationError({"offsets": _("At most six times.")})
    with transaction.atomic():
        setting, _created = ReminderSetting.objects.select_for_update().get_or_create(
            kind=kind, defaults={"offsets": offsets, "enabled": enabled, "updated_by": by}
        )
        setting.enabled = enabled
        setting.offsets = offsets
        setting.updated_by = by
        setting.full_clean()
        setting.save()
    return setting


# --- Preferences ---------------------------------------------------------------------


def sms_choice_refusal(consultant: Consultant) -> str:
    """Why ``consultant`` may not choose text messages now; "" when she may."""
    if not sms.is_enabled():
        return _("Text messages are not available.")
    if not SmsChannel().address_for(consultant):
        return _("Add a mobile number to your details to receive text messages.")
    return ""


def consultant_preferences_save(*, consultant: Consultant, choices: dict[str, str], by) -> None:
    """A consultant's choice per kind: e-mail, text message, both, or
    nothing. A text message only with a mobile number on file."""
    if not access.can_set_own_preferences(by, consultant):
        raise PermissionDenied
    allowed = {kind.key for kind in registry.kinds(Audience.CONSULTANT)}
    valid = set(ConsultantReminderPreference.Channel.values)
    for key, channel in choices.items():
        if key not in allowed or channel not in valid:
            raise ValidationError(_("Unknown choice."))
    wants_sms = [
        key for key, channel in choices.items() if ConsultantReminderPreference.needs_phone(channel)
    ]
    refusal = sms_choice_refusal(consultant) if wants_sms else ""
    if refusal:
        raise ValidationError({key: refusal for key in wants_sms})
    with transaction.atomic():
        for key, channel in choices.items():
            ConsultantReminderPreference.objects.update_or_create(
                consultant=consultant, kind=key, defaults={"channel": channel}
            )


def staff_preference_save(*, user, daily_digest: bool) -> StaffReminderPreference:
    if not access.can_set_staff_preference(user):
        raise PermissionDenied
    preference, _created = StaffReminderPreference.objects.update_or_create(
        user=user, defaults={"daily_digest": bool(daily_digest)}
    )
    return preference


# --- The sweep ---------------------------------------------------------------------------

_INSERT_COLUMNS = (
    "kind",
    "target_type",
    "target_id",
    "consultant_id",
    "user_id",
    "due_at",
    "send_after",
    "engagement_id",
    "channel",
    "digest",
    "status",
    "reason",
    "attempts",
    "last_error",
    "created_at",
)


def _insert(rows: list[tuple]) -> int:
    """INSERT ... ON CONFLICT DO NOTHING on the identity (one query), then
    revive the rows a change of dates voided if the dates came back to
    their moment (one query). Neither waits for a row being sent."""
    if not rows:
        return 0
    table = ReminderDelivery._meta.db_table
    placeholders = "(" + ", ".join(["%s"] * len(_INSERT_COLUMNS)) + ")"
    values = ", ".join([placeholders] * len(rows))
    params = [value for row in rows for value in row]
    # Only the table name (model meta) and placeholders are put together here.
    insert = (
        f"INSERT INTO {table} ({', '.join(_INSERT_COLUMNS)}) VALUES {values}"  # noqa: S608
        " ON CONFLICT ON CONSTRAINT reminders_delivery_identity DO NOTHING"
    )
    identity = "(%s, %s, %s, %s::bigint, %s::bigint, %s::timestamptz, %s::timestamptz, %s)"
    revive = (
        f"UPDATE {table} AS d SET status = 'pending', reason = '', finished_at = NULL,"  # noqa: S608
        " dispatched_at = NULL, send_after = v.send_after"
        f" FROM (VALUES {', '.join([identity] * len(rows))})"
        " AS v(kind, target_type, target_id, consultant_id, user_id, due_at, send_after, channel)"
        " WHERE d.status = 'void' AND d.kind = v.kind AND d.target_type = v.target_type"
        " AND d.target_id = v.target_id AND d.due_at = v.due_at AND d.channel = v.channel"
        " AND d.consultant_id IS NOT DISTINCT FROM v.consultant_id"
        " AND d.user_id IS NOT DISTINCT FROM v.user_id"
    )
    # The identity's columns (see _INSERT_COLUMNS): the first seven and the channel.
    revive_params = [value for row in rows for value in (*row[:7], row[8])]
    with connection.cursor() as cursor:
        cursor.execute(insert, params)
        inserted = cursor.rowcount
        cursor.execute(revive, revive_params)
        return inserted + cursor.rowcount


def _digest_users(user_ids: set[int]) -> set[int]:
    if not user_ids:
        return set()
    return set(
        StaffReminderPreference.objects.filter(user_id__in=user_ids, daily_digest=True).values_list(
            "user_id", flat=True
        )
    )


def _consultant_choices(kind_key: str, consultant_ids: set[int]) -> dict[int, str]:
    """Each consultant's choice for one kind (one query); none: e-mail."""
    if not consultant_ids:
        return {}
    return dict(
        ConsultantReminderPreference.objects.filter(
            kind=kind_key, consultant_id__in=consultant_ids
        ).values_list("consultant_id", "channel")
    )


def _channels_of(choice: str | None) -> tuple[str, ...]:
    # "Not at all" still records one (e-mail) row, skipped when it is due, so
    # the log shows the reminder was there and why it did not go.
    return ConsultantReminderPreference.delivery_channels(choice) or ("email",)


def _rows_for(kind: ReminderKind, batch: list[Due], now: datetime.datetime) -> list[tuple]:
    consultant_kind = kind.audience == Audience.CONSULTANT
    digest = (
        set() if consultant_kind else _digest_users({due.user_id for due in batch if due.user_id})
    )
    choices = (
        _consultant_choices(kind.key, {due.consultant_id for due in batch if due.consultant_id})
        if consultant_kind
        else {}
    )
    rows = []
    for due in batch:
        if (due.consultant_id is None) == (due.user_id is None):
            raise ValueError(f"{kind.key}: a reminder has exactly one recipient.")
        if consultant_kind:
            send_after = quiet.next_allowed(due.due_at)
            channels = _channels_of(choices.get(due.consultant_id or 0))
        else:
            send_after = due.due_at
            channels = ("email",)
        for channel in channels:
            rows.append(
                (
                    kind.key,
                    due.target[0],
                    due.target[1],
                    due.consultant_id,
                    due.user_id,
                    due.due_at,
                    send_after,
                    due.engagement_id,
                    channel,
                    due.user_id in digest,
                    D.PENDING,
                    "",
                    0,
                    "",
                    now,
                )
            )
    return rows


def deliveries_record(
    *, kind_key: str, dues: list[Due], now: datetime.datetime | None = None
) -> list[int]:
    """Record reminders of ``kind_key`` the moment the data makes them due,
    without waiting for the sweep (an invitation is told at once, see
    ``reminders.invitations``); returns the ids of the rows now pending and
    due, to send after the commit. The same ``INSERT ... ON CONFLICT DO
    NOTHING`` on the identity as the sweep, so the sweep finding them later
    records nothing twice. The rows are marked handed out: the dispatcher
    leaves them to the caller for ``REMINDERS_REDISPATCH_SECONDS``, then
    picks up any whose sending was lost. Call inside the transaction of the
    change, so the rows commit or roll back with it. Nothing when the kind
    is off."""
    now = now or timezone.now()
    config = kind_configs().get(kind_key)
    if config is None or not config.enabled or not dues:
        return []
    kind = config.kind
    _insert(_rows_for(kind, dues, now))
    identities = Q()
    for due in dues:
        identities |= Q(
            target_type=due.target[0],
            target_id=due.target[1],
            consultant_id=due.consultant_id,
            user_id=due.user_id,
            due_at=due.due_at,
        )
    pending = ReminderDelivery.objects.filter(identities, kind=kind_key, status=D.PENDING)
    pending.filter(dispatched_at__isnull=True).update(dispatched_at=now)
    return list(pending.filter(send_after__lte=now).order_by("pk").values_list("pk", flat=True))


@dataclass
class SweepResult:
    recorded: int = 0
    batches: int = 0
    per_kind: dict[str, int] = field(default_factory=dict)


def reminders_sweep(
    *, now: datetime.datetime | None = None, batch_size: int | None = None
) -> SweepResult:
    """Record every reminder that fell due, once. Each batch of a kind is
    one or two reading queries and one insert, whatever the volume."""
    now = now or timezone.now()
    batch_size = batch_size or _setting("REMINDERS_BATCH_SIZE", 500)
    result = SweepResult()
    for config in kind_configs().values():
        if not config.enabled:
            continue
        kind = config.kind
        window = Window(
            since=now - kind.lookback, until=now, offsets=config.offsets, batch_size=batch_size
        )
        count = 0
        for batch in kind.collect(window):
            if not batch:
                continue
            result.batches += 1
            count += _insert(_rows_for(kind, batch, now))
        result.per_kind[kind.key] = count
        result.recorded += count
    return result


def deliveries_dispatch(
    *, now: datetime.datetime | None = None, limit: int = 2000, chunk: int = 25
) -> list[list[int]]:
    """Pending rows whose moment has come and that no live worker holds,
    in chunks for ``deliver_reminders`` tasks. Marks them handed out."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=_setting("REMINDERS_REDISPATCH_SECONDS", 600))
    with transaction.atomic():
        ids = list(
            ReminderDelivery.objects.select_for_update(skip_locked=True)
            .filter(status=D.PENDING, digest=False, send_after__lte=now)
            .filter(Q(dispatched_at__isnull=True) | Q(dispatched_at__lt=stale))
            .order_by("send_after", "id")
            .values_list("id", flat=True)[:limit]
        )
        if ids:
            ReminderDelivery.objects.filter(id__in=ids).update(dispatched_at=now)
    return [ids[start : start + chunk] for start in range(0, len(ids), chunk)]


# --- Sending one ---------------------------------------------------------------------


def _language_of(recipient) -> str:
    available = {code for code, _name in settings.LANGUAGES}
    for code in getattr(recipient, "preferred_languages", None) or []:
        if code in available:
            return code
    return settings.LANGUAGE_CODE


def _greeting(recipient) -> str:
    if isinstance(recipient, Consultant):
        return recipient.greeting_name
    return str(recipient)


def _render_part(template: str, context: dict, *, required: bool = True) -> str:
    try:
        return render_to_string(template, context)
    except TemplateDoesNotExist:
        if required:
            raise
        return ""


def _sms_text(kind: ReminderKind, context: dict) -> str:
    """One SMS: the kind's ``-sms.txt`` on one line if it fits, else the
    generic line with the kind's link, else with the portal's. A link is
    never cut: when even that is too long, sending fails (and says so)."""
    text = " ".join(_render_part(kind.template("sms.txt"), context, required=False).split())
    if text and sms.fits_one_sms(text):
        return text
    for url in (context.get("url"), context.get("portal_url")):
        if not url:
            continue
        generic = _("Tinig: you have something to look at. %(url)s") % {"url": url}
        if sms.fits_one_sms(generic):
            return generic
    raise sms.SmsTooLong("Even the generic text is longer than one SMS: check the site's domain.")


def render_message(
    kind: ReminderKind,
    *,
    recipient,
    context: dict,
    language: str | None = None,
    channel: str = "email",
) -> Message:
    """The message of ``kind`` for ``recipient``, in their language: an
    e-mail (subject, text, HTML), or for ``channel="sms"`` one text."""
    language = language or _language_of(recipient)
    with translation.override(language), timezone.override(settings.TIME_ZONE):
        full = {
            "greeting": _greeting(recipient),
            "portal_url": build_absolute_uri(None, "/portal/"),
            "staff_url": build_absolute_uri(None, "/staff/"),
            "preferences_url": build_absolute_uri(
                None,
                "/portal/reminders/"
                if kind.audience == Audience.CONSULTANT
                else "/staff/reminders/me/",
            ),
            **context,
        }
        if channel == "sms":
            return Message(subject="", text=_sms_text(kind, full))
        subject = " ".join(_render_part(kind.template("subject.txt"), full).split()).strip()
        text = _render_part(kind.template("body.txt"), full)
        html = _render_part(kind.template("body.html"), full, required=False)
    return Message(subject=subject, text=text, html=html)


def _recipient_gone(delivery: ReminderDelivery) -> str:
    consultant = delivery.consultant  # None, without a query, for a staff delivery
    if consultant is not None:
        if consultant.status == Consultant.Status.ALUMNI or consultant.is_erased:
            return R.INACTIVE
        return ""
    # Never None here: a delivery has exactly one recipient (a database constraint).
    if delivery.user is None or not delivery.user.is_active:
        return R.INACTIVE
    return ""


def _opted_out(delivery: ReminderDelivery) -> bool:
    """The consultant no longer wants this kind by this row's channel."""
    if not delivery.consultant_id:
        return False
    choice = (
        ConsultantReminderPreference.objects.filter(
            consultant_id=delivery.consultant_id, kind=delivery.kind
        )
        .values_list("channel", flat=True)
        .first()
    )
    return delivery.channel not in ConsultantReminderPreference.delivery_channels(choice)


def _finish(delivery: ReminderDelivery, status: str, reason: str, now) -> str:
    delivery.status = status
    delivery.reason = reason
    delivery.finished_at = now
    delivery.save(update_fields=["status", "reason", "finished_at"])
    return status


def retry_delay(attempts: int) -> datetime.timedelta:
    base = _setting("REMINDERS_RETRY_BASE_SECONDS", 60)
    return datetime.timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 6 * 60 * 60))


def _check(delivery: ReminderDelivery, kind: ReminderKind | None, configs, now) -> Prepared | Skip:
    if kind is None:
        return Skip(R.NOT_DUE)
    config = configs.get(kind.key)
    if config is None or not config.enabled:
        return Skip(R.KIND_OFF)
    gone = _recipient_gone(delivery)
    if gone:
        return Skip(gone)
    if _opted_out(delivery):
        return Skip(R.OPTED_OUT)
    return kind.prepare(delivery, now=now)


def delivery_send(*, delivery_id: int, now: datetime.datetime | None = None) -> str:
    """Send one reminder if it is still pending and due. Returns what
    happened: "sent", "skipped", "void", "retry", "failed", "quiet",
    "not_yet" or "taken" (sent, finished, or held by another worker)."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            # Waits while another worker holds the row, then finds it sent.
            ReminderDelivery.objects.select_for_update(of=("self",))
            .select_related("consultant", "consultant__user", "user")
            .filter(pk=delivery_id, status=D.PENDING)
            .first()
        )
        if delivery is None:
            return "taken"
        if delivery.send_after > now:
            return "not_yet"
        kind = registry.get_kind(delivery.kind)
        if kind is not None and kind.audience == Audience.CONSULTANT and quiet.is_quiet(now):
            delivery.send_after = quiet.next_allowed(now)
            delivery.dispatched_at = None
            delivery.save(update_fields=["send_after", "dispatched_at"])
            return "quiet"
        verdict = _check(delivery, kind, kind_configs(), now)
        if isinstance(verdict, Skip):
            return _finish(delivery, D.VOID if verdict.void else D.SKIPPED, verdict.reason, now)
        if kind is None:  # never: _check skips a delivery of an unknown kind
            raise RuntimeError(f"Unknown reminder kind {delivery.kind!r}.")
        recipient = delivery.recipient
        channel = get_channel(delivery.channel)
        if not channel.is_available():
            return _finish(delivery, D.SKIPPED, R.CHANNEL_OFF, now)
        address = channel.address_for(recipient)
        if not address:
            return _finish(delivery, D.SKIPPED, R.NO_ADDRESS, now)
        delivery.attempts += 1
        try:
            # Rendering too: a text that cannot fit, or a broken template, is
            # a recorded failure that ends on the failed list, not a task
            # that crashes and is handed out again forever.
            message = render_message(
                kind, recipient=recipient, context=verdict.context, channel=delivery.channel
            )
            channel.send(message, address=address, reference=f"tinig.reminder.{delivery.pk}")
        except Exception as error:
            delivery.last_error = type(error).__name__[:120]
            if delivery.attempts >= _setting("REMINDERS_MAX_ATTEMPTS", 5):
                delivery.status = D.FAILED
                delivery.finished_at = now
                outcome = "failed"
            else:
                # The task retries it after the same delay; should that retry
                # be lost, the sweep hands it out once its time has come.
                delivery.send_after = now + retry_delay(delivery.attempts)
                delivery.dispatched_at = None
                outcome = "retry"
            delivery.save(
                update_fields=[
                    "attempts",
                    "last_error",
                    "status",
                    "finished_at",
                    "send_after",
                    "dispatched_at",
                ]
            )
            logger.warning(
                "Reminder %s (%s): sending failed with %s, attempt %s.",
                delivery.pk,
                delivery.kind,
                delivery.last_error,
                delivery.attempts,
            )
            return outcome
        delivery.status = D.SENT
        delivery.reason = ""
        delivery.finished_at = now
        delivery.save(update_fields=["attempts", "status", "reason", "finished_at"])
        return "sent"


def delivery_retry(*, delivery: ReminderDelivery, by) -> ReminderDelivery:
    """Staff: try a failed delivery again (from the failed deliveries page)."""
    if not access.can_retry(by):
        raise PermissionDenied
    from reminders import tasks

    now = timezone.now()
    with transaction.atomic():
        updated = ReminderDelivery.objects.filter(pk=delivery.pk, status=D.FAILED).update(
            status=D.PENDING,
            digest=False,
            attempts=0,
            send_after=now,
            dispatched_at=now,
            finished_at=None,
            retried_by=by,
            retried_at=now,
        )
        if updated != 1:
            raise ValidationError(_("Only a failed reminder can be tried again."))
        transaction.on_commit(lambda: tasks.deliver_reminders.delay([delivery.pk]))
    delivery.refresh_from_db()
    return delivery


# --- Voiding -------------------------------------------------------------------------


def engagement_reminders_recheck(
    *, engagement_id: int, now: datetime.datetime | None = None
) -> int:
    """After a change of dates (or a cancellation): void or skip the pending
    reminders of the engagement that no longer match it. Runs inside the
    transaction of the change. Returns how many were closed."""
    now = now or timezone.now()
    closed = 0
    pending = (
        ReminderDelivery.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("consultant", "user")
        .filter(engagement_id=engagement_id, status=D.PENDING)
    )
    for delivery in pending:
        kind = registry.get_kind(delivery.kind)
        verdict = kind.prepare(delivery, now=now) if kind else Skip(R.NOT_DUE)
        if isinstance(verdict, Skip):
            _finish(delivery, D.VOID if verdict.void else D.SKIPPED, verdict.reason, now)
            closed += 1
    return closed


# --- The daily digest for staff ---------------------------------------------------------


def digest_recipients(*, now: datetime.datetime | None = None) -> list[int]:
    now = now or timezone.now()
    return list(
        ReminderDelivery.objects.filter(status=D.PENDING, digest=True, send_after__lte=now)
        .order_by()
        .values_list("user_id", flat=True)
        .distinct()
    )


def digest_send(*, user_id: int, now: datetime.datetime | None = None) -> str:
    """One message with every pending digest reminder of one staff member,
    sent once: the rows are locked, sent and marked in one transaction."""
    from reminders.kinds import DIGEST_TEMPLATES

    now = now or timezone.now()
    configs = kind_configs()
    with transaction.atomic():
        rows = list(
            ReminderDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("user")
            .filter(user_id=user_id, status=D.PENDING, digest=True, send_after__lte=now)
            .order_by("due_at", "id")
        )
        if not rows:
            return "taken"
        user = rows[0].user
        items = []
        keep = []
        for delivery in rows:
            kind = registry.get_kind(delivery.kind)
            verdict = _check(delivery, kind, configs, now)
            if isinstance(verdict, Skip):
                _finish(delivery, D.VOID if verdict.void else D.SKIPPED, verdict.reason, now)
                continue
            if kind is None:  # never: _check skips a delivery of an unknown kind
                raise RuntimeError(f"Unknown reminder kind {delivery.kind!r}.")
            line = render_message(kind, recipient=user, context=verdict.context)
            items.append({"subject": line.subject, "url": verdict.context.get("url", "")})
            keep.append(delivery)
        if not keep:
            return "skipped"
        channel = get_channel("email")
        address = channel.address_for(user)
        if not address:
            for delivery in keep:
                _finish(delivery, D.SKIPPED, R.NO_ADDRESS, now)
            return "skipped"
        with translation.override(settings.LANGUAGE_CODE):
            context = {"greeting": str(user), "items": items, "count": len(items)}
            message = Message(
                subject=" ".join(
                    render_to_string(DIGEST_TEMPLATES + "-subject.txt", context).split()
                ),
                text=render_to_string(DIGEST_TEMPLATES + "-body.txt", context),
            )
        ids = [delivery.pk for delivery in keep]
        try:
            channel.send(message, address=address, reference=f"tinig.digest.{user_id}.{min(ids)}")
        except Exception as error:
            for delivery in keep:
                delivery.attempts += 1
                delivery.last_error = type(error).__name__[:120]
                if delivery.attempts >= _setting("REMINDERS_MAX_ATTEMPTS", 5):
                    delivery.status = D.FAILED
                    delivery.finished_at = now
                delivery.save(update_fields=["attempts", "last_error", "status", "finished_at"])
            return "retry"
        ReminderDelivery.objects.filter(pk__in=ids).update(
            status=D.SENT, reason="", finished_at=now, attempts=F("attempts") + 1
        )
        return "sent"
