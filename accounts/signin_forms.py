"""allauth's forms, with a typed address turned into its sign-in name first.

Set in ``ACCOUNT_FORMS``. Each form replaces the address a person typed by
``accounts.addresses.sign_in_name`` (a sealed account's lookup token, or
the address itself) in its own ``clean``, before allauth does anything
with it. From there on allauth works on the token only: the account
lookup, the rate-limit keys, the login-code state and the authentication
records it keeps in the session, ``Login.email``. So the plain address of
a consultant never reaches a session row; the account adapter turns the
token back into her address only to send (``accounts.adapters``).

A sealed account has one address, kept where staff and she edit her
details: adding a second one here is refused.
"""

from __future__ import annotations

from allauth.account import forms as allauth_forms
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts import sealing
from accounts.addresses import sign_in_name


def _sign_in_name(typed: str) -> str:
    # A token is what an account is stored under, never what anyone types:
    # refused like any address that cannot be one.
    if sealing.is_lookup_token(typed):
        raise forms.ValidationError(_("Enter a valid email address."), code="invalid")
    return sign_in_name(typed)


class LoginForm(allauth_forms.LoginForm):
    def clean_login(self) -> str:
        login = super().clean_login()
        return _sign_in_name(login) if "@" in login else login


class RequestLoginCodeForm(allauth_forms.RequestLoginCodeForm):
    def clean_email(self) -> str:
        email = self.cleaned_data.get("email")
        if email:
            self.cleaned_data["email"] = _sign_in_name(email)
        return super().clean_email()


class ResetPasswordForm(allauth_forms.ResetPasswordForm):
    def clean_email(self) -> str:
        email = self.cleaned_data.get("email")
        if email:
            self.cleaned_data["email"] = _sign_in_name(email)
        return super().clean_email()


class AddEmailForm(allauth_forms.AddEmailForm):
    def clean_email(self) -> str:
        if getattr(self.user, "is_sealed", False):
            raise forms.ValidationError(
                _(
                    "Your sign-in address is kept encrypted, and there is only one. "
                    "To change it, ask the programme team."
                )
            )
        return super().clean_email()
