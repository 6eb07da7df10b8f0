"""Forms of the impact pages: they only normalise input; the services decide."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import PlainErrorsMixin
from impact.models import Contribution, OutcomeStatus, PartnerFeedback, Work, WorkCredit


class ContributionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Contribution.Kind.choices)
    summary = forms.CharField(
        label=_("What they proposed"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "The recommendation or the work itself, in a few lines. Partners and the "
            "consultants read it: never write anyone's story here."
        ),
    )
    consultants = forms.ModelMultipleChoiceField(
        label=_("Consultants who gave it"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The consultants who took part in this engagement, by pseudonym."),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        from consultants.models import Consultant

        field = self.fields["consultants"]
        field.queryset = Consultant.objects.filter(pk__in=[c.pk for c in candidates])
        field.choices = [(c.pk, c.pseudonym) for c in candidates]


class OutcomeForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Outcome"), choices=OutcomeStatus.choices, widget=forms.RadioSelect
    )
    decided_on = forms.DateField(
        label=_("As of"),
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("When this became known. It may be months after the engagement."),
    )
    shared_note = forms.CharField(
        label=_("What to tell the consultants"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown in the portal of the consultants who gave it, in these words."),
    )
    note = forms.CharField(
        label=_("Note for the team"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Only staff who see this engagement read it. Kept encrypted."),
    )
    evidence_link = forms.URLField(
        label=_("Evidence link"),
        required=False,
        max_length=500,
        assume_scheme="https",
        help_text=_("A public page that shows it: a law, a policy, a published guide."),
    )
    evidence_file = forms.FileField(
        label=_("Evidence file"),
        required=False,
        help_text=_("A PDF, JPEG or PNG file, at most 5 MB. It is kept privately."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, began: datetime.date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # The browser's date picker offers the same span the service accepts:
        # from the engagement's first day (Manila) to today.
        attrs = self.fields["decided_on"].widget.attrs
        attrs["max"] = timezone.localdate().isoformat()
        if began is not None:
            attrs["min"] = began.isoformat()


class FeedbackLinkForm(forms.Form):
    address = forms.EmailField(
        label=_("The partner contact's e-mail address"),
        max_length=254,
        help_text=_("Used to send the link once; Tinig does not keep it."),
    )
    language = forms.ChoiceField(
        label=_("Language of the message"),
        choices=[("en", "English"), ("fil", "Filipino")],
        initial="en",
    )


class PartnerFeedbackForm(PlainErrorsMixin, forms.Form):
    useful = forms.ChoiceField(
        label=_("Was the session useful to you?"),
        choices=PartnerFeedback.Useful.choices,
        widget=forms.RadioSelect,
    )
    will_change = forms.CharField(
        label=_("What will you change because of it?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, contributions, **kwargs):
        super().__init__(*args, **kwargs)
        self.contribution_fields = []
        for contribution in contributions:
            name = f"follow_up_{contribution.pk}"
            self.fields[name] = forms.BooleanField(
                label=_("You may follow up with us on this"), required=False
            )
            self.contribution_fields.append((contribution, self[name]))

    def follow_ups(self) -> dict[int, bool]:
        return {
            contribution.pk: bool(self.cleaned_data.get(f"follow_up_{contribution.pk}"))
            for contribution, _field in self.contribution_fields
        }


class WorkForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=Work.Kind.choices)
    published_on = forms.DateField(
        label=_("Published on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    partners = forms.CharField(label=_("Partners"), required=False, max_length=300)
    link = forms.URLField(label=_("Link"), required=False, max_length=500, assume_scheme="https")
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("A PDF, JPEG or PNG file, at most 5 MB. It is kept privately."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )
    consultants = forms.ModelMultipleChoiceField(
        label=_("Consultants who helped make it"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Each chooses in their portal how the work credits them: by pseudonym, by a "
            "name they choose, or not at all. Until they do, it does not name them."
        ),
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        from consultants.models import Consultant

        field = self.fields["consultants"]
        field.queryset = Consultant.objects.filter(pk__in=[c.pk for c in candidates])
        field.choices = [(c.pk, c.pseudonym) for c in candidates]


class CreditForm(PlainErrorsMixin, forms.Form):
    credit_as = forms.ChoiceField(
        label=_("How should this work credit you?"),
        choices=WorkCredit.CreditAs.choices,
        widget=forms.RadioSelect,
    )
    chosen_name = forms.CharField(
        label=_("The name to credit"),
        required=False,
        max_length=100,
        help_text=_("Only if you chose a name. It may be printed with the work."),
    )
