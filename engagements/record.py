"""The engagements app's section of a consultant's record (``consultants.record``):
every engagement she was invited to and her part in it: role, the history
of her answer, her story choice for it, what she gave as reasons (hers to
read), the hours given, and the feedback she wrote.

Two queries, however many engagements: her participations with their
engagement and feedback, then all their status changes.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultants.models import Consultant
from consultants.record import Entry, RecordSection, Row, choice, register_record_section
from engagements.models import (
    FEEDBACK_SCORES,
    Engagement,
    EngagementType,
    Feedback,
    Mode,
    Participation,
    ParticipationChange,
    ParticipationRole,
)

STATUSES = Participation.Status.choices


def _feedback(participation: Participation) -> list[Row]:
    try:
        feedback = participation.feedback
    except Feedback.DoesNotExist:
        return []
    entries = [
        Entry("given_at", _("Given"), feedback.submitted_at),
        *(
            Entry(name, str(Feedback._meta.get_field(name).verbose_name), getattr(feedback, name))
            for name in FEEDBACK_SCORES
        ),
        Entry("comments", _("Comments"), feedback.comments),
        Entry("anonymous", _("Anonymous"), feedback.anonymous),
    ]
    return [Row(entries=entries)]


def _history(participation: Participation, consultant: Consultant) -> list[Row]:
    return [
        Row(
            entries=[
                Entry("at", _("When"), change.at),
                choice("from", _("From"), change.from_status, STATUSES),
                choice("to", _("To"), change.to_status, STATUSES),
                Entry(
                    "by_you",
                    _("By you"),
                    change.by_id is not None and change.by_id == consultant.user_id,
                ),
            ]
        )
        for change in participation.changes.all()
    ]


def build_engagements(consultant: Consultant) -> RecordSection:
    participations = (
        Participation.objects.filter(consultant=consultant)
        .select_related("engagement", "feedback")
        .prefetch_related(
            Prefetch("changes", queryset=ParticipationChange.objects.order_by("at", "id"))
        )
        .order_by("invited_at", "id")
    )
    rows = []
    for participation in participations:
        engagement = participation.engagement
        rows.append(
            Row(
                title=engagement.title,
                entries=[
                    Entry("engagement", _("Engagement"), engagement.title),
                    choice("type", _("Type"), engagement.type, EngagementType.choices),
                    Entry("starts", _("Starts"), engagement.start),
                    Entry("ends", _("Ends"), engagement.end),
                    choice("mode", _("In person or online"), engagement.mode, Mode.choices),
                    choice(
                        "engagement_status",
                        _("Engagement status"),
                        engagement.status,
                        Engagement.Status.choices,
                    ),
                    choice("role", _("Your role"), participation.role, ParticipationRole.choices),
                    choice("status", _("Your part"), participation.status, STATUSES),
                    Entry("invited_at", _("Invited"), participation.invited_at),
                    Entry("answered_at", _("You answered"), participation.responded_at),
                    Entry("confirmed_at", _("Confirmed"), participation.confirmed_at),
                    Entry("stepped_back_at", _("You stepped back"), participation.withdrawn_at),
                    choice(
                        "story_sharing",
                        _("Your story choice"),
                        participation.story_sharing,
                        Consultant.StorySharing.choices,
                    ),
                    Entry(
                        "story_sharing_note",
                        _("What you chose to share"),
                        participation.story_sharing_note,
                    ),
                    Entry(
                        "decline_reason",
                        _("Your reason for declining"),
                        participation.decline_reason,
                    ),
                    Entry(
                        "withdrawal_reason",
                        _("Your reason for stepping back"),
                        participation.withdrawal_reason,
                    ),
                    Entry("hours_given", _("Hours already given"), participation.hours_given),
                    Entry("history", _("History"), _history(participation, consultant)),
                    Entry("feedback", _("Your feedback"), _feedback(participation)),
                ],
            )
        )
    return RecordSection(
        rows=rows,
        intro=_("Every engagement you were invited to, and your part in it."),
        empty=_("No invitations yet."),
    )


# Imported by EngagementsConfig.ready().
register_record_section(
    "engagements",
    title=gettext_lazy("Engagements and your part in them"),
    order=100,
    build=build_engagements,
)
