"""The consultant's own pages in the portal (/portal/me/).

There is no consultant id in any URL: the record is always the signed-in
person's own (``access.consultant_of``), so nobody can open anyone else's.
Things that belong to the record (a weekly window, a busy period) are
looked up within it, and answer 404 otherwise. Every page is ``never_cache``
(Cache-Control: no-store): they show the person's own contact details.

No JavaScript: every change is a plain form, and every removal or
withdrawal asks first on a page of its own.
"""

from __future__ import annotations

import json
from functools import wraps

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.decorators import consultant_required
from consultants import access, selectors, services
from consultants.forms_portal import (
    BreakForm,
    BusyPeriodForm,
    ConsentGrantForm,
    DetailsForm,
    PeerChoicesForm,
    PrivacyChoicesForm,
    StorySharingForm,
    WeeklyWindowForm,
)
from consultants.models import (
    BusyPeriod,
    ConsentScope,
    Consultant,
    Language,
    WeeklyAvailability,
)
from consultants.record import record_build
from core.forms import add_service_errors
from core.shortcuts import posted, require

GET_POST = require_http_methods(["GET", "POST"])


def portal_page(view):
    """Signed-in consultants with a profile; the view gets the profile as its
    second argument. A consultant account without a profile (not linked yet)
    gets a kind 404 page instead of an error."""

    @wraps(view)
    @never_cache
    @consultant_required
    def wrapped(request, *args, **kwargs):
        consultant = access.consultant_of(request.user)
        if consultant is None:
            return render(request, "consultants/portal/no_profile.html", status=404)
        return view(request, consultant, *args, **kwargs)

    return wrapped


def _languages(codes) -> list[str]:
    return [Language(code).label for code in codes if code in Language.values]


# --- Overview ---------------------------------------------------------------------------


@require_http_methods(["GET"])
@portal_page
def index(request, consultant: Consultant):
    return render(request, "consultants/portal/index.html", {"consultant": consultant})


# --- My details ---------------------------------------------------------------------------


@require_http_methods(["GET"])
@portal_page
def details(request, consultant: Consultant):
    return render(
        request,
        "consultants/portal/details.html",
        {
            "consultant": consultant,
            "preferred_languages": _languages(consultant.preferred_languages),
            "spoken_languages": _languages(consultant.spoken_languages),
        },
    )


