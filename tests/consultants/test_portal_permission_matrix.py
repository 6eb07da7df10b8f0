"""Who reaches the consultant's own portal pages: every URL of
consultants/urls_portal.py x every persona, as one table.

Each cell is where the persona ends up after following redirects (GET).
The urlconf is walked, so a new URL fails test_every_portal_url_is_in_the_matrix
until it has a row. Rows with an object (a weekly window, a busy period, a
consent scope) use the consultant persona's own objects; the hostile rows
at the end use another consultant's objects and unknown scopes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.urls import URLPattern, reverse
from django.utils import timezone

from accounts.roles import Role
from consultants import services, urls_portal
from consultants.models import BusyPeriod, ConsentRecord, Consultant, WeeklyAvailability
from tests.consultants.factories import (
    BusyPeriodFactory,
    ConsultantFactory,
    WeeklyAvailabilityFactory,
)
from tests.fixtures import name_survivor_leader
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Expect:
    status: int
    at: str | None = None  # path the persona lands on; None: the page itself

    def __repr__(self):
        return f"{self.status}@{self.at or 'same'}"


OK = Expect(200)
D = Expect(403)  # signed in, without the consultant role
S = Expect(200, "/accounts/login/")  # anonymous: sent to sign-in, and back after
N = Expect(404)  # not theirs, or no profile linked yet
# The leader's own record is not on a break and has no photo consent: her
# own page says so by sending her back (as for any consultant in her state).
AV = Expect(200, "/portal/me/availability/")
CO = Expect(200, "/portal/me/consent/")

PERSONAS = [
    "anonymous",
    "no_role",
    Role.CONSULTANT.value,
    # Dalisay, a consultant with a profile of her own named survivor leader:
    # her own pages open, Tala's objects are 404 as for anyone else.
    "leader",
    "consultant_without_profile",
    Role.PROGRAMME_STAFF.value,
    Role.PROGRAMME_MANAGER.value,
    Role.FINANCE_OFFICER.value,
    Role.WELLBEING_LEAD.value,
    Role.ADMINISTRATOR.value,
]


@dataclass
class World:
    own_window: WeeklyAvailability
    own_busy: BusyPeriod
    other_window: WeeklyAvailability
    other_busy: BusyPeriod


# Path of each named URL, given the objects of the world.
PATHS = {
    "index": lambda w: reverse("my:index"),
    "details": lambda w: reverse("my:details"),
    "details_edit": lambda w: reverse("my:details_edit"),
    "availability": lambda w: reverse("my:availability"),
    "window_add": lambda w: reverse("my:window_add"),
    "window_remove": lambda w: reverse("my:window_remove", args=[w.own_window.pk]),
    "busy_add": lambda w: reverse("my:busy_add"),
    "busy_remove": lambda w: reverse("my:busy_remove", args=[w.own_busy.pk]),
    "break": lambda w: reverse("my:break"),
    "break_end": lambda w: reverse("my:break_end"),
    "consent": lambda w: reverse("my:consent"),
    "consent_withdraw": lambda w: reverse("my:consent_withdraw", args=["photo"]),
    "consent_grant": lambda w: reverse("my:consent_grant", args=["video"]),
    "story_sharing": lambda w: reverse("my:story_sharing"),
    "privacy": lambda w: reverse("my:privacy"),
    "peers": lambda w: reverse("my:peers"),
    "record": lambda w: reverse("my:record"),
    "record_read": lambda w: reverse("my:record_read"),
    # Hostile: someone else's objects, scopes that do not exist.
    "window_remove (another's)": lambda w: reverse("my:window_remove", args=[w.other_window.pk]),
    "busy_remove (another's)": lambda w: reverse("my:busy_remove", args=[w.other_busy.pk]),
    "window_remove (no such)": lambda w: reverse("my:window_remove", args=[2_000_000_000]),
    "consent_withdraw (no scope)": lambda w: "/portal/me/consent/everything/withdraw/",
    "consent_grant (no scope)": lambda w: "/portal/me/consent/everything/give/",
}

# fmt: off
MATRIX: dict[str, list[Expect]] = {
    #                               anon no_role cons. leader no_prof staff mgr fin. wellb. admin
    "index":                       [S,   D,      OK,   OK,    N,      D,    D,  D,   D,     D],
    "details":                     [S,   D,      OK,   OK,    N,      D,    D,  D,   D,     D],
    "details_edit":                [S,   D,      OK,   OK,    N,      D,    D,  D,   D,     D],
    "availability":                [S,   D,      OK,   OK,    N,      D,    D,  D,   D,     D],
    "window_add":                  [S,   D,      OK,   OK,    N,      D,    D,  D,   D,     D],
    "window_remove":               [S,   D,      OK,   N,     N,      D,    D,  D,   D,     D],
    "busy_add":                    [S,   D,      OK,   OK,    N,      D,    D,  D,   D,     D],
    "busy_remove":                 [S,   D,      OK,   N,     N,      D,    D,  D,   D,     D],
    "break":                       [S,   D,      OK,   OK,    N,      D,    D,  D,   D,     D],
    "break_end":                   [S,   D,      OK,   AV,    N,      D,    D,  D,   D,     D],
    "consent":                     [S,   D,      OK,   OK,    N,      D,    D,  D,   D,     D],
    "consent_withdraw":            [S,   D,      OK,   CO,    N,      D,    D,  D,   D,     D],
    "consent_grant":               [S,   D,      OK,   OK,    N,      D,    D,  D,   D,     D],
    "story_sharing":               [S,   D,      OK,   OK,    N,      D,    D,  D,   D,     D],
    "privacy":                     [S,   D,      OK,   OK,    N,      D,    D,  D,   D,     D],
    "peers":                       [S,   D,      OK,   OK,    N,      D,    D,  D,   D,     D],
    "record":                      [S,   D,      OK,   OK,    N,      D,    D,  D,   D,     D],
    "record_read":                 [S,   D,      OK,   OK,    N,      D,    D,  D,   D,     D],
    "window_remove (another's)":   [S,   D,      N,    N,     N,      D,    D,  D,   D,     D],
    "busy_remove (another's)":     [S,   D,      N,    N,     N,      D,    D,  D,   D,     D],
    "window_remove (no such)":     [S,   D,      N,    N,     N,      D,    D,  D,   D,     D],
    "consent_withdraw (no scope)": [S,   D,      N,    N,     N,      D,    D,  D,   D,     D],
    "consent_grant (no scope)":    [S,   D,      N,    N,     N,      D,    D,  D,   D,     D],
}
# fmt: on

CASES = [
    pytest.param(name, persona, expected, id=f"{name}-{persona}")
    for name, row in MATRIX.items()
    for persona, expected in zip(PERSONAS, row, strict=True)
]


@dataclass
class Persona:
    name: str
    user: object | None


@pytest.fixture
def who(request, make_user) -> Persona:
    name = request.param
    if name == "anonymous":
        return Persona(name, None)
    if name == "no_role":
        return Persona(name, make_user(None))
    if name in ("consultant_without_profile", "leader"):
        return Persona(name, make_user(Role.CONSULTANT))
    return Persona(name, make_user(Role(name)))


@pytest.fixture
def world(who, make_user, published_texts) -> World:
    """Tala (on a break, photo consent given) with a window and a busy
    period, and Bituin with the same. Tala is the consultant persona's own
    profile; for every other persona she is nobody's."""
    own = ConsultantFactory(pseudonym="Tala")
    other = ConsultantFactory(pseudonym="Bituin")
    manager = make_user(Role.PROGRAMME_MANAGER)
    services.consultant_status_change(
        consultant=own,
        status="on_break",
        by=manager,
        break_until=timezone.localdate() + datetime.timedelta(days=30),
    )
    services.consent_grant(consultant=own, scope="photo", by=manager)
    if who.name == Role.CONSULTANT.value:
        own.user = who.user
        own.save(update_fields=["user"])
    if who.name == "leader":
        name_survivor_leader(ConsultantFactory(pseudonym="Dalisay", user=who.user), by=manager)
    return World(
        own_window=WeeklyAvailabilityFactory(consultant=own),
        own_busy=BusyPeriodFactory(consultant=own),
        other_window=WeeklyAvailabilityFactory(consultant=other),
        other_busy=BusyPeriodFactory(consultant=other),
    )


