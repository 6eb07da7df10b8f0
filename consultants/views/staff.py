"""Staff pages for consultants (mounted at /staff/consultants/).

Every view: ``staff_required``, then the consultant fetched through
``consultants.access`` (404 for one the user may not see), then the
``access`` check of the action (403), then a form, then a service. Hidden
values (identity, contacts, support person, wellbeing notes, evidence)
reach the page only through an audited service call with a reason, on
that response only, never cached.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts.decorators import staff_required
from consultants import access, selectors, services
from consultants.forms import (
    BusyPeriodForm,
    ConsentGrantForm,
    ConsentWithdrawForm,
    ConsultantForm,
    DirectoryFilterForm,
    PortalInviteForm,
    ReasonForm,
    RevealForm,
    StatusChangeForm,
    WeeklyWindowForm,
    WellbeingLeadForm,
    WellbeingNoteForm,
)
from consultants.models import (
    BusyPeriod,
    ConsentRecord,
    ConsentScope,
    Consultant,
    Language,
    StatusChange,
    WeeklyAvailability,
)
from consultants.services import REVEAL_FIELDS
from core.audit import record_view, shown_field
from core.forms import add_service_errors
from core.shortcuts import posted

PER_PAGE = 25

REVEAL_GROUPS = {
    "identity": gettext_lazy("Identity"),
    "contact": gettext_lazy("Contact details"),
    "support_person": gettext_lazy("Support person"),
}


def _no_store(response):
    response["Cache-Control"] = "no-store, private"
    return response


def _label(name: str) -> str:
    return str(Consultant._meta.get_field(name).verbose_name).capitalize()


# --- Directory ---------------------------------------------------------------------


@staff_required
@require_http_methods(["GET"])
def directory(request):
    form = DirectoryFilterForm(request.GET or None)
    consultants = selectors.consultant_directory(user=request.user, **form.filters())
    page = Paginator(consultants, PER_PAGE).get_page(request.GET.get("page"))
    return render(
        request,
        "consultants/staff/directory.html",
        {
            "title": _("Consultants"),
            "form": form,
            "page_obj": page,
            "filtered": any(form.filters().values()),
            "can_add": access.can_add_consultant(request.user),
        },
    )


# --- One consultant ----------------------------------------------------------------


def _actions(user, consultant: Consultant) -> dict[str, bool]:
    return {
        "edit": access.can_edit_profile(user, consultant),
        "status": bool(access.statuses_user_may_set(user, consultant))
        and access.can_change_status(user, consultant),
        "invite": access.can_invite_to_portal(user, consultant) and consultant.user_id is None,
        "availability": access.can_manage_availability(user, consultant),
        "consent": access.can_record_consent(user, consultant),
        "wellbeing": access.can_read_wellbeing(user, consultant),
        "lead": access.can_assign_wellbeing_lead(user, consultant),
        "reveal": access.can_reveal_identity(user, consultant),
    }


def _render_detail(request, consultant: Consultant, *, revealed=None, reveal_form=None, status=200):
    user = request.user
    consultant = selectors.consultant_with_details(consultant=consultant)
    actions = _actions(user, consultant)
    groups = []
    for group, title in REVEAL_GROUPS.items():
        form = reveal_form if reveal_form is not None and reveal_form.group == group else None
        values = None
        if revealed and revealed[0] == group:
            values = [(_label(name), value) for name, value in revealed[1].items()]
        groups.append(
            {
                "name": group,
                "title": title,
                "labels": [_label(name) for name in REVEAL_FIELDS[group]],
                "form": form or RevealForm(group=group),
                "values": values,
            }
        )
    show_reasons = access.can_change_status(user, consultant)
    history = list(selectors.status_history(consultant=consultant))
    # Status-change reasons are shown in the page's normal view to those who
    # may change status: one audit entry for the page when any is shown.
    record_view(
        actor=user,
        instance=consultant,
        fields=[shown_field(StatusChange, "reason")]
        if show_reasons and any(change.reason for change in history)
        else [],
        page=gettext_noop("the consultant page"),
        request=request,
    )
    context = {
        "title": consultant.pseudonym,
        "consultant": consultant,
        "actions": actions,
        "month_load": selectors.consultant_month_load(consultant=consultant),
        "preferred_languages": _language_labels(consultant.preferred_languages),
        "spoken_languages": _language_labels(consultant.spoken_languages),
        "history": history,
        "show_reasons": show_reasons,
        "groups": groups,
        "consent_rows": _consent_rows(consultant),
        "consent_history": selectors.consent_history(consultant=consultant),
        "can_see_evidence": actions["reveal"],
        "leads": access.wellbeing_leads_of(consultant) if actions["lead"] else None,
        "erased": consultant.is_erased,
    }
    response = render(request, "consultants/staff/detail.html", context, status=status)
    return _no_store(response) if revealed else response


def _language_labels(codes) -> list[str]:
    return [str(Language(code).label) for code in codes if code in Language.values]


def _consent_rows(consultant: Consultant) -> list[dict]:
    state = selectors.consent_state(consultant=consultant)
    return [
        {"scope": scope, "label": ConsentScope(scope).label, "record": record}
        for scope, record in state.items()
    ]


@staff_required
@require_http_methods(["GET"])
def detail(request, pk):
    consultant = access.consultant_for_user(request.user, pk)
    return _render_detail(request, consultant)


@staff_required
@require_POST
@never_cache
def reveal(request, pk):
    consultant = access.consultant_for_user(request.user, pk)
    if not access.can_reveal_identity(request.user, consultant):
        raise PermissionDenied
    group = request.POST.get("group", "")
    if group not in REVEAL_FIELDS:
        raise Http404("No such group of fields.")
    form = RevealForm(request.POST, group=group)
    if form.is_valid():
        try:
            values = services.consultant_reveal(
                consultant=consultant,
                user=request.user,
                fields=group,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _render_detail(request, consultant, revealed=(group, values))
    return _render_detail(request, consultant, reveal_form=form, status=400)


# --- Create and edit ---------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def create(request):
    if not access.can_add_consultant(request.user):
        raise PermissionDenied
    form = ConsultantForm(posted(request), can_edit_identity=True)
    if request.method == "POST" and form.is_valid():
        try:
            consultant = services.consultant_create(
                by=request.user,
                data=form.service_data(),
                expertise=form.cleaned_data["expertise"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The consultant was added."))
            return redirect("consultants:detail", pk=consultant.pk)
    return render(
        request,
        "consultants/staff/form.html",
        {"title": _("New consultant"), "form": form, "consultant": None},
        status=400 if form.is_bound else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
@never_cache
def edit(request, pk):
    consultant = access.consultant_for_user_to_change(request.user, pk)
    if consultant.is_erased:
        messages.error(request, _("This consultant's identity was erased; it cannot change."))
        return redirect("consultants:detail", pk=consultant.pk)
    form = ConsultantForm(
        posted(request),
        # A copy: the form writes what was typed into its instance.
        instance=Consultant.objects.get(pk=consultant.pk),
        can_edit_identity=access.can_reveal_identity(request.user, consultant),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.consultant_update(
                consultant=consultant,
                by=request.user,
                data=form.service_data(),
                expertise=form.cleaned_data["expertise"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The profile was saved."))
            return redirect("consultants:detail", pk=consultant.pk)
    return render(
        request,
        "consultants/staff/form.html",
        {"title": _("Edit profile"), "form": form, "consultant": consultant},
        status=400 if form.is_bound else 200,
    )


# --- Status ------------------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def status_change(request, pk):
    consultant = access.consultant_for_user(request.user, pk)
    statuses = access.statuses_user_may_set(request.user, consultant)
    if not access.can_change_status(request.user, consultant) or not statuses:
        raise PermissionDenied
    form = StatusChangeForm(posted(request), statuses=statuses)
    context = {"title": _("Change status"), "consultant": consultant, "form": form}
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if data["status"] == Consultant.Status.ALUMNI and "confirm" not in request.POST:
            return render(request, "consultants/staff/status_confirm.html", context)
        try:
            services.consultant_status_change(
                consultant=consultant,
                status=data["status"],
                by=request.user,
                reason=data["reason"],
                break_until=(
                    data["break_until"] if data["status"] == Consultant.Status.ON_BREAK else None
                ),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The status was changed."))
            return redirect("consultants:detail", pk=consultant.pk)
    return render(
        request,
        "consultants/staff/status.html",
        context,
        status=400 if form.is_bound else 200,
    )


# --- Portal invitation -------------------------------------------------------------


@staff_required
@require_http_methods(["GET", "POST"])
def invite(request, pk):
    consultant = access.consultant_for_user(request.user, pk)
    if not access.can_invite_to_portal(request.user, consultant):
        raise PermissionDenied
    problem = None
    if consultant.user_id is not None:
        problem = _("This consultant already has a portal account.")
    elif not (consultant.email or "").strip():
        problem = _("Add the consultant's e-mail address first (edit the profile).")
    form = PortalInviteForm(
        request.POST if request.method == "POST" else None,
        initial={"language": consultant.interface_language},
    )
    if request.method == "POST" and problem is None and form.is_valid():
        try:
            services.consultant_invite_to_portal(
                consultant=consultant,
                by=request.user,
                language=form.cleaned_data["language"],
                request=request,
            )
        except ValidationError as error:
            problem = " ".join(error.messages)
        else:
            messages.success(
                request, _("The invitation was sent. The consultant chooses a password from it.")
            )
            return redirect("consultants:detail", pk=consultant.pk)
    return render(
        request,
        "consultants/staff/invite.html",
        {
            "title": _("Invite to the portal"),
            "consultant": consultant,
            "problem": problem,
            "form": form,
        },
        status=400 if request.method == "POST" else 200,
    )


# --- Availability ------------------------------------------------------------------


def _consultant_for_availability(request, pk) -> Consultant:
    consultant = access.consultant_for_user(request.user, pk)
    if not access.can_manage_availability(request.user, consultant):
        raise PermissionDenied
    return consultant


def _render_availability(request, consultant, *, window_form=None, busy_form=None, status=200):
    return render(
        request,
        "consultants/staff/availability.html",
        {
            "title": _("Availability"),
            "consultant": consultant,
            "windows": selectors.weekly_windows(consultant=consultant),
            "busy_periods": selectors.busy_periods(consultant=consultant),
            "window_form": window_form or WeeklyWindowForm(prefix="window"),
            "busy_form": busy_form or BusyPeriodForm(prefix="busy"),
        },
        status=status,
    )


@staff_required
@require_http_methods(["GET"])
def availability(request, pk):
    consultant = _consultant_for_availability(request, pk)
    return _render_availability(request, consultant)


def _add_to_availability(request, pk, *, form_class, prefix: str, add, done: str):
    """Add a weekly window or a busy period: the form, the service, back to
    the availability page (or the page again with the errors, as 400)."""
    consultant = _consultant_for_availability(request, pk)
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            add(consultant=consultant, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, done)
            return redirect("consultants:availability", pk=consultant.pk)
    return _render_availability(request, consultant, **{f"{prefix}_form": form}, status=400)


def _remove_from_availability(request, pk, *, model, item_pk, remove, texts: dict):
    """Remove a weekly window or a busy period, after a confirmation page."""
    consultant = _consultant_for_availability(request, pk)
    item = get_object_or_404(model, pk=item_pk, consultant=consultant)
    if request.method == "POST":
        remove(item, by=request.user)
        messages.success(request, texts["done"])
        return redirect("consultants:availability", pk=consultant.pk)
    return render(
        request,
        "consultants/staff/confirm.html",
        {
            "title": texts["title"],
            "consultant": consultant,
            "what": str(item),
            "button": texts["button"],
            "back_url_name": "consultants:availability",
        },
    )


@staff_required
@require_POST
def window_add(request, pk):
    return _add_to_availability(
        request,
        pk,
        form_class=WeeklyWindowForm,
        prefix="window",
        add=services.weekly_window_add,
        done=_("The window was added."),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def window_remove(request, pk, window_pk):
    return _remove_from_availability(
        request,
        pk,
        model=WeeklyAvailability,
        item_pk=window_pk,
        remove=lambda window, by: services.weekly_window_remove(window=window, by=by),
        texts={
            "title": _("Remove this window?"),
            "button": _("Remove the window"),
            "done": _("The window was removed."),
        },
    )


@staff_required
@require_POST
def busy_add(request, pk):
    return _add_to_availability(
        request,
        pk,
        form_class=BusyPeriodForm,
        prefix="busy",
        add=services.busy_period_add,
        done=_("The busy period was added."),
    )


@staff_required
@require_http_methods(["GET", "POST"])
def busy_remove(request, pk, period_pk):
    return _remove_from_availability(
        request,
        pk,
        model=BusyPeriod,
        item_pk=period_pk,
        remove=lambda period, by: services.busy_period_remove(period=period, by=by),
        texts={
            "title": _("Remove this busy period?"),
            "button": _("Remove the busy period"),
            "done": _("The busy period was removed."),
        },
    )


# --- Consent -----------------------------------------------------------------------


def _consultant_for_consent(request, pk) -> Consultant:
    consultant = access.consultant_for_user(request.user, pk)
    if not access.can_record_consent(request.user, consultant):
        raise PermissionDenied
    return consultant


def _render_consent(request, consultant, *, form=None, status=200):
    texts = selectors.consent_texts_current(with_words=True)
    rows = []
    for row in _consent_rows(consultant):
        text = texts.get(row["scope"])
        # In the staff member's language when the text has it, else English.
        language, body = text.words_for() if text else (None, "")
        rows.append({**row, "text": text, "language": language, "body": body})
    return render(
        request,
        "consultants/staff/consent.html",
        {
            "title": _("Consent"),
            "consultant": consultant,
            "rows": rows,
            "form": form or ConsentGrantForm(consultant=consultant),
            "history": selectors.consent_history(consultant=consultant),
            "can_see_evidence": access.can_reveal_identity(request.user, consultant),
        },
        status=status,
    )


@staff_required
@require_http_methods(["GET", "POST"])
def consent(request, pk):
    """The state of every scope, its history, and recording a grant."""
    consultant = _consultant_for_consent(request, pk)
    if request.method == "GET":
        return _render_consent(request, consultant)
    form = ConsentGrantForm(request.POST, request.FILES, consultant=consultant)
    if form.is_valid():
        try:
            services.consent_grant(
                consultant=consultant,
                scope=form.cleaned_data["scope"],
                by=request.user,
                language=form.cleaned_data["language"],
                evidence=form.cleaned_data["evidence"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The consent was recorded."))
            return redirect("consultants:consent", pk=consultant.pk)
    return _render_consent(request, consultant, form=form, status=400)


@staff_required
@require_http_methods(["GET", "POST"])
def consent_withdraw(request, pk, scope):
    consultant = _consultant_for_consent(request, pk)
    if scope not in ConsentScope.values:
        raise Http404("No such scope.")
    form = ConsentWithdrawForm(posted(request), request.FILES if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_withdraw(
                consultant=consultant,
                scope=scope,
                by=request.user,
                evidence=form.cleaned_data["evidence"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The withdrawal was recorded. It applies at once."))
            return redirect("consultants:consent", pk=consultant.pk)
    return render(
        request,
        "consultants/staff/consent_withdraw.html",
        {
            "title": _("Withdraw consent?"),
            "consultant": consultant,
            "scope_label": ConsentScope(scope).label,
            "form": form,
        },
        status=400 if form.is_bound else 200,
    )


@staff_required
@require_http_methods(["GET", "POST"])
@never_cache
def consent_evidence(request, pk, record_pk):
    """The signed form of a consent record: asked for with a reason, audited,
    served as a download from private storage (it never has a URL)."""
    consultant = access.consultant_for_user(request.user, pk)
    record = get_object_or_404(ConsentRecord, pk=record_pk, consultant=consultant)
    if not access.can_view_consent_evidence(request.user, record):
        raise PermissionDenied
    if not record.evidence:
        raise Http404("This record has no evidence file.")
    form = ReasonForm(posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            handle = services.consent_evidence_open(
                record=record,
                user=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            extension = record.evidence.name.rsplit(".", 1)[-1]
            return _no_store(
                FileResponse(
                    handle, as_attachment=True, filename=f"tinig-document-{record.pk}.{extension}"
                )
            )
    return render(
        request,
        "consultants/staff/evidence.html",
        {"title": _("Open the evidence"), "consultant": consultant, "record": record, "form": form},
        status=400 if form.is_bound else 200,
    )


# --- Wellbeing ---------------------------------------------------------------------


def _consultant_for_wellbeing(request, pk) -> Consultant:
    consultant = access.consultant_for_user(request.user, pk)
    if not access.can_read_wellbeing(request.user, consultant):
        raise PermissionDenied
    return consultant


def _render_wellbeing(request, consultant, *, notes=None, reveal_form=None, note_form=None):
    response = render(
        request,
        "consultants/staff/wellbeing.html",
        {
            "title": _("Wellbeing notes"),
            "consultant": consultant,
            "notes": notes,
            "reveal_form": reveal_form or ReasonForm(prefix="reveal"),
            "note_form": note_form or WellbeingNoteForm(prefix="note"),
        },
        status=400 if (reveal_form or note_form) and notes is None else 200,
    )
    return _no_store(response) if notes is not None else response


@staff_required
@require_http_methods(["GET", "POST"])
@never_cache
def wellbeing(request, pk):
    """GET: the page (notes hidden). POST: reveal the notes with a reason."""
    consultant = _consultant_for_wellbeing(request, pk)
    if request.method == "GET":
        return _render_wellbeing(request, consultant)
    form = ReasonForm(request.POST, prefix="reveal")
    if form.is_valid():
        try:
            notes = services.wellbeing_notes_reveal(
                consultant=consultant,
                user=request.user,
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _render_wellbeing(request, consultant, notes=notes)
    return _render_wellbeing(request, consultant, reveal_form=form)


@staff_required
@require_POST
def wellbeing_note_add(request, pk):
    consultant = _consultant_for_wellbeing(request, pk)
    form = WellbeingNoteForm(request.POST, prefix="note")
    if form.is_valid():
        try:
            services.wellbeing_note_add(
                consultant=consultant,
                kind=form.cleaned_data["kind"],
                body=form.cleaned_data["body"],
                author=request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The note was saved."))
            return redirect("consultants:wellbeing", pk=consultant.pk)
    return _render_wellbeing(request, consultant, note_form=form)


@staff_required
@require_http_methods(["GET", "POST"])
def wellbeing_lead(request, pk):
    consultant = access.consultant_for_user(request.user, pk)
    if not access.can_assign_wellbeing_lead(request.user, consultant):
        raise PermissionDenied
    current = access.wellbeing_leads_of(consultant)
    form = WellbeingLeadForm(
        posted(request),
        leads=access.wellbeing_lead_candidates(),
        initial={"lead": current[0].pk if current else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.wellbeing_lead_assign(
                consultant=consultant,
                lead=form.cleaned_data["lead"],
                by=request.user,
                request=request,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The wellbeing lead was assigned."))
            return redirect("consultants:detail", pk=consultant.pk)
    return render(
        request,
        "consultants/staff/wellbeing_lead.html",
        {
            "title": _("Wellbeing lead"),
            "consultant": consultant,
            "form": form,
            "current": current,
        },
        status=400 if form.is_bound else 200,
    )
