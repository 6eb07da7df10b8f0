"""People (administrators only): invite a staff member, send a new link,
reset someone's second factor. Small on purpose: the services in
accounts.services are what a fuller "people and roles" page will call."""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Q, Subquery
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import services
from accounts.access import can_manage_people
from accounts.decorators import staff_required
from accounts.invitation_forms import MfaResetForm, StaffInviteForm
from accounts.models import StaffInvitation, User
from accounts.roles import STAFF_ROLES, requires_mfa

PAGE_SIZE = 50


def _require_admin(request) -> None:
    if not can_manage_people(request.user):
        raise PermissionDenied


def _staff_accounts():
    now = timezone.now()
    open_links = StaffInvitation.objects.filter(
        user=OuterRef("pk"), used_at=None, revoked_at=None, expires_at__gt=now
    )
    return (
        User.objects.filter(
            Q(groups__name__in=[role.value for role in STAFF_ROLES])
            | Q(is_staff=True)
            | Q(is_superuser=True)
        )
        .distinct()
        .annotate(
            has_totp=Exists(
                Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
            ),
            link_expires_at=Subquery(open_links.values("expires_at")[:1]),
        )
        .order_by("display_name", "pk")
    )


def _add_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


@staff_required
def people(request):
    _require_admin(request)
    page = Paginator(_staff_accounts(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/staff/people.html",
        {"title": _("People"), "page_obj": page, "form": StaffInviteForm()},
    )


@staff_required
def invite(request):
    _require_admin(request)
    form = StaffInviteForm(request.POST if request.method == "POST" else None)
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
        {"title": _("Invite a staff member"), "form": form},
        status=400 if form.is_bound else 200,
    )


def _person(pk) -> User:
    user = get_object_or_404(User, pk=pk)
    if not requires_mfa(user):
        raise PermissionDenied  # consultants are not managed here
    return user


@staff_required
@require_POST
def resend(request, pk):
    _require_admin(request)
    person = _person(pk)
    try:
        services.staff_invitation_resend(user=person, by=request.user)
    except ValidationError as error:
        for text in error.messages:
            messages.error(request, text)
    else:
        messages.success(request, _("A new link was sent. The old one no longer works."))
    return redirect("people:list")


@staff_required
def mfa_reset(request, pk):
    _require_admin(request)
    person = _person(pk)
    form = MfaResetForm(request.POST if request.method == "POST" else None)
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
            return redirect("people:list")
    return render(
        request,
        "accounts/staff/mfa_reset.html",
        {"title": _("Reset the second factor"), "form": form, "person": person},
        status=400 if form.is_bound else 200,
    )
