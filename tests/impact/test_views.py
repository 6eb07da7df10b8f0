"""Staff pages with bad and hostile input, the panel on the engagement
page, the portal page in both languages, and her record."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import Role
from consultants import services as consultant_services
from consultants.models import ConsentScope
from consultants.record import record_build, record_json
from impact import services
from impact.models import Contribution, Outcome, OutcomeStatus
from tests.consultants.factories import ConsultantFactory
from tests.engagements.factories import ParticipationFactory
from tests.helpers import client_for, past_engagement

pytestmark = pytest.mark.django_db


def test_the_panel_on_the_engagement_page(world, contribution):
    page = client_for(world["owner"]).get(
        reverse("engagements:detail", args=[world["engagement"].pk])
    )
    html = page.content.decode()
    assert "Contributions and outcomes" in html
    assert "Let children testify by video" in html
    assert reverse("impact:contribution_add", args=[world["engagement"].pk]) in html
    # The engagement's own impact page is linked from it.
    assert f'href="{reverse("impact:engagement", args=[world["engagement"].pk])}"' in html


def test_hostile_contribution_input(world, make_user):
    other = past_engagement(world["owner"])
    stranger = ConsultantFactory(pseudonym="Stranger")
    ParticipationFactory(engagement=other, consultant=stranger, status="attended")
    client = client_for(world["owner"])
    url = reverse("impact:contribution_add", args=[world["engagement"].pk])
    bad = [
        {"kind": "recommendation", "summary": "x", "consultants": [stranger.pk]},
        {"kind": "recommendation", "summary": "x", "consultants": [world["declined"].pk]},
        {"kind": "recommendation", "summary": "x", "consultants": ["1 OR 1=1"]},
        {"kind": "recommendation", "summary": "x" * 1001, "consultants": [world["amihan"].pk]},
        {"kind": "nonsense", "summary": "x", "consultants": [world["amihan"].pk]},
        {"kind": "recommendation", "summary": "", "consultants": [world["amihan"].pk]},
        {},
    ]
    for data in bad:
        assert client.post(url, data).status_code == 400, data
    assert not Contribution.objects.exists()
    response = client.post(
        url,
        {
            "kind": "recommendation",
            "summary": "<img src=x onerror=alert(1)>",
            "consultants": [world["amihan"].pk],
        },
    )
    assert response.status_code == 302
    page = client.get(reverse("impact:engagement", args=[world["engagement"].pk]))
    assert "<img src=x" not in page.content.decode()
    # The form offers only those who took part, by pseudonym.
    form = client.get(url).content.decode()
    assert "Amihan" in form and "Bayani" in form
    assert "Dalisay" not in form and "Stranger" not in form
    assert world["amihan"].legal_name not in form


def test_hostile_outcome_input(world, contribution):
    client = client_for(world["owner"])
    url = reverse("impact:outcome_add", args=[contribution.pk])
    today = str(timezone.localdate())
    bad = [
        {"status": "done", "decided_on": today},
        {"status": "adopted", "decided_on": "2999-01-01"},
        {"status": "adopted", "decided_on": "1999-01-01"},
        {"status": "adopted", "decided_on": "yesterday"},
        {"status": "adopted", "decided_on": today, "evidence_link": "javascript:alert(1)"},
        {"status": "adopted", "decided_on": today, "shared_note": "x" * 1001},
    ]
    for data in bad:
        assert client.post(url, data).status_code == 400, data
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post(
        url,
        {
            "status": "adopted",
            "decided_on": today,
            "evidence_file": SimpleUploadedFile("x.pdf", b"<html>not a pdf"),
        },
    )
    assert response.status_code == 400
    assert not Outcome.objects.exists()


def test_an_as_of_date_before_the_engagement_is_shown_at_the_field(world, contribution):
    client = client_for(world["owner"])
    url = reverse("impact:outcome_add", args=[contribution.pk])
    began = timezone.localdate(world["engagement"].start)
    form = client.get(url).content.decode()
    assert f'min="{began.isoformat()}"' in form
    assert f'max="{timezone.localdate().isoformat()}"' in form
    response = client.post(url, {"status": "adopted", "decided_on": "1999-01-01"})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert list(errors) == ["decided_on"]
    assert "before the engagement began" in errors["decided_on"][0]
    assert "before the engagement began" in response.content.decode()
    assert not Outcome.objects.exists()
    # The engagement's first day itself is fine.
    response = client.post(url, {"status": "adopted", "decided_on": str(began)})
    assert response.status_code == 302
    assert Outcome.objects.get().decided_on == began


def test_the_team_note_is_a_recorded_view(world, contribution):
    from auditlog.models import LogEntry

    services.outcome_record(
        contribution=contribution,
        by=world["owner"],
        status=OutcomeStatus.UNDER_CONSIDERATION,
        decided_on=timezone.localdate(),
        note="The minister's adviser likes it.",
    )
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
    page = client_for(world["manager"]).get(reverse("impact:contribution", args=[contribution.pk]))
    assert "The minister&#x27;s adviser likes it." in page.content.decode()
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == before + 1


def test_her_portal_page_shows_her_own_in_plain_words(world, contribution, make_user):
    services.outcome_record(
        contribution=contribution,
        by=world["owner"],
        status=OutcomeStatus.ADOPTED,
        decided_on=timezone.localdate(),
        note="Team-only note",
        shared_note="The court now allows video testimony.",
    )
    client = client_for(world["amihan"].user)
    html = client.get(reverse("my_impact:index")).content.decode()
    assert "Let children testify by video" in html
    assert "your voice changed something" in html
    assert "The court now allows video testimony." in html
    assert "Team-only note" not in html
    assert "Bayani" not in html  # the other consultant never appears
    home = client.get(reverse("portal:home")).content.decode()
    assert reverse("my_impact:index") in home
    # Someone not credited sees nothing of it.
    other = client_for(world["declined"].user).get(reverse("my_impact:index")).content.decode()
    assert "Let children testify" not in other


def test_her_portal_page_in_filipino(world, contribution):
    user = world["amihan"].user
    user.language = "fil"
    user.save(update_fields=["language"])
    html = client_for(user).get(reverse("my_impact:index")).content.decode()
    assert "What your voice changed" not in html


def test_her_record_holds_her_contributions(world, contribution):
    services.outcome_record(
        contribution=contribution,
        by=world["owner"],
        status=OutcomeStatus.PARTLY_ADOPTED,
        decided_on=timezone.localdate(),
        note="Team-only note",
        shared_note="Part of it is in the new guideline.",
    )
    with translation.override("en"):
        sections = record_build(world["amihan"])
        data = record_json(sections, exported_at=timezone.now())
    section = next(s for s in sections if s.key == "contributions")
    assert len(section.rows) == 1
    flat = repr(data["contributions"])
    assert "Let children testify by video" in flat
    assert "Part of it is in the new guideline." in flat
    assert "partly" in flat
    assert "Team-only note" not in flat and "Bayani" not in flat


def test_a_consultant_who_withdrew_quoting_is_named_nowhere_afterwards(
    world, contribution, mailoutbox, django_capture_on_commit_callbacks
):
    consultant_services.consent_withdraw(
        consultant=world["amihan"], scope=ConsentScope.QUOTING, by=world["manager"]
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_link_send(
            engagement=world["engagement"], by=world["owner"], address="p@example.org"
        )
    token = mailoutbox[-1].body.split("/feedback/")[1].split("/")[0]
    from django.test import Client

    html = Client().get(reverse("partner_feedback:form", args=[token])).content.decode()
    assert "Let children testify by video" in html
    assert "Amihan" not in html and "Bayani" not in html


def test_finance_reads_but_cannot_record(world, contribution, make_user):
    finance = make_user(Role.FINANCE_OFFICER)
    html = (
        client_for(finance)
        .get(reverse("impact:engagement", args=[world["engagement"].pk]))
        .content.decode()
    )
    assert "Let children testify by video" in html
    assert reverse("impact:contribution_add", args=[world["engagement"].pk]) not in html


def test_the_impact_page_lists_waiting_contributions_first(world, contribution, make_user):
    # The fixture's contribution has an outcome; an older engagement's waits.
    services.outcome_record(
        contribution=contribution,
        by=world["owner"],
        status=OutcomeStatus.ADOPTED,
        decided_on=timezone.localdate(),
    )
    older = past_engagement(world["owner"], days_ago=90, title="Older <b>hearing</b> prep")
    ParticipationFactory(engagement=older, consultant=world["amihan"], status="attended")
    waiting = services.contribution_create(
        engagement=older,
        by=world["owner"],
        kind="review",
        summary="Reviewed the waiting-room guide.",
        consultants=[world["amihan"]],
    )
    client = client_for(world["owner"])
    html = client.get(reverse("impact:index")).content.decode()
    assert "1 contribution waits for an outcome." in html
    assert "Waiting for an outcome" in html
    first = html.index(f'id="contribution-{waiting.pk}"')
    assert first < html.index(f'id="contribution-{contribution.pk}"')
    assert reverse("impact:contribution", args=[waiting.pk]) in html
    assert reverse("impact:engagement", args=[older.pk]) in html
    assert "<b>hearing</b>" not in html  # escaped
    # The staff navigation leads here, marked as the current page.
    assert f'href="{reverse("impact:index")}" aria-current="page"' in html
    # Search by the engagement's title.
    found = client.get(reverse("impact:index"), {"q": "HEARING"}).content.decode()
    assert f'id="contribution-{waiting.pk}"' in found
    assert f'id="contribution-{contribution.pk}"' not in found
    # Hostile and odd input: never an error.
    for params in (
        {"q": "\x00<script>alert(1)</script>"},
        {"q": "x" * 5000},
        {"q": "' OR 1=1 --"},
        {"page": "-1"},
        {"page": "<x>"},
        {"page": "99999"},
    ):
        response = client.get(reverse("impact:index"), params)
        assert response.status_code == 200, params
        assert "<script>alert(1)</script>" not in response.content.decode()
    empty = client.get(reverse("impact:index"), {"q": "no such title"}).content.decode()
    assert "No contributions here" in empty
    assert "No engagement with a contribution has this in its title." in empty


def test_the_impact_page_empty_and_scoped(world, contribution, make_user):
    # Programme staff who see none of these engagements see none of them.
    stranger = make_user(Role.PROGRAMME_STAFF)
    html = client_for(stranger).get(reverse("impact:index")).content.decode()
    assert "No contributions here" in html
    assert "Contributions recorded on the engagements you see appear here." in html
    assert "Let children testify" not in html
    assert "waits for an outcome" not in html
    # The engagement's team does.
    html = client_for(world["assigned"]).get(reverse("impact:index")).content.decode()
    assert "Let children testify" in html


def test_the_impact_page_in_filipino(world, contribution):
    user = world["owner"]
    user.language = "fil"
    user.save(update_fields=["language"])
    html = client_for(user).get(reverse("impact:index")).content.decode()
    assert "waits for an outcome" not in html
    assert "Let children testify" in html
