"""Writes of the reminders app: the sweep, sending, recovery, settings and
preferences. One module per topic (``configuration``, ``sweep``,
``sending``, ``recovery``); every public name is importable from here.

Exactly once, step by step:

1. ``reminders_sweep`` asks every kind that is on which reminders fell due
   and inserts them with ``INSERT ... ON CONFLICT DO NOTHING`` on their
   identity (kind, target, recipient, due moment, channel): a second sweep,
   a second beat or a retried task inserts nothing new. (A row voided by a
   change of dates comes back to life if the dates return to that very
   moment.)
2. ``deliveries_dispatch`` hands pending rows whose moment has come to the
   workers, marking them ``dispatched_at`` under ``FOR UPDATE SKIP LOCKED``.
3. ``delivery_send`` *claims* the row (pending to "being sent", a new claim
   token, one more attempt) in a transaction that commits before anything
   is sent; then sends with the row locked and *confirms* it ("sent") in
   a second transaction. A second task for the same row finds it taken.
   A channel error puts it back to pending with backoff, then "failed".
4. ``deliveries_recover`` (beat, every minute; and a little after a worker
   connects to the broker) finds what a crash left:

   - a row "being sent" that no live worker holds: the message may or may
     not have left. Its kind says which mistake is the lesser
     (``ReminderKind.on_uncertain``, reasons in ``reminders.registry``):
     send again (at worst twice) or hold it as "possibly sent" on the
     failed-reminders page, where a manager sends it again or marks it
     sent (``delivery_retry``, ``delivery_mark_sent``, both audited);
   - a pending row handed out more than ``REMINDERS_REDISPATCH_SECONDS``
     (60) ago, or before a worker reconnected: its message died with a
     worker or the broker. It is handed out again; two messages for one
     row are harmless, the claim lets one through.

A database error before the send puts the row back to pending; after the
send, the worker records "sent" in a fresh connection, retrying for
``REMINDERS_SETTLE_SECONDS``; the tasks retry database and broker errors
with backoff. So a crash costs at most one message twice (kinds that
resend) or one row for a person to look at (kinds that hold), never a
silent loss. E-mail's Message-ID is stable per reminder
(``tinig.reminder.<id>``), so a mail server that sees a resend may drop it.

A failed send is recorded (attempts, the error's class, never its text,
which may hold an address) and tried again with exponential backoff
(``REMINDERS_RETRY_BASE_SECONDS`` doubling, at most
``REMINDERS_MAX_ATTEMPTS``), then marked failed.

Quiet hours (``reminders.quiet``): a consultant's reminder due at night
waits until the morning, a staff member's until the end of their own quiet
hours; a retry that would land in them waits too.

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

from reminders.services.configuration import (
    KindConfig,
    consultant_preferences_save,
    kind_configs,
    reminder_setting_save,
    sms_choice_refusal,
    staff_preference_save,
)
from reminders.services.recovery import (
    RecoveryResult,
    deliveries_recover,
    delivery_mark_sent,
    delivery_retry,
)
from reminders.services.sending import (
    _language_of,
    deliveries_send_after_commit,
    delivery_send,
    digest_recipients,
    digest_send,
    render_message,
    retry_delay,
)
from reminders.services.sweep import (
    SweepResult,
    deliveries_dispatch,
    deliveries_record,
    deliveries_undispatch,
    engagement_reminders_recheck,
    reminders_sweep,
)

__all__ = [
    "KindConfig",
    "RecoveryResult",
    "SweepResult",
    "_language_of",
    "consultant_preferences_save",
    "deliveries_dispatch",
    "deliveries_record",
    "deliveries_recover",
    "deliveries_send_after_commit",
    "deliveries_undispatch",
    "delivery_mark_sent",
    "delivery_retry",
    "delivery_send",
    "digest_recipients",
    "digest_send",
    "engagement_reminders_recheck",
    "kind_configs",
    "reminder_setting_save",
    "reminders_sweep",
    "render_message",
    "retry_delay",
    "sms_choice_refusal",
    "staff_preference_save",
]