@pytest.mark.parametrize(("name", "who", "expected"), CASES, indirect=["who"])
def test_matrix(name, who, expected, world):
    path = PATHS[name](world)

    response = client_for(who.user).get(path, follow=True)

    landed = response.request["PATH_INFO"]
    assert (response.status_code, landed) == (expected.status, expected.at or path)
    if response.redirect_chain:
        # A redirect never passes through a page that answered 200.
        assert all(status in (301, 302) for _url, status in response.redirect_chain)
    if expected == S:
        assert "next=" in response.redirect_chain[-1][0]  # back here after signing in
    if expected.status == 200 and who.user is not None:
        assert "no-store" in response["Cache-Control"]
        assert "Bituin" not in response.content.decode()
        if who.name == "leader":
            assert "Tala" not in response.content.decode()


# Every URL that changes something, POSTed by everyone who is not the
# consultant: refused, and nothing changes.
POST_NAMES = [
    "details_edit",
    "window_add",
    "window_remove",
    "busy_add",
    "busy_remove",
    "break",
    "break_end",
    "consent_withdraw",
    "consent_grant",
    "story_sharing",
    "record",
]
# The leader posts to her own record (test_a_leader_changes_nothing_of_anothers).
OUTSIDERS = [p for p in PERSONAS if p not in (Role.CONSULTANT.value, "leader")]
HOSTILE_DATA = {
    "weekday": 3,
    "start_time": "13:00",
    "end_time": "14:00",
    "kind": "work",
    "starts_on": "2030-01-01",
    "ends_on": "2030-01-02",
    "break_until": "2030-01-01",
    "version": 1,
    "agree": "on",
    "story_sharing_default": "chosen",
    "phone": "09170000000",
}


