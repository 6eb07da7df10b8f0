"""Sending: render a reminder, claim it, send it, confirm it.

``delivery_send`` (one reminder) and ``digest_send`` (a staff member's
morning digest) follow the same three steps (the package docstring says
why):

1. *Claim*, in a transaction of its own that commits before anything is
   sent: with the row locked, check it is pending, due, outside the
   recipient's quiet hours and still wanted; render the message; set it
   "being sent" with a new claim token and one more attempt.
2. *Send*, in a second transaction that locks the claimed row again (only
   if its claim is still ours) and keeps it locked while the message goes:
   recovery skips locked rows, so the lock is the sign that a live worker
   is on it. ``idle_in_transaction_session_timeout`` bounds how long a
   worker that vanished without closing its connection keeps it.
3. *Confirm*: "sent" in that same transaction. A channel error instead
   records the failure (back to pending with backoff, or failed).

If the database fails after the claim, the worker settles the row itself
in a fresh connection, retrying for ``REMINDERS_SETTLE_SECONDS``: "sent"
if the message went, back to pending if it did not. Only a row it cannot
settle, or whose worker died, is left "being sent" for recovery
(``reminders.services.recovery``).
"""

from __future__ import annotations

import datetime
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from allauth.utils import build_absolute_uri
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.db.models import F
from django.template.loader import TemplateDoesNotExist, render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.language import language_of
from accounts.plain_text import render_text
from consultants.models import Consultant
from reminders import quiet, registry, sms
from reminders.channels import Message, get_channel
from reminders.models import ConsultantReminderPreference, ReminderDelivery
from reminders.registry import Audience, Prepared, ReminderKind, Skip
from reminders.services.configuration import _setting, kind_configs

logger = logging.getLogger(__name__)

D = ReminderDelivery.Status
R = ReminderDelivery.Reason


def _language_of(recipient) -> str:
    """A consultant's or staff member's own language (``accounts.language``);
    a consultant with no portal account yet, her first preferred language
    that Tinig speaks."""
    if isinstance(recipient, Consultant):
        return recipient.interface_language
    return language_of(recipient)


def _greeting(recipient) -> str:
    if isinstance(recipient, Consultant):
        return recipient.greeting_name
    return str(recipient)


def _render_part(template: str, context: dict, *, required: bool = True) -> str:
    """A text part (``.txt``: subject, body, SMS) unescaped, the HTML part
    escaped."""
    render = render_text if template.endswith(".txt") else render_to_string
    try:
        return render(template, context)
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


def _quiet_hours_of(delivery: ReminderDelivery, kind: ReminderKind) -> quiet.QuietHours:
    if kind.audience == Audience.CONSULTANT:
        return quiet.default_hours()
    user = delivery.user
    return quiet.staff_hours(getattr(user, "reminder_preference", None) if user else None)


# --- The claim, the send, the confirmation -------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """Rows claimed together (one, or a digest's), and their token."""

    ids: tuple[int, ...]
    token: uuid.UUID


def _claim(rows: list[ReminderDelivery], now: datetime.datetime) -> Claim:
    """Set locked, checked rows "being sent" (the caller's transaction
    commits it before the send)."""
    claim = Claim(tuple(row.pk for row in rows), uuid.uuid4())
    ReminderDelivery.objects.filter(pk__in=claim.ids).update(
        status=D.SENDING, claim=claim.token, claimed_at=now, attempts=F("attempts") + 1
    )
    return claim


def _failed(claim: Claim, error: Exception, now: datetime.datetime, *, backoff: bool) -> str:
    """Record a channel's failure on claimed rows (locked by the caller):
    back to pending (after a backoff when ``backoff``), or failed after
    ``REMINDERS_MAX_ATTEMPTS``. The error's class only: its text may hold
    an address."""
    error_name = type(error).__name__[:120]
    outcome = "retry"
    for row in ReminderDelivery.objects.filter(pk__in=claim.ids, claim=claim.token):
        row.last_error = error_name
        if row.attempts >= _setting("REMINDERS_MAX_ATTEMPTS", 5):
            row.status = D.FAILED
            row.finished_at = now
            outcome = "failed"
        else:
            row.status = D.PENDING
            if backoff:
                # The task retries it after the same delay; should that retry
                # be lost, recovery hands it out once its time has come.
                row.send_after = now + retry_delay(row.attempts)
            row.dispatched_at = None
        row.save(
            update_fields=["last_error", "status", "finished_at", "send_after", "dispatched_at"]
        )
        logger.warning(
            "Reminder %s (%s): sending failed with %s, attempt %s.",
            row.pk,
            row.kind,
            error_name,
            row.attempts,
        )
    return outcome


