"""Forms of the consultant's own portal pages. They only normalise and check
the shape of the input; the rules (overlaps, consent state, status moves)
live in ``consultants.services``, whose errors the views put back on the form
with ``add_service_error``."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultants.models import BusyPeriod, Consultant, Language, TextLanguage, Weekday
from consultants.validators import normalise_ph_mobile
from core.forms import PlainErrorsMixin

DETAIL_FIELDS = (
    "message_name",
    "email",
    "phone",
    "address",
    "support_person_name",
    "support_person_relation",
    "support_person_contact",
    "preferred_languages",
    "spoken_languages",
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class DetailsForm(PlainErrorsMixin, forms.Form):
    """The consultant's own contact details, support person and languages."""

    message_name = forms.CharField(
        label=_("Name we use in messages"),
        max_length=80,
        required=False,
        help_text=_("How we greet you. Leave it empty and we use your pseudonym."),
    )
    email = forms.EmailField(
        label=_("E-mail address for the team"),
        required=False,
        help_text=_(
            "Where the programme team writes to you. Your sign-in address is under “Account”."
        ),
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=25,
        required=False,
        help_text=_("For example 0917 123 4567."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    address = forms.CharField(
        label=_("Address"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "street-address"}),
    )
    support_person_name = forms.CharField(
        label=_("Support person"),
        max_length=200,
        required=False,
        help_text=_("Someone you trust, whom we may contact if you ask us to."),
    )
    support_person_relation = forms.CharField(
        label=_("Who they are to you"),
        max_length=100,
        required=False,
        help_text=_("For example: friend, aunt, counsellor."),
    )
    support_person_contact = forms.CharField(
        label=_("How to reach your support person"),
        max_length=200,
        required=False,
    )
    preferred_languages = forms.MultipleChoiceField(
        label=_("Languages you prefer to work in"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    spoken_languages = forms.MultipleChoiceField(
        label=_("Languages you speak"),
        choices=Language.choices,
        required=False,
        help_text=_("The languages you prefer count as spoken too."),
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_email(self):
        return (self.cleaned_data.get("email") or "").strip().lower()

    def clean_phone(self):
        phone = (self.cleaned_data.get("phone") or "").strip()
        return normalise_ph_mobile(phone) if phone else ""

    @classmethod
    def initial_for(cls, consultant: Consultant) -> dict:
        return {name: getattr(consultant, name) for name in DETAIL_FIELDS}


class WeeklyWindowForm(PlainErrorsMixin, forms.Form):
    weekday = forms.TypedChoiceField(label=_("Day"), choices=Weekday.choices, coerce=int)
    start_time = forms.TimeField(label=_("From"), widget=TimeInput)
    end_time = forms.TimeField(label=_("Until"), widget=TimeInput)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_time"), cleaned.get("end_time")
        if start and end and end <= start:
            self.add_error(
                "end_time",
                _("The time must end after it starts. Past midnight? Add two windows."),
            )
        return cleaned


class BusyPeriodForm(PlainErrorsMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("What keeps you busy"),
        choices=BusyPeriod.Kind.choices,
        widget=forms.RadioSelect,
    )
    starts_on = forms.DateField(label=_("First day"), widget=DateInput)
    ends_on = forms.DateField(label=_("Last day"), widget=DateInput)
    note = forms.CharField(
        label=_("Note for yourself"),
        max_length=200,
        required=False,
        help_text=_("Only you and the programme team can read it."),
    )

    def clean(self):
        cleaned = super().clean()
        starts, ends = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("The last day cannot be before the first day."))
        return cleaned


class BreakForm(PlainErrorsMixin, forms.Form):
    break_until = forms.DateField(
        label=_("Last day of your break"),
        widget=DateInput,
        help_text=_("We send you no invitations until the day after."),
    )

    def clean_break_until(self):
        day = self.cleaned_data["break_until"]
        if day <= timezone.localdate():
            raise ValidationError(_("Choose a day after today."))
        return day


class ConsentGrantForm(PlainErrorsMixin, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    # The language of the words on the page she read, recorded with her
    # consent (without it: the language of this request).
    language = forms.ChoiceField(
        choices=TextLanguage.choices, widget=forms.HiddenInput, required=False
    )
    agree = forms.BooleanField(
        label=_("I have read this text and I give my consent."),
        error_messages={"required": _("Tick the box if you want to give your consent.")},
    )


class StorySharingForm(PlainErrorsMixin, forms.Form):
    story_sharing_default = forms.ChoiceField(
        label=_("Your starting point"),
        choices=Consultant.StorySharing.choices,
        widget=forms.RadioSelect,
    )


class PrivacyChoicesForm(PlainErrorsMixin, forms.Form):
    exit_signs_out = forms.TypedChoiceField(
        label=_("When you tap “Exit this page”"),
        choices=[
            ("yes", _("Leave and sign me out (safest)")),
            ("no", _("Leave, but keep me signed in on this phone")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    discretion = forms.ChoiceField(
        label=_("Fold details away behind “Show”"),
        help_text=_(
            "The protection plan of an event, amounts of money, your story-sharing "
            "choices and your consent: a short neutral line until you tap it."
        ),
        choices=Consultant.Discretion.choices,
        widget=forms.RadioSelect,
    )

    @classmethod
    def initial_for(cls, consultant: Consultant) -> dict:
        return {
            "exit_signs_out": "yes" if consultant.exit_signs_out else "no",
            "discretion": consultant.discretion,
        }


class PeerChoicesForm(PlainErrorsMixin, forms.Form):
    """Her two choices about peers (/portal/me/peers/): plain switches, off
    until she turns them on."""

    visible_to_peers = forms.BooleanField(
        label=_("Other consultants on the same engagement may see my pseudonym"),
        help_text=_(
            "Only those who said yes to it, and who chose the same, see it; you see theirs. "
            "Never your name or anything else about you."
        ),
        required=False,
    )
    prefers_peer = forms.BooleanField(
        label=_("I would rather go with a peer"),
        help_text=_("When the team invites people, they try to invite you with someone."),
        required=False,
    )

    @classmethod
    def initial_for(cls, consultant: Consultant) -> dict:
        return {
            "visible_to_peers": consultant.visible_to_peers,
            "prefers_peer": consultant.prefers_peer,
        }
