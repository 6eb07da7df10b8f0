"""The finance desk's pages: the happy paths, and bad, hostile and
unauthorised input (bad dates, negative amounts, foreign primary keys,
posts without a CSRF token, markup in free text, overlong searches)."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from compensation import selectors, services
from compensation.models import Agreement, AllowancePolicy, RateCard
from tests.engagements.factories import ParticipationFactory
from tests.helpers import client_for, past_engagement

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture
def today():
    return selectors.manila_today()


def _rate_post(start, **extra):
    data = {
        "engagement_type": "roundtable",
        "role": "reviewer",
        "unit": "hour",
        "amount": "500.00",
        "effective_from": start.isoformat(),
        "effective_to": "",
        "note": "",
    }
    data.update(extra)
    return data


def test_finance_adds_a_version_and_the_list_marks_each_state(finance_user, today):
    client = client_for(finance_user)
    url = reverse("compensation:desk_rate_add")
    assert client.post(url, _rate_post(today - 30 * DAY)).status_code == 302
    response = client.post(url, _rate_post(today + 10 * DAY, amount="600.00"))
    assert response.status_code == 302
    services.rate_card_create(
        engagement_type="roundtable",
        role="adviser",
        unit="day",
        amount="3000.00",
        effective_from=today - 90 * DAY,
        effective_to=today - 60 * DAY,
        by=finance_user,
    )
    page = client.get(reverse("compensation:desk_rates")).content.decode()
    assert page.count('data-state="current"') == 1
    assert page.count('data-state="future"') == 1
    assert page.count('data-state="past"') == 1
    current = RateCard.objects.get(role="reviewer", effective_from=today - 30 * DAY)
    assert current.effective_to == today + 9 * DAY
    assert current.created_by == finance_user


def test_an_overlap_is_a_form_error(finance_user, today):
    client = client_for(finance_user)
    url = reverse("compensation:desk_rate_add")
    client.post(url, _rate_post(today, effective_to=(today + 60 * DAY).isoformat()))
    response = client.post(url, _rate_post(today + 10 * DAY))
    assert response.status_code == 400
    assert "covers part of this period" in response.content.decode()
    assert RateCard.objects.filter(role="reviewer").count() == 1


@pytest.mark.parametrize(
    "extra",
    [
        {"effective_from": "2026-13-45"},
        {"effective_from": "not a date"},
        {"effective_from": ""},
        {"amount": "-500.00"},
        {"amount": "0"},
        {"amount": "1e400"},
        {"amount": "1e3"},
        {"amount": "1000000000"},
        {"amount": "12.345"},
        {"unit": "fortnight"},
        {"role": "<script>"},
        {"effective_to": "2000-01-01"},
        {"note": "x" * 301},
    ],
)
def test_bad_input_saves_nothing(finance_user, today, extra):
    response = client_for(finance_user).post(
        reverse("compensation:desk_rate_add"), _rate_post(today, **extra)
    )
    assert response.status_code == 400
    assert not RateCard.objects.filter(role="reviewer").exists()


def test_markup_in_a_note_is_shown_as_text(finance_user, today):
    client = client_for(finance_user)
    client.post(
        reverse("compensation:desk_rate_add"), _rate_post(today, note="<script>alert(1)</script>")
    )
    page = client.get(reverse("compensation:desk_rates")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;" in page


def test_a_post_without_csrf_token_is_refused(finance_user, today):
    client = Client(enforce_csrf_checks=True)
    client.force_login(finance_user)
    response = client.post(reverse("compensation:desk_rate_add"), _rate_post(today))
    assert response.status_code == 403
    assert not RateCard.objects.exists()


def test_a_version_in_effect_offers_no_change_and_refuses_one(finance_user, today):
    card = services.rate_card_create(
        engagement_type="roundtable",
        role="reviewer",
        unit="hour",
        amount="500.00",
        effective_from=today - 5 * DAY,
        by=finance_user,
    )
    client = client_for(finance_user)
    for name in ("desk_rate_edit", "desk_rate_remove"):
        url = reverse(f"compensation:{name}", kwargs={"pk": card.pk})
        assert client.get(url).status_code == 403
        assert client.post(url, _rate_post(today + DAY, amount="9.00")).status_code == 403
    card.refresh_from_db()
    assert card.amount == Decimal("500.00")
    end = reverse("compensation:desk_rate_end", kwargs={"pk": card.pk})
    response = client.post(end, {"effective_to": (today - DAY).isoformat()})
    assert response.status_code == 400
    assert "days already past are kept" in response.content.decode()
    assert client.post(end, {"effective_to": today.isoformat()}).status_code == 302
    card.refresh_from_db()
    assert card.effective_to == today


def test_a_planned_version_is_changed_then_removed_with_confirmation(finance_user, today):
    client = client_for(finance_user)
    planned = services.allowance_policy_create(
        kind="meal", by=finance_user, default_amount="300.00", effective_from=today + 20 * DAY
    )
    url = reverse("compensation:desk_allowance_edit", kwargs={"pk": planned.pk})
    data = {
        "default_amount": "-1",
        "effective_from": (today + 25 * DAY).isoformat(),
        "is_active": "on",
    }
    assert client.post(url, data).status_code == 400
    data["default_amount"] = "320.00"
    assert client.post(url, data).status_code == 302
    planned.refresh_from_db()
    assert (planned.default_amount, planned.effective_from) == (Decimal("320.00"), today + 25 * DAY)
    remove = reverse("compensation:desk_allowance_remove", kwargs={"pk": planned.pk})
    confirm = client.get(remove)
    assert confirm.status_code == 200
    assert AllowancePolicy.objects.filter(pk=planned.pk).exists()
    assert client.post(remove).status_code == 302
    assert not AllowancePolicy.objects.filter(pk=planned.pk).exists()


@pytest.mark.parametrize("pk", [999999, 0])
def test_a_foreign_or_missing_version_is_404(finance_user, pk):
    client = client_for(finance_user)
    for name in ("desk_rate_end", "desk_allowance_edit", "desk_allowance_remove"):
        assert client.get(reverse(f"compensation:{name}", kwargs={"pk": pk})).status_code == 404


# --- Agreements ----------------------------------------------------------------------------


def test_the_search_finds_only_what_the_person_may_propose_for(
    owner, participation, agreement, make_user, other_consultant
):
    other_owner = make_user("programme_staff")
    foreign = ParticipationFactory(
        engagement=past_engagement(other_owner, title="Other roundtable"),
        consultant=other_consultant,
        status="attended",
    )
    url = reverse("compensation:desk_agreements")
    pseudonym = participation.consultant.pseudonym
    page = client_for(owner).get(url, {"q": pseudonym[:4]}).content.decode()
    assert reverse("compensation:desk_agreement", args=[participation.pk]) in page
    page = client_for(owner).get(url, {"q": "Other roundtable"}).content.decode()
    assert reverse("compensation:desk_agreement", args=[foreign.pk]) not in page
    # The page of a participation one does not run is not found.
    foreign_url = reverse("compensation:desk_agreement", args=[foreign.pk])
    assert client_for(owner).get(foreign_url).status_code == 404
    assert client_for(owner).post(foreign_url, {}).status_code == 404
    # No search, or a hostile one, lists nothing.
    for query in ({}, {"q": "a"}, {"q": "x" * 500}, {"q": "' OR 1=1 --"}):
        response = client_for(owner).get(url, query)
        assert response.status_code == 200
        assert "desk/agreements/" + str(participation.pk) not in response.content.decode()


def _agreement_post(agreement, **extra):
    data = {
        "rate_unit": agreement.rate_unit,
        "rate_amount": str(agreement.rate_amount),
        "estimated_preparation_hours": "2",
        "estimated_travel_hours": "0",
        "estimated_engagement_hours": "3",
        "estimated_debrief_hours": "1",
        "advance_amount": "0",
        "cancellation_notice_hours": "72",
        "cancellation_minimum": "0",
        "allowance_meal": "400.00",
        "allowance_meal_advance": "on",
        "change_note": "A longer preparation.",
    }
    data.update(extra)
    return data


def test_a_change_is_a_new_version_awaiting_her_acknowledgement(
    finance_user, participation, agreement
):
    client = client_for(finance_user)
    url = reverse("compensation:desk_agreement", args=[participation.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "<select" not in page.content.decode().split('<form method="post"')[0]
    # A change without a note is refused: she is asked to acknowledge it.
    response = client.post(url, _agreement_post(agreement, change_note=""))
    assert response.status_code == 400
    assert Agreement.objects.filter(participation=participation).count() == 1
    response = client.post(url, _agreement_post(agreement))
    assert response.status_code == 302
    latest = selectors.agreement_latest(participation)
    assert latest.version == 2 and not latest.is_acknowledged
    assert latest.estimated_preparation_hours == Decimal("2")
    assert {a.kind: a.amount for a in latest.allowances.all()} == {"meal": Decimal("400.00")}
    agreement.refresh_from_db()
    assert agreement.is_acknowledged
    assert selectors.agreement_in_force(participation) == agreement


@pytest.mark.parametrize(
    "extra",
    [
        {"rate_amount": "-1"},
        {"rate_amount": "0"},
        {"advance_amount": "-5"},
        {"allowance_meal": "-1"},
        {"estimated_engagement_hours": "201"},
        {"estimated_engagement_hours": "-2"},
        {"cancellation_notice_hours": "-1"},
        {"rate_unit": "forever"},
        {"advance_amount": "999999"},  # more than the estimated pay
    ],
)
def test_bad_agreement_terms_propose_nothing(finance_user, participation, agreement, extra):
    response = client_for(finance_user).post(
        reverse("compensation:desk_agreement", args=[participation.pk]),
        _agreement_post(agreement, **extra),
    )
    assert response.status_code == 400
    assert Agreement.objects.filter(participation=participation).count() == 1


def test_a_wellbeing_lead_and_a_consultant_cannot_reach_the_desk(
    wellbeing_user, consultant_user, participation, agreement
):
    for user in (wellbeing_user, consultant_user):
        client = client_for(user)
        assert client.get(reverse("compensation:desk_agreements")).status_code == 403
        url = reverse("compensation:desk_agreement", args=[participation.pk])
        assert client.post(url, _agreement_post(agreement)).status_code in (403, 404)
    assert Agreement.objects.filter(participation=participation).count() == 1


def test_the_engagement_page_links_each_agreement_for_those_who_may_propose(
    owner, finance_user, wellbeing_user, make_user, participation, agreement
):
    url = reverse("engagements:detail", args=[participation.engagement_id])
    link = reverse("compensation:desk_agreement", args=[participation.pk])
    for user in (owner, finance_user):
        page = client_for(user).get(url).content.decode()
        assert link in page
        assert "In force" in page
    # Programme staff who do not run it and wellbeing leads see no agreement.
    for user in (make_user("programme_staff"), wellbeing_user):
        response = client_for(user).get(url)
        assert link not in response.content.decode()


def test_the_agreements_panel_is_two_queries(
    owner, participation, agreement, django_assert_num_queries
):
    from compensation.panels import engagement_agreements

    with django_assert_num_queries(2):
        context = engagement_agreements(participation.engagement, owner)
    assert [row["in_force"] for row in context["agreement_rows"]] == [agreement]
