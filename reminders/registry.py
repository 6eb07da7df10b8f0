"""The kinds of reminder, registered by the apps whose data they watch.

A kind says who it is for, when it is due, how to tell that it still is,
and what the message says. ``reminders`` sweeps every kind that is on,
records each due reminder once (``ReminderDelivery``) and sends it once.

Adding a kind from another app (checklists, compensation) takes one module
and one line in its ``AppConfig.ready()``::

    # checklists/reminders.py
    from django.utils.translation import gettext_lazy as _
    from reminders.registry import (
        Audience, Due, Prepared, ReminderKind, Skip, Timing, batched, register_kind,
    )

    def collect(window):
        # Items whose due moment (due date minus an offset) fell in the window,
        # one bounded query per batch, keyset-paginated by primary key.
        for offset in window.offsets:
            since, until = window.anchor_range(before=offset)
            items = ChecklistItem.objects.filter(done_at=None, due__gt=since, due__lte=until)
            for batch in batched(items.values("pk", "due", "assignee_id", "engagement_id"),
                                 size=window.batch_size):
                yield [
                    Due(target=("checklists.item", row["pk"]), user_id=row["assignee_id"],
                        due_at=row["due"] - window.hours(offset),
                        engagement_id=row["engagement_id"])
                    for row in batch
                ]

    def prepare(delivery, *, now):
        item = ChecklistItem.objects.filter(pk=delivery.target_id).first()
        if item is None or item.done_at:
            return Skip(ReminderDelivery.Reason.NOT_DUE)
        return Prepared({"due": item.due, "url": item.get_staff_url()})

    register_kind(ReminderKind(
        key="checklist_item_due", audience=Audience.STAFF,
        label=_("Checklist items due"),
        timing=Timing(_("Hours before the item is due"), default=(24,)),
        collect=collect, prepare=prepare,
        templates="checklists/reminders/item_due",  # -subject.txt, -body.txt
    ))

    # checklists/apps.py
    def ready(self):
        from checklists import reminders  # noqa: F401  (registers the kinds)

Rules every kind keeps:

- ``collect(window)`` yields lists of ``Due``; each list comes from a fixed
  number of queries (one or two), whatever the volume, so the sweep stays
  bounded per batch. Use ``batched()`` for keyset pagination. A due
  moment is deterministic (computed from the data, never from "now"): it
  is part of the reminder's identity.
- ``prepare(delivery, now=...)`` runs just before sending, with the row
  locked: it returns ``Skip(reason)`` when the reminder is no longer wanted
  (cancelled, answered, withdrawn) or ``Skip(reason, void=True)`` when its
  due moment no longer matches the data (dates changed), and otherwise
  ``Prepared(context)``. It must not write.
- Templates are discreet: "Tinig" and a neutral word ("a meeting", "an
  item"), a date, a link behind the sign-in; never a title, a type of work,
  an audience or anything about a survivor; a consultant is greeted by
  ``greeting`` (their name for messages, or their pseudonym), never by a
  legal name. Templates are rendered in the recipient's language.
- ``offered_to(user)``, when given, narrows whom of the audience the kind
  is offered to in their preferences (``review_requested``: survivor
  leaders only, not every consultant); its collect must only ever name
  such people. One query at most: a role check cached on the user.
- ``on_uncertain`` says what happens to a reminder whose send was cut
  short (see below); choose it for the kind, with the reason here.

When a send is cut short
------------------------

A worker claims a reminder in a committed transaction, sends it, then
confirms it. A crash between the two (a killed worker, a lost database
connection that could not be confirmed in time) leaves a row that was
*possibly* sent: the message may have left, or not. Nobody can know
without asking the mail server or the SMS provider, so each kind says
which mistake is the lesser one:

- ``OnUncertain.RESEND``: send it again. At worst the person gets the
  same message twice. Right when missing the message costs more than a
  repeat: a meeting tomorrow, an invitation to answer, something to send
  in before a date, any note between staff. (E-mail carries a Message-ID
  stable per reminder, so a mail server may drop the copy; a text has no
  such key.)
- ``OnUncertain.HOLD``: keep it as "possibly sent" on the failed-reminders
  page, where a programme manager or an administrator chooses "send
  again" or "mark as sent" (both audited). Right when a second copy could
  mislead or press: a second "payment sent" reads as a second payment
  (and the payment itself shows on her portal whether or not the message
  came), and a consent question asked twice pushes, which consent must
  never do.

==============================  ==========  =========================================
kind                            policy      why
==============================  ==========  =========================================
invitation_waiting              resend      a repeat is harmless; a miss may cost her the place
engagement_upcoming             resend      time, place and support person before the day
availability_refresh            resend      a monthly nudge; a repeat is harmless
consent_renewal                 hold        asking about consent twice is pressure
checklist_item_due              resend      a date she needs; a repeat is harmless
time_to_submit                  resend      a miss delays her pay
payment_sent                    hold        a second copy reads as a second payment
outcome_changed                 resend      "something to look at"; a repeat is harmless
review_requested                resend      a leader's link to a request; a miss stalls its approval
staff kinds (every one)         resend      colleagues: a repeat costs a second, a miss a lapse
==============================  ==========  =========================================
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from allauth.utils import build_absolute_uri
from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet
from django.urls import reverse


class Audience(StrEnum):
    CONSULTANT = "consultant"
    STAFF = "staff"


class OnUncertain(StrEnum):
    """What to do with a reminder whose send was cut short (module docstring)."""

    RESEND = "resend"
    HOLD = "hold"


@dataclass(frozen=True)
class Timing:
    """What the kind's offsets mean, and their defaults (hours)."""

    label: Any
    default: tuple[int, ...]
    help_text: Any = ""


