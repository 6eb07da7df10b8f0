"""Forms of the staff pages for consultants. They normalise and validate
shape only; the rules live in the models and in ``consultants.services``."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from consultants.models import (
    ORIGINAL_LANGUAGE,
    BusyPeriod,
    ConsentScope,
    Consultant,
    ExpertiseTopic,
    Language,
    Region,
    TextLanguage,
    WeeklyAvailability,
    WellbeingNote,
)
from consultants.selectors import Load, expertise_topics
from consultants.services import REVEAL_FIELDS
from consultants.validators import normalise_ph_mobile, validate_evidence

# Encrypted identity, contacts and support person: never pre-filled (that
# would show them without a reveal), and only for those allowed to reveal.
IDENTITY_FIELDS = (
    "legal_name",
    "message_name",
    "email",
    "phone",
    "address",
    "support_person_name",
    "support_person_relation",
    "support_person_contact",
)

KEEP_HELP = _("Hidden. Type a new value to replace it; leave empty to keep the current one.")


# --- Directory ---------------------------------------------------------------------


class DirectoryFilterForm(forms.Form):
    q = forms.CharField(label=_("Pseudonym"), required=False, max_length=40)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *Consultant.Status.choices]
    )
    expertise = forms.ChoiceField(label=_("Expertise"), required=False)
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("Any")), *Language.choices]
    )
    region = forms.ChoiceField(
        label=_("Region"), required=False, choices=[("", _("Any")), *Region.choices]
    )
    available_on = forms.DateField(
        label=_("Available on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    load = forms.ChoiceField(
        label=_("This month"), required=False, choices=[("", _("Any")), *Load.choices]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["type"] = "search"
        self.fields["expertise"].choices = [("", _("Any"))] + [
            (topic.slug, topic.name) for topic in expertise_topics(include_retired=True)
        ]

    def filters(self) -> dict:
        """The selector's keyword arguments (valid fields only)."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "search": data.get("q") or "",
            "status": data.get("status") or None,
            "expertise": data.get("expertise") or None,
            "language": data.get("language") or None,
            "region": data.get("region") or None,
            "available_on": data.get("available_on"),
            "load": data.get("load") or None,
        }


# --- Profile -----------------------------------------------------------------------


