"""The default checklist template that ships with Tinig, version 1, published.

Written from the practice in the programme's reference texts ("What
Survivor Collaboration Teaches Us" and "Survivors Advocate for
Strengthening of Justice Systems"): consultants are experts, not
beneficiaries; their schedules as workers and students come first; all of
their time is paid and nobody carries costs; their privacy is protected at
public events; trauma risks are planned for, with a support person; they
never have to share their personal story and can stop at any time; and
they are credited, by pseudonym and with consent, in what they helped make.

This file is the one copy of the default: ``checklists.services`` installs
it from here again if a database has no published template at all (a test
database that was flushed, say). A change to the default is a new
migration that adds and publishes a new version, never an edit here.
"""

from django.db import migrations
from django.utils import timezone

SLUG = "survivor-engagement"
NAME = "Survivor engagement"
DESCRIPTION = (
    "The steps that make every engagement with survivor consultants ethical, safe and well "
    "prepared: before, during and after."
)

# (key, stage, title, guidance, owner role, anchor, offset days, evidence,
#  waivable, condition, engagement types, gates)
ITEMS = [
    # --- Before -------------------------------------------------------------------
    (
        "purpose-explained",
        "before",
        "Purpose and expected contribution explained",
        "Tell each consultant, in plain words, why this engagement exists, what it hopes to "
        "change and what is asked of them. They come as experts: say which part of their "
        "knowledge you are asking for, and what will happen with their advice afterwards.",
        "programme_staff",
        "start",
        -14,
        "note",
        False,
        "always",
        [],
        "confirm",
    ),
    (
        "schedule-checked",
        "before",
        "Schedule checked against the consultant's work or school",
        "Many consultants are working professionals or full-time students. Before anything is "
        "fixed, check the date and time against each one's work or class schedule, and leave "
        "room for travel. If it clashes, we change our plan, not their commitments.",
        "programme_staff",
        "start",
        -14,
        "none",
        False,
        "always",
        [],
        "confirm",
    ),
    (
        "consent-participation",
        "before",
        "Informed consent for participation recorded",
        "Make sure each consultant knows what they are agreeing to, and that their consent to "
        "take part is recorded in their profile. Explain it, answer their questions and give "
        "them time to decide. Consent is a record, not a box to tick.",
        "programme_staff",
        "start",
        -7,
        "note",
        False,
        "always",
        [],
        "confirm",
    ),
    (
        "consent-recording",
        "before",
        "Consent for any photo, video or audio recording recorded",
        "If anything will be photographed, filmed or recorded, ask each consultant about each "
        "kind separately and record their answer. Nothing is recorded without consent, and a "
        "no needs no reason. If nothing at all will be recorded, mark this not applicable and "
        "say so.",
        "programme_staff",
        "start",
        -7,
        "note",
        True,
        "always",
        [],
        "confirm",
    ),
    (
        "story-and-stopping",
        "before",
        "Consultant told they need not share their personal story and can stop at any time",
        "Say it plainly, before the day and again on the day: they are here for their "
        "expertise. They never have to share their personal story; they choose what, if "
        "anything, they share, when and with whom. They can stop or step back at any time "
        "without giving a reason, and the time they gave is still paid.",
        "programme_staff",
        "start",
        -7,
        "none",
        False,
        "always",
        [],
        "confirm",
    ),
    (
        "compensation-agreed",
        "before",
        "Compensation agreed in writing: preparation, travel, the engagement and debrief",
        "Agree in writing what each consultant is paid, counting all of their time: "
        "preparation, travel, the engagement itself and the debrief. Lived experience is "
        "expertise and is paid as such. Keep a copy of the agreement here.",
        "programme_staff",
        "start",
        -7,
        "file",
        False,
        "always",
        [],
        "confirm",
    ),
    (
        "privacy-plan",
        "before",
        "Privacy plan approved",
        "Before a public, government or media audience, agree how each consultant is "
        "protected: pseudonym only, no photos or recordings without consent, face and voice "
        "protected, where they sit, how they arrive and leave, who may know who they are, and "
        "how the media are briefed. A programme manager approves the plan.",
        "programme_manager",
        "start",
        -7,
        "note",
        False,
        "exposed_audience",
        [],
        "confirm",
    ),
    (
        "trauma-risk-plan",
        "before",
        "Trauma-risk plan and support person arranged",
        "Think ahead with each consultant about what could be hard for them here (topics, "
        "people, places) and what helps. Agree who their support person is, whether they will "
        "be there or reachable, and how the consultant can ask for a break. Take extra care "
        "where the engagement could bring them face to face with their past.",
        "wellbeing_lead",
        "start",
        -5,
        "note",
        False,
        "always",
        [],
        "confirm",
    ),
    (
        "testimony-options",
        "before",
        "Ways to give testimony discussed, so nobody has to relive their case",
        "For a hearing, talk through every way the consultant can contribute: a written "
        "statement, a recorded video, speaking on policy rather than on their own case, or "
        "not appearing at all. Facing people from their past in public can re-traumatise; "
        "protecting them matters as much as what they say.",
        "programme_staff",
        "start",
        -10,
        "note",
        False,
        "types",
        ["legislative_hearing"],
        "confirm",
    ),
    (
        "food-transport",
        "before",
        "Food and transport arranged or advanced",
        "Nobody should pay out of their own pocket to take part. Arrange meals and transport "
        "(and lodging if they travel far), or give the allowance in advance when a consultant "
        "would otherwise carry the cost.",
        "finance_officer",
        "start",
        -3,
        "note",
        False,
        "in_person",
        [],
        "",
    ),
    (
        "data-allowance",
        "before",
        "Mobile data or internet allowance arranged",
        "Taking part online costs data and a quiet place to sit. Give the communication "
        "allowance in advance, so nobody carries the cost. If a consultant joins from our "
        "office, mark this not applicable.",
        "finance_officer",
        "start",
        -3,
        "none",
        True,
        "online",
        [],
        "",
    ),
    (
        "media-briefed",
        "before",
        "Organisers and media briefed on the privacy rules",
        "Tell the organisers, and any journalists, the rules that protect the consultants: "
        "pseudonyms only, no photos or recordings without consent, no questions about their "
        "personal story. Get their agreement before the day.",
        "programme_staff",
        "start",
        -2,
        "note",
        True,
        "exposed_audience",
        [],
        "",
    ),
    (
        "briefing-held",
        "before",
        "Briefing held",
        "Meet the consultants before the engagement: walk through the agenda, who will be "
        "there, what is asked of them and what they can say no to. Leave time for their "
        "questions. Preparation is paid time.",
        "programme_staff",
        "start",
        -2,
        "note",
        False,
        "always",
        [],
        "",
    ),
    (
        "read-brief",
        "before",
        "I have read the brief",
        "Read the brief for this engagement when you can. If anything is unclear or worries "
        "you, tell the team: there are no silly questions.",
        "consultant",
        "start",
        -2,
        "none",
        False,
        "always",
        [],
        "",
    ),
    (
        "know-my-choices",
        "before",
        "I know I do not have to share my story, and I can stop at any time",
        "You are here for your expertise. You choose what, if anything, you share, and with "
        "whom. You can take a break or stop at any time, without giving a reason, and your "
        "time is still paid.",
        "consultant",
        "start",
        -1,
        "none",
        False,
        "always",
        [],
        "",
    ),
    # --- During -------------------------------------------------------------------
    (
        "check-in",
        "during",
        "Check-in with each consultant at the start",
        "Before anything begins, check in with each consultant: how are they today, do they "
        "have what they need, do they know where their support person and a quiet room are. "
        "Remind them they can pause or stop at any time.",
        "programme_staff",
        "start",
        0,
        "none",
        False,
        "always",
        [],
        "",
    ),
    # --- After --------------------------------------------------------------------
    (
        "debrief",
        "after",
        "Debrief within 48 hours",
        "Talk with each consultant within two days: how it went for them, what they would "
        "change, and anything that stirred up difficult feelings. Listen more than you talk. "
        "The debrief is paid time.",
        "programme_staff",
        "end",
        2,
        "note",
        False,
        "always",
        [],
        "close",
    ),
    (
        "wellbeing-follow-up",
        "after",
        "Wellbeing follow-up",
        "Reach out to each consultant about a week later to see how they are doing, and offer "
        "support if the engagement brought up something heavy. Keep what they tell you in "
        "their wellbeing notes, not here.",
        "wellbeing_lead",
        "end",
        7,
        "none",
        False,
        "always",
        [],
        "close",
    ),
    (
        "payment-made",
        "after",
        "Payment made within the target",
        "Pay each consultant for all of their time, and settle their allowances and expenses, "
        "within the programme's payment target. Paying promptly is part of treating them as "
        "the experts they are.",
        "finance_officer",
        "end",
        14,
        "note",
        False,
        "always",
        [],
        "close",
    ),
    (
        "feedback-collected",
        "after",
        "Feedback collected",
        "Ask each consultant how the engagement was for them: did they feel safe, respected, "
        "prepared and fairly paid? Giving feedback is their choice; if someone prefers not "
        "to, mark this not applicable.",
        "programme_staff",
        "end",
        7,
        "none",
        True,
        "always",
        [],
        "close",
    ),
    (
        "credited",
        "after",
        "Consultants credited, by pseudonym and only with consent, in what was produced",
        "Where the engagement produced something (a report, a curriculum, a policy paper), "
        "credit the consultants' contribution by pseudonym, and only if each agreed to be "
        "credited. If nothing was produced, or they chose not to be named, mark this not "
        "applicable and say why.",
        "programme_staff",
        "end",
        30,
        "note",
        True,
        "always",
        [],
        "close",
    ),
]

