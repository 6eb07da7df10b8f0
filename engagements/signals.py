"""Signals other apps listen to, instead of this app calling them.

All are sent inside the transaction of the action, after its rows are
written: a receiver's writes commit or roll back with it. Receivers that
talk to the outside world (e-mail, tasks) use ``transaction.on_commit``.

``engagement_transitioned``: ``engagement``, ``transition`` (name),
    ``from_status``, ``to_status``, ``by``, ``record`` (the history row).
    E.g. checklists instantiate on "approve".
``engagement_dates_changed``: ``engagement``, ``old_start``, ``old_end``,
    ``by``. E.g. checklists recompute due dates; reminders reschedule.
``participation_status_changed``: ``participation``, ``from_status``,
    ``to_status``, ``by``. E.g. compensation on a withdrawal or a cancellation.
"""

from django.dispatch import Signal

engagement_transitioned = Signal()
engagement_dates_changed = Signal()
participation_status_changed = Signal()