@pytest.mark.parametrize("who", OUTSIDERS, indirect=True)
@pytest.mark.parametrize("name", POST_NAMES)
def test_outsiders_cannot_post(name, who, world):
    before = (
        WeeklyAvailability.objects.count(),
        BusyPeriod.objects.count(),
        ConsentRecord.objects.count(),
        list(Consultant.objects.order_by("pk").values_list("status", "story_sharing_default")),
    )
    response = client_for(who.user).post(PATHS[name](world), HOSTILE_DATA)

    if who.user is None:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code in (403, 404)
    assert "attachment" not in response.get("Content-Disposition", "")
    after = (
        WeeklyAvailability.objects.count(),
        BusyPeriod.objects.count(),
        ConsentRecord.objects.count(),
        list(Consultant.objects.order_by("pk").values_list("status", "story_sharing_default")),
    )
    assert after == before


def _tala_state():
    tala = Consultant.objects.get(pseudonym="Tala")
    return (
        list(WeeklyAvailability.objects.filter(consultant=tala).values_list("pk", "weekday")),
        list(BusyPeriod.objects.filter(consultant=tala).values_list("pk", "starts_on")),
        list(ConsentRecord.objects.filter(consultant=tala).values_list("pk", "scope")),
        (tala.status, tala.story_sharing_default, tala.phone),
    )


@pytest.mark.parametrize("who", ["leader"], indirect=True)
@pytest.mark.parametrize("name", POST_NAMES)
def test_a_leader_changes_nothing_of_anothers(name, who, world):
    """Every change a survivor leader posts lands on her own record, if
    anywhere: Tala's objects are 404 to her and Tala's record stays as it was."""
    before = _tala_state()

    response = client_for(who.user).post(PATHS[name](world), HOSTILE_DATA)

    if name in ("window_remove", "busy_remove"):  # Tala's objects
        assert response.status_code == 404
    assert _tala_state() == before


def test_every_portal_url_is_in_the_matrix():
    names = {entry.name for entry in urls_portal.urlpatterns if isinstance(entry, URLPattern)}
    assert len(names) == len(urls_portal.urlpatterns)  # every entry is a named page
    assert names  # the walk finds pages
    missing = sorted(names - set(MATRIX))
    assert not missing, f"add a row to MATRIX (and PATHS) for: {missing}"
    assert set(MATRIX) == set(PATHS)
    assert set(POST_NAMES) <= names


def test_no_portal_url_names_a_consultant():
    """The record is always the signed-in person's own: no consultant id in a URL."""
    for entry in urls_portal.urlpatterns:
        route = str(entry.pattern)
        assert "consultant" not in route
        assert set(entry.pattern.converters) <= {"pk", "scope"}, route
