"""Small helpers for views and services in every app."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _


def require(allowed: bool) -> None:
    """Refuse with 403 unless ``allowed`` (the answer of an access helper)."""
    if not allowed:
        raise PermissionDenied(_("You may not do this."))


def posted(request: HttpRequest) -> QueryDict | None:
    """The POST data to bind a form to (even when empty), or None for a GET,
    so that ``Form(posted(request))`` is bound exactly when it was sent."""
    return request.POST if request.method == "POST" else None
