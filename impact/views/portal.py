"""The consultant's "What your voice changed" (/portal/voice/): the
contributions she is credited on and what became of each, in plain words.
Her own only; the other consultants of a contribution never appear."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.decorators import consultant_required
from impact import access, selectors

PER_PAGE = 20


@never_cache
@consultant_required
@require_http_methods(["GET"])
def index(request):
    consultant = access.consultant_of(request.user)
    page = None
    if consultant is not None:
        page = Paginator(selectors.consultant_contributions(consultant), PER_PAGE).get_page(
            request.GET.get("page")
        )
    return render(
        request,
        "impact/portal/index.html",
        {"title": _("What your voice changed"), "page_obj": page},
    )
