"""What the account services share: who may act, and the audit entry.

``accounts`` imports nothing of ours, so the audit entries are
django-auditlog's, written here the way ``core.audit.record_event`` writes
them (the event's name and details in ``additional_data``; actors by id,
their address emptied by the trigger of ``core/0003``).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError

from accounts.models import User


def require_administrator(by: User | None) -> None:
    """``by`` manages people (``accounts.access.can_manage_people``), or is
    None: the command line, where whoever runs it already holds the server."""
    from accounts.access import can_manage_people

    if by is not None and not can_manage_people(by):
        raise PermissionDenied


def audit(
    *, user: User, by: User | None, event: str, reason: str = "", request=None, **data: Any
) -> None:
    from auditlog.models import LogEntry

    LogEntry.objects.log_create(
        user,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        actor=by,
        actor_email=getattr(by, "email", None),
        remote_addr=request.META.get("REMOTE_ADDR") if request is not None else None,
        changes={},
        additional_data={"event": event, **({"reason": reason} if reason else {}), **data},
    )


def field_error(field: str, message, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})
