"""Views of accounts: the staff invitation link and the page for accounts that
need one; the shared phone's keep-alive.

Open to anyone with the link: the token is the permission. Nothing here
says whether an address has an account: a used, expired or unknown link
gets the same page.
"""

from __future__ import annotations

import base64

from django.contrib.auth import logout
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as django_set_language

from accounts import language, services
from accounts.invitation_forms import InvitationAcceptForm


def _secret_key(invitation) -> str:
    return f"tinig.invitation.{invitation.pk}.totp_secret"


@never_cache
@sensitive_post_parameters("new_password1", "new_password2", "code")
def invitation_accept(request, token: str):
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.totp.internal.auth import generate_totp_secret

    invitation = services.staff_invitation_for_token(token)
    if invitation is None:
        return render(
            request, "accounts/invitation_closed.html", {"title": _("Link not valid")}, status=410
        )
    user = invitation.user
    # In the language her e-mail was written in (the switch's cookie wins).
    language.activate_for_page(request, language.language_of(user))
    secret = request.session.get(_secret_key(invitation))
    if not secret:
        secret = request.session[_secret_key(invitation)] = generate_totp_secret()
    form = InvitationAcceptForm(
        user, request.POST if request.method == "POST" else None, secret=secret
    )
    if request.method == "POST" and form.is_valid():
        try:
            codes = services.staff_invitation_accept(
                invitation=invitation,
                password=form.cleaned_data["new_password1"],
                totp_secret=secret,
            )
        except ValidationError:
            return render(
                request,
                "accounts/invitation_closed.html",
                {"title": _("Link not valid")},
                status=410,
            )
        if request.user.is_authenticated:
            logout(request)  # whoever was signed in here, it is not this account yet
        else:
            request.session.pop(_secret_key(invitation), None)
        return render(
            request,
            "accounts/invitation_done.html",
            {"title": _("Your account is ready"), "codes": codes},
        )
    adapter = get_adapter()
    totp_url = adapter.build_totp_url(user, secret)
    svg = adapter.build_totp_svg(totp_url)
    return render(
        request,
        "accounts/invitation_accept.html",
        {
            "title": _("Set up your account"),
            "form": form,
            "secret": secret,
            "email": user.email,
            "totp_svg_data_uri": "data:image/svg+xml;base64,"
            + base64.b64encode(svg.encode("utf-8")).decode("ascii"),
        },
        status=400 if form.is_bound else 200,
    )


@never_cache
def invitation_needed(request):
    """Where a staff account without an authenticator lands (signed out)."""
    return render(request, "accounts/invitation_needed.html", {"title": _("Ask for a new link")})


@require_http_methods(["GET"])
@never_cache
def keep_alive(request):
    """ "Stay signed in" on a shared phone (static/js/safety.js): any request
    renews the session's idle time (SessionIdleTimeoutMiddleware), so this
    one only says whether there still is a session to renew. A GET: it
    changes nothing but that moment, like opening any page would."""
    return HttpResponse(status=204 if request.user.is_authenticated else 401)


@require_POST
def set_language(request):
    """The footer switcher: Django's view (safe ``next``, the cookie), and the
    signed-in person's preference saved with it."""
    code = request.POST.get("language")
    if language.supported(code):
        if request.user.is_authenticated:
            language.save_preference(request.user, code)
        else:
            language.remember_choice(request, code)
    return django_set_language(request)
