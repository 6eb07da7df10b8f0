"""The checklists app's section of a consultant's record (``consultants.record``):
her own checklist items (the consultant's items of each engagement), with
their status, due and done dates and her note. Staff items are the team's
work about an engagement, not data about her, and are not listed.

It also renders the subject of the consultant reminder about an item
(``reminders.record.register_subject_context``). One query each.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from checklists.models import ChecklistItem, Stage
from consultants.models import Consultant
from consultants.record import Entry, RecordSection, Row, choice, register_record_section
from reminders.record import register_subject_context


def build_checklist_items(consultant: Consultant) -> RecordSection:
    items = (
        ChecklistItem.objects.filter(consultant=consultant)
        .select_related("checklist__engagement")
        .order_by("due_at", "id")
    )
    return RecordSection(
        rows=[
            Row(
                title=item.shown_title,
                entries=[
                    Entry("item", _("Item"), item.shown_title),
                    Entry("engagement", _("Engagement"), item.checklist.engagement.title),
                    choice("stage", _("Stage"), item.stage, Stage.choices),
                    Entry("due_at", _("Due"), item.due_at),
                    choice("status", _("Status"), item.status, ChecklistItem.Status.choices),
                    Entry("done_at", _("Done"), item.done_at),
                    Entry("note", _("Note"), item.note),
                    Entry("justification", _("Why it does not apply"), item.justification),
                ],
            )
            for item in items
        ],
        empty=_("No checklist items for you."),
    )


def _item_due_context(deliveries) -> dict[int, dict]:
    due = dict(
        ChecklistItem.objects.filter(
            pk__in=[delivery.target_id for delivery in deliveries]
        ).values_list("pk", "due_at")
    )
    return {delivery.pk: {"due": due.get(delivery.target_id)} for delivery in deliveries}


# Imported by ChecklistsConfig.ready().
register_record_section(
    "checklist_items",
    title=gettext_lazy("Your checklist items"),
    order=200,
    build=build_checklist_items,
)
register_subject_context("checklist_item_due", _item_due_context)
