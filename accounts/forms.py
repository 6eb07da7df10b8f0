"""The two sign-in forms with "This is a shared phone" added
(settings.ACCOUNT_FORMS), on top of the sealed-address forms of
``accounts.signin_forms`` (a typed address becomes its lookup token).
The choice is kept in the session (accounts.safety): a short idle time,
a cookie that ends with the browser, warnings before downloads."""

from __future__ import annotations

from allauth.core import context
from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import safety, signin_forms


class SharedPhoneMixin(forms.Form):
    shared_phone = forms.BooleanField(label=_("This is a shared phone"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        minutes = max(1, settings.SHARED_PHONE_IDLE_SECONDS // 60)
        self.fields["shared_phone"].help_text = ngettext(
            "Others may use this phone. We sign you out after %(minutes)d minute without "
            "use, and nothing stays signed in when the browser closes.",
            "Others may use this phone. We sign you out after %(minutes)d minutes without "
            "use, and nothing stays signed in when the browser closes.",
            minutes,
        ) % {"minutes": minutes}


class LoginForm(SharedPhoneMixin, signin_forms.LoginForm):
    def login(self, request, redirect_url=None):
        # Before allauth signs in: Django keeps session data when it renews
        # the session key of an anonymous visitor.
        safety.mark_shared_phone(request, self.cleaned_data.get("shared_phone", False))
        return super().login(request, redirect_url)


class RequestLoginCodeForm(SharedPhoneMixin, signin_forms.RequestLoginCodeForm):
    def clean(self):
        cleaned_data = super().clean()
        # The code is entered on the next page, in the same session: mark it
        # now, and the sign-in that follows keeps the mark.
        if not self.errors:
            safety.mark_shared_phone(context.request, cleaned_data.get("shared_phone", False))
        return cleaned_data
