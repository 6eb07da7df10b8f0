"""Her growth page (/portal/growth/): what she has done, learned and led,
in her own words, and what she could do next. Her own only. A new URL here
needs its row in tests/network/test_growth_permission_matrix.py."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.decorators import consultant_required
from core.forms import add_service_errors
from core.shortcuts import posted
from network import access_growth as access
from network.forms_growth import ReflectionForm
from network.selectors import growth as selectors
from network.services import growth as services

PER_PAGE = 10


@never_cache
@consultant_required
@require_http_methods(["GET"])
def index(request):
    consultant = access.consultant_of(request.user)
    growth = None
    page = None
    if consultant is not None:
        growth = selectors.growth_of(consultant)
        page = Paginator(selectors.reflections_of(consultant), PER_PAGE).get_page(
            request.GET.get("page")
        )
    return render(
        request,
        "network/growth/portal/index.html",
        {
            "title": _("How you are growing"),
            "consultant": consultant,
            "growth": growth,
            "page_obj": page,
        },
    )


def _reflection_page(request, *, form, reflection=None, status=200):
    return render(
        request,
        "network/growth/portal/reflection_form.html",
        {
            "title": _("Change what you wrote") if reflection else _("Write in your words"),
            "form": form,
            "reflection": reflection,
        },
        status=status,
    )


@never_cache
@consultant_required
@require_http_methods(["GET", "POST"])
def reflection_add(request):
    consultant = access.consultant_of(request.user)
    if consultant is None:
        return redirect("my_growth:index")
    form = ReflectionForm(posted(request))
    if request.method == "POST":
        if form.is_valid():
            try:
                services.reflection_add(
                    consultant=consultant,
                    by=request.user,
                    body=form.cleaned_data["body"],
                    shared_with_team=form.cleaned_data["shared_with_team"],
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Saved. Thank you."))
                return redirect("my_growth:index")
        return _reflection_page(request, form=form, status=400)
    return _reflection_page(request, form=form)


@never_cache
@consultant_required
@require_http_methods(["GET", "POST"])
def reflection_edit(request, pk):
    reflection = access.reflection_for_consultant(request.user, pk)
    form = ReflectionForm(
        posted(request),
        initial={"body": reflection.body, "shared_with_team": reflection.shared_with_team},
    )
    if request.method == "POST":
        if form.is_valid():
            try:
                services.reflection_edit(
                    reflection=reflection,
                    by=request.user,
                    body=form.cleaned_data["body"],
                    shared_with_team=form.cleaned_data["shared_with_team"],
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Saved. Thank you."))
                return redirect("my_growth:index")
        return _reflection_page(request, form=form, reflection=reflection, status=400)
    return _reflection_page(request, form=form, reflection=reflection)


@never_cache
@consultant_required
@require_http_methods(["GET", "POST"])
def reflection_delete(request, pk):
    reflection = access.reflection_for_consultant(request.user, pk)
    if request.method == "POST":
        services.reflection_delete(reflection=reflection, by=request.user, request=request)
        messages.success(request, _("Deleted. Nobody can read it any more."))
        return redirect("my_growth:index")
    return render(
        request,
        "network/growth/portal/reflection_delete.html",
        {"title": _("Delete what you wrote?"), "reflection": reflection},
    )
