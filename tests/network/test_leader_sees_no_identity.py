"""A survivor leader never sees another consultant's identity, contact or
wellbeing data: every page of the project, walked.

A world of consultants with legal names, e-mail addresses, phones,
addresses, support persons, wellbeing notes, payment accounts and
private notes on their engagements is seeded; the survivor leader
(Dalisay, a consultant herself, named a leader of the network) takes part
in one of those engagements beside them and is invited to another. Then
every URL pattern of the project is walked from the resolver (so pages
added later, the leader's own area among them, are walked too): each
parameter is filled with the ids of the seeded objects (engagements,
participations, consultants and every other row a page could show), each
page is asked with GET as her, and no answer of 200 may hold one of the
others' strings. The pages checked are counted: the test cannot pass by
reaching nothing.
"""

from __future__ import annotations

import datetime
import itertools
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accounts.roles import Role, is_survivor_leader
from compensation import services as pay
from consultants.models import ConsentScope, Consultant
from engagements.models import Engagement, Participation
from network.models import Network
from tests.accounts.factories import UserFactory, give_totp
from tests.consultants.factories import ConsultantFactory, WellbeingNoteFactory
from tests.consultants.record_world import MARKERS, full_record
from tests.engagements.factories import EngagementFactory, ParticipationFactory
from tests.fixtures import name_survivor_leader

pytestmark = pytest.mark.django_db

# Sections not walked, and why.
NOT_WALKED = (
    # Django's admin: refused to her at its door (asserted below and in
    # tests/accounts/test_permission_matrix.py); its object pages take ids of
    # every model and would multiply the walk for nothing.
    "admin/",
)
# Pages that answer a GET by ending the session or leaving the site
# (/exit) are walked too; the walker signs her in again, in a fresh browser.

# The rows whose ids fill a page's parameters: the seeded engagements,
# participations and consultants, the objects of a consultant's own pages,
# and every model of the network app (the leader's own pages, whatever
# they come to show). Logs and histories are left out: no page takes their
# ids, and each id is one more request on every page with a parameter.
OBJECT_MODELS = (
    "engagements.Engagement",
    "engagements.Participation",
    "consultants.Consultant",
    "consultants.WeeklyAvailability",
    "consultants.BusyPeriod",
    "consultants.WellbeingNote",
    "compensation.Agreement",
    "compensation.ExpenseClaim",
    "compensation.Receipt",
    "compensation.Payment",
    "checklists.ChecklistItem",
    "impact.WorkCredit",
    "reports.ReportJob",
)
OBJECT_APPS = ("network",)
# The same ids for a parameter named after its model, the rest for any.
PARAMETER_MODELS = {
    "engagement_pk": "engagements.Engagement",
    "participation_pk": "engagements.Participation",
    "consultant_pk": "consultants.Consultant",
    "window_pk": "consultants.WeeklyAvailability",
    "period_pk": "consultants.BusyPeriod",
    "record_pk": "consultants.ConsentRecord",
    "user_pk": "accounts.User",
}
NOWHERE = 2_000_000_000  # an id no row has: the first value of every walk
# A page with more parameters than this many combinations of ids is asked
# with the first ones only (none of today's comes near).
MOST_COMBINATIONS = 5_000
# Fewer pages answered 200 than this and the walk has gone wrong (she is
# signed out, the world is not hers...). 71 pages of today answer her: the
# portal, her record, pay, engagements and checklist, reports, help.
FLOOR = 50


@dataclass
class World:
    leader: object
    dalisay: Consultant
    others: list[Consultant]
    secrets: dict[str, str] = field(default_factory=dict)  # text -> whose and what
    numbers: list[int] = field(default_factory=list)  # ids of the rows seeded
    uuids: list[uuid.UUID] = field(default_factory=list)


def _rows() -> set[tuple[str, object]]:
    """(model, pk) of every row of the OBJECT_MODELS and OBJECT_APPS."""
    models = [apps.get_model(label) for label in OBJECT_MODELS] + [
        model for app in OBJECT_APPS for model in apps.get_app_config(app).get_models()
    ]
    return {
        (model._meta.label, pk)
        for model in models
        for pk in model.objects.values_list("pk", flat=True)
    }


def _other(index: int, pseudonym: str, author) -> tuple[Consultant, dict[str, str]]:
    """A consultant with every identity and contact field set to a text no
    other row holds, a wellbeing note and an account of her own."""
    tag = f"Qx{index}"
    user = UserFactory(
        role=Role.CONSULTANT, email=f"account.{tag.lower()}@hidden.example.net", mfa=False
    )
    digits = f"9175550{index:03d}"
    consultant = ConsultantFactory(
        user=user,
        pseudonym=pseudonym,
        legal_name=f"Legalname {tag} Santiago",
        message_name=f"Callme{tag}",
        email=f"private.{tag.lower()}@hidden.example.net",
        phone=f"+63{digits}",
        address=f"{index} Hiddenlane {tag} Street",
        support_person_name=f"Supporter {tag} Reyes",
        support_person_contact=f"+639185551{index:03d}",
    )
    WellbeingNoteFactory(
        consultant=consultant, author=author, body=f"Wellbeing {tag}: struggles after sessions"
    )
    secrets = {
        consultant.legal_name: "legal name",
        consultant.message_name: "name for messages",
        consultant.email: "e-mail",
        user.email: "account e-mail",
        digits: "phone",
        consultant.address: "address",
        consultant.support_person_name: "support person",
        f"9185551{index:03d}": "support person's contact",
        f"Wellbeing {tag}": "wellbeing note",
    }
    return consultant, {text: f"{pseudonym}'s {what}" for text, what in secrets.items()}


