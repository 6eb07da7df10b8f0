"""Every staff page of compensation x every persona, as one table.

A cell is the status the persona gets from the page itself (no redirects
followed): anonymous visitors go to sign-in (302, S); people without a
staff role get 403; a record the persona may not see is 404; one they
see but may not act on is 403. POST-only pages are asked with a POST that
carries no valid input, so a permitted persona gets the form back (400)
and nothing changes; "R" is a permitted POST that redirects (grouping).
test_every_url_is_in_the_matrix fails until a new URL has its row.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from compensation import services
from compensation.models import (
    Agreement,
    AllowancePolicy,
    ExpenseClaim,
    Payment,
    PaymentLine,
    RateCard,
    TimeEntry,
)
from compensation.urls_staff import urlpatterns
from tests.compensation.pages import build_world
from tests.consultants.factories import ConsultantFactory
from tests.fixtures import name_survivor_leader
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "no_role",
    "consultant",  # the consultant of the records, through the staff site
    "leader",  # another consultant, named survivor leader: no staff page opens
    "staff",  # programme staff who do not run this engagement
    "owner",  # programme staff who run it
    "manager",
    "finance",
    "wellbeing",
    "admin",
]

S, D, N, OK, B, R = 302, 403, 404, 200, 400, "R"

# fmt: off
MATRIX: dict[str, tuple[str, list]] = {
    #                            anon no_r cons lead staff owner mgr fin  wb  admin
    "index":           ("get",  [S,   D,   D,   D,   OK,   OK,   OK, OK,  OK, OK]),
    "queue":           ("get",  [S,   D,   D,   D,   D,    D,    D,  OK,  D,  OK]),
    "group":           ("post", [S,   D,   D,   D,   D,    D,    D,  R,   D,  R]),
    "adjust":          ("get",  [S,   D,   D,   D,   D,    D,    D,  OK,  D,  OK]),
    "payment_discard": ("get",  [S,   D,   D,   D,   D,    D,    D,  OK,  D,  OK]),
    "payments":        ("get",  [S,   D,   D,   D,   D,    D,    D,  OK,  D,  OK]),
    "payment":         ("get",  [S,   D,   D,   D,   D,    D,    D,  OK,  D,  OK]),
    "payment_approve": ("get",  [S,   D,   D,   D,   D,    D,    D,  OK,  D,  OK]),
    "payment_paid":    ("get",  [S,   D,   D,   D,   D,    D,    D,  OK,  D,  OK]),
    "payment_reveal":  ("post", [S,   D,   D,   D,   D,    D,    D,  B,   D,  D]),
    "export":          ("get",  [S,   D,   D,   D,   D,    D,    D,  OK,  D,  D]),
    "overdue":         ("get",  [S,   D,   D,   D,   D,    D,    OK, OK,  D,  OK]),
    "totals":          ("get",  [S,   D,   D,   D,   D,    D,    OK, OK,  D,  OK]),
    "approvals":       ("get",  [S,   D,   D,   D,   OK,   OK,   OK, OK,  OK, OK]),
    "time_decide":     ("post", [S,   D,   D,   D,   N,    B,    B,  D,   N,  B]),
    "claim":           ("get",  [S,   D,   D,   D,   N,    OK,   OK, OK,  N,  OK]),
    "receipt":         ("get",  [S,   D,   D,   D,   N,    OK,   OK, OK,  N,  OK]),
    # Recorded on a consultant's behalf by those who run the engagement
    "record":          ("get",  [S,   D,   D,   D,   OK,   OK,   OK, D,   D,  OK]),
    "record_time":     ("get",  [S,   D,   D,   D,   N,    OK,   OK, D,   D,  OK]),
    "record_claim":    ("post", [S,   D,   D,   D,   N,    B,    B,  D,   D,  B]),
    # Finance desk: rates and the allowance policy (can_manage_rates)
    "desk_rates":             ("get",  [S, D, D, D, D, D, OK, OK, D, OK]),
    "desk_rate_add":          ("get",  [S, D, D, D, D, D, OK, OK, D, OK]),
    "desk_rate_edit":         ("get",  [S, D, D, D, D, D, OK, OK, D, OK]),
    "desk_rate_end":          ("get",  [S, D, D, D, D, D, OK, OK, D, OK]),
    "desk_rate_remove":       ("post", [S, D, D, D, D, D, R,  R,  D, R]),
    "desk_allowances":        ("get",  [S, D, D, D, D, D, OK, OK, D, OK]),
    "desk_allowance_add":     ("post", [S, D, D, D, D, D, B,  B,  D, B]),
    "desk_allowance_edit":    ("post", [S, D, D, D, D, D, B,  B,  D, B]),
    "desk_allowance_end":     ("post", [S, D, D, D, D, D, B,  B,  D, B]),
    "desk_allowance_remove":  ("get",  [S, D, D, D, D, D, OK, OK, D, OK]),
    # Finance desk: agreements (search: finance and staff who may run
    # engagements; one participation: can_view_agreement, then can_propose)
    "desk_agreements":        ("get",  [S, D, D, D, OK, OK, OK, OK, D, OK]),
    "desk_agreement":         ("post", [S, D, D, D, N,  B,  B,  B,  N, B]),
}
# fmt: on


@pytest.fixture
def world(owner, participation, agreement, make_user):
    world = build_world(
        owner=owner, participation=participation, agreement=agreement, make_user=make_user
    )
    # The finance desk: a planned rate and a planned allowance policy (future
    # versions no agreement used: they may be changed, ended or removed).
    planned = timezone.localdate() + datetime.timedelta(days=30)
    world.planned_rate = services.rate_card_create(
        engagement_type="roundtable",
        role="reviewer",
        unit="hour",
        amount="450.00",
        effective_from=planned,
        by=world.finance,
    )
    world.planned_policy = services.allowance_policy_create(
        kind="meal", default_amount=Decimal("400.00"), effective_from=planned, by=world.finance
    )
    return world


def persona_user(name: str, world, make_user):
    match name:
        case "anonymous":
            return None
        case "no_role":
            return make_user(None)
        case "consultant":
            return world.consultant_user
        case "leader":
            return name_survivor_leader(ConsultantFactory(user=make_user(Role.CONSULTANT)))
        case "staff":
            return make_user(Role.PROGRAMME_STAFF)
        case "owner":
            return world.owner
        case "manager":
            return make_user(Role.PROGRAMME_MANAGER)
        case "finance":
            return make_user(Role.FINANCE_OFFICER)
        case "wellbeing":
            return make_user(Role.WELLBEING_LEAD)
        case "admin":
            return make_user(Role.ADMINISTRATOR)
    raise AssertionError(name)


def url_for(name: str, world) -> str:
    kwargs = {
        "group": {"consultant_pk": world.participation.consultant_id},
        "adjust": {"consultant_pk": world.participation.consultant_id},
        "payment_discard": {"pk": world.payment.pk},
        "payment": {"pk": world.payment.pk},
        "payment_approve": {"pk": world.payment.pk},
        "payment_paid": {"pk": world.payment.pk},
        "payment_reveal": {"pk": world.payment.pk},
        "time_decide": {"pk": world.entry.pk},
        "claim": {"pk": world.claim.pk},
        "receipt": {"pk": world.receipt.pk},
        "record_time": {"participation_pk": world.participation.pk},
        "record_claim": {"participation_pk": world.participation.pk},
        "desk_rate_edit": {"pk": world.planned_rate.pk},
        "desk_rate_end": {"pk": world.planned_rate.pk},
        "desk_rate_remove": {"pk": world.planned_rate.pk},
        "desk_allowance_edit": {"pk": world.planned_policy.pk},
        "desk_allowance_end": {"pk": world.planned_policy.pk},
        "desk_allowance_remove": {"pk": world.planned_policy.pk},
        "desk_agreement": {"participation_pk": world.participation.pk},
    }.get(name, {})
    return reverse(f"compensation:{name}", kwargs=kwargs)


def _state():
    return (
        list(Payment.objects.order_by("pk").values_list("pk", "status")),
        PaymentLine.objects.count(),
        list(TimeEntry.objects.order_by("pk").values_list("status", flat=True)),
        ExpenseClaim.objects.count(),
        LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count(),
        list(RateCard.objects.order_by("pk").values_list("pk", "amount", "effective_to")),
        list(AllowancePolicy.objects.order_by("pk").values_list("pk", "effective_to")),
        Agreement.objects.count(),
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

    if expected == R:
        assert response.status_code == 302
        assert not response["Location"].startswith("/accounts/login/")
        return
    assert response.status_code == expected, response.content[:500]
    if expected == S:
        assert response["Location"].startswith("/accounts/login/")
    if expected != OK:
        # A refusal or a form sent back changes nothing and reveals nothing.
        assert _state() == before
    assert b"SECRET ACCOUNT HOLDER" not in response.content
    assert b"9876543210" not in response.content
    assert not response.get("Content-Disposition")


def test_every_url_is_in_the_matrix():
    names = {pattern.name for pattern in urlpatterns}
    assert names == set(MATRIX), (
        f"missing rows: {sorted(names - set(MATRIX))}; stale rows: {sorted(set(MATRIX) - names)}"
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_a_receipt_is_never_served_without_permission(persona, world, make_user):
    """With a reason, only those who run the engagement, finance and
    administrators get the file; everybody else gets no byte of it, and
    another consultant's receipt is 404 to the staff who do not run it."""
    user = persona_user(persona, world, make_user)
    client = client_for(user)
    allowed = persona in {"owner", "manager", "finance", "admin"}
    for receipt in (world.receipt, world.other_receipt):
        url = reverse("compensation:receipt", kwargs={"pk": receipt.pk})
        response = client.post(url, {"reason": "Checking the amount"})
        # other_receipt: engagement also owned by ``owner``
        if allowed:
            assert response.status_code == 200
            assert "no-store" in response["Cache-Control"]
            assert response["X-Content-Type-Options"] == "nosniff"
            assert f"tinig-receipt-{receipt.pk}." in response["Content-Disposition"]
            assert "lunch" not in response["Content-Disposition"]
        else:
            assert response.status_code in (302, 403, 404)
            assert not response.get("Content-Disposition")
        response = client.get(url + "?reason=x")
        assert not response.get("Content-Disposition")
