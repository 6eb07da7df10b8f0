"""Every response to a signed-in person on the private sites says
``Cache-Control: no-store`` (core.middleware.NoStoreMiddleware), unless its
view opted out with ``@cacheable``; public pages and static files are left
alone. The walk below asks every page of the urlconf that takes no
parameter, as a consultant, a manager and an administrator, whatever it
answers (200, 302, 403, 405); pages with an object are a sample, one per
app, and the downloads."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.resolvers import RoutePattern

from accounts.roles import Role
from core.middleware import PRIVATE_PREFIXES, NoStoreMiddleware, cacheable
from tests.consultants.factories import ConsultantFactory
from tests.engagements.factories import EngagementFactory, ParticipationFactory
from tests.helpers import client_for
from tests.reports.factories import ready_job

pytestmark = pytest.mark.django_db


def _pages(patterns=None, prefix: str = "") -> set[str]:
    pages = set()
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        pattern = entry.pattern
        if not isinstance(pattern, RoutePattern) or pattern.converters:
            continue
        route = prefix + str(pattern)
        if isinstance(entry, URLResolver):
            pages |= _pages(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            pages.add("/" + route)
    return pages


PRIVATE_PAGES = sorted(p for p in _pages() if p.startswith(PRIVATE_PREFIXES))


def _no_store(response) -> bool:
    return "no-store" in response.get("Cache-Control", "")


def test_the_walk_finds_every_site():
    for prefix in PRIVATE_PREFIXES:
        assert any(page.startswith(prefix) for page in PRIVATE_PAGES), prefix


@pytest.mark.parametrize("role", [Role.CONSULTANT, Role.PROGRAMME_MANAGER, Role.ADMINISTRATOR])
def test_every_private_page_signed_in_is_no_store(role, make_user):
    user = make_user(role)
    client = client_for(user)
    client.raise_request_exception = False
    kept = {}
    for page in PRIVATE_PAGES:
        client.force_login(user)  # in case the page before signed out
        response = client.get(page)
        if not _no_store(response):
            kept[page] = (response.status_code, response.get("Cache-Control"))
    assert not kept, f"pages a browser may keep: {kept}"


def test_pages_with_an_object_and_the_downloads_are_no_store(
    make_user, manager_user, own_consultant, owner
):
    engagement = EngagementFactory(owner=owner)
    mine = ParticipationFactory(engagement=engagement, consultant=own_consultant)
    other = ConsultantFactory()
    job = ready_job(requested_by=manager_user)
    staff = client_for(manager_user)
    portal = client_for(own_consultant.user)
    responses = {
        "consultant": staff.get(reverse("consultants:detail", args=[other.pk])),
        "engagement": staff.get(reverse("engagements:detail", args=[engagement.pk])),
        "report": staff.get(reverse("reports:detail", args=[job.pk])),
        "report download": staff.get(reverse("reports:download", args=[job.pk])),
        "admin change": client_for(make_user(Role.ADMINISTRATOR)).get(
            reverse("admin:consultants_consultant_change", args=[other.pk])
        ),
        "portal engagement": portal.get(reverse("my_engagements:detail", args=[mine.pk])),
        "calendar file": portal.get(reverse("my_engagements:ics", args=[mine.pk])),
        "another's (404)": portal.get(reverse("my_engagements:detail", args=[2_000_000_000])),
    }
    assert responses["report download"].status_code == 200
    assert responses["calendar file"].status_code == 200
    assert {name: r["Cache-Control"] for name, r in responses.items() if not _no_store(r)} == {}


def test_public_pages_and_static_files_are_left_alone(make_user):
    signed_in = client_for(make_user(Role.CONSULTANT))
    assert not _no_store(signed_in.get("/help/"))
    assert not _no_store(signed_in.get(settings.STATIC_URL + "js/safety.js"))  # WhiteNoise's own


# --- The middleware itself -----------------------------------------------------------


class _User:
    def __init__(self, signed_in: bool):
        self.is_authenticated = signed_in


def _run(view, path="/staff/x/", *, signed_in=True):
    request = RequestFactory().get(path)
    request.user = _User(signed_in)
    return NoStoreMiddleware(view)(request)


def test_a_private_response_becomes_no_store_even_if_the_view_said_otherwise():
    def view(request):
        response = HttpResponse("private")
        response["Cache-Control"] = "public, max-age=3600"
        return response

    assert _run(view)["Cache-Control"] == "no-store, private"


def test_a_stricter_header_of_the_view_is_kept():
    def view(request):
        response = HttpResponse("private")
        response["Cache-Control"] = "max-age=0, no-cache, no-store, must-revalidate, private"
        return response

    assert _run(view)["Cache-Control"].startswith("max-age=0, no-cache, no-store")


def test_cacheable_opts_a_view_out():
    @cacheable
    def view(request):
        response = HttpResponse("nothing of anyone's")
        response["Cache-Control"] = "max-age=60"
        return response

    assert _run(view)["Cache-Control"] == "max-age=60"
    assert view.__name__ == "view"


@pytest.mark.parametrize("path", ["/healthz", "/help/", "/static/css/app.css", "/", "/exit"])
def test_other_paths_are_untouched(path):
    assert "Cache-Control" not in _run(lambda request: HttpResponse(), path)


def test_a_response_that_signs_someone_out_is_still_no_store():
    def sign_out(request):
        request.user = _User(False)
        return HttpResponse()

    assert _run(sign_out, "/accounts/logout/")["Cache-Control"] == "no-store, private"


def test_anonymous_responses_are_untouched():
    assert "Cache-Control" not in _run(lambda request: HttpResponse(), signed_in=False)


def test_it_runs_after_authentication():
    middleware = settings.MIDDLEWARE
    assert middleware.index("core.middleware.NoStoreMiddleware") > middleware.index(
        "django.contrib.auth.middleware.AuthenticationMiddleware"
    )
