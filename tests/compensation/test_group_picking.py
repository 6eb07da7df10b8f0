"""Finance picks which of a consultant's waiting lines go into a payment:
every line ticked by default, totals from SQL; another consultant's line,
a line already in a payment or an id that is not one is refused with a
message, and nothing is written (no payment, no line moved)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from compensation import services
from compensation.models import Payment, PaymentLine
from tests.consultants.factories import ConsultantFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def lines(own_consultant, finance_user):
    return [
        services.adjustment_add(
            consultant=own_consultant, by=finance_user, amount=amount, reason=reason
        )
        for amount, reason in (("100.00", "Bus fare owed"), ("250.50", "Load owed"))
    ]


@pytest.fixture
def foreign_line(finance_user):
    other = ConsultantFactory(pseudonym="Bituin")
    return services.adjustment_add(consultant=other, by=finance_user, amount="75.00", reason="X")


def _url(consultant):
    return reverse("compensation:group", kwargs={"consultant_pk": consultant.pk})


def _state():
    return (
        Payment.objects.count(),
        sorted(PaymentLine.objects.values_list("pk", "payment_id")),
    )


def test_the_page_ticks_every_waiting_line_with_the_total(
    lines, own_consultant, finance_user, django_assert_num_queries
):
    client = client_for(finance_user)
    client.get(_url(own_consultant))  # warm the session
    with django_assert_num_queries(9):
        response = client.get(_url(own_consultant))
    page = response.content.decode()
    assert response.status_code == 200
    for line in lines:
        assert f'name="lines" value="{line.pk}" id="line-{line.pk}" checked' in page
    assert "₱350.50" in page and "2 lines wait" in page


def test_finance_picks_one_of_two_lines(lines, own_consultant, finance_user):
    first, second = lines
    response = client_for(finance_user).post(
        _url(own_consultant), {"chosen": "1", "lines": [str(second.pk)]}
    )
    payment = Payment.objects.get()
    assert response["Location"] == reverse("compensation:payment", kwargs={"pk": payment.pk})
    assert list(payment.lines.values_list("pk", flat=True)) == [second.pk]
    first.refresh_from_db()
    assert first.payment_id is None
    page = client_for(finance_user).get(_url(own_consultant)).content.decode()
    assert f'value="{first.pk}"' in page and f'value="{second.pk}"' not in page
    assert "₱100.00" in page


@pytest.mark.parametrize(
    "picked",
    [
        pytest.param(lambda lines, foreign: [], id="none ticked"),
        pytest.param(lambda lines, foreign: [str(foreign.pk)], id="another consultant's"),
        pytest.param(
            lambda lines, foreign: [str(lines[0].pk), str(foreign.pk)], id="mixed with another's"
        ),
        pytest.param(lambda lines, foreign: ["abc"], id="not a number"),
        pytest.param(lambda lines, foreign: [f"{lines[0].pk} OR 1=1"], id="injection"),
        pytest.param(lambda lines, foreign: ["-1"], id="negative"),
        pytest.param(lambda lines, foreign: ["1" * 40], id="huge"),
        pytest.param(lambda lines, foreign: ["٣"], id="non-ascii digit"),
        pytest.param(lambda lines, foreign: ["999999999"], id="no such line"),
        pytest.param(lambda lines, foreign: [str(i) for i in range(500)], id="too many"),
    ],
)
def test_hostile_picks_are_refused_and_nothing_is_lost(
    picked, lines, foreign_line, own_consultant, finance_user
):
    before = _state()
    response = client_for(finance_user).post(
        _url(own_consultant), {"chosen": "1", "lines": picked(lines, foreign_line)}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert 'role="alert"' in page
    assert _state() == before
    assert "Bituin" not in page


def test_a_line_already_grouped_is_refused(lines, own_consultant, finance_user, finance_colleague):
    first, second = lines
    services.payment_group(consultant=own_consultant, by=finance_colleague, line_ids=[first.pk])
    before = _state()
    response = client_for(finance_user).post(
        _url(own_consultant), {"chosen": "1", "lines": [str(first.pk), str(second.pk)]}
    )
    assert response.status_code == 400
    assert "already in a payment" in response.content.decode()
    assert _state() == before


@pytest.mark.parametrize(
    "role", [Role.PROGRAMME_STAFF, Role.PROGRAMME_MANAGER, Role.WELLBEING_LEAD, Role.CONSULTANT]
)
def test_others_may_not_see_or_pick(role, lines, own_consultant, make_user):
    client = client_for(make_user(role))
    before = _state()
    assert client.get(_url(own_consultant)).status_code == 403
    response = client.post(_url(own_consultant), {"chosen": "1", "lines": [str(lines[0].pk)]})
    assert response.status_code == 403
    assert _state() == before
