import logging
from functools import wraps

from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from core.encryption import DecryptionError

logger = logging.getLogger(__name__)


class DecryptionErrorMiddleware:
    """A value that cannot be decrypted is a configuration fault, not a
    page to show: answer 503 with a plain explanation, log which field
    failed (never the value), and show nothing else of the record."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, DecryptionError):
            return None
        logger.error("Decryption failed: %s", exception)
        return TemplateResponse(
            request,
            "errors/decryption.html",
            {"title": _("Protected data cannot be read")},
            status=503,
        )


# The sites whose pages belong to a signed-in person. Static files (served
# by WhiteNoise before any of this), /healthz, /help/ and /exit are not here.
PRIVATE_PREFIXES = ("/staff/", "/portal/", "/reports/", "/accounts/", "/admin/")
NO_STORE = "no-store, private"


def cacheable(view):
    """Opt a view out of ``NoStoreMiddleware``: its responses keep whatever
    Cache-Control the view gives them (or none). For pages that hold
    nothing of anyone's, and only with a reason in the view's docstring."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response.tinig_cacheable = True
        return response

    return wrapped


class NoStoreMiddleware:
    """Every response to a signed-in person on the private sites says
    ``Cache-Control: no-store, private``: no browser, proxy or shared
    phone's back button keeps a copy. Default on, not page by page; a view
    opts out with ``@cacheable``. A stricter header a view set itself (one
    that already says no-store, like ``never_cache``'s) is kept; any other
    is replaced, since only ``@cacheable`` may relax the rule.

    The person is read before the view and after it: the response that
    signs someone out is still theirs, the one that signs someone in
    already is."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        private = request.path.startswith(PRIVATE_PREFIXES)
        signed_in = private and _signed_in(request)
        response = self.get_response(request)
        if not private or getattr(response, "tinig_cacheable", False):
            return response
        if not (signed_in or _signed_in(request)):
            return response
        if "no-store" not in response.get("Cache-Control", ""):
            response["Cache-Control"] = NO_STORE
        return response


def _signed_in(request) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)