@pytest.fixture
def world(make_user) -> World:
    before = _rows()  # what migrations made (consent texts, templates...)
    manager = make_user(Role.PROGRAMME_MANAGER, display_name="Lorna Manager")
    lead = make_user(Role.WELLBEING_LEAD)

    # Amihan: a whole record (profile, consent, wellbeing, a past engagement
    # with its private notes, time, a claim with a receipt, a payment to her
    # e-wallet, a statement, a reminder): tests/consultants/record_world.py.
    amihan, secrets = _other(1, "Amihan", lead)
    record = full_record(amihan)
    for category in (
        "contact",
        "wellbeing",
        "story_choice",
        "feedback",
        "checklist_note",
        "claim",
        "payment",
        "busy",
        "status",
        "access_reason",
    ):
        secrets[MARKERS[category]] = f"Amihan's {category}"
    secrets["09171234567"] = "Amihan's payment account"  # record_world's e-wallet
    secrets["Maria Secret Santos"] = "Amihan's payment account holder"
    past = record.participations[0].engagement

    bayani, more = _other(2, "Bayani", lead)
    secrets |= more
    kalinaw, more = _other(3, "Kalinaw", lead)
    secrets |= more

    # Dalisay, the leader: a consultant with a record of her own (her own
    # identity is hers to see), named a leader of the network.
    dalisay = ConsultantFactory(
        user=make_user(Role.CONSULTANT, display_name="Dalisay"),
        pseudonym="Dalisay",
        legal_name="Dalisay Own Legalname",
    )
    Network.objects.create(name="Philippine Survivor Network", leaders_need_mfa=False)
    leader = name_survivor_leader(dalisay, by=manager)
    give_totp(leader)  # and signed in with it (_sign_in), for the leader's area

    # She took part in Amihan's past engagement beside her, and Bayani too,
    # each with a private note on what of their story may be shared.
    ParticipationFactory(
        engagement=past,
        consultant=dalisay,
        status=Participation.Status.ATTENDED,
        story_sharing_note="Dalisay's own sharing note",
    )
    ParticipationFactory(
        engagement=past,
        consultant=bayani,
        status=Participation.Status.ATTENDED,
        story_sharing_note="Bayani private sharing Qx2",
    )
    secrets["Bayani private sharing Qx2"] = "Bayani's story-sharing note"
    pay.agreement_propose(
        participation=Participation.objects.get(engagement=past, consultant=dalisay),
        by=record.staff.owner,
    )

    # Upcoming: she and the others are invited to one; another she is not on.
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=20)
    together = EngagementFactory(
        owner=record.staff.owner,
        status=Engagement.Status.STAFFING,
        start=start,
        end=start + datetime.timedelta(hours=2),
    )
    for consultant in (dalisay, bayani, kalinaw):
        ParticipationFactory(engagement=together, consultant=consultant)
    elsewhere = EngagementFactory(
        owner=record.staff.owner,
        status=Engagement.Status.STAFFING,
        start=start,
        end=start + datetime.timedelta(hours=3),
    )
    for consultant in (amihan, kalinaw):
        ParticipationFactory(engagement=elsewhere, consultant=consultant)
    # A request waiting for approval, which a leader may be asked to review.
    EngagementFactory(
        owner=record.staff.owner, status=Engagement.Status.SUBMITTED, audience="media"
    )

    seeded = _rows() - before
    return World(
        leader=leader,
        dalisay=dalisay,
        others=[amihan, bayani, kalinaw],
        secrets=secrets,
        numbers=sorted({pk for _model, pk in seeded if isinstance(pk, int)}),
        uuids=sorted({pk for _model, pk in seeded if isinstance(pk, uuid.UUID)}),
    )


# --- The walk ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    name: str  # "namespace:name"
    route: str  # the pattern, for messages
    parameters: dict  # name -> converter


def _pages(patterns=None, namespace: str = "", route: str = "") -> Iterator[Page]:
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        here = route + str(entry.pattern)
        if isinstance(entry, URLResolver):
            if here in NOT_WALKED:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _pages(entry.url_patterns, inner, here)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = getattr(entry.pattern, "converters", {})
            names = converters or dict.fromkeys(entry.pattern.regex.groupindex)
            yield Page(f"{namespace}{entry.name}", here, dict(names))


def _ids(label: str) -> list:
    return list(apps.get_model(label).objects.order_by("pk").values_list("pk", flat=True))