class ConsultantForm(forms.ModelForm):
    """Create and edit. ``can_edit_identity``: include the encrypted fields
    (those who may reveal them); when editing they start empty and an empty
    one keeps its current value."""

    preferred_languages = forms.MultipleChoiceField(
        label=_("Preferred languages"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    spoken_languages = forms.MultipleChoiceField(
        label=_("Languages spoken"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Preferred languages are added here by themselves."),
    )
    expertise = forms.ModelMultipleChoiceField(
        label=_("Expertise"),
        queryset=ExpertiseTopic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Consultant
        fields = [
            "pseudonym",
            *IDENTITY_FIELDS,
            "preferred_languages",
            "spoken_languages",
            "region",
            "occupation_status",
            "occupation_constraints",
            "expertise",
            "monthly_engagement_limit",
            "joined_on",
            "public_bio",
            "story_sharing_default",
        ]
        widgets = {
            "joined_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "address": forms.Textarea(attrs={"rows": 2}),
            "occupation_constraints": forms.Textarea(attrs={"rows": 3}),
            "public_bio": forms.Textarea(attrs={"rows": 4}),
            "email": forms.EmailInput(attrs={"autocomplete": "off"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
        }

    def __init__(self, *args, can_edit_identity: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = self.instance.pk is not None
        topics = expertise_topics()
        if self.editing:
            topics = topics | self.instance.expertise.all()
        self.fields["expertise"].queryset = topics.distinct().order_by("name")
        for name in IDENTITY_FIELDS:
            if not can_edit_identity:
                del self.fields[name]
            elif self.editing:
                self.initial[name] = ""
                self.fields[name].required = False
                self.fields[name].help_text = KEEP_HELP
                self.fields[name].widget.attrs["autocomplete"] = "off"
        if not self.editing and "legal_name" in self.fields:
            self.fields["legal_name"].required = True
        self.fields["pseudonym"].widget.attrs["autocomplete"] = "off"

    def clean_pseudonym(self):
        pseudonym = (self.cleaned_data.get("pseudonym") or "").strip()
        taken = Consultant.objects.filter(pseudonym__iexact=pseudonym)
        if self.editing:
            taken = taken.exclude(pk=self.instance.pk)
        if pseudonym and taken.exists():
            raise ValidationError(_("This pseudonym is already in use."), code="taken")
        return pseudonym

    def clean_phone(self):
        # Normalised here, so a wrong shape is one error on the field (the
        # model's clean() would otherwise say it again at the top).
        phone = (self.cleaned_data.get("phone") or "").strip()
        return normalise_ph_mobile(phone) if phone else phone

    def clean(self):
        cleaned = super().clean()
        if self.editing:
            # Empty: keep. The current value goes back in for the model's own
            # checks; it is never rendered (a re-shown form shows what was typed).
            self.kept = {name for name in IDENTITY_FIELDS if name in self.fields}
            for name in list(self.kept):
                if (cleaned.get(name) or "").strip():
                    self.kept.discard(name)
                else:
                    cleaned[name] = getattr(self.instance, name)
        return cleaned

    def service_data(self) -> dict:
        """What the service should set: every field, minus identity fields kept."""
        kept = getattr(self, "kept", set())
        data = {
            name: value
            for name, value in self.cleaned_data.items()
            if name != "expertise" and name not in kept
        }
        return data


# --- Reveal ------------------------------------------------------------------------


class ReasonForm(forms.Form):
    """The reason for a reveal, written to the audit trail with it."""

    reason = forms.CharField(
        label=_("Why do you need to see it?"),
        max_length=500,
        help_text=_("Your name, the time and this reason are recorded."),
        error_messages={"required": _("Say why you need to see it; it is recorded.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].widget.attrs["autocomplete"] = "off"


class RevealForm(ReasonForm):
    """One group of hidden fields (``REVEAL_FIELDS``); its prefix names the group."""

    def __init__(self, *args, group: str, **kwargs):
        if group not in REVEAL_FIELDS:
            raise ValueError(group)
        super().__init__(*args, prefix=f"reveal-{group}", **kwargs)
        self.group = group


# --- Status ------------------------------------------------------------------------


class StatusChangeForm(forms.Form):
    status = forms.ChoiceField(label=_("New status"))
    break_until = forms.DateField(
        label=_("Last day of the break"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Needed for a break: invitations resume the day after."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Encrypted. Never required of the consultant."),
    )

    def __init__(self, *args, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (value, label) for value, label in Consultant.Status.choices if value in statuses
        ]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == Consultant.Status.ON_BREAK and not cleaned.get("break_until"):
            self.add_error("break_until", _("Choose the last day of the break."))
        return cleaned


# --- Availability ------------------------------------------------------------------


class WeeklyWindowForm(forms.ModelForm):
    class Meta:
        model = WeeklyAvailability
        fields = ["weekday", "start_time", "end_time"]
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "end_time": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("The window must end after it starts."))
        return cleaned

    def _post_clean(self):
        # The consultant is not on the form; the service checks overlaps.
        pass


class BusyPeriodForm(forms.ModelForm):
    class Meta:
        model = BusyPeriod
        fields = ["kind", "starts_on", "ends_on"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}),
            "ends_on": forms.DateInput(attrs={"type": "date"}),
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("starts_on"), cleaned.get("ends_on")
        if start and end and end < start:
            self.add_error("ends_on", _("A busy period cannot end before it starts."))
        return cleaned

    def _post_clean(self):
        pass


# --- Consent -----------------------------------------------------------------------


class EvidenceField(forms.FileField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Evidence"))
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text", _("Optional: a signed form, as PDF, JPEG or PNG, at most 5 MB.")
        )
        kwargs.setdefault("validators", [validate_evidence])
        super().__init__(**kwargs)
        self.widget.attrs["accept"] = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class ConsentGrantForm(forms.Form):
    scope = forms.ChoiceField(label=_("Scope"), choices=ConsentScope.choices)
    language = forms.ChoiceField(
        label=_("Language of the text shown"),
        choices=TextLanguage.choices,
        help_text=_(
            "The language the consultant read the text in, recorded with the consent. "
            "A text not yet written in that language counts as read in English."
        ),
    )
    evidence = EvidenceField()

    def __init__(self, *args, consultant: Consultant, **kwargs):
        super().__init__(*args, **kwargs)
        # Her first preferred language that texts are written in, else English.
        self.fields["language"].initial = next(
            (code for code in consultant.preferred_languages if code in TextLanguage.values),
            ORIGINAL_LANGUAGE,
        )


class ConsentWithdrawForm(forms.Form):
    evidence = EvidenceField()


# --- Wellbeing ---------------------------------------------------------------------


class WellbeingNoteForm(forms.ModelForm):
    class Meta:
        model = WellbeingNote
        fields = ["kind", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 4})}

    def _post_clean(self):
        pass


class WellbeingLeadForm(forms.Form):
    lead = forms.ModelChoiceField(label=_("Wellbeing lead"), queryset=None)

    def __init__(self, *args, leads, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lead"].queryset = leads
        self.fields["lead"].label_from_instance = lambda user: str(user)


class PortalInviteForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of their portal and e-mails"),
        choices=settings.LANGUAGES,
        required=False,  # left out: her first preferred language Tinig speaks
        help_text=_("The invitation is written in it. They can change it at any time."),
    )
