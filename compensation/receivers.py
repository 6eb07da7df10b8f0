"""How compensation follows the engagements app, without it knowing: the
receivers of its signals, connected from ``CompensationConfig.ready()``.

They run inside the engagement's transaction: a failure here undoes the
status change too, so nothing is ever half recorded (an attendance marked
without its fee, a cancellation without its minimum).
"""

from __future__ import annotations

from engagements.models import Participation
from engagements.signals import participation_status_changed


def on_participation_status_changed(sender, *, participation, from_status, to_status, by, **kw):
    from compensation.services import participation_changed

    participation_changed(
        participation=participation, from_status=from_status, to_status=to_status, by=by
    )


def connect() -> None:
    participation_status_changed.connect(
        on_participation_status_changed,
        sender=Participation,
        dispatch_uid="compensation.participation_status_changed",
    )
