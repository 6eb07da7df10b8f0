"""Forms of the reminder pages: shape only; the rules are in services."""

from __future__ import annotations

import zoneinfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from reminders.models import ConsultantReminderPreference, ReminderDelivery
from reminders.registry import Audience, kinds, kinds_offered_to


class ReminderSettingForm(forms.Form):
    enabled = forms.BooleanField(label=_("On"), required=False)
    offsets = forms.CharField(
        label=_("Timing, in hours"),
        max_length=60,
        help_text=_("One or more numbers separated by commas, for example 72, 24."),
    )

    def __init__(self, *args, timing_label="", **kwargs):
        super().__init__(*args, **kwargs)
        if timing_label:
            self.fields["offsets"].label = timing_label

    def clean_offsets(self):
        raw = self.cleaned_data["offsets"].replace(" ", "")
        try:
            values = [int(part) for part in raw.split(",") if part]
        except ValueError:
            raise ValidationError(_("Use whole numbers of hours, separated by commas.")) from None
        if not values:
            raise ValidationError(_("Give at least one time."))
        return values


def _time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class StaffPreferenceForm(forms.Form):
    daily_digest = forms.BooleanField(
        label=_("Send me one digest each morning instead of one message per reminder"),
        required=False,
    )
    quiet_start = forms.TimeField(
        label=_("No reminders from"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    quiet_end = forms.TimeField(
        label=_("until"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("The same time twice: reminders at any hour."),
    )
    time_zone = forms.ChoiceField(label=_("In the time zone"), choices=_time_zone_choices)


class ConsultantPreferencesForm(forms.Form):
    """One choice per kind of reminder: e-mail, text message, both, or
    nothing; the two with a text message only when ``sms_allowed`` (a
    mobile number on file, text messages on). Only the kinds offered to
    ``user`` (a leader's kinds to leaders). Radio buttons: works on any
    phone without JavaScript."""

    def __init__(self, *args, user, current: dict[str, str], sms_allowed: bool, **kwargs):
        super().__init__(*args, **kwargs)
        Channel = ConsultantReminderPreference.Channel
        choices = [
            (value, label)
            for value, label in Channel.choices
            if sms_allowed or not ConsultantReminderPreference.needs_phone(value)
        ]
        for kind in kinds_offered_to(user, Audience.CONSULTANT):
            self.fields[kind.key] = forms.ChoiceField(
                label=kind.label,
                help_text=kind.description_for_her or kind.description,
                choices=choices,
                widget=forms.RadioSelect,
                initial=current.get(kind.key, Channel.EMAIL),
            )


def _kind_choices(audience=None):
    return [("", _("Any"))] + [(kind.key, kind.label) for kind in kinds(audience)]


class LogFilterForm(forms.Form):
    kind = forms.ChoiceField(label=_("Reminder"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any")), *ReminderDelivery.Status.choices],
    )
    audience = forms.ChoiceField(
        label=_("For"),
        required=False,
        choices=[("", _("Anyone")), ("consultant", _("Consultants")), ("staff", _("Staff"))],
    )
    since = forms.DateField(
        label=_("Due from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = forms.DateField(
        label=_("Due until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _kind_choices()

    def clean(self):
        data = super().clean()
        for name in ("since", "until"):
            day = data.get(name)
            if day and not 2000 <= day.year <= 2100:
                self.add_error(name, _("Choose a day between the years 2000 and 2100."))
        return data

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        return {name: value for name, value in self.cleaned_data.items() if value}
