"""Demo data: the checklists of the demo engagements, ticked as far as each
engagement's status says (confirmed and later: every item that gates
confirmation; closed: every item that gates closing too), by the demo
programme manager, on time. Safe to re-run: only open items are ticked.

The engagements demo drives its engagements through the workflow, so their
checklists already exist (made on approval).
"""

from __future__ import annotations

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from checklists import services
from checklists.models import ChecklistItem, Evidence, Gate
from engagements.models import Engagement

S = Engagement.Status
CONFIRMED_OR_LATER = {S.CONFIRMED, S.COMPLETED, S.CLOSED}
DEMO_PDF = b"%PDF-1.4\n% DEMO agreement\n"


def _tick(item: ChecklistItem, by) -> None:
    evidence = None
    if item.evidence == Evidence.FILE:
        evidence = SimpleUploadedFile("demo.pdf", DEMO_PDF, content_type="application/pdf")
    services.item_mark_done(
        item=item,
        by=by,
        note="DEMO. Done as the guidance says.",
        evidence=evidence,
        now=min(timezone.now(), item.due_at - datetime.timedelta(hours=1)),
    )


def tick_gating_items(*, engagement: Engagement, gate: str, by) -> list[str]:
    """Tick every open staff item of ``engagement`` that gates ``gate``."""
    ticked = []
    for item in ChecklistItem.objects.filter(
        checklist__engagement=engagement, gates=gate, status=ChecklistItem.Status.OPEN
    ).select_related("checklist__engagement", "consultant"):
        _tick(item, by)
        ticked.append(f"{engagement.title}: {item.title}")
    return ticked


def seed() -> list[str]:
    from accounts.models import User

    manager = User.objects.filter(email="manager@example.org").first()
    if manager is None:
        return []
    ticked: list[str] = []
    demo = Engagement.objects.filter(purpose__startswith="DEMO", checklist__isnull=False)
    for engagement in demo.filter(status__in=CONFIRMED_OR_LATER):
        ticked += tick_gating_items(engagement=engagement, gate=Gate.CONFIRM, by=manager)
    for engagement in demo.filter(status=S.CLOSED):
        ticked += tick_gating_items(engagement=engagement, gate=Gate.CLOSE, by=manager)
    return ticked
