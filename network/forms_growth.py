"""Forms of growth: they only normalise input; the services decide.

The mentor of a sign-off is chosen by search (``core.search``: the source
``growth_mentor``, registered here, imported by ``NetworkConfig.ready``),
never from a list of every consultant. Skills (expertise topics) and
pathway steps are small tables the programme defines: plain choices.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from consultants import selectors as consultant_selectors
from core.forms import PlainErrorsMixin
from core.search import SearchChoiceField, SearchSource, bind_search_fields, register_source
from engagements.models import Engagement
from network import access_growth as access
from network.models import LearningEvent, SkillEvidence
from network.selectors import growth as selectors
from network.services.growth import REFLECTION_MAX

# How many of her attended engagements the skill form offers (the newest).
ENGAGEMENT_CHOICES = 50

register_source(
    SearchSource(
        name="growth_mentor",
        can_use=access.can_choose_mentor,
        queryset=access.mentor_candidates,
        search=consultant_selectors.consultant_search,
        label=lambda consultant: consultant.pseudonym,
        hint=_("Search by pseudonym."),
    )
)


class DateInput(forms.DateInput):
    input_type = "date"


class LearningEventForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of learning event"), choices=LearningEvent.Kind.choices)
    skills = forms.ModelMultipleChoiceField(
        label=_("Skills it builds"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Those who attend gain these skills when their attendance is marked."),
    )
    staff_facilitators = forms.ModelMultipleChoiceField(
        label=_("Staff who facilitate"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "The engagement's owner and assigned staff. Consultants facilitate as "
            "participants with the role facilitator or co-facilitator."
        ),
    )

    def __init__(self, *args, engagement: Engagement, event: LearningEvent | None, **kwargs):
        super().__init__(*args, **kwargs)
        from accounts.models import User

        self.fields["skills"].queryset = selectors.event_skill_choices(event)
        from network.services.growth import event_facilitator_candidates

        candidates = event_facilitator_candidates(engagement)
        field = self.fields["staff_facilitators"]
        field.queryset = User.objects.filter(pk__in=[user.pk for user in candidates])
        field.choices = [(user.pk, str(user)) for user in candidates]


class SkillForm(forms.Form):
    skill = forms.ModelChoiceField(label=_("Skill"), queryset=None)
    source = forms.ChoiceField(
        label=_("Where it came from"),
        choices=[
            (SkillEvidence.Source.ENGAGEMENT, _("An engagement they attended")),
            (SkillEvidence.Source.MENTOR, _("A mentor's sign-off")),
            (SkillEvidence.Source.STAFF, _("Staff saw it")),
        ],
        widget=forms.RadioSelect,
    )
    engagement = forms.ModelChoiceField(
        label=_("Engagement"),
        queryset=None,
        required=False,
        help_text=_("Only if it came from an engagement: one they attended."),
    )
    mentor = SearchChoiceField(
        source="growth_mentor",
        label=_("Mentor"),
        required=False,
        help_text=_("Only for a mentor's sign-off: another active consultant."),
    )
    gained_on = forms.DateField(label=_("Gained on"), widget=DateInput)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args, user, consultant, search=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["skill"].queryset = selectors.active_skills()
        engagements = access.skill_engagements(user, consultant)
        newest = engagements.order_by("-start", "-pk").values("pk")[:ENGAGEMENT_CHOICES]
        self.fields["engagement"].queryset = Engagement.objects.filter(pk__in=newest).order_by(
            "-start", "-pk"
        )
        self.fields["engagement"].label_from_instance = lambda engagement: (
            f"{engagement.title} ({engagement.start:%Y-%m-%d})"
        )
        bind_search_fields(self, user=user, search=search, search_form="search-mentor")

    def clean(self):
        cleaned = super().clean()
        source = cleaned.get("source")
        needs = {
            SkillEvidence.Source.ENGAGEMENT: (
                "engagement",
                _("Choose the engagement they gained it in."),
            ),
            SkillEvidence.Source.MENTOR: ("mentor", _("Choose the mentor who signed it off.")),
        }
        if source in needs:
            name, message = needs[source]
            if not cleaned.get(name) and not self.errors.get(name):
                self.add_error(name, message)
        return cleaned


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Why it is withdrawn"),
        max_length=300,
        help_text=_("They read this in their record."),
    )


class StepForm(forms.Form):
    step = forms.ModelChoiceField(label=_("Pathway step"), queryset=None)
    reached_on = forms.DateField(label=_("Reached on"), widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["step"]
        field.queryset = selectors.reachable_steps()
        field.label_from_instance = lambda step: f"{step.pathway.name}: {step.order}. {step.title}"


class ReflectionForm(PlainErrorsMixin, forms.Form):
    body = forms.CharField(
        label=_("In your words"),
        max_length=REFLECTION_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "What you did, learned or led, and what it meant to you. Kept encrypted. "
            "Never write anyone's story or name here."
        ),
    )
    shared_with_team = forms.BooleanField(
        label=_("The team may read this"),
        required=False,
        help_text=_("If you leave this unticked, only you can read it."),
    )
