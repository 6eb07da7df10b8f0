"""The offline renderer: our static files and nothing else."""

from __future__ import annotations

import pytest

from reports.pdf import (
    FatalURLFetchingError,
    ResourceRefused,
    StaticFilesFetcher,
    base_url,
    css_page_counter,
    html_to_pdf,
)
from tests.helpers import pdf_text


def test_base_url_points_into_the_static_namespace():
    assert base_url() == "file:///static/"


@pytest.mark.parametrize(
    "url", ["file:///static/reports/pdf.css", "file:///static/reports/./pdf.css?v=1"]
)
def test_our_static_files_are_served(url):
    response = StaticFilesFetcher().fetch(url)
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/font.woff2",
        "http://127.0.0.1:8000/static/reports/pdf.css",
        "ftp://example.org/x.css",
        "file:///etc/passwd",
        "file:///static/../etc/passwd",
        "file:///static/%2e%2e/%2e%2e/etc/passwd",
        "file://evil.example/static/reports/pdf.css",
        "file:///static/reports/missing.css",
    ],
)
def test_anything_else_is_refused(url):
    with pytest.raises(ResourceRefused):
        StaticFilesFetcher().fetch(url)


@pytest.mark.pdf
def test_a_document_that_reaches_out_is_not_produced():
    html = '<html><head><link rel="stylesheet" href="https://example.org/x.css"></head></html>'
    with pytest.raises(FatalURLFetchingError):
        html_to_pdf(html)


@pytest.mark.pdf
def test_data_urls_work():
    html = (
        "<p>Hello</p><img alt='' src='data:image/gif;base64,"
        "R0lGODlhAQABAAAAACH5BAEKAAEALAAAAAABAAEAAAICTAEAOw=='>"
    )
    assert "Hello" in pdf_text(html_to_pdf(html))


def test_page_counter_from_a_translation():
    assert css_page_counter("Page %(page)s of %(pages)s") == (
        '"Page " counter(page) " of " counter(pages)'
    )
    assert css_page_counter("Pahina %(page)s ng %(pages)s") == (
        '"Pahina " counter(page) " ng " counter(pages)'
    )


def test_page_counter_cannot_break_out_of_css():
    # Quotes, braces and angle brackets become CSS escapes: a translation can
    # end neither the string, nor the rule, nor the <style> element.
    value = css_page_counter('x" } </style>%(page)s')
    assert value == '"x\\22  \\7d  \\3c /style\\3e " counter(page)'
