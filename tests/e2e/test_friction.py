"""Friction found on the demo data, checked in a real browser on a phone:
every portal page reachable from the portal's home (and a time entry and a
claim form) has tap targets at least 44 px high, and no main staff page is
wider than a 390 px screen."""

from __future__ import annotations

import re
from urllib.parse import urlparse

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import expect

from accounts import demo as accounts_demo
from accounts.models import User
from consultants.models import Consultant
from engagements.models import Engagement
from tests.e2e.conftest import assert_tap_targets_are_large
from tests.e2e.test_dashboard_and_matching import _fits
from tests.e2e.test_engagements import _sign_in_consultant, _sign_in_staff
from tests.helpers import ARTIFACTS

pytestmark = pytest.mark.e2e

PHONE_390 = {"width": 390, "height": 844}
SHOTS = ARTIFACTS / "e2e"
# Not pages: a download, leaving, signing out.
NOT_PAGES = re.compile(r"(\.ics|\.pdf|/download/|/exit|/logout/|/keep-alive)")


@pytest.fixture
def demo(settings):
    settings.DEBUG = True
    call_command("seed_demo", verbosity=0)


# The outermost elements that reach past the screen's right edge, to say
# what to fix when a page is too wide.
WIDEST = """(width) => [...document.querySelectorAll("body *")]
  .filter((el) => el.getBoundingClientRect().right > width + 1)
  .filter((el) => !(el.parentElement
                    && el.parentElement.getBoundingClientRect().right > width + 1))
  .slice(0, 5)
  .map((el) => el.outerHTML.slice(0, 100))"""


def _portal_links(page) -> list[str]:
    hrefs = page.eval_on_selector_all("main a[href]", "(links) => links.map((a) => a.href)")
    paths = []
    for href in hrefs:
        path = urlparse(href).path
        wanted = path.startswith(("/portal/", "/accounts/", "/help/"))
        if wanted and not NOT_PAGES.search(path) and path not in paths:
            paths.append(path)
    return paths


# Buttons and links styled as buttons whose words do not fit inside them.
TRUNCATED = """() => [...document.querySelectorAll(
    "button, .button, input[type=submit], .action-title, label")]
  .filter((el) => el.offsetParent !== null && el.scrollWidth > el.clientWidth + 1)
  .map((el) => el.outerHTML.slice(0, 100))"""


@pytest.mark.parametrize("language", ["en", "fil"])
def test_portal_tap_targets_on_a_phone(demo, open_session, language):
    """In English and in Filipino, which runs longer: large tap targets, no
    page wider than the phone, no button whose words are cut."""
    consultant = accounts_demo.demo_user("consultant@example.org")
    User.objects.filter(pk=consultant.pk).update(language=language)
    session = open_session(PHONE_390)
    page = session.page
    _sign_in_consultant(session, consultant)
    assert page.evaluate("() => document.documentElement.lang") == language
    assert_tap_targets_are_large(page)
    paths = _portal_links(page)
    assert len(paths) >= 10, paths
    paths += [reverse("my_pay:time_add"), reverse("my_pay:claim_add")]
    small, cut = {}, {}
    for path in paths:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        try:
            assert_tap_targets_are_large(page)
        except AssertionError as error:
            small[path] = str(error)
        _fits(session, path, PHONE_390["width"])
        if truncated := page.evaluate(TRUNCATED):
            cut[path] = truncated
        if language == "fil":
            page.screenshot(path=str(SHOTS / f"fil-390{path.strip('/').replace('/', '-')}.png"))
    assert not small, "\n".join(f"{path}: {error}" for path, error in small.items())
    assert not cut, "\n".join(f"{path}: {elements}" for path, elements in cut.items())


def test_no_staff_page_overflows_at_390(demo, open_session):
    manager_user = User.objects.get(email="manager@example.org")
    finance_user = User.objects.get(email="finance@example.org")
    engagement = Engagement.objects.exclude(status=Engagement.Status.DRAFT).order_by("-pk").first()
    busiest = max(Engagement.objects.all(), key=lambda e: e.participations.count())
    amihan = Consultant.objects.get(pseudonym="Amihan")
    manager = open_session(PHONE_390)
    _sign_in_staff(manager, manager_user)
    finance = open_session(PHONE_390)
    _sign_in_staff(finance, finance_user)

    pages = [
        (manager, reverse("staff:dashboard")),
        (finance, reverse("staff:dashboard")),
        (manager, reverse("engagements:list")),
        (manager, reverse("engagements:detail", args=[busiest.pk])),
        (manager, reverse("engagements:detail", args=[engagement.pk])),
        (manager, reverse("engagements:calendar")),
        (manager, reverse("engagements:matching", args=[busiest.pk])),
        (manager, reverse("consultants:directory")),
        (manager, reverse("consultants:detail", args=[amihan.pk])),
        (finance, reverse("compensation:index")),
        (finance, reverse("compensation:payments")),
        (manager, reverse("checklists:my_tasks")),
        (manager, reverse("reminders:me")),
        (manager, reverse("reminders:settings")),
    ]
    wide = []
    for session, path in pages:
        response = session.page.goto(path)
        assert response is not None and response.status == 200, path
        expect(session.page.locator("h1")).to_have_count(1)
        try:
            _fits(session, path, PHONE_390["width"])
        except AssertionError as error:
            culprits = session.page.evaluate(WIDEST, PHONE_390["width"])
            wide.append(f"{error}; widest: {culprits}")
    assert not wide, "\n".join(wide)
