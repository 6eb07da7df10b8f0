import ipaddress
import logging
from functools import wraps

from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _

from core.encryption import DecryptionError
from core.views import healthz

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"


class HealthCheckHostMiddleware:
    """``GET /healthz`` from a health check inside the machine, answered
    before anything reads the host.

    A container's health check (docker-compose.yml: ``urlopen('http://
    localhost:8000/healthz')``) sends ``Host: localhost:8000`` over plain
    HTTP. Production allows only the public host (``ALLOWED_HOSTS``) and
    redirects plain HTTP to HTTPS, so without this the check would get a
    400 or a 301 it cannot follow. A host of ``HEALTH_CHECK_HOSTS`` (same
    patterns as ``ALLOWED_HOSTS``) gets the health view itself, for that one
    path: any other path with that host still meets ``ALLOWED_HOSTS`` and
    is refused. The view answers up/down per part and nothing else.

    First in ``MIDDLEWARE``: the security middleware's redirect and the
    common middleware's host check are what it steps around."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == HEALTH_PATH and _is_health_check_host(request):
            return healthz(request)
        return self.get_response(request)


def _is_health_check_host(request) -> bool:
    # The Host header as sent (never X-Forwarded-Host: a proxy's client
    # chooses that one).
    host = request.META.get("HTTP_HOST") or request.META.get("SERVER_NAME", "")
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, settings.HEALTH_CHECK_HOSTS)


class ForwardedClientAddressMiddleware:
    """One client address for every reader: ``REMOTE_ADDR``.

    Behind ``TRUSTED_PROXY_COUNT`` proxies of ours (Caddy in
    docker-compose.yml: 1), ``REMOTE_ADDR`` is the nearest proxy's and the
    client's is the entry that many places from the end of
    ``X-Forwarded-For`` (each proxy appends the address it saw; entries
    before those are whatever the client wrote). It becomes ``REMOTE_ADDR``,
    which allauth's per-address rate limits and the audit trail read, and
    ``X-Forwarded-For`` is left holding it alone, so that auditlog's change
    history (which reads the header's first entry) records the same
    address. With no trusted proxy, or a header too short or not an
    address, the header is dropped: a client cannot choose what is recorded.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        forwarded = request.META.pop("HTTP_X_FORWARDED_FOR", "")
        client = forwarded_client(forwarded, settings.TRUSTED_PROXY_COUNT)
        if client is not None:
            request.META["REMOTE_ADDR"] = client
            request.META["HTTP_X_FORWARDED_FOR"] = client
        return self.get_response(request)


def forwarded_client(header: str, trusted_proxies: int) -> str | None:
    """The client's address in ``X-Forwarded-For`` behind ``trusted_proxies``
    proxies, or None (none trusted, too few entries, not an IP address)."""
    if trusted_proxies < 1 or not header:
        return None
    entries = [entry.strip() for entry in header.split(",")]
    if len(entries) < trusted_proxies:
        return None
    try:
        return str(ipaddress.ip_address(entries[-trusted_proxies]))
    except ValueError:
        return None


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
