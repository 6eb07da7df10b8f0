"""Every portal page, in Filipino, for a consultant whose language is
Filipino: <html lang="fil"> and no English sentence left. The pages are
found by following the portal's own links from its home on the demo data
(the same walk a person's taps make), plus the forms behind buttons. Data
(titles, pseudonyms, places, free text staff wrote) is not ours to
translate and is taken out first."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models
from django.urls import reverse

from accounts import demo as accounts_demo
from accounts.models import User
from tests.helpers import client_for
from tests.i18n.english import english_lines, visible_text

pytestmark = pytest.mark.django_db

OURS = {
    "accounts",
    "core",
    "consultants",
    "reports",
    "engagements",
    "reminders",
    "checklists",
    "compensation",
    "impact",
    "insights",
    "network",
}
# Not pages: downloads, leaving, signing out.
NOT_PAGES = re.compile(r"(\.ics|\.pdf|/download/|/exit|/logout/|/keep-alive|/i18n/)")
HREF = re.compile(r'href="(/[^"#?]*)')
# The English version of the help page, linked from the Filipino one.
ENGLISH_BY_DESIGN = {"/help/en/"}
# Proper nouns and loanwords that may stand alone on a line.
PROPER = ["Tinig", "Amihan", "Filipino", "English"]


def data_values() -> set[str]:
    """Every text value stored in our apps' tables (demo data): titles,
    pseudonyms, venues, notes. Encrypted fields are read through the ORM."""
    values: set[str] = set()
    for model in apps.get_models():
        if model._meta.app_label not in OURS:
            continue
        fields = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, models.CharField | models.TextField) and not field.choices
        ]
        if not fields:
            continue
        for row in model._default_manager.all()[:2000]:
            for name in fields:
                value = getattr(row, name, None)
                if isinstance(value, str) and value.strip():
                    values.add(value.strip())
                    values.update(line.strip() for line in value.splitlines() if line.strip())
    return values


@pytest.fixture
def demo_in_filipino(settings):
    settings.DEBUG = True  # seed_demo refuses otherwise
    call_command("seed_demo", verbosity=0)
    User.objects.filter(groups__name="consultant").update(language="fil")
    return User.objects.get(pk=accounts_demo.demo_user("consultant@example.org").pk)


def _walk(client, start: list[str], prefixes: tuple[str, ...], limit: int = 80) -> dict:
    pages: dict[str, str] = {}
    queue = list(start)
    while queue and len(pages) < limit:
        path = queue.pop(0)
        if path in pages:
            continue
        response = client.get(path)
        if response.status_code == 405:  # a form's target, POST only: not a page
            continue
        assert response.status_code == 200, (path, response.status_code)
        html = response.content.decode()
        pages[path] = html
        for href in HREF.findall(html):
            target = urlparse(href).path
            wanted = target.startswith(prefixes) and target not in ENGLISH_BY_DESIGN
            new = target not in pages and target not in queue
            if wanted and new and not NOT_PAGES.search(target):
                queue.append(target)
    return pages


def test_every_portal_page_is_in_filipino(demo_in_filipino):
    client = client_for(demo_in_filipino)
    start = [
        "/portal/",
        reverse("my_pay:time_add"),
        reverse("my_pay:claim_add"),
        reverse("reports:list"),
        reverse("using_privately"),
    ]
    pages = _walk(client, start, ("/portal/", "/reports/", "/help/"))
    assert len(pages) >= 20, sorted(pages)
    allow = data_values() | set(PROPER)
    english = {}
    for path, html in pages.items():
        assert '<html lang="fil"' in html, path
        found = english_lines(visible_text(html), allow=allow)
        if found:
            english[path] = found
    assert not english, "\n".join(f"{path}: {lines}" for path, lines in english.items())


def test_the_sign_in_pages_are_in_filipino_before_signing_in(client, settings):
    client.post(reverse("set_language"), {"language": "fil", "next": "/"})
    paths = [
        reverse("account_login"),
        reverse("account_request_login_code"),
        reverse("account_reset_password"),
        reverse("using_privately"),
    ]
    english = {}
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.content.decode()
        assert '<html lang="fil"' in html, path
        found = english_lines(visible_text(html), allow=PROPER)
        if found:
            english[path] = found
    assert not english, english


def test_form_errors_are_in_filipino(demo_in_filipino):
    """A form sent back with errors: ours and Django's messages alike."""
    client = client_for(demo_in_filipino)
    response = client.post(reverse("my_pay:time_add"), {"hours": "abc"})
    assert response.status_code == 400
    html = response.content.decode()
    assert english_lines(visible_text(html), allow=data_values() | set(PROPER)) == []


@pytest.mark.parametrize("email", ["manager@example.org", "finance@example.org"])
def test_staff_pages_are_in_filipino_for_staff_who_chose_it(demo_in_filipino, email):
    """English-first, but translated too: the pages a manager and a finance
    officer reach from the dashboard, for one who chose Filipino."""
    user = User.objects.get(email=email)
    user.language = "fil"
    user.save(update_fields=["language"])
    client = client_for(user)
    pages = _walk(client, ["/staff/"], ("/staff/",), limit=60)
    assert len(pages) >= 15, sorted(pages)
    allow = data_values() | set(PROPER)
    english = {}
    for path, html in pages.items():
        assert '<html lang="fil"' in html, path
        found = english_lines(visible_text(html), allow=allow)
        if found:
            english[path] = found
    assert not english, "\n".join(f"{path}: {lines}" for path, lines in english.items())
