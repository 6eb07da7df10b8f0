"""The survivor leader's review form: it only normalises input; the service
(``network.services.reviews.review_give``) decides."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import PlainErrorsMixin
from network.models import AdvisoryReview


class ReviewForm(PlainErrorsMixin, forms.Form):
    recommendation = forms.ChoiceField(
        label=_("Your recommendation"),
        choices=AdvisoryReview.Recommendation.choices,
        widget=forms.RadioSelect,
    )
    changes = forms.CharField(
        label=_("Changes the request needs"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Needed when you recommend it with changes."),
    )
    notes = forms.CharField(
        label=_("Notes for the team"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Staff read these before they decide. Never write anyone's story here."),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("recommendation") == AdvisoryReview.Recommendation.WITH_CHANGES
            and not (cleaned.get("changes") or "").strip()
        ):
            self.add_error("changes", _("Say which changes the request needs."))
        return cleaned
