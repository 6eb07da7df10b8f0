"""HTML to PDF with WeasyPrint, offline.

The worker has no request, so the document gets a base URL of its own:
``file://`` plus the path of ``STATIC_URL`` (``file:///static/``). Both
``{% static 'reports/pdf.css' %}`` and a plain ``reports/pdf.css`` resolve
under it, and ``StaticFilesFetcher`` maps those URLs, and only those, to our
static files (the finders in development, ``STATIC_ROOT`` after
collectstatic). Anything else, another file on disk or anything on the
network, is refused, and a refused or missing resource stops the rendering:
a document is never produced half-styled or by reaching outside.
"""

from __future__ import annotations

import mimetypes
import posixpath
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.exceptions import SuspiciousFileOperation
from django.utils.safestring import SafeString, mark_safe
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

__all__ = ["FatalURLFetchingError", "ResourceRefused", "StaticFilesFetcher", "html_to_pdf"]


class ResourceRefused(ValueError):
    """The document asked for something that is not one of our static files."""


def _static_prefix() -> str:
    return urlsplit(settings.STATIC_URL).path or "/static/"


def base_url() -> str:
    return f"file://{_static_prefix()}"


class StaticFilesFetcher(URLFetcher):
    """Answers ``data:`` URLs and our own static files; refuses everything else."""

    def __init__(self):
        super().__init__(allowed_protocols={"file", "data"}, fail_on_errors=True)

    def fetch(self, url, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = self.static_path(url)
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            url, body=path.read_bytes(), headers={"Content-Type": content_type}
        )

    @staticmethod
    def static_path(url: str) -> Path:
        name = _static_name(url)
        try:
            found = finders.find(name)
            if not found and hasattr(staticfiles_storage, "path"):
                candidate = staticfiles_storage.path(name)
                found = candidate if Path(candidate).is_file() else None
        except SuspiciousFileOperation as error:
            raise ResourceRefused("The path leaves the static folders.") from error
        if not found:
            raise ResourceRefused(f"No static file named {name!r}.")
        return Path(found)


def _static_name(url: str) -> str:
    """The static file name a URL points to, or ResourceRefused."""
    static_url = settings.STATIC_URL
    if static_url.startswith(("http://", "https://")) and url.startswith(static_url):
        rest = url[len(static_url) :]
    else:
        parts = urlsplit(url)
        prefix = _static_prefix()
        if parts.scheme != "file" or parts.netloc or not parts.path.startswith(prefix):
            raise ResourceRefused("Only our own static files may be used in a document.")
        rest = parts.path[len(prefix) :]
    name = posixpath.normpath(unquote(rest.split("?", 1)[0].split("#", 1)[0]))
    if name in ("", ".") or name.startswith(("..", "/")):
        raise ResourceRefused("The path leaves the static folders.")
    return name


def html_to_pdf(html: str) -> bytes:
    """Lay out ``html`` and return the PDF. Raises FatalURLFetchingError (a
    BaseException) when the document asks for a refused or missing resource."""
    return HTML(string=html, base_url=base_url(), url_fetcher=StaticFilesFetcher()).write_pdf()


_PLACEHOLDER = re.compile(r"%\((page|pages)\)s")


def css_page_counter(text: str) -> SafeString:
    """A CSS ``content`` value from a translated "Page %(page)s of %(pages)s".

    The literal parts become CSS strings (escaped so that no translation can
    end the string or the ``<style>`` element), the placeholders page counters.
    """
    parts = []
    for index, piece in enumerate(_PLACEHOLDER.split(text)):
        if index % 2:
            parts.append(f"counter({piece})")
        elif piece:
            parts.append('"' + _css_string(piece) + '"')
    return mark_safe(" ".join(parts) or '""')  # noqa: S308 (every piece escaped above)


def _css_string(value: str) -> str:
    escaped = []
    for char in value:
        if char.isalnum() or char in " .,:;-_()/!?'":
            escaped.append(char)
        else:
            escaped.append(f"\\{ord(char):x} ")
    return "".join(escaped)
