"""Forms of the engagement pages (staff and portal). They normalise and check
the shape of the input only; the rules (the workflow, double booking,
matching's exclusions, who may do what) live in ``engagements.workflow``
and ``engagements.services``, whose errors the views put back on the form
with ``core.forms.add_service_errors``.

Times are entered and shown in Asia/Manila (the site's time zone): Django
reads a ``datetime-local`` value in the current time zone and shows an aware
value converted to it.
"""

from __future__ import annotations

import datetime

from django import forms
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultants.models import Consultant, ExpertiseTopic, Language
from consultants.selectors import expertise_topics
from core.forms import PlainErrorsMixin
from engagements import access
from engagements.models import (
    SCORE_MAX,
    SCORE_MIN,
    Audience,
    Engagement,
    EngagementType,
    Feedback,
    ParticipationRole,
    PrivacyPlan,
)
from engagements.services import ENGAGEMENT_FIELDS, PRIVACY_PLAN_FIELDS

REASON_MAX = 2000


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def _formfield(model_field, **kwargs):
    """Links typed without a scheme are https (Django 6's default)."""
    if isinstance(model_field, models.URLField):
        kwargs["assume_scheme"] = "https"
    return model_field.formfield(**kwargs)


class OwnerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj)


# --- The list and the calendar ------------------------------------------------------------


class EngagementFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any")), *Engagement.Status.choices]
    )
    type = forms.ChoiceField(
        label=_("Type"), required=False, choices=[("", _("Any")), *EngagementType.choices]
    )
    audience = forms.ChoiceField(
        label=_("Audience"), required=False, choices=[("", _("Any")), *Audience.choices]
    )
    starts_from = forms.DateField(label=_("Starts from"), required=False, widget=DateInput)
    starts_until = forms.DateField(label=_("Starts until"), required=False, widget=DateInput)
    # The calendar's "N more" links here: every engagement on that day.
    on = forms.DateField(label=_("Taking place on"), required=False, widget=DateInput)
    owner = OwnerChoiceField(
        label=_("Owner"), required=False, queryset=None, empty_label=_("Anyone")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update(
            {"type": "search", "placeholder": _("Title or requesting team")}
        )
        self.fields["owner"].queryset = access.owner_candidates()

    def clean(self):
        data = super().clean()
        for name in ("starts_from", "starts_until", "on"):
            day = data.get(name)
            if day and not FIRST_YEAR <= day.year <= LAST_YEAR:
                self.add_error(name, _("Choose a day between the years 2000 and 2100."))
        first, last = data.get("starts_from"), data.get("starts_until")
        if first and last and last < first:
            self.add_error("starts_until", _("This day is before the first day."))
        return data

    def filters(self) -> dict:
        """The selector's keyword arguments (valid input only; otherwise none)."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "search": data.get("q") or "",
            "status": data.get("status") or None,
            "type": data.get("type") or None,
            "audience": data.get("audience") or None,
            "starts_from": data.get("starts_from"),
            "starts_until": data.get("starts_until"),
            "on": data.get("on"),
            "owner": data.get("owner"),
        }


# The years the list's day filters and the calendar move within.
FIRST_YEAR, LAST_YEAR = 2000, 2100


class MonthForm(forms.Form):
    """``?month=2031-06`` on the calendar; anything else means this month."""

    month = forms.RegexField(regex=r"^\d{4}-\d{2}$", required=False)

    def year_month(self) -> tuple[int, int]:
        today = timezone.localdate()
        if self.is_valid() and self.cleaned_data["month"]:
            year, month = (int(part) for part in self.cleaned_data["month"].split("-"))
            if 1 <= month <= 12 and FIRST_YEAR <= year <= LAST_YEAR:
                return year, month
        return today.year, today.month


# --- Create and edit ------------------------------------------------------------------


class TimePrefillForm(forms.Form):
    """``?start=2031-06-03T18:00&end=2031-06-03T20:00`` on the edit page (a
    time matching suggested). ``times()``: the initial values, or nothing
    when either is missing, unreadable, out of range or not in order."""

    start = forms.DateTimeField(required=False, input_formats=["%Y-%m-%dT%H:%M"])
    end = forms.DateTimeField(required=False, input_formats=["%Y-%m-%dT%H:%M"])

    def times(self) -> dict:
        if not self.is_valid():
            return {}
        start, end = self.cleaned_data["start"], self.cleaned_data["end"]
        if start is None or end is None or not (2000 <= start.year <= 2100) or end <= start:
            return {}
        if end - start > datetime.timedelta(days=31):
            return {}
        return {"start": start, "end": end}


# Fields a draft may leave empty but submitting for approval may not.
SUBMIT_GATES = ("purpose", "expected_contribution", "venue")


class EngagementForm(forms.ModelForm):
    """A request's details. ``can_choose_owner``: managers give it to someone."""

    languages = forms.MultipleChoiceField(
        label=_("Languages wanted"),
        choices=Language.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    expertise = forms.ModelMultipleChoiceField(
        label=_("Expertise wanted"),
        queryset=ExpertiseTopic.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Engagement
        formfield_callback = _formfield
        fields = [
            "title",
            "type",
            "purpose",
            "expected_contribution",
            "requested_by",
            "owner",
            "start",
            "end",
            "mode",
            "venue",
            "online_link",
            "audience",
            "consultants_wanted",
            "expertise",
            "languages",
            "preparation_hours",
            "notes",
        ]
        field_classes = {"start": forms.DateTimeField, "end": forms.DateTimeField}
        widgets = {
            "start": DateTimeLocalInput,
            "end": DateTimeLocalInput,
            "mode": forms.RadioSelect,
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "expected_contribution": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "start": _("Asia/Manila time."),
            "end": _("Asia/Manila time."),
            "purpose": _("Needed before you submit for approval."),
            "expected_contribution": _("Needed before you submit for approval."),
            "venue": _("For an engagement in person: needed before you submit for approval."),
            "online_link": _("For an online engagement. Consultants see it in their portal."),
            "preparation_hours": _("Preparation is paid time."),
        }

    def __init__(self, *args, can_choose_owner: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if can_choose_owner:
            self.fields["owner"].queryset = access.owner_candidates()
            self.fields["owner"].empty_label = None
        else:
            del self.fields["owner"]
        topics = expertise_topics()
        if self.instance.pk:
            # A retired topic the engagement already has stays choosable.
            topics = topics | ExpertiseTopic.objects.filter(engagements=self.instance)
        self.fields["expertise"].queryset = topics.distinct().order_by("name")
        self.fields["mode"].choices = [c for c in self.fields["mode"].choices if c[0]]
        # A draft may be saved without these, but "Submit for approval" needs
        # them (engagements.workflow._submit): not "(optional)", a gate.
        for name in SUBMIT_GATES:
            self.fields[name].gate = True  # type: ignore[attr-defined]

    def service_data(self) -> dict:
        return {
            name: value for name, value in self.cleaned_data.items() if name in ENGAGEMENT_FIELDS
        }


# --- Actions on the detail page -----------------------------------------------------------


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class AttendanceForm(forms.Form):
    attended = forms.TypedChoiceField(
        choices=[("yes", _("Attended")), ("no", _("Did not attend"))],
        coerce=lambda value: value == "yes",
    )


class AnswerOnBehalfForm(forms.Form):
    """An answer the consultant gave staff by phone or in person."""

    answer = forms.ChoiceField(
        choices=[
            ("accept", _("Accepted")),
            ("decline", _("Declined")),
            ("withdraw", _("Stepped back")),
        ]
    )


class InviteForm(forms.Form):
    consultant = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    role = forms.ChoiceField(label=_("Role"), choices=ParticipationRole.choices)

    def clean_consultant(self):
        pk = self.cleaned_data["consultant"]
        consultant = Consultant.objects.filter(pk=pk).first()
        if consultant is None:
            raise forms.ValidationError(_("No such consultant."))
        return consultant


class InvitePairForm(forms.Form):
    """Two consultants to invite together (a pair matching proposed), both
    in one role."""

    first = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    second = forms.IntegerField(min_value=1, widget=forms.HiddenInput)
    role = forms.ChoiceField(
        label=_("Role"), choices=ParticipationRole.choices, initial=ParticipationRole.PARTICIPANT
    )

    def clean(self):
        data = super().clean()
        ids = [data.get("first"), data.get("second")]
        if None in ids:
            return data
        if ids[0] == ids[1]:
            raise forms.ValidationError(_("Choose two different consultants to invite together."))
        found = Consultant.objects.in_bulk(ids)
        if len(found) != 2:
            raise forms.ValidationError(_("No such consultant."))
        data["consultants"] = (found[ids[0]], found[ids[1]])
        return data


class AssignStaffForm(forms.Form):
    staff_member = OwnerChoiceField(label=_("Programme staff"), queryset=None)

    def __init__(self, *args, engagement: Engagement, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff_member"].queryset = access.assignable_staff(engagement)


class PrivacyPlanForm(forms.ModelForm):
    class Meta:
        model = PrivacyPlan
        fields = [
            "pseudonym_only",
            "photo",
            "video",
            "audio",
            "face_and_voice_protection",
            "seating_and_entry",
            "identity_known_to",
            "media_briefing",
            "support_person_present",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 2})
            for name in (
                "face_and_voice_protection",
                "seating_and_entry",
                "identity_known_to",
                "media_briefing",
                "support_person_present",
            )
        }

    def service_data(self) -> dict:
        return {
            name: value for name, value in self.cleaned_data.items() if name in PRIVACY_PLAN_FIELDS
        }


class DebriefForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DateInput)
    note = forms.CharField(
        label=_("Note"),
        max_length=8000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("How it went, how the consultants were, what follows. Kept encrypted."),
    )

    def clean_held_on(self):
        day = self.cleaned_data["held_on"]
        if day > timezone.localdate() + datetime.timedelta(days=1):
            raise forms.ValidationError(_("A debrief cannot be held in the future."))
        return day


# --- The consultant's portal ----------------------------------------------------------------


class OptionalReasonForm(PlainErrorsMixin, forms.Form):
    """Declining or stepping back: a reason is welcome, never required."""

    reason = forms.CharField(
        label=_("Anything you would like us to know?"),
        help_text=_("Only if you want to. Only you and the programme managers can read it."),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class StorySharingForm(PlainErrorsMixin, forms.Form):
    story_sharing = forms.ChoiceField(
        label=_("For this engagement"),
        choices=Consultant.StorySharing.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Which parts, and with whom"),
        help_text=_("Only if you chose to share parts of your story. Staff do not see this note."),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


SCORE_CHOICES = [
    (SCORE_MIN, _("1 · Not at all")),
    (2, "2"),
    (3, "3"),
    (4, "4"),
    (SCORE_MAX, _("5 · Very much")),
]


class FeedbackForm(PlainErrorsMixin, forms.ModelForm):
    class Meta:
        model = Feedback
        fields = [*Feedback.SCORES, "comments", "anonymous"]
        widgets = {"comments": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in Feedback.SCORES:
            self.fields[name] = forms.TypedChoiceField(
                label=self.fields[name].label,
                choices=SCORE_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
            )
        self.fields["anonymous"].label = _(
            "Keep my name off this feedback (the team sees the answers, not who gave them)"
        )
        self.fields["anonymous"].help_text = ""

    def service_data(self) -> dict:
        return dict(self.cleaned_data)
