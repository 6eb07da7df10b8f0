"""The audit trail: change history and sensitive access, one store.

django-auditlog keeps both. Every domain model registers through
``register()``, which masks every encrypted field, so a change history
never holds a legal name, a contact detail or a note: it says that the
field changed, not what it held. A "reveal" of a sensitive value is an
ACCESS entry written by ``record_access()`` with the fields shown and the
reason given. Entries are append-only: a database trigger (migration
core/0001) refuses UPDATE and DELETE on them.

Actors are recorded by id (``actor``), never by address: a consultant acts
in the portal too, and her address in an entry that can never be deleted
could never be erased. The database empties ``actor_email`` on every
insert (migration core/0003), whatever fills it; the one update the
append-only trigger allows is blanking that column through
``redact_actor_addresses``, which records that it did. Clearing the actor
itself is refused, so an account that has acted is deactivated, never
deleted.
"""

from __future__ import annotations

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils.translation import gettext, gettext_noop

from core.encryption import encrypted_field_names

MASK = "[encrypted]"


def mask_encrypted(value: str) -> str:
    """AUDITLOG_MASK_CALLABLE: nothing of the value survives, not even its length."""
    return MASK


def register(model=None, **options):
    """Register a model for change history with its encrypted fields masked.

    Use as ``core.audit.register(Model)`` in an app's ``ready()`` or as a
    class decorator.
    """

    def _register(cls):
        mask = set(options.pop("mask_fields", [])) | set(encrypted_field_names(cls))
        auditlog.register(cls, mask_fields=sorted(mask), **options)
        return cls

    if model is None:
        return _register
    return _register(model)


def client_address(request) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR")


def record_access(*, actor, instance, fields: list[str], reason: str, request=None) -> LogEntry:
    """Record that ``actor`` saw ``fields`` of ``instance`` and why.

    Written before the value is shown; if it cannot be written, nothing is
    shown (the caller's transaction fails with it).
    """
    if not reason or not reason.strip():
        raise ValueError("A reveal needs a reason.")
    return LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        actor=actor,
        remote_addr=client_address(request),
        changes={},
        additional_data={"fields": sorted(fields), "reason": reason.strip()},
    )


# The reasons Tinig writes itself ("downloaded", "viewed on the consultant
# page"...) are stored in English, the same for every reader, and marked
# with gettext_noop where they are written; ``reason_text`` shows them in
# the reader's language. A reason a person typed is shown as they wrote it.
VIEWED_ON = "viewed on "
gettext_noop("viewed on %(page)s")


def record_view(*, actor, instance, fields: list[str], page: str, request=None) -> LogEntry | None:
    """Record that a page showed encrypted values in its normal view (no
    reveal form): one ACCESS entry per response, on the page's own object,
    listing the fields shown as ``<model>.<field>`` with the reason
    "viewed on <page>" (``page`` marked with gettext_noop, for
    ``reason_text``), however many rows held them. Nothing is written
    when nothing was shown (``fields`` empty). Call it before rendering:
    if it cannot be written, nothing is shown. Which fields a page shows
    this way, and which need a reveal: docs/ARCHITECTURE.md, "Encrypted
    fields on pages"."""
    if not fields:
        return None
    return record_access(
        actor=actor,
        instance=instance,
        fields=sorted(set(fields)),
        reason=f"{VIEWED_ON}{page}",
        request=request,
    )


def reason_text(reason: str) -> str:
    """An access entry's reason, as the active language says it."""
    if not reason:
        return ""
    if reason.startswith(VIEWED_ON):
        page = reason.removeprefix(VIEWED_ON)
        return gettext("viewed on %(page)s") % {"page": gettext(page)}
    return gettext(reason)


def shown_field(model, name: str) -> str:
    """How ``record_view`` names a field: ``debrief.note``."""
    return f"{model._meta.model_name}.{name}"


REDACTION_EVENT = "actor_addresses_redacted"


def redact_actor_addresses(*, reason: str, actor=None, by=None) -> int:
    """Blank ``actor_email`` on the entries that still hold one (of ``actor``'s
    entries only, when given): the one change the append-only trigger
    allows, and only on this path, which sets ``tinig.audit_redaction`` for
    its own transaction and writes an entry saying how many rows it blanked,
    why, and who asked (``by``). Returns that count; writes nothing when 0.

    New entries never hold an address (the trigger empties it), so this is
    for entries written before that rule, and for erasure to be sure."""
    if not reason or not reason.strip():
        raise ValueError("A redaction needs a reason.")
    with transaction.atomic():
        # An entry with no actor id keeps its address: the only record of
        # who acted (the trigger refuses that change; core/migrations/0004).
        entries = LogEntry.objects.filter(actor_email__isnull=False, actor__isnull=False)
        if actor is not None:
            entries = entries.filter(actor=actor)
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL tinig.audit_redaction = 'on'")
            try:
                count = entries.update(actor_email=None)
            finally:
                cursor.execute("SET LOCAL tinig.audit_redaction = 'off'")
        if count:
            LogEntry.objects.create(
                content_type=ContentType.objects.get_for_model(LogEntry),
                object_pk="",
                object_repr="audit trail",
                action=LogEntry.Action.UPDATE,
                changes={},
                actor=by,
                additional_data={
                    "event": REDACTION_EVENT,
                    "rows": count,
                    "reason": reason.strip(),
                    **({"of_actor": actor.pk} if actor is not None else {}),
                },
            )
    return count


def record_event(instance, *, actor, event: str, request=None, **data) -> LogEntry:
    """An audit entry for an action that is more than a field change (a
    person resent a reminder, or marked it sent): who, what, from where."""
    return LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        actor=actor,
        remote_addr=client_address(request),
        changes={},
        additional_data={"event": event, **data},
    )
