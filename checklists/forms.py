"""Forms of the checklist pages: they only normalise input; the services
decide (evidence needed, waivable, who may tick)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from checklists.models import ChecklistItem, Evidence
from checklists.services import MAX_JUSTIFICATION, MAX_NOTE


class DoneForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was done. Only people who see this checklist read it."),
    )
    evidence = forms.FileField(
        label=_("Evidence file"),
        required=False,
        help_text=_("A PDF, JPEG or PNG file, at most 5 MB. It is kept privately."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, item: ChecklistItem, **kwargs):
        super().__init__(*args, **kwargs)
        if item.evidence == Evidence.NOTE:
            self.fields["note"].required = True
            self.fields["note"].help_text = _("This item needs a note saying what was done.")
        if item.evidence == Evidence.FILE:
            self.fields["evidence"].required = True
        elif item.is_consultant_item:
            del self.fields["evidence"]
        if item.is_consultant_item:
            self.fields["note"].label = _("Anything you would like the team to know?")
            self.fields["note"].help_text = _("Only the people running this engagement read it.")


class NotApplicableForm(forms.Form):
    justification = forms.CharField(
        label=_("Why does it not apply?"),
        max_length=MAX_JUSTIFICATION,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ConfirmForm(forms.Form):
    """A POST with nothing in it but the CSRF token."""


class ReassignForm(forms.Form):
    """Whom to hand an item to: one of the people on its engagement who may
    do it (``access.assignee_candidates``, a bounded set), as radio buttons.
    The service checks the choice again."""

    assignee = forms.TypedChoiceField(
        label=_("Reassign to"),
        coerce=int,
        widget=forms.RadioSelect,
        help_text=_("The engagement's owner and assigned staff who may do this item."),
    )

    def __init__(self, *args, candidates, current_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].choices = [
            (person.pk, str(person)) for person in candidates if person.pk != current_id
        ]


class HandoverSearchForm(forms.Form):
    q = forms.CharField(label=_("Whose items?"), max_length=100, required=False)


class HandoverForm(forms.Form):
    """Who takes the items: one of the people on their engagements."""

    to = forms.TypedChoiceField(label=_("Hand them to"), coerce=int, widget=forms.RadioSelect)

    def __init__(self, *args, takers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].choices = [(person.pk, str(person)) for person in takers]
