"""The growth sections of a consultant's record (``consultants.record``):
her skills (withdrawn ones too, with why), the pathway steps she reached,
and her reflections (decrypted: they are hers). One query each. Another
consultant never appears: a mentor is named only if she chose to be
visible to peers."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from consultants.models import Consultant
from consultants.record import Entry, RecordSection, Row, choice, register_record_section
from network.models import Reflection, SkillEvidence, StepReached


def mentor_name(evidence: SkillEvidence) -> str:
    mentor = evidence.mentor
    if mentor is None:
        return ""
    return mentor.pseudonym if mentor.visible_to_peers else _("A mentor")


def build_skills(consultant: Consultant) -> RecordSection:
    evidence = (
        SkillEvidence.objects.filter(consultant=consultant)
        .select_related("skill", "engagement", "mentor")
        .order_by("gained_on", "pk")
    )
    return RecordSection(
        rows=[
            Row(
                title=item.skill.name,
                entries=[
                    Entry("skill", _("Skill"), item.skill.name),
                    choice(
                        "source", _("Where it came from"), item.source, SkillEvidence.Source.choices
                    ),
                    Entry(
                        "engagement",
                        _("Engagement"),
                        item.engagement.title if item.engagement else "",
                    ),
                    Entry("mentor", _("Mentor"), mentor_name(item)),
                    Entry("note", _("Note"), item.note),
                    Entry("gained_on", _("Gained on"), item.gained_on),
                    Entry("withdrawn_at", _("Withdrawn at"), item.withdrawn_at),
                    Entry("withdrawn_reason", _("Why it was withdrawn"), item.withdrawn_reason),
                ],
            )
            for item in evidence
        ],
        empty=_("No skills recorded for you yet."),
    )


def build_steps(consultant: Consultant) -> RecordSection:
    reached = (
        StepReached.objects.filter(consultant=consultant)
        .select_related("step__pathway")
        .order_by("reached_on", "pk")
    )
    return RecordSection(
        rows=[
            Row(
                title=row.step.title,
                entries=[
                    Entry("pathway", _("Pathway"), row.step.pathway.name),
                    Entry("step", _("Step"), row.step.title),
                    Entry("reached_on", _("Reached on"), row.reached_on),
                ],
            )
            for row in reached
        ],
        empty=_("No pathway steps reached yet."),
    )


def build_reflections(consultant: Consultant) -> RecordSection:
    reflections = Reflection.objects.filter(consultant=consultant).order_by("created_at", "pk")
    return RecordSection(
        rows=[
            Row(
                title=_("In your words"),
                entries=[
                    Entry("body", _("In your words"), reflection.body),
                    Entry(
                        "shared_with_team", _("The team may read this"), reflection.shared_with_team
                    ),
                    Entry("written_at", _("Written at"), reflection.created_at),
                ],
            )
            for reflection in reflections
        ],
        empty=_("You have written nothing here yet."),
    )


# Imported by NetworkConfig.ready().
register_record_section(
    "skills", title=gettext_lazy("Skills you gained"), order=270, build=build_skills
)
register_record_section(
    "pathway_steps", title=gettext_lazy("Steps you reached"), order=271, build=build_steps
)
register_record_section(
    "reflections", title=gettext_lazy("In your words"), order=272, build=build_reflections
)
