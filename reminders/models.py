"""Reminders: what was (or will be) sent, to whom, and how people want them.

``ReminderDelivery`` is the record that makes every reminder go out exactly
once. Its identity is (kind, target, recipient, due moment, channel), a unique
constraint in PostgreSQL: the sweep inserts with ``ON CONFLICT DO NOTHING``,
so two beat processes, a retried task or a sweep that runs twice create
one row. A row is claimed (pending to "being sent") in a committed
transaction before its message goes and confirmed (sent) after, so a
crash in between leaves a "being sent" row that recovery turns into a
resend or a "possibly sent" row for a person, by the kind's policy
(``reminders.services``, "Exactly once").

Nothing here stores a message body, a subject or an address: the message
is rendered and addressed at the moment it is sent, and the log shows
only what kind of reminder went to whom (by pseudonym) and when.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultants.models import Consultant

MAX_OFFSET_HOURS = 24 * 60  # sixty days either side of the anchor


class ReminderSetting(models.Model):
    """A kind's timing and on/off switch, when staff changed the defaults.

    No row: the kind's defaults apply (``reminders.registry``)."""

    kind = models.CharField(_("kind"), max_length=50, unique=True)
    enabled = models.BooleanField(_("on"), default=True)
    offsets = ArrayField(
        models.PositiveIntegerField(validators=[MaxValueValidator(MAX_OFFSET_HOURS)]),
        verbose_name=_("timing (hours)"),
        size=6,
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("reminder setting")
        verbose_name_plural = _("reminder settings")
        ordering = ["kind"]

    def __str__(self):
        return self.kind


class ReminderDelivery(models.Model):
    """One reminder to one recipient, from the moment it is due until it is
    sent, skipped, voided or given up on."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        # Claimed by a worker, the message going out; confirmed "sent" after.
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        # A send was cut short between claim and confirm and the kind holds
        # such rows for a person: "send again" or "mark as sent".
        UNCERTAIN = "uncertain", _("Possibly sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent")
        VOID = "void", _("Replaced")

    # A skipped or voided delivery says why, as one of these codes.
    class Reason(models.TextChoices):
        NONE = "", _("—")
        OPTED_OUT = "opted_out", _("Turned off by the recipient")
        KIND_OFF = "kind_off", _("Reminder turned off")
        NO_ADDRESS = "no_address", _("No address to send to")
        NOT_DUE = "not_due", _("No longer needed")
        CANCELLED = "cancelled", _("Engagement cancelled or ended")
        STEPPED_BACK = "stepped_back", _("Consultant stepped back or declined")
        FULL = "full", _("Invitation closed: enough consultants said yes")
        INACTIVE = "inactive", _("Recipient inactive")
        DATES_CHANGED = "dates_changed", _("Dates changed")
        TOO_LATE = "too_late", _("Too late to be useful")
        CHANNEL_OFF = "channel_off", _("Text messages are turned off")

    kind = models.CharField(_("kind"), max_length=50)
    target_type = models.CharField(_("about"), max_length=60)
    target_id = models.BigIntegerField(_("about (id)"))
    consultant = models.ForeignKey(
        Consultant,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("consultant"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("staff member"),
    )
    due_at = models.DateTimeField(_("due"))
    # Not before: the due moment moved out of quiet hours, then later on
    # each failed attempt (exponential backoff).
    send_after = models.DateTimeField(_("not before"))
    # Grouping for the log and for voiding on a change of dates.
    engagement_id = models.BigIntegerField(_("engagement (id)"), null=True, blank=True)
    # "email" or "sms": a consultant who wants both gets two rows, each sent
    # once (the channel is part of the identity).
    channel = models.CharField(_("channel"), max_length=20, default="email")
    digest = models.BooleanField(
        _("in the daily digest"),
        default=False,
        help_text=_("Sent with the recipient's other reminders in one morning message."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    reason = models.CharField(
        _("reason"), max_length=20, choices=Reason.choices, blank=True, default=""
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # The class of the last error only: an SMTP message can hold an address.
    last_error = models.CharField(_("last error"), max_length=120, blank=True)
    # When a task was last asked to send it; a pending row whose task was
    # lost with its worker is asked again after REMINDERS_REDISPATCH_SECONDS.
    dispatched_at = models.DateTimeField(_("handed to a worker at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    retried_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("retried by"),
    )
    retried_at = models.DateTimeField(_("retried at"), null=True, blank=True)
    # The claim: when a worker took the row to send it, and a token that
    # fences its confirmation (a row recovered and claimed again has
    # another token, so a late confirmation of the old claim changes nothing).
    claimed_at = models.DateTimeField(_("send started at"), null=True, blank=True)
    claim = models.UUIDField(_("claim"), null=True, blank=True, editable=False)
    # How many sends of this row were cut short (claimed, never confirmed).
    # db_default: the sweep inserts with raw SQL that names only its columns.
    interrupted = models.PositiveSmallIntegerField(_("sends cut short"), default=0, db_default=0)
    # A person who decided a "possibly sent" row had gone ("mark as sent").
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked as sent by"),
    )
    resolved_at = models.DateTimeField(_("marked as sent at"), null=True, blank=True)

    # What a person may do with a row on the failed-reminders page, by
    # status: (action, label). ``actions()`` answers for one row; the
    # services check the same table before they act.
    STAFF_ACTIONS: dict[str, tuple[tuple[str, str], ...]] = {
        Status.FAILED: (("retry", _("Try again")),),
        Status.UNCERTAIN: (("retry", _("Send again")), ("mark_sent", _("Mark as sent"))),
    }
    NEEDS_A_PERSON = (Status.FAILED, Status.UNCERTAIN)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-due_at", "-id"]
        constraints = [
            # The identity of a reminder: the sweep's INSERT ... ON CONFLICT
            # DO NOTHING leans on it, so nothing is ever queued twice. One
            # row per channel: an e-mail and a text of one reminder are two.
            models.UniqueConstraint(
                fields=[
                    "kind",
                    "target_type",
                    "target_id",
                    "consultant",
                    "user",
                    "due_at",
                    "channel",
                ],
                name="reminders_delivery_identity",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=(Q(consultant__isnull=False) & Q(user__isnull=True))
                | (Q(consultant__isnull=True) & Q(user__isnull=False)),
                name="reminders_delivery_one_recipient",
            ),
        ]
        indexes = [
            # The dispatcher: pending rows whose moment has come, oldest first.
            models.Index(
                fields=["send_after", "id"],
                condition=Q(status="pending"),
                name="reminders_delivery_due_idx",
            ),
            # Voiding on a change of dates: pending rows of one engagement.
            models.Index(
                fields=["engagement_id"],
                condition=Q(status="pending"),
                name="reminders_delivery_eng_idx",
            ),
            # The log, newest first by (due, id): its keyset pages, whatever
            # their depth (core.bounded.keyset_page).
            models.Index(fields=["-due_at", "-id"], name="reminders_delivery_recent_idx"),
            # The log's status filter and the failed page, in the same order.
            models.Index(fields=["status", "-due_at", "-id"], name="reminders_delivery_log_idx"),
            # Recovery: rows claimed and never confirmed, oldest claim first.
            models.Index(
                fields=["claimed_at"],
                condition=Q(status="sending"),
                name="reminders_delivery_claim_idx",
            ),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk}"

    @property
    def recipient(self):
        return self.consultant if self.consultant_id else self.user

    def actions(self) -> tuple[tuple[str, str], ...]:
        """What a person may do with this row now: (action, label) pairs."""
        return self.STAFF_ACTIONS.get(self.status, ())

    def allows(self, action: str) -> bool:
        return any(name == action for name, _label in self.actions())


# The delivery channels (ReminderDelivery.channel) of each choice below.
_DELIVERY_CHANNELS: dict[str, tuple[str, ...]] = {
    "email": ("email",),
    "sms": ("sms",),
    "both": ("email", "sms"),
    "none": (),
}


class ConsultantReminderPreference(models.Model):
    """How a consultant wants one kind of reminder. No row: by e-mail.

    A text message (SMS) only with a mobile number on file and text
    messages turned on (``reminders.sms``); the services check both."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("By e-mail")
        SMS = "sms", _("By text message")
        BOTH = "both", _("By e-mail and text message")
        NONE = "none", _("Not at all")

    consultant = models.ForeignKey(
        Consultant, on_delete=models.CASCADE, related_name="reminder_preferences"
    )
    kind = models.CharField(_("kind"), max_length=50)
    channel = models.CharField(
        _("how"), max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("consultant reminder preference")
        verbose_name_plural = _("consultant reminder preferences")
        constraints = [
            # Also the index behind "does this consultant want this kind?".
            models.UniqueConstraint(
                fields=["consultant", "kind"], name="reminders_consultant_pref_unique"
            )
        ]

    def __str__(self):
        return f"{self.consultant}: {self.kind}"

    @classmethod
    def delivery_channels(cls, choice: str | None) -> tuple[str, ...]:
        """The delivery channels of a choice ("none": none; no row: e-mail)."""
        return _DELIVERY_CHANNELS.get(choice or cls.Channel.EMAIL, ())

    @classmethod
    def needs_phone(cls, choice: str) -> bool:
        """A choice that sends text messages (a mobile number must be on file)."""
        return "sms" in cls.delivery_channels(choice)


def default_quiet_start() -> datetime.time:
    return datetime.time(21)


def default_quiet_end() -> datetime.time:
    return datetime.time(8)


class StaffReminderPreference(models.Model):
    """A staff member's choices: each reminder as it comes, or one digest a
    day; and their own quiet hours (no reminder between ``quiet_start``
    and ``quiet_end`` in ``time_zone``; equal times: none). No row: the
    defaults, 21:00-08:00 Manila (``reminders.quiet``)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminder_preference",
        verbose_name=_("staff member"),
    )
    daily_digest = models.BooleanField(
        _("one digest a day"),
        default=False,
        help_text=_("Receive one message each morning instead of one per reminder."),
    )
    quiet_start = models.TimeField(_("quiet from"), default=default_quiet_start)
    quiet_end = models.TimeField(_("quiet until"), default=default_quiet_end)
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Manila")
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        verbose_name = _("staff reminder preference")
        verbose_name_plural = _("staff reminder preferences")

    def __str__(self):
        return str(self.user)
