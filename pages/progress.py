"""Where one of the consultant's engagements stands, as the portal's home
shows it: invited → accepted → confirmed → done → time sent → paid.

The steps cross apps (the participation is the engagements app's; time
and payment are compensation's), so the tracker lives here, at the top,
and templates never compare a raw status: each step says whether it is
done or current, and the current one carries a line in words.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from engagements.models import Participation

P = Participation.Status

STEPS: tuple[tuple[str, Promise], ...] = (
    ("invited", _("Invited")),
    ("accepted", _("Accepted")),
    ("confirmed", _("Confirmed")),
    ("done", _("Done")),
    ("time_sent", _("Time sent")),
    ("paid", _("Paid")),
)

# The step a participation's status reaches (time sent and paid come from
# compensation; see ``progress``).
REACHED: dict[str, int] = {
    P.INVITED: 0,
    P.ACCEPTED: 1,
    P.CONFIRMED: 2,
    P.ATTENDED: 3,
}

# What the current step means for her, in words.
LINES: dict[str, Promise] = {
    "invited": _("Read what it asks and what it pays, then say yes or no: both are fine."),
    "accepted": _("You said yes. The team will confirm with you soon."),
    "confirmed": _("You are confirmed. Everything you need is on its page."),
    "done": _("You took part. Thank you. Send your time when you can."),
    "time_sent": _("Your time is sent. The team will approve it and pay you."),
    "paid": _("You have been paid. Thank you."),
}


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    is_done: bool
    is_current: bool


@dataclass(frozen=True)
class Progress:
    steps: tuple[Step, ...]
    current: Step
    number: int
    line: str

    @property
    def total(self) -> int:
        return len(self.steps)


def progress(
    participation: Participation, *, time_sent: bool = False, paid: bool = False
) -> Progress | None:
    """The tracker of one participation, or None for one that is off the
    path (declined, stepped back, revoked, cancelled, did not attend)."""
    reached = REACHED.get(participation.status)
    if reached is None:
        return None
    if reached == REACHED[P.ATTENDED]:
        reached += int(time_sent) + int(time_sent and paid)
    steps = tuple(
        Step(key=key, label=str(label), is_done=index < reached, is_current=index == reached)
        for index, (key, label) in enumerate(STEPS)
    )
    current = steps[reached]
    return Progress(steps=steps, current=current, number=reached + 1, line=str(LINES[current.key]))