FIELDS = (
    "key",
    "stage",
    "title",
    "guidance",
    "owner_role",
    "due_anchor",
    "due_offset_days",
    "evidence",
    "waivable",
    "condition",
    "engagement_types",
    "gates",
)


def install(ChecklistTemplate, TemplateItem):
    """Create and publish version 1 of the default template (or the next
    version, if drafts already use the number)."""
    latest = ChecklistTemplate.objects.filter(slug=SLUG).order_by("-version").first()
    template = ChecklistTemplate.objects.create(
        slug=SLUG,
        version=(latest.version + 1) if latest else 1,
        name=NAME,
        description=DESCRIPTION,
    )
    TemplateItem.objects.bulk_create(
        TemplateItem(
            template=template, order=(position + 1) * 10, **dict(zip(FIELDS, row, strict=True))
        )
        for position, row in enumerate(ITEMS)
    )
    # Published last: the items of a published version can no longer be added.
    ChecklistTemplate.objects.filter(pk=template.pk).update(published_at=timezone.now())
    return template


def forward(apps, schema_editor):
    install(
        apps.get_model("checklists", "ChecklistTemplate"),
        apps.get_model("checklists", "TemplateItem"),
    )


class Migration(migrations.Migration):
    dependencies = [("checklists", "0001_initial")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
