"""Who reaches the consultant's engagement pages in the portal: every URL of
engagements/urls_portal.py x every persona, as one table.

Each cell is where the persona ends up after following redirects. The
urlconf is walked, so a new URL fails test_every_portal_url_is_in_the_matrix
until it has a row. Rows use the consultant persona's own invitation; the
hostile rows at the end use another consultant's participation, which is a
404 exactly like one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, reverse

from accounts.roles import Role
from engagements import urls_portal
from engagements.models import Engagement, Feedback, Participation
from tests.consultants.factories import ConsultantFactory
from tests.engagements.factories import EngagementFactory, ParticipationFactory
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
S = Expect(200, "/accounts/login/")  # anonymous: sent to sign-in
N = Expect(404)  # not theirs, or no profile linked yet
DETAIL = Expect(200, "detail")  # done, back on the engagement's page
FILE = Expect(200, "file")  # a download
B = Expect(400)  # hers, refused for its state (nothing to rejoin), nothing changed

PERSONAS = [
    "anonymous",
    "no_role",
    Role.CONSULTANT.value,  # Tala, whose invitation it is
    "other_consultant",  # Bituin, a consultant with a profile of her own
    "leader",  # Dalisay, a survivor leader with a profile of her own, not invited
    "consultant_without_profile",
    Role.PROGRAMME_STAFF.value,  # the owner of the engagement, even
    Role.PROGRAMME_MANAGER.value,
    Role.FINANCE_OFFICER.value,
    Role.WELLBEING_LEAD.value,
    Role.ADMINISTRATOR.value,
]


@dataclass
class World:
    own: Participation
    other: Participation


PATHS = {
    "index": ("get", lambda w: reverse("my_engagements:index")),
    "invitations": ("get", lambda w: reverse("my_engagements:invitations")),
    "detail": ("get", lambda w: reverse("my_engagements:detail", args=[w.own.pk])),
    "accept": ("post", lambda w: reverse("my_engagements:accept", args=[w.own.pk])),
    "decline": ("get", lambda w: reverse("my_engagements:decline", args=[w.own.pk])),
    "step_back": ("get", lambda w: reverse("my_engagements:step_back", args=[w.own.pk])),
    "rejoin": ("get", lambda w: reverse("my_engagements:rejoin", args=[w.own.pk])),
    "sharing": ("get", lambda w: reverse("my_engagements:sharing", args=[w.own.pk])),
    "feedback": ("get", lambda w: reverse("my_engagements:feedback", args=[w.own.pk])),
    "ics": ("get", lambda w: reverse("my_engagements:ics", args=[w.own.pk])),
    # Hostile: another consultant's participation, one that does not exist.
    "detail (another's)": (
        "get",
        lambda w: reverse("my_engagements:detail", args=[w.other.pk]),
    ),
    "accept (another's)": (
        "post",
        lambda w: reverse("my_engagements:accept", args=[w.other.pk]),
    ),
    "step_back (another's)": (
        "get",
        lambda w: reverse("my_engagements:step_back", args=[w.other.pk]),
    ),
    "rejoin (another's)": (
        "post",
        lambda w: reverse("my_engagements:rejoin", args=[w.other.pk]),
    ),
    "ics (another's)": ("get", lambda w: reverse("my_engagements:ics", args=[w.other.pk])),
    "detail (no such)": ("get", lambda w: reverse("my_engagements:detail", args=[2_000_000_000])),
}

# fmt: off
MATRIX: dict[str, list[Expect]] = {
    #                         anon no_r tala    bituin  leader no_pr staff mgr fin wb admin
    "index":                 [S,   D,   OK,     OK,     OK,    N,    D,    D,  D,  D, D],
    "invitations":           [S,   D,   OK,     OK,     OK,    N,    D,    D,  D,  D, D],
    "detail":                [S,   D,   OK,     N,      N,     N,    D,    D,  D,  D, D],
    "accept":                [S,   D,   DETAIL, N,      N,     N,    D,    D,  D,  D, D],
    "decline":               [S,   D,   OK,     N,      N,     N,    D,    D,  D,  D, D],
    "step_back":             [S,   D,   OK,     N,      N,     N,    D,    D,  D,  D, D],
    "rejoin":                [S,   D,   OK,     N,      N,     N,    D,    D,  D,  D, D],
    "sharing":               [S,   D,   OK,     N,      N,     N,    D,    D,  D,  D, D],
    "feedback":              [S,   D,   OK,     N,      N,     N,    D,    D,  D,  D, D],
    "ics":                   [S,   D,   FILE,   N,      N,     N,    D,    D,  D,  D, D],
    "detail (another's)":    [S,   D,   N,      OK,     N,     N,    D,    D,  D,  D, D],
    "accept (another's)":    [S,   D,   N,      DETAIL, N,     N,    D,    D,  D,  D, D],
    "step_back (another's)": [S,   D,   N,      OK,     N,     N,    D,    D,  D,  D, D],
    "rejoin (another's)":    [S,   D,   N,      B,      N,     N,    D,    D,  D,  D, D],
    "ics (another's)":       [S,   D,   N,      FILE,   N,     N,    D,    D,  D,  D, D],
    "detail (no such)":      [S,   D,   N,      N,      N,     N,    D,    D,  D,  D, D],
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
    if name in ("consultant_without_profile", "other_consultant", "leader"):
        return Persona(name, make_user(Role.CONSULTANT))
    return Persona(name, make_user(Role(name)))


@pytest.fixture
def world(who, make_user) -> World:
    """Tala's and Bituin's invitations to one staffing engagement. Tala is
    the consultant persona's own profile, Bituin the other consultant's."""
    engagement = EngagementFactory(status=Engagement.Status.STAFFING, title="Secret title")
    if who.name == Role.PROGRAMME_STAFF.value:
        engagement.owner = who.user
        engagement.save(update_fields=["owner"])
    tala = ConsultantFactory(pseudonym="Tala")
    bituin = ConsultantFactory(pseudonym="Bituin")
    if who.name == Role.CONSULTANT.value:
        tala.user = who.user
        tala.save(update_fields=["user"])
    if who.name == "other_consultant":
        bituin.user = who.user
        bituin.save(update_fields=["user"])
    if who.name == "leader":
        name_survivor_leader(ConsultantFactory(pseudonym="Dalisay", user=who.user))
    return World(
        own=ParticipationFactory(engagement=engagement, consultant=tala),
        other=ParticipationFactory(engagement=engagement, consultant=bituin),
    )


@pytest.mark.parametrize(("name", "who", "expected"), CASES, indirect=["who"])
def test_matrix(name, who, expected, world):
    method, make_path = PATHS[name]
    path = make_path(world)
    before = list(Participation.objects.order_by("pk").values_list("status", "updated_at"))

    client = client_for(who.user)
    if method == "get":
        response = client.get(path, follow=True)
    else:
        response = client.post(path, {}, follow=True)

    landed = response.request["PATH_INFO"]
    if expected is FILE:
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/calendar")
        assert "Secret title" not in response.content.decode()
        return
    if expected is DETAIL:
        assert response.status_code == 200
        assert landed.endswith("/") and "/portal/engagements/" in landed
        return
    assert (response.status_code, landed) == (expected.status, expected.at or path)
    if expected != OK:
        after = list(Participation.objects.order_by("pk").values_list("status", "updated_at"))
        assert after == before
    if expected == OK:
        assert "no-store" in response["Cache-Control"]
        content = response.content.decode()
        # Only the persona's own: Tala never sees Bituin's page and back.
        if who.name == Role.CONSULTANT.value:
            assert "Bituin" not in content
        if who.name == "other_consultant":
            assert "Tala" not in content
        if who.name == "leader":
            # Leading the network shows her no one else's invitation.
            assert "Tala" not in content
            assert "Bituin" not in content
            assert "Secret title" not in content


# Every URL that changes something, POSTed by everyone who is not the
# consultant whose participation it is: refused, and nothing changes.
POST_NAMES = ["accept", "decline", "step_back", "rejoin", "sharing", "feedback"]
OUTSIDERS = [p for p in PERSONAS if p != Role.CONSULTANT.value]


@pytest.mark.parametrize("who", OUTSIDERS, indirect=True)
@pytest.mark.parametrize("name", POST_NAMES)
def test_outsiders_cannot_post(name, who, world):
    before = list(
        Participation.objects.order_by("pk").values_list("status", "story_sharing", "updated_at")
    )
    data = {
        "reason": "hostile",
        "story_sharing": "chosen",
        "note": "everything",
        **{score: 5 for score in Feedback.SCORES},
    }

    response = client_for(who.user).post(
        reverse(f"my_engagements:{name}", args=[world.own.pk]), data
    )

    if who.user is None:
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code in (403, 404)
    after = list(
        Participation.objects.order_by("pk").values_list("status", "story_sharing", "updated_at")
    )
    assert after == before
    assert not Feedback.objects.exists()


def test_every_portal_url_is_in_the_matrix():
    names = {entry.name for entry in urls_portal.urlpatterns if isinstance(entry, URLPattern)}
    assert len(names) == len(urls_portal.urlpatterns)
    assert names
    missing = sorted(names - set(MATRIX))
    assert not missing, f"add a row to MATRIX (and PATHS) for: {missing}"
    assert set(MATRIX) == set(PATHS)
    assert set(POST_NAMES) <= names


def test_no_portal_url_names_a_consultant():
    """Participations are looked up within the signed-in consultant's own."""
    for entry in urls_portal.urlpatterns:
        route = str(entry.pattern)
        assert "consultant" not in route
        assert set(entry.pattern.converters) <= {"pk"}, route
