"""Staff forms of the network's page and its peer circles (issue #18,
parts 2 and 4). A consultant is chosen by searching her pseudonym
(``core.search``), never from a list of everyone."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from core.search import SearchChoiceField, bind_search_fields
from engagements.forms import DateInput, DateTimeLocalInput
from engagements.models import Audience, Mode
from network import access_staff
from network.models import Network, PeerCircle

# The search sources (registered in NetworkConfig.ready()).
LEADER_SOURCE = "network_leader"
CIRCLE_SOURCE = "circle_consultant"
SEARCH_FORM = "search-form"


class NetworkForm(forms.ModelForm):
    review_required_audiences = forms.MultipleChoiceField(
        label=_("Audiences that need a leader's review before approval"),
        choices=Audience.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = Network
        fields = [
            "name",
            "short_name",
            "description",
            "review_required_audiences",
            "leaders_need_mfa",
            "review_fee",
            "circle_allowance",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("review_fee", "circle_allowance"):
            self.fields[name].min_value = 0
            self.fields[name].widget.attrs.update({"min": "0", "step": "0.01"})

    def validate_unique(self):
        # The service saves (and says when the name is taken).
        pass


class _SearchForm(forms.Form):
    def __init__(self, *args, user, search=None, **kwargs):
        super().__init__(*args, **kwargs)
        bind_search_fields(self, user=user, search=search, search_form=SEARCH_FORM)


class LeaderForm(_SearchForm):
    consultant = SearchChoiceField(source=LEADER_SOURCE, label=_("Consultant"))
    since = forms.DateField(label=_("Leader since"), widget=DateInput, required=False)


class MemberForm(_SearchForm):
    consultant = SearchChoiceField(source=CIRCLE_SOURCE, label=_("Consultant"))


class CircleForm(forms.ModelForm):
    facilitator = SearchChoiceField(source=CIRCLE_SOURCE, label=_("Facilitator"), required=False)
    co_facilitator = SearchChoiceField(
        source=CIRCLE_SOURCE, label=_("Co-facilitator"), required=False
    )

    class Meta:
        model = PeerCircle
        fields = [
            "name",
            "facilitator",
            "co_facilitator",
            "staff_contact",
            "paid",
            "started_on",
            "ended_on",
        ]
        widgets = {"started_on": DateInput, "ended_on": DateInput}

    def __init__(self, *args, user, search=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["staff_contact"].queryset = access_staff.staff_contacts()
        self.fields["staff_contact"].label_from_instance = lambda user: (
            user.display_name or str(user.pk)
        )
        bind_search_fields(self, user=user, search=search, search_form=SEARCH_FORM)

    def validate_unique(self):
        pass


class MeetingForm(forms.Form):
    starts_at = forms.DateTimeField(label=_("Starts (Manila time)"), widget=DateTimeLocalInput)
    mode = forms.ChoiceField(label=_("In person or online"), choices=Mode.choices)


class LedForm(forms.Form):
    led = forms.BooleanField(label=_("Led by the survivor network"), required=False)