def _words(name: str) -> list[str]:
    """Values for a text parameter, by its name."""
    from core.search import _sources
    from engagements.workflow import TRANSITIONS
    from reminders.registry import kinds as reminder_kinds
    from reports.registry import report_kinds

    known = {
        "scope": list(ConsentScope.values),
        "kind": [kind.kind for kind in report_kinds()] + [k.key for k in reminder_kinds()],
        "language": [code for code, _name in settings.LANGUAGES],
        "source": sorted(_sources),
        "name": sorted(TRANSITIONS),
    }
    return known.get(name, ["x", "no-such-thing"])


def _values(page: Page, name: str, numbers: list[int], uuids: list[uuid.UUID]) -> list:
    converter = page.parameters[name]
    kind = type(converter).__name__
    if kind == "IntConverter":
        label = PARAMETER_MODELS.get(name)
        return [NOWHERE, *(_ids(label) if label else numbers)]
    if kind == "UUIDConverter":
        return [uuid.UUID(int=0), *uuids]
    if kind == "PathConverter":
        return ["x"]
    return _words(name)


def _paths(page: Page, numbers: list[int], uuids: list[uuid.UUID]) -> Iterator[str]:
    if not page.parameters:
        try:
            yield reverse(page.name)
        except NoReverseMatch:
            return
        return
    names = list(page.parameters)
    choices = [_values(page, name, numbers, uuids) for name in names]
    combinations = itertools.product(*choices)
    for values in itertools.islice(combinations, MOST_COMBINATIONS):
        try:
            yield reverse(page.name, kwargs=dict(zip(names, values, strict=True)))
        except NoReverseMatch:
            continue


def _refused_at_the_door(response) -> bool:
    """A refusal that does not depend on the object: the role's (403), the
    method's (405) or sign-in's. Asked with an id no row has, it means
    every other id is refused the same way."""
    if response.status_code in (403, 405):
        return True
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@dataclass
class Walk:
    checked: list[str] = field(default_factory=list)  # paths that answered 200
    asked: int = 0
    leaks: list[str] = field(default_factory=list)


def _sign_in(client: Client, user) -> Client:
    """Signed in as allauth records it: a password and a second factor."""
    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY

    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time()},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session.save()
    return client


def _left_the_site(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(("http:", "https:"))


def _walk(client: Client, world: World) -> Walk:
    walk = Walk()
    lowered = {text.lower(): what for text, what in world.secrets.items()}
    for page in _pages():
        for index, path in enumerate(_paths(page, world.numbers, world.uuids)):
            response = client.get(path)
            walk.asked += 1
            if "_auth_user_id" not in client.session or _left_the_site(response):
                # Leaving quickly (/exit) or signing out: a fresh browser, as her.
                client = _sign_in(Client(), world.leader)
            if index == 0 and page.parameters and _refused_at_the_door(response):
                break  # the first path has ids no row has: see _refused_at_the_door
            if response.status_code != 200:
                continue
            walk.checked.append(path)
            body = b"".join(response) if response.streaming else response.content
            text = body.decode("utf-8", errors="replace").lower()
            for secret, what in lowered.items():
                if secret in text:
                    walk.leaks.append(f"{path} ({page.name}) shows {what}")
    return walk


# --- The tests -------------------------------------------------------------------------------


def test_a_survivor_leader_sees_no_one_elses_identity_anywhere(world):
    assert is_survivor_leader(world.leader)
    client = _sign_in(Client(), world.leader)

    walk = _walk(client, world)

    assert not walk.leaks, "\n".join(walk.leaks)
    # The walk reached her pages, with the seeded objects' ids: not vacuous.
    assert len(walk.checked) >= FLOOR, walk.checked
    own = Participation.objects.filter(consultant=world.dalisay).order_by("pk")
    for participation in own:
        assert reverse("my_engagements:detail", args=[participation.pk]) in walk.checked
    for path in ("/portal/", "/portal/me/details/", "/portal/engagements/", "/portal/pay/"):
        assert path in walk.checked


def test_the_check_would_see_a_leak(world):
    """The seeded texts are real and pages show them to whom they belong:
    Amihan's own details page holds her identity and contact, so the same
    check, on a page that leaked them, would fail."""
    amihan = world.others[0]
    client = _sign_in(Client(), amihan.user)

    page = client.get(reverse("my:details")).content.decode().lower()

    found = {what for text, what in world.secrets.items() if text.lower() in page}
    assert {"Amihan's e-mail", "Amihan's phone", "Amihan's support person"} <= found, found


def test_the_admin_site_refuses_her(world):
    client = _sign_in(Client(), world.leader)
    assert client.get("/admin/", follow=True).status_code == 403


def test_the_walk_finds_every_section(world):
    """The resolver walk sees the portal, the staff site, reports and help
    (and so will see the leader's own pages the day they are added)."""
    routes = [page.route for page in _pages()]
    for prefix in ("portal/", "portal/me/", "portal/pay/", "staff/", "reports/", "help/"):
        assert any(route.startswith(prefix) for route in routes), prefix
    assert not any(route.startswith("admin/") for route in routes)