def _settle(claim: Claim, *, sent: bool, now: datetime.datetime) -> bool:
    """After a database error: write what became of the claim, in a fresh
    connection, until the database answers or ``REMINDERS_SETTLE_SECONDS``
    pass. "Sent" wins over a recovery that came first, unless the row was
    claimed again since (then its token is no longer ours)."""
    deadline = time.monotonic() + _setting("REMINDERS_SETTLE_SECONDS", 30)
    pause = 0.25
    while True:
        try:
            if not connection.in_atomic_block:
                connection.close()
            rows = ReminderDelivery.objects.filter(pk__in=claim.ids, claim=claim.token)
            if sent:
                rows.filter(status__in=[D.SENDING, D.UNCERTAIN, D.PENDING]).update(
                    status=D.SENT, reason="", finished_at=now
                )
            else:
                rows.filter(status=D.SENDING).update(status=D.PENDING, dispatched_at=None)
            return True
        except DatabaseError:
            if time.monotonic() + pause > deadline:
                logger.warning(
                    "Reminders %s: could not record that they were %s; recovery decides.",
                    list(claim.ids),
                    "sent" if sent else "not sent",
                )
                return False
            time.sleep(pause)
            pause = min(pause * 2, 4)


def _send_claimed(
    claim: Claim, send: Callable[[], None], now: datetime.datetime, *, backoff: bool = True
) -> str:
    """Steps 2 and 3: send with the claimed rows locked, then confirm."""
    sent = False
    try:
        with transaction.atomic():
            held = list(
                ReminderDelivery.objects.select_for_update(of=("self",))
                .filter(pk__in=claim.ids, claim=claim.token, status=D.SENDING)
                .values_list("pk", flat=True)
            )
            if len(held) != len(claim.ids):
                # Recovery took (some of) them in the instant between the
                # claim and this lock: send nothing; give the rest back.
                ReminderDelivery.objects.filter(pk__in=held).update(
                    status=D.PENDING, dispatched_at=None
                )
                return "taken"
            if connection.vendor == "postgresql":
                seconds = int(_setting("REMINDERS_SEND_LOCK_SECONDS", 120))
                with connection.cursor() as cursor:
                    cursor.execute(f"SET LOCAL idle_in_transaction_session_timeout = '{seconds}s'")
            try:
                send()
            except Exception as error:
                return _failed(claim, error, now, backoff=backoff)
            sent = True
            ReminderDelivery.objects.filter(pk__in=claim.ids).update(
                status=D.SENT, reason="", finished_at=now
            )
        return "sent"
    except DatabaseError:
        if _settle(claim, sent=sent, now=now):
            return "sent" if sent else "released"
        raise


def deliveries_send_after_commit(delivery_ids: list[int], *, what: str) -> None:
    """Send the reminders an event has just recorded, once its transaction
    commits, in the process that made it (an invitation, a handed-over
    item, an outcome, a request to review): the message is out when the
    request returns. A failure here is not the event's: the row stays
    pending and the dispatcher hands it to a worker later. ``what`` names
    the message in the log."""
    if not delivery_ids:
        return

    def send() -> None:
        for delivery_id in delivery_ids:
            try:
                delivery_send(delivery_id=delivery_id)
            except Exception:
                logger.exception("%s %s: not sent now; a worker retries.", what, delivery_id)

    transaction.on_commit(send)


def delivery_send(*, delivery_id: int, now: datetime.datetime | None = None) -> str:
    """Send one reminder if it is still pending and due: claim, send,
    confirm. Returns what happened: "sent", "skipped", "void", "retry",
    "failed", "quiet", "not_yet", "taken" (sent, finished, or held by
    another worker) or "released" (the database failed before the send;
    the row is pending again)."""
    now = now or timezone.now()
    with transaction.atomic():
        delivery = (
            # Waits while another worker claims the row, then finds it taken.
            ReminderDelivery.objects.select_for_update(of=("self",))
            .select_related("consultant", "consultant__user", "user", "user__reminder_preference")
            .filter(pk=delivery_id, status=D.PENDING)
            .first()
        )
        if delivery is None:
            return "taken"
        if delivery.send_after > now:
            return "not_yet"
        kind = registry.get_kind(delivery.kind)
        if kind is not None:
            hours = _quiet_hours_of(delivery, kind)
            if hours.is_quiet(now):
                delivery.send_after = hours.next_allowed(now)
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
        claim = _claim([delivery], now)
        try:
            # Rendering too: a text that cannot fit, or a broken template, is
            # a recorded failure that ends on the failed list, not a task
            # that crashes and is handed out again forever.
            message = render_message(
                kind, recipient=recipient, context=verdict.context, channel=delivery.channel
            )
        except Exception as error:
            return _failed(claim, error, now, backoff=True)
    reference = f"tinig.reminder.{delivery.pk}"
    return _send_claimed(
        claim, lambda: channel.send(message, address=address, reference=reference), now
    )


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
    claimed together, sent once, confirmed together."""
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
        with translation.override(language_of(user)):
            context = {"greeting": str(user), "items": items, "count": len(items)}
            message = Message(
                subject=" ".join(render_text(DIGEST_TEMPLATES + "-subject.txt", context).split()),
                text=render_text(DIGEST_TEMPLATES + "-body.txt", context),
            )
        claim = _claim(keep, now)
    reference = f"tinig.digest.{user_id}.{min(claim.ids)}"
    return _send_claimed(
        claim,
        lambda: channel.send(message, address=address, reference=reference),
        now,
        backoff=False,  # the digest task retries with its own backoff
    )
