"""Forms of the staff invitation: accepting a link, inviting, resetting."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.auth.forms import SetPasswordForm
from django.utils.translation import gettext_lazy as _

from accounts.roles import STAFF_ROLES, Role


class InvitationAcceptForm(SetPasswordForm):
    """A new password and a first code from the authenticator app, together.

    The code is checked with allauth's own building blocks (the TOTP check
    and its per-account limit on wrong codes).
    """

    code = forms.CharField(
        label=_("Code from the app"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}
        ),
    )

    def __init__(self, user, *args, secret: str, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.secret = secret

    def clean_code(self) -> str:
        from allauth.mfa.adapter import get_adapter
        from allauth.mfa.base.internal.flows import check_rate_limit
        from allauth.mfa.totp.internal.auth import validate_totp_code

        clear_limit = check_rate_limit(self.user, error_key="rate_limited")
        code = self.cleaned_data["code"].strip().replace(" ", "")
        if not validate_totp_code(self.secret, code):
            raise get_adapter().validation_error("incorrect_code")
        clear_limit()
        return code


STAFF_ROLE_CHOICES = [(role.value, role.label) for role in Role if role in STAFF_ROLES]


class RoleChoicesMixin:
    """A ``roles`` field drawn with what each role may do beside its box
    (``accounts/staff/_role_choices.html``; the text is ``Role.description``)."""

    def role_rows(self) -> list[dict]:
        rows = []
        for choice in self["roles"].subwidgets:  # type: ignore[index]
            role = Role(choice.data["value"])
            rows.append(
                {
                    "id": choice.id_for_label,
                    "value": role.value,
                    "label": role.label,
                    "description": role.description,
                    "checked": choice.data["selected"],
                }
            )
        return rows


class StaffInviteForm(RoleChoicesMixin, forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    display_name = forms.CharField(label=_("Name shown in Tinig"), max_length=80, required=False)
    roles = forms.MultipleChoiceField(
        label=_("Roles"), choices=STAFF_ROLE_CHOICES, widget=forms.CheckboxSelectMultiple
    )
    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        initial=settings.LANGUAGE_CODE,
        required=False,  # left out: the site's default
        help_text=_("Of their pages and e-mails, the invitation first. They can change it."),
    )

    def clean_roles(self) -> set[Role]:
        return {Role(value) for value in self.cleaned_data["roles"]}


class MfaResetForm(forms.Form):
    reason = forms.CharField(
        label=_("Why are you resetting it?"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Recorded in the audit trail. The person is told by e-mail, without it."),
    )
