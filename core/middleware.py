import logging

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
