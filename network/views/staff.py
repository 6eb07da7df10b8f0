"""The network's staff page (mounted at /staff/network/): the network, its
leaders, its circles and counts; changing it, naming and ending leaders;
marking engagements and works as network-led (issue #18, part 4).

Every view: ``staff_required``, then ``network.access_staff`` (404 for
what one may not see, 403 for what one sees but may not change), a form,
a service, a redirect with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.decorators import staff_required
from core.forms import add_service_errors
from core.shortcuts import posted
from engagements.models import Audience
from network import access_staff as access
from network.forms_staff import SEARCH_FORM, LeaderForm, LedForm, NetworkForm
from network.models import Leadership
from network.selectors import circles as selectors
from network.selectors import led as led_selectors
from network.services import leaders
from network.services import network as services

GET = require_http_methods(["GET"])
GET_POST = require_http_methods(["GET", "POST"])


def _index_url() -> str:
    return reverse("network:index")


@staff_required
@GET
def index(request):
    if not access.can_view_network(request.user):
        raise Http404
    network = services.current_network()
    context = {
        "title": _("Survivor network"),
        "network": network,
        "can_manage": access.can_manage_network(request.user),
    }
    if network is not None:
        current, former = selectors.network_leaders(network)
        context.update(
            {
                "leaders_now": current,
                "leaders_before": former,
                "counts": selectors.network_counts(network),
                "led": led_selectors.led_counts(network=network),
                "review_audiences": [
                    str(Audience(value).label)
                    for value in network.review_required_audiences
                    if value in Audience.values
                ],
            }
        )
    return render(request, "network/staff/index.html", context)


def _network_data(form) -> dict:
    return {name: form.cleaned_data[name] for name in services.NETWORK_FIELDS}


@staff_required
@GET_POST
def network_create(request):
    access.require_manage_network(request.user)
    if services.current_network() is not None:
        return redirect("network:edit")
    form = NetworkForm(posted(request))
    if request.method == "POST":
        if form.is_valid():
            try:
                services.network_create(by=request.user, request=request, **_network_data(form))
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The network is created."))
                return redirect(_index_url())
        return _network_form(request, form, creating=True, status=400)
    return _network_form(request, form, creating=True)


def _network_form(request, form, *, creating, status=200):
    return render(
        request,
        "network/staff/network_form.html",
        {
            "title": _("Create the network") if creating else _("Change the network"),
            "form": form,
            "creating": creating,
        },
        status=status,
    )


@staff_required
@GET_POST
def network_edit(request):
    access.require_manage_network(request.user)
    network = services.current_network()
    if network is None:
        return redirect("network:create")
    form = NetworkForm(posted(request), instance=services.current_network())
    if request.method == "POST":
        if form.is_valid():
            try:
                services.network_update(
                    network=network, by=request.user, request=request, **_network_data(form)
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The network is saved."))
                return redirect(_index_url())
        return _network_form(request, form, creating=False, status=400)
    return _network_form(request, form, creating=False)


def _network_or_404():
    network = services.current_network()
    if network is None:
        raise Http404("No network yet.")
    return network


@staff_required
@GET_POST
def leader_add(request):
    access.require_manage_network(request.user)
    network = _network_or_404()
    form = LeaderForm(posted(request), user=request.user, search=request.GET)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                leadership = leaders.leader_name(
                    network=network,
                    consultant=form.cleaned_data["consultant"],
                    since=form.cleaned_data["since"],
                    by=request.user,
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(name)s is now a survivor leader.")
                    % {"name": leadership.consultant.pseudonym},
                )
                return redirect(_index_url())
        status = 400
    return render(
        request,
        "network/staff/leader_form.html",
        {
            "title": _("Name a survivor leader"),
            "network": network,
            "form": form,
            "search_form": SEARCH_FORM,
        },
        status=status,
    )


@staff_required
@GET_POST
def leader_end(request, pk):
    access.require_manage_network(request.user)
    network = _network_or_404()
    try:
        leadership = Leadership.objects.select_related("consultant").get(
            pk=pk, network=network, until__isnull=True
        )
    except (Leadership.DoesNotExist, ValueError, TypeError):
        raise Http404("No such leadership.") from None
    error = None
    if request.method == "POST":
        try:
            leaders.leader_end(leadership=leadership, by=request.user, request=request)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(
                request,
                _("%(name)s's leadership has ended.") % {"name": leadership.consultant.pseudonym},
            )
            return redirect(_index_url())
    return render(
        request,
        "network/staff/confirm.html",
        {
            "title": _("End this leadership?"),
            "question": _(
                "%(name)s stops being a survivor leader today: their leader area in the "
                "portal closes. Their past reviews stay."
            )
            % {"name": leadership.consultant.pseudonym},
            "confirm_label": _("End the leadership"),
            "cancel_url": _index_url(),
            "error": error,
        },
        status=400 if error else 200,
    )


# --- Network-led ------------------------------------------------------------------------


def _led_page(request, *, subject_title, form, is_led, back_url, status=200):
    return render(
        request,
        "network/staff/led_form.html",
        {
            "title": _("Led by the survivor network"),
            "subject_title": subject_title,
            "form": form,
            "is_led": is_led,
            "back_url": back_url,
        },
        status=status,
    )


def _led_view(request, *, subject, is_led, mark, back_url):
    form = LedForm(posted(request), initial={"led": is_led})
    if request.method == "POST":
        if form.is_valid():
            try:
                changed = mark(led=form.cleaned_data["led"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                if changed:
                    messages.success(
                        request,
                        _("Marked as led by the survivor network.")
                        if form.cleaned_data["led"]
                        else _("No longer marked as led by the survivor network."),
                    )
                return redirect(back_url)
        return _led_page(
            request,
            subject_title=subject,
            form=form,
            is_led=is_led,
            back_url=back_url,
            status=400,
        )
    return _led_page(request, subject_title=subject, form=form, is_led=is_led, back_url=back_url)


@staff_required
@GET_POST
def engagement_led(request, engagement_pk):
    engagement = access.engagement_for_user_to_mark(request.user, engagement_pk)
    return _led_view(
        request,
        subject=engagement.title,
        is_led=led_selectors.engagement_is_led(engagement),
        mark=lambda led: services.engagement_led_set(
            engagement=engagement, led=led, by=request.user, request=request
        ),
        back_url=reverse("engagements:detail", args=[engagement.pk]),
    )


@staff_required
@GET_POST
def work_led(request, pk):
    work = access.work_for_user_to_mark(request.user, pk)
    engagement = work.engagements.order_by("-start", "pk").first()
    back = reverse("engagements:detail", args=[engagement.pk]) if engagement else _index_url()
    return _led_view(
        request,
        subject=work.title,
        is_led=bool(led_selectors.works_led_ids([work])),
        mark=lambda led: services.work_led_set(
            work=work, led=led, by=request.user, request=request
        ),
        back_url=back,
    )
