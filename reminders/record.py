"""The reminders app's section of a consultant's record (``consultants.record``):
every reminder addressed to her, with what kind it was, its subject line,
when it was due and sent, how it was sent, and why one was not sent.

Reminders deliberately store no subject, body or address (see
``reminders.models``). The subject shown here is the kind's subject
template rendered again now, in the record's language, with the little
each subject needs (a date) read in one query per kind from the thing the
reminder was about: an app whose subject needs such a date registers a
``subject context`` for its kind with ``register_subject_context``.
Bodies are never rendered or kept.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.plain_text import render_text
from consultants.models import Consultant
from consultants.record import Entry, RecordSection, Row, choice, register_record_section
from engagements.models import Engagement
from reminders import registry
from reminders.models import ReminderDelivery

# kind -> (deliveries of that kind) -> {delivery pk: template context}, one query.
SubjectContext = Callable[[list[ReminderDelivery]], dict[int, dict]]
_subject_contexts: dict[str, SubjectContext] = {}


def register_subject_context(kind: str, context: SubjectContext) -> None:
    """What the subject template of ``kind`` needs, for a batch of deliveries
    (one query for the whole batch)."""
    _subject_contexts[kind] = context


def _engagement_start(deliveries: list[ReminderDelivery]) -> dict[int, dict]:
    starts = dict(
        Engagement.objects.filter(
            pk__in={d.engagement_id for d in deliveries if d.engagement_id}
        ).values_list("pk", "start")
    )
    return {d.pk: {"start": starts.get(d.engagement_id)} for d in deliveries}


register_subject_context("engagement_upcoming", _engagement_start)


def _subjects(deliveries: Iterable[ReminderDelivery]) -> dict[int, str]:
    by_kind: dict[str, list[ReminderDelivery]] = defaultdict(list)
    for delivery in deliveries:
        by_kind[delivery.kind].append(delivery)
    subjects: dict[int, str] = {}
    for key, batch in by_kind.items():
        kind = registry.get_kind(key)
        if kind is None:
            continue
        hook = _subject_contexts.get(key)
        contexts = hook(batch) if hook else {}
        for delivery in batch:
            text = render_text(kind.template("subject.txt"), contexts.get(delivery.pk, {}))
            subjects[delivery.pk] = " ".join(text.split())
    return subjects


def build_reminders(consultant: Consultant) -> RecordSection:
    deliveries = list(
        ReminderDelivery.objects.filter(consultant=consultant)
        .only(
            "id",
            "kind",
            "engagement_id",
            "target_id",
            "due_at",
            "status",
            "reason",
            "channel",
            "digest",
            "finished_at",
        )
        .order_by("due_at", "id")
    )
    subjects = _subjects(deliveries)
    rows = []
    for delivery in deliveries:
        kind = registry.get_kind(delivery.kind)
        label = str(kind.label) if kind else delivery.kind
        sent = delivery.status == ReminderDelivery.Status.SENT
        rows.append(
            Row(
                title=label,
                entries=[
                    Entry("kind", _("Reminder"), delivery.kind, display=label),
                    Entry("subject", _("Subject"), subjects.get(delivery.pk, "")),
                    Entry("due_at", _("Due"), delivery.due_at),
                    choice("status", _("Status"), delivery.status, ReminderDelivery.Status.choices),
                    Entry("sent_at", _("Sent"), delivery.finished_at if sent else None),
                    Entry(
                        "channel",
                        _("Sent by"),
                        delivery.channel,
                        display=_("E-mail") if delivery.channel == "email" else delivery.channel,
                    ),
                    Entry("in_digest", _("In a morning summary"), delivery.digest),
                    choice(
                        "reason",
                        _("Why it was not sent"),
                        delivery.reason,
                        ReminderDelivery.Reason.choices,
                    ),
                ],
            )
        )
    return RecordSection(
        rows=rows,
        intro=_(
            "The reminders addressed to you. We keep no copy of the messages: the "
            "subject is written again here from today's data."
        ),
        empty=_("No reminders yet."),
    )


# Imported by RemindersConfig.ready().
register_record_section(
    "reminders", title=gettext_lazy("Reminders sent to you"), order=400, build=build_reminders
)
