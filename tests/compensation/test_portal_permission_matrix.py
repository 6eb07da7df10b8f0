"""Every portal page of compensation (/portal/pay/) x every persona.

No consultant id in a URL: the ids in it are of the consultant's own
agreement, claim and receipt, so another consultant gets 404, exactly as
for an id that does not exist. Anonymous visitors go to sign-in (S);
signed-in people without the consultant role get 403; a consultant
account not linked to a profile gets the kind 404 page. "R": a permitted
POST that redirects (acknowledging an agreement already acknowledged
says so and changes nothing).
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from compensation.models import Agreement, ExpenseClaim, Receipt, TimeEntry
from compensation.urls_portal import urlpatterns
from tests.compensation.pages import build_world
from tests.consultants.factories import ConsultantFactory
from tests.fixtures import name_survivor_leader
from tests.helpers import client_for

SAFETY_JS = b'<script src="/static/js/safety.js" defer></script>'

pytestmark = pytest.mark.django_db

# "leader": a survivor leader with a profile of her own, not "own": her
# role opens nothing of another consultant's pay.
PERSONAS = ["anonymous", "no_role", "staff", "finance", "own", "other", "leader", "no_profile"]

S, D, N, OK, B, R = 302, 403, 404, 200, 400, "R"

# fmt: off
MATRIX: dict[str, tuple[str, list]] = {
    #                        anon no_r staff fin  own other lead  no_prof
    "index":        ("get",  [S,   D,   D,    D,   OK,  OK,   OK,   N]),
    "agreement":    ("get",  [S,   D,   D,    D,   OK,  N,    N,    N]),
    "acknowledge":  ("post", [S,   D,   D,    D,   R,   N,    N,    N]),
    "time":         ("get",  [S,   D,   D,    D,   OK,  OK,   OK,   N]),
    "time_add":     ("post", [S,   D,   D,    D,   B,   B,    B,    N]),
    "claims":       ("get",  [S,   D,   D,    D,   OK,  OK,   OK,   N]),
    "claim_add":    ("post", [S,   D,   D,    D,   B,   B,    B,    N]),
    "claim":        ("get",  [S,   D,   D,    D,   OK,  N,    N,    N]),
    "receipt":      ("get",  [S,   D,   D,    D,   OK,  N,    N,    N]),
    "payments":     ("get",  [S,   D,   D,    D,   OK,  OK,   OK,   N]),
    "statements":   ("get",  [S,   D,   D,    D,   OK,  OK,   OK,   N]),
}
# fmt: on


@pytest.fixture
def world(owner, participation, agreement, make_user):
    return build_world(
        owner=owner, participation=participation, agreement=agreement, make_user=make_user
    )


def persona_user(name, world, make_user):
    match name:
        case "anonymous":
            return None
        case "no_role":
            return make_user(None)
        case "staff":
            return world.owner
        case "finance":
            return world.finance
        case "own":
            return world.consultant_user
        case "other":
            return world.other_user
        case "leader":
            return name_survivor_leader(ConsultantFactory(user=make_user(Role.CONSULTANT)))
        case "no_profile":
            return make_user(Role.CONSULTANT)
    raise AssertionError(name)


def url_for(name, world):
    kwargs = {
        "agreement": {"pk": world.agreement.pk},
        "acknowledge": {"pk": world.agreement.pk},
        "claim": {"pk": world.claim.pk},
        "receipt": {"pk": world.receipt.pk},
    }.get(name, {})
    return reverse(f"my_pay:{name}", kwargs=kwargs)


def _state():
    return (
        list(Agreement.objects.order_by("pk").values_list("acknowledged_at", flat=True)),
        TimeEntry.objects.count(),
        ExpenseClaim.objects.count(),
        Receipt.objects.count(),
    )


CASES = [
    pytest.param(name, persona, method, expected, id=f"{name}-{persona}")
    for name, (method, row) in MATRIX.items()
    for persona, expected in zip(PERSONAS, row, strict=True)
]


@pytest.mark.parametrize(("name", "persona", "method", "expected"), CASES)
def test_matrix(name, persona, method, expected, world, make_user):
    user = persona_user(persona, world, make_user)
    url = url_for(name, world)
    before = _state()
    client = client_for(user)
    response = client.get(url) if method == "get" else client.post(url, {})

    assert _state() == before
    if expected == R:
        assert response.status_code == 302
        assert not response["Location"].startswith("/accounts/login/")
        return
    assert response.status_code == expected, response.content[:300]
    if expected == S:
        assert response["Location"].startswith("/accounts/login/")
    if name == "receipt" and expected == OK:
        assert response["Content-Disposition"].startswith("attachment")
    else:
        assert not response.get("Content-Disposition")
    if expected == OK and name != "receipt":
        assert "no-store" in response["Cache-Control"]
        # The portal runs no JavaScript but safety.js (the exit shortcut).
        assert b"<script" not in response.content.replace(SAFETY_JS, b"")


def test_every_url_is_in_the_matrix():
    names = {pattern.name for pattern in urlpatterns}
    assert names == set(MATRIX), (
        f"missing rows: {sorted(names - set(MATRIX))}; stale rows: {sorted(set(MATRIX) - names)}"
    )


def test_another_consultants_records_are_404(world):
    """The other consultant's claim and receipt, asked for by their id, by
    our consultant: 404, as if they did not exist; nothing is served."""
    client = client_for(world.consultant_user)
    for url in (
        reverse("my_pay:claim", kwargs={"pk": world.other_claim.pk}),
        reverse("my_pay:receipt", kwargs={"pk": world.other_receipt.pk}),
        reverse("my_pay:receipt", kwargs={"pk": world.other_receipt.pk + 10_000}),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert not response.get("Content-Disposition")
        assert b"Printing" not in response.content
    response = client.post(
        reverse("my_pay:claim", kwargs={"pk": world.other_claim.pk}), {"file": ""}
    )
    assert response.status_code == 404
