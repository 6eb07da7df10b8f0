"""The audit trail: change history and sensitive access, one store.

django-auditlog keeps both. Every domain model registers through
``register()``, which masks every encrypted field, so a change history
never holds a legal name, a contact detail or a note: it says that the
field changed, not what it held. A "reveal" of a sensitive value is an
ACCESS entry written by ``record_access()`` with the fields shown and the
reason given. Entries are append-only: a database trigger (migration
core/0001) refuses UPDATE and DELETE on them.
"""

from __future__ import annotations

from auditlog.models import LogEntry
from auditlog.registry import auditlog

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
        # Kept when the account is deleted (actor becomes NULL), so the
        # entry still says who looked; auditlog's middleware does the same
        # for changes.
        actor_email=getattr(actor, "email", None),
        remote_addr=client_address(request),
        changes={},
        additional_data={"fields": sorted(fields), "reason": reason.strip()},
    )


def record_event(instance, *, actor, event: str, request=None, **data) -> LogEntry:
    """An audit entry for an action that is more than a field change (a
    person resent a reminder, or marked it sent): who, what, from where."""
    return LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        actor=actor,
        actor_email=getattr(actor, "email", None),
        remote_addr=client_address(request),
        changes={},
        additional_data={"event": event, **data},
    )
