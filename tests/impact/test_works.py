"""Co-created works: credits are hers to choose, shown only while her
consent to be quoted stands, in her portal and her record."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from consultants import services as consultant_services
from consultants.models import ConsentScope
from consultants.record import record_build, record_json
from impact import selectors, services
from impact.models import WorkCredit
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def work(world):
    return services.work_create(
        engagement=world["engagement"],
        by=world["owner"],
        title="Video testimony guide",
        kind="checklist",
        partners="Justice sector partners",
        link="https://example.org/guide",
        consultants=[world["amihan"], world["bayani"]],
    )


def _choose(world, work, who, credit_as, chosen_name=""):
    credit = work.credits.get(consultant=world[who])
    return services.credit_choose(
        credit=credit, by=world[who].user, credit_as=credit_as, chosen_name=chosen_name
    )


def test_nobody_is_named_until_she_chooses(world, work):
    [shown] = selectors.works_of_engagement(world["engagement"])
    assert shown.credit_lines == []


def test_her_choice_applies_while_her_consent_stands(world, work):
    _choose(world, work, "amihan", WorkCredit.CreditAs.CHOSEN_NAME, "Ami R.")
    _choose(world, work, "bayani", WorkCredit.CreditAs.PSEUDONYM)
    [shown] = selectors.works_of_engagement(world["engagement"])
    # Bayani never agreed to be quoted: not named, whatever he chose.
    assert shown.credit_lines == ["Ami R."]
    consultant_services.consent_withdraw(
        consultant=world["amihan"], scope=ConsentScope.QUOTING, by=world["manager"]
    )
    [shown] = selectors.works_of_engagement(world["engagement"])
    assert shown.credit_lines == []
    page = client_for(world["owner"]).get(
        reverse("impact:engagement", args=[world["engagement"].pk])
    )
    assert "Ami R." not in page.content.decode()


def test_a_chosen_name_is_needed_and_cleared_otherwise(world, work):
    with pytest.raises(ValidationError):
        _choose(world, work, "amihan", WorkCredit.CreditAs.CHOSEN_NAME, "  ")
    credit = _choose(world, work, "amihan", WorkCredit.CreditAs.PSEUDONYM, "Ignored")
    assert credit.chosen_name == ""
    with pytest.raises(ValidationError):
        _choose(world, work, "amihan", "<script>")


def test_works_credit_only_those_who_took_part(world):
    with pytest.raises(ValidationError):
        services.work_create(
            engagement=world["engagement"],
            by=world["owner"],
            title="X",
            kind="report",
            consultants=[world["declined"]],
        )


def test_her_portal_and_record_list_her_works(world, work):
    client = client_for(world["amihan"].user)
    html = client.get(reverse("my_impact:index")).content.decode()
    assert "Video testimony guide" in html
    credit = work.credits.get(consultant=world["amihan"])
    assert (
        client.post(
            reverse("my_impact:credit", args=[credit.pk]), {"credit_as": "pseudonym"}
        ).status_code
        == 302
    )
    assert (
        client.post(
            reverse("my_impact:credit", args=[credit.pk]), {"credit_as": "bogus"}
        ).status_code
        == 400
    )
    sections = record_build(world["amihan"])
    data = record_json(sections, exported_at=timezone.now())
    assert data["works"][0]["title"] == "Video testimony guide"
    assert data["works"][0]["credit_as"] == "pseudonym"
    assert "Bayani" not in repr(data["works"])


def test_the_staff_form_refuses_hostile_input(world):
    client = client_for(world["owner"])
    url = reverse("impact:work_add", args=[world["engagement"].pk])
    bad = [
        {"title": "", "kind": "report", "consultants": [world["amihan"].pk]},
        {"title": "x" * 201, "kind": "report", "consultants": [world["amihan"].pk]},
        {"title": "T", "kind": "poem", "consultants": [world["amihan"].pk]},
        {"title": "T", "kind": "report", "consultants": [world["declined"].pk]},
        {"title": "T", "kind": "report", "consultants": [world["amihan"].pk], "link": "ftp:/x"},
    ]
    for data in bad:
        assert client.post(url, data).status_code == 400, data
