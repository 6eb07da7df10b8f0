"""People (administrators only): staff accounts by role and status, one
person's page, inviting, giving and taking roles, deactivating and
reactivating, a new link, resetting a second factor.

Thin views: ``accounts.access`` decides who may, ``accounts.selectors``
reads, ``accounts.services`` writes (with the guards and the audit entry).
Consultants are not managed here (403): they are the consultants pages'.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.access import can_give_roles_to, can_manage_people, page_managing
from accounts.decorators import staff_required
from accounts.invitation_forms import MfaResetForm, StaffInviteForm
from accounts.models import User
from accounts.people_forms import DeactivateForm, PeopleFilterForm, RolesForm
from accounts.roles import Role, forget_roles, is_staff_account, roles_held

PAGE_SIZE = 50


def _require_admin(request) -> None:
    if not can_manage_people(request.user):
        raise PermissionDenied


def _posted(request):
    return request.POST if request.method == "POST" else None


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def _person(pk) -> User:
    """A staff account, active or not: 404 if there is none, 403 for a
    consultant's (managed elsewhere)."""
    user = get_object_or_404(User, pk=pk)
    if not is_staff_account(user):
        raise PermissionDenied
    return user


def _roles_page():
    """The roles, each with what it may do (``Role.description``)."""
    return [{"label": role.label, "description": role.description} for role in Role]


@staff_required
def people(request):
    _require_admin(request)
    form = PeopleFilterForm(request.GET or None)
    filters = form.filters()
    # Counted and sliced bare; the columns for the page's rows only (accounts
    # sits below core, so not core.bounded.AnnotatedPaginator: the same idea).
    page = Paginator(selectors.people_list(**filters), PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.people_page_rows(page.object_list)
    for row in page:
        row.role_labels = [str(Role(name).label) for name in row.role_names]
    return render(
        request,
        "accounts/staff/people.html",
        {
            "title": _("People"),
            "page_obj": page,
            "form": form,
            "filtered": any(filters.values()),
            "roles": _roles_page(),
        },
    )


@staff_required
def person(request, pk):
    _require_admin(request)
    account = get_object_or_404(User, pk=pk)
    if not is_staff_account(account):
        # A consultant's portal account (a link from the admin, the audit
        # log): her page under Consultants, where she is managed, protected
        # details behind their reveal; 403 when there is none to show.
        elsewhere = page_managing(account, viewer=request.user)
        if elsewhere is None:
            raise PermissionDenied
        messages.info(
            request,
            _(
                "This is a consultant's portal account. Consultants are not managed "
                "under People: this is her page."
            ),
        )
        return redirect(elsewhere)
    found = selectors.person_for_admin(pk=account.pk)
    if found is None:
        raise Http404
    return render(
        request,
        "accounts/staff/person.html",
        {
            "title": str(found),
            "person": found,
            "roles": [Role(name) for name in found.role_names],
            "is_self": found.pk == request.user.pk,
        },
    )


@staff_required
def invite(request):
    _require_admin(request)
    form = StaffInviteForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_invite(
                email=form.cleaned_data["email"],
                display_name=form.cleaned_data["display_name"],
                roles=form.cleaned_data["roles"],
                language=form.cleaned_data["language"],
                by=request.user,
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Invitation sent. The link works once, for 3 days."))
            return redirect("people:list")
    return render(
        request,
        "accounts/staff/invite.html",
        {"title": _("Invite a staff member"), "form": form, "roles": _roles_page()},
        status=400 if form.is_bound else 200,
    )


@staff_required
def roles(request, pk):
    _require_admin(request)
    person = _person(pk)
    held = roles_held(person)
    form = RolesForm(_posted(request), initial={"roles": [role.value for role in held]})
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_roles_set(
                user=person, roles=form.cleaned_data["roles"], by=request.user, request=request
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Roles saved."))
            if person.pk == request.user.pk:
                forget_roles(request.user)
                if not can_manage_people(request.user):
                    return redirect("staff:dashboard")
            return redirect("people:person", pk=person.pk)
    return render(
        request,
        "accounts/staff/roles.html",
        {
            "title": _("Roles"),
            "person": person,
            "form": form,
            # Her own page: she may take roles away, not give herself one.
            "may_give": can_give_roles_to(request.user, person),
            # Roles given elsewhere, explained here: a consultant's (from
            # their page) and a survivor leader's (from the network's page).
            "given_elsewhere": [Role.CONSULTANT, Role.SURVIVOR_LEADER],
        },
        status=400 if form.is_bound else 200,
    )


@staff_required
def deactivate(request, pk):
    _require_admin(request)
    person = _person(pk)
    form = DeactivateForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            ended = services.staff_deactivate(
                user=person, by=request.user, reason=form.cleaned_data["reason"], request=request
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                ngettext(
                    "Deactivated. %(count)d session of theirs ended.",
                    "Deactivated. %(count)d sessions of theirs ended.",
                    ended,
                )
                % {"count": ended},
            )
            return redirect("people:person", pk=person.pk)
    return render(
        request,
        "accounts/staff/deactivate.html",
        {
            "title": _("Deactivate this account?"),
            "person": person,
            "form": form,
            "is_self": person.pk == request.user.pk,
        },
        status=400 if form.is_bound else 200,
    )


@staff_required
@require_POST
def reactivate(request, pk):
    _require_admin(request)
    person = _person(pk)
    try:
        services.staff_reactivate(user=person, by=request.user, request=request)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("Reactivated. They can sign in again as before."))
    return redirect("people:person", pk=person.pk)


@staff_required
@require_POST
def resend(request, pk):
    _require_admin(request)
    person = _person(pk)
    try:
        services.staff_invitation_resend(user=person, by=request.user, request=request)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("A new link was sent. The old one no longer works."))
    return redirect("people:person", pk=person.pk)


@staff_required
def mfa_reset(request, pk):
    _require_admin(request)
    person = _person(pk)
    form = MfaResetForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.staff_mfa_reset(
                user=person, reason=form.cleaned_data["reason"], by=request.user, request=request
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(
                request,
                _("Second factor reset. They were told by e-mail and sent a new link."),
            )
            return redirect("people:person", pk=person.pk)
    return render(
        request,
        "accounts/staff/mfa_reset.html",
        {"title": _("Reset the second factor"), "form": form, "person": person},
        status=400 if form.is_bound else 200,
    )
