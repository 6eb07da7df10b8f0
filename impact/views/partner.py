"""The partner's feedback form, reached by a one-time link without an
account (/feedback/<token>/).

The token is the whole of the partner's access. Every answer that is not
the open form is the same page with the same status (410): an unknown,
guessed, altered, expired, revoked or already used token look alike, so a
guess learns nothing. Opening and sending are rate-limited per address
(allauth's rate limiter, as sign-in is). The form shows the contributions
and, for each, the pseudonyms of those consultants who agreed to be quoted
by pseudonym; nothing else about anyone.
"""

from __future__ import annotations

from allauth.core.internal import ratelimit
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from core.shortcuts import posted
from impact import selectors, services
from impact.forms import PartnerFeedbackForm

RATES = {"partner_feedback": "20/m/ip"}


def _closed(request):
    return render(request, "impact/partner/closed.html", {"title": _("Link not valid")}, status=410)


@never_cache
@require_http_methods(["GET", "POST"])
def form(request, token):
    if not ratelimit.consume(
        request, app="impact", action="partner_feedback", config=RATES, limit_get=True
    ):
        return ratelimit.respond_429(request)
    link = services.feedback_request_for_token(token)
    if link is None:
        return _closed(request)
    rows = selectors.partner_view(link.engagement)
    contributions = [contribution for contribution, _names in rows]
    form = PartnerFeedbackForm(posted(request), contributions=contributions)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            feedback = services.feedback_submit(
                token=token,
                useful=form.cleaned_data["useful"],
                will_change=form.cleaned_data["will_change"],
                follow_ups=form.follow_ups(),
            )
            if feedback is None:
                return _closed(request)
            return render(request, "impact/partner/thanks.html", {"title": _("Thank you")})
    names = {contribution.pk: names for contribution, names in rows}
    items = [
        (contribution, field, names[contribution.pk])
        for contribution, field in form.contribution_fields
    ]
    response = render(
        request,
        "impact/partner/form.html",
        {"title": _("Your feedback"), "form": form, "items": items},
        status=status,
    )
    response["Referrer-Policy"] = "no-referrer"
    return response