@GET_POST
@portal_page
def details_edit(request, consultant: Consultant):
    if request.method == "POST":
        form = DetailsForm(request.POST)
        if form.is_valid():
            try:
                services.consultant_update(
                    consultant=consultant, by=request.user, data=form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Your details are saved."))
                return redirect("my:details")
    else:
        form = DetailsForm(initial=DetailsForm.initial_for(consultant))
    return render(request, "consultants/portal/details_edit.html", {"form": form})


# --- Availability -------------------------------------------------------------------------


def _break_options(user, consultant: Consultant) -> dict[str, bool]:
    allowed = access.statuses_user_may_set(user, consultant)
    return {
        "can_take_break": Consultant.Status.ON_BREAK in allowed,
        "can_end_break": consultant.status == Consultant.Status.ON_BREAK
        and Consultant.Status.ACTIVE in allowed,
    }


@require_http_methods(["GET"])
@portal_page
def availability(request, consultant: Consultant):
    today = timezone.localdate()
    return render(
        request,
        "consultants/portal/availability.html",
        {
            "consultant": consultant,
            "windows": list(selectors.weekly_windows(consultant=consultant)),
            "busy_periods": list(selectors.busy_periods(consultant=consultant, from_date=today)),
            **_break_options(request.user, consultant),
        },
    )


@GET_POST
@portal_page
def window_add(request, consultant: Consultant):
    require(access.can_manage_availability(request.user, consultant))
    form = WeeklyWindowForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.weekly_window_add(consultant=consultant, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The time is added."))
            return redirect("my:availability")
    return render(request, "consultants/portal/window_add.html", {"form": form})


@GET_POST
@portal_page
def window_remove(request, consultant: Consultant, pk: int):
    require(access.can_manage_availability(request.user, consultant))
    window = get_object_or_404(WeeklyAvailability, pk=pk, consultant=consultant)
    if request.method == "POST":
        services.weekly_window_remove(window=window, by=request.user)
        messages.success(request, _("The time is removed."))
        return redirect("my:availability")
    return render(request, "consultants/portal/window_remove.html", {"window": window})


@GET_POST
@portal_page
def busy_add(request, consultant: Consultant):
    require(access.can_manage_availability(request.user, consultant))
    form = BusyPeriodForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.busy_period_add(consultant=consultant, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The busy days are added."))
            return redirect("my:availability")
    return render(request, "consultants/portal/busy_add.html", {"form": form})


@GET_POST
@portal_page
def busy_remove(request, consultant: Consultant, pk: int):
    require(access.can_manage_availability(request.user, consultant))
    period = get_object_or_404(BusyPeriod, pk=pk, consultant=consultant)
    if request.method == "POST":
        services.busy_period_remove(period=period, by=request.user)
        messages.success(request, _("The busy days are removed."))
        return redirect("my:availability")
    return render(request, "consultants/portal/busy_remove.html", {"period": period})


@GET_POST
@portal_page
def take_break(request, consultant: Consultant):
    """Take a break, or change the day it ends."""
    require(access.can_change_status(request.user, consultant))
    options = _break_options(request.user, consultant)
    if not options["can_take_break"]:
        if request.method == "POST":
            messages.error(request, _("A break cannot be set right now."))
            return redirect("my:availability")
        return render(
            request, "consultants/portal/break.html", {"consultant": consultant, "form": None}
        )
    initial = {"break_until": consultant.break_until} if consultant.break_until else None
    form = BreakForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.consultant_status_change(
                consultant=consultant,
                status=Consultant.Status.ON_BREAK,
                by=request.user,
                break_until=form.cleaned_data["break_until"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your break is set. Take good care."))
            return redirect("my:availability")
    return render(
        request, "consultants/portal/break.html", {"consultant": consultant, "form": form}
    )


@GET_POST
@portal_page
def end_break(request, consultant: Consultant):
    require(access.can_change_status(request.user, consultant))
    if not _break_options(request.user, consultant)["can_end_break"]:
        messages.info(request, _("You are not on a break."))
        return redirect("my:availability")
    if request.method == "POST":
        try:
            services.consultant_status_change(
                consultant=consultant, status=Consultant.Status.ACTIVE, by=request.user
            )
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(request, _("Welcome back. Your break has ended."))
        return redirect("my:availability")
    return render(request, "consultants/portal/break_end.html", {"consultant": consultant})


# --- Consent ------------------------------------------------------------------------------


def _scope_or_404(scope: str) -> ConsentScope:
    if scope not in ConsentScope.values:
        raise Http404("No such consent.")
    return ConsentScope(scope)


@require_http_methods(["GET"])
@portal_page
def consent(request, consultant: Consultant):
    require(access.can_view_consent(request.user, consultant))
    state = selectors.consent_state(consultant=consultant)
    texts = selectors.consent_texts_current()
    scopes = []
    for scope, record in state.items():
        text = texts.get(scope)
        granted = record is not None and record.is_grant
        scopes.append(
            {
                "scope": ConsentScope(scope),
                "record": record,
                "granted": granted,
                "text": text,
                "newer_text": granted and text is not None and text.pk != record.consent_text_id,
            }
        )
    return render(
        request,
        "consultants/portal/consent.html",
        {"scopes": scopes, "history": list(selectors.consent_history(consultant=consultant))},
    )


@GET_POST
@portal_page
def consent_withdraw(request, consultant: Consultant, scope: str):
    scope = _scope_or_404(scope)
    require(access.can_record_consent(request.user, consultant))
    grant = selectors.consent_grant_standing(consultant=consultant, scope=scope)
    if request.method == "POST":
        try:
            # The text she agreed to was on the page, in her language (or English).
            services.consent_withdraw(
                consultant=consultant,
                scope=scope,
                by=request.user,
                language=grant.consent_text.words_for()[0] if grant else None,
            )
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
        else:
            messages.success(
                request,
                _("Your consent for “%(scope)s” is withdrawn, from this moment on.")
                % {"scope": scope.label},
            )
        return redirect("my:consent")
    if grant is None:
        messages.info(
            request,
            _("Consent for “%(scope)s” is not currently given, so there is nothing to withdraw.")
            % {"scope": scope.label},
        )
        return redirect("my:consent")
    language, body = grant.consent_text.words_for()
    return render(
        request,
        "consultants/portal/consent_withdraw.html",
        {"scope": scope, "text": grant.consent_text, "language": language, "body": body},
    )


@GET_POST
@portal_page
def consent_grant(request, consultant: Consultant, scope: str):
    scope = _scope_or_404(scope)
    require(access.can_record_consent(request.user, consultant))
    text = selectors.consent_text_current(scope=scope)
    if text is None:
        messages.info(
            request,
            _("There is nothing to agree to for “%(scope)s” yet. The team will ask you first.")
            % {"scope": scope.label},
        )
        return redirect("my:consent")
    # Her language when the text has its words in it, else English; the
    # form carries it back, so the record says the words she read.
    language, body = text.words_for()
    initial = {"version": text.version, "language": language}
    form = ConsentGrantForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["version"] != text.version:
            # A new version was published while the person was reading.
            form = ConsentGrantForm(initial=initial)
            messages.warning(
                request, _("The text has just been updated. Please read the new version first.")
            )
        else:
            try:
                services.consent_grant(
                    consultant=consultant,
                    scope=scope,
                    by=request.user,
                    consent_text=text,
                    language=form.cleaned_data["language"] or None,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Thank you. Your consent for “%(scope)s” is recorded.")
                    % {"scope": scope.label},
                )
                return redirect("my:consent")
    return render(
        request,
        "consultants/portal/consent_grant.html",
        {"scope": scope, "text": text, "language": language, "body": body, "form": form},
    )


# --- Story sharing --------------------------------------------------------------------------


@GET_POST
@portal_page
def story_sharing(request, consultant: Consultant):
    form = StorySharingForm(
        posted(request),
        initial={"story_sharing_default": consultant.story_sharing_default},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.story_sharing_default_set(
                consultant=consultant,
                value=form.cleaned_data["story_sharing_default"],
                by=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your choice is saved."))
            return redirect("my:index")
    return render(request, "consultants/portal/story_sharing.html", {"form": form})


# --- Privacy on a shared phone -------------------------------------------------------------


@GET_POST
@portal_page
def privacy(request, consultant: Consultant):
    form = PrivacyChoicesForm(posted(request), initial=PrivacyChoicesForm.initial_for(consultant))
    if request.method == "POST" and form.is_valid():
        services.privacy_choices_set(
            consultant=consultant,
            exit_signs_out=form.cleaned_data["exit_signs_out"],
            discretion=form.cleaned_data["discretion"],
            by=request.user,
        )
        messages.success(request, _("Your choices are saved."))
        return redirect("my:index")
    return render(request, "consultants/portal/privacy.html", {"form": form})


# --- Going with peers ----------------------------------------------------------------------


@GET_POST
@portal_page
def peers(request, consultant: Consultant):
    """Her two choices about peers: being seen by the others on the same
    engagement (both must choose it), and going with a peer."""
    form = PeerChoicesForm(posted(request), initial=PeerChoicesForm.initial_for(consultant))
    if request.method == "POST" and form.is_valid():
        try:
            services.peer_choices_set(
                consultant=consultant,
                visible_to_peers=form.cleaned_data["visible_to_peers"],
                prefers_peer=form.cleaned_data["prefers_peer"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Your choices are saved."))
            return redirect("my:index")
    return render(request, "consultants/portal/peers.html", {"form": form})


# --- My record ---------------------------------------------------------------------------


@GET_POST
@portal_page
def record(request, consultant: Consultant):
    """GET: what the record holds and the ways to have it (read here, PDF,
    JSON). POST: the JSON download itself (a POST, so a link preview or a
    prefetch never writes an export to the audit trail). The PDF is
    requested from the reports path (kind ``consultant_record``)."""
    require(access.can_export(request.user, consultant))
    if request.method == "GET":
        return render(request, "consultants/portal/record.html")
    data = services.consultant_export(consultant=consultant, by=request.user, request=request)
    return record_download_response(data, name="tinig-record")


@require_http_methods(["GET"])
@portal_page
def record_read(request, consultant: Consultant):
    """Her whole record as a page: every section the apps registered, in
    her language. Like "Your details", it is her own page and writes no
    audit entry; a download does (``record``)."""
    require(access.can_export(request.user, consultant))
    return render(
        request,
        "consultants/portal/record_read.html",
        {"sections": record_build(consultant)},
    )


def record_download_response(data: dict, *, name: str) -> HttpResponse:
    """An exported record as a JSON attachment that no cache keeps. Discreet:
    the file name says only which app it came from, and when (also used by
    the admin's download action)."""
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"{name}-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store, private"
    return response