@dataclass(frozen=True)
class Due:
    """One reminder that is due: about ``target`` (type label, id), for one
    recipient (a consultant or a staff user), at ``due_at``."""

    target: tuple[str, int]
    due_at: datetime.datetime
    consultant_id: int | None = None
    user_id: int | None = None
    engagement_id: int | None = None


@dataclass(frozen=True)
class Window:
    """The sweep's question to a kind: which reminders fell due in
    (``since``, ``until``], with these ``offsets`` (hours)?"""

    since: datetime.datetime
    until: datetime.datetime
    offsets: tuple[int, ...]
    batch_size: int = 500

    @staticmethod
    def hours(offset: int) -> datetime.timedelta:
        return datetime.timedelta(hours=offset)

    def anchor_range(
        self, *, before: int = 0, after: int = 0
    ) -> tuple[datetime.datetime, datetime.datetime]:
        """The anchors (e.g. start times) whose reminder ``before`` hours
        ahead (or ``after`` hours later) falls due in this window."""
        shift = self.hours(before) - self.hours(after)
        return self.since + shift, self.until + shift


@dataclass(frozen=True)
class Prepared:
    context: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Skip:
    reason: str
    void: bool = False


Collect = Callable[[Window], Iterable[list[Due]]]
Prepare = Callable[..., Prepared | Skip]


@dataclass(frozen=True)
class ReminderKind:
    key: str
    audience: Audience
    label: Any
    timing: Timing
    collect: Collect
    prepare: Prepare
    templates: str
    description: Any = ""
    # The same, as her own reminder choices say it, to her ("you"); every
    # consultant kind has one (tests/reminders check). The staff's pages
    # keep ``description``, which says to whom it goes.
    description_for_her: Any = ""
    default_enabled: bool = True
    # How long after its due moment a reminder is still worth recording
    # (a sweep that was down for a while does not send stale news).
    lookback: datetime.timedelta = datetime.timedelta(days=2)
    # A send cut short between claim and confirm: send again, or hold it for
    # a person (the module docstring says how to choose).
    on_uncertain: OnUncertain = OnUncertain.RESEND
    # Whom of its audience the kind is offered to, in the choices a person
    # sees (her reminder preferences): None, everyone of the audience; else
    # a test of the user (one query at most, better a cached role check).
    # Staff's settings and log list every kind whatever this says.
    offered_to: Callable[[Any], bool] | None = None

    def template(self, part: str) -> str:
        return f"{self.templates}-{part}"

    def is_offered_to(self, user) -> bool:
        return self.offered_to is None or bool(self.offered_to(user))


_registry: dict[str, ReminderKind] = {}


def register_kind(kind: ReminderKind) -> ReminderKind:
    """Add ``kind``. Registering the same key again replaces it (an app's
    ``ready()`` may run twice), but only from the same module."""
    if not kind.key.replace("_", "").isalnum() or not kind.key.islower() or len(kind.key) > 50:
        raise ImproperlyConfigured(f"Reminder kind {kind.key!r} must be a lower-case slug.")
    existing = _registry.get(kind.key)
    if existing is not None and existing.collect.__module__ != kind.collect.__module__:
        raise ImproperlyConfigured(f"Reminder kind {kind.key!r} is registered twice.")
    if not kind.timing.default:
        raise ImproperlyConfigured(f"Reminder kind {kind.key!r} needs a default timing.")
    _registry[kind.key] = kind
    return kind


def unregister_kind(key: str) -> None:
    """For tests that register a kind of their own."""
    _registry.pop(key, None)


def get_kind(key: str) -> ReminderKind | None:
    return _registry.get(key)


def kinds(audience: Audience | None = None) -> list[ReminderKind]:
    return [
        kind
        for kind in sorted(_registry.values(), key=lambda k: (k.audience, k.key))
        if audience is None or kind.audience == audience
    ]


def kinds_offered_to(user, audience: Audience) -> list[ReminderKind]:
    """The kinds of ``audience`` that ``user`` may choose about (her
    preferences): those with no ``offered_to``, and those it lets through."""
    return [kind for kind in kinds(audience) if kind.is_offered_to(user)]


def batched(queryset: QuerySet, *, size: int, key: str = "pk") -> Iterator[list]:
    """Keyset pagination: lists of at most ``size`` rows, one query each,
    ordered by ``key`` (a unique column). Works on ``values()`` querysets
    (rows are dicts) and on model querysets."""
    last = None
    while True:
        page = queryset.order_by(key)
        if last is not None:
            page = page.filter(**{f"{key}__gt": last})
        rows = list(page[:size])
        if not rows:
            return
        yield rows
        tail = rows[-1]
        last = tail[key] if isinstance(tail, dict) else getattr(tail, key)
        if len(rows) < size:
            return


def absolute_url(name: str, *args: Any) -> str:
    """The full address of a named page, for a link in a message (messages
    are built in a worker, with no request: the Site gives the host)."""
    return build_absolute_uri(None, reverse(name, args=args))


def configured_offsets(kind_key: str) -> tuple[int, ...]:
    """The offsets (hours) a kind is set to now: the stored setting, or the
    kind's default; () for a kind that is not registered."""
    from reminders.services import kind_configs  # services imports this module

    config = kind_configs().get(kind_key)
    return config.offsets if config else ()
