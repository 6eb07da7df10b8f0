"""The pages of ``insights``: the programme's figures for survivor leaders
(/portal/lead/figures/). Aggregates only (``insights.figures``); a new URL
here needs its row in tests/insights/test_leader_figures.py."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.decorators import consultant_required
from insights import access, figures
from network import access as network_access


@never_cache
@consultant_required
@require_http_methods(["GET"])
def leader_figures(request):
    """Survivor leaders only; any other consultant gets 404, as for a page
    that is not there for her. Where her network asks leaders for a second
    factor, this page asks it too, as the rest of her area does."""
    if not access.can_see_leader_figures(request.user):
        raise Http404
    if network_access.leader_needs_mfa(
        request.user
    ) and not network_access.session_used_second_factor(request):
        return redirect("lead:second_factor")
    return render(
        request,
        "insights/portal/leader_figures.html",
        {
            "title": _("The programme in figures"),
            "figures": figures.leader_figures(),
            "small": figures.SMALL,
        },
    )
