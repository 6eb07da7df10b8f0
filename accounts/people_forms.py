"""Forms of the people pages: finding people, giving roles, deactivating.
They only normalise input; the rules are in ``accounts.services.people``."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.invitation_forms import STAFF_ROLE_CHOICES, RoleChoicesMixin
from accounts.roles import Role
from accounts.selectors import ACTIVE, INACTIVE


class PeopleFilterForm(forms.Form):
    q = forms.CharField(label=_("Name or e-mail address"), required=False, max_length=80)
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("Any")), *STAFF_ROLE_CHOICES]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any")), (ACTIVE, _("Active")), (INACTIVE, _("Deactivated"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs["type"] = "search"

    def filters(self) -> dict:
        """The selector's keyword arguments (valid fields only)."""
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "search": data.get("q") or "",
            "role": Role(data["role"]) if data.get("role") else None,
            "status": data.get("status") or None,
        }


class RolesForm(RoleChoicesMixin, forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=STAFF_ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one role.")},
    )

    def clean_roles(self) -> set[Role]:
        return {Role(value) for value in self.cleaned_data["roles"]}


class DeactivateForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you deactivating this account?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the audit trail."),
    )
