"""The consultant's own checklist items in the portal (/portal/checklist/).

Phone first and no JavaScript: the list links each open item to a page
with its guidance and one button. An item that is not the consultant's own
is a 404. Every page is ``never_cache``.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from accounts.decorators import consultant_required
from checklists import access, selectors, services
from checklists.forms import DoneForm
from core.forms import add_service_errors
from core.shortcuts import posted


@never_cache
@consultant_required
@require_http_methods(["GET"])
def index(request):
    now = timezone.now()
    items = list(selectors.consultant_tasks(user=request.user))
    for item in items:
        item.overdue = item.is_overdue(now)
    return render(
        request,
        "checklists/portal/index.html",
        {
            "title": _("Your checklist"),
            "open_items": [item for item in items if item.is_open],
            "done_items": [item for item in items if not item.is_open],
        },
    )


@never_cache
@consultant_required
@require_http_methods(["GET", "POST"])
def item(request, pk):
    item = access.consultant_item_for_user(request.user, pk)
    form = DoneForm(posted(request), item=item)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.item_mark_done(item=item, by=request.user, note=form.cleaned_data["note"])
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Thank you. “%(title)s” is done.") % {"title": item.shown_title}
                )
                return redirect("my_checklist:index")
        status = 400
    return render(
        request,
        "checklists/portal/item.html",
        {"title": item.shown_title, "item": item, "form": form},
        status=status,
    )
