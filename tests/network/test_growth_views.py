"""Growth pages: the learning-event panel and form, the staff skills page
and its forms (with hostile input), her growth page and her reflections;
and the issue's check: her growth page lists the camp she attended and the
skills it gave her, attendance marked through the engagements workflow."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from engagements import access as engagements_access
from network.models import PeerCircle, Reflection, SkillEvidence, StepReached
from network.services import growth as services
from tests.helpers import client_for
from tests.network.growth_world import attend, build

pytestmark = pytest.mark.django_db

XSS = "<script>alert('x')</script>"


@pytest.fixture
def world(make_user, manager_user):
    world = build(make_user)
    world["manager"] = manager_user
    return world


def _page(response) -> str:
    return " ".join(response.content.decode().split())


# --- The check ---------------------------------------------------------------------


def test_her_growth_page_lists_the_camp_she_attended_and_the_skills_it_gave_her(world):
    owner_client = client_for(world["owner"])
    # The owner marks attendance through the engagement's own page (the workflow).
    participation = world["participations"]["Amihan"]
    response = owner_client.post(
        reverse("engagements:participation_attendance", args=[world["camp"].pk, participation.pk]),
        {"attended": "yes"},
    )
    assert response.status_code == 302, response.content[:300]
    participation.refresh_from_db()
    assert participation.status == "attended"

    page = _page(client_for(world["amihan"].user).get(reverse("my_growth:index")))
    assert "Leadership camp in Tagaytay" in page
    assert "Public speaking" in page and "Facilitation" in page
    assert "From Leadership camp in Tagaytay, which you attended on" in page
    # Bayani did not attend yet: nothing of the camp on his page.
    other = _page(client_for(world["bayani"].user).get(reverse("my_growth:index")))
    assert "Leadership camp in Tagaytay" not in other
    assert "Public speaking" not in other


# --- The learning-event panel and form --------------------------------------------------------


def test_the_panel_shows_the_event_and_the_edit_link_to_those_who_run_it(world, finance_user):
    url = reverse("engagements:detail", args=[world["camp"].pk])
    edit = reverse("network:growth_event_edit", args=[world["camp"].pk])
    page = _page(client_for(world["owner"]).get(url))
    assert "Learning event" in page and "Leadership camp" in page
    assert "Public speaking, Facilitation" in page or "Facilitation, Public speaking" in page
    assert "Olivia Owner" in page
    assert edit in page
    page = _page(client_for(finance_user).get(url))
    assert "Learning event" in page and edit not in page


def test_the_event_form_saves_and_refuses_hostile_input(world, make_user):
    client = client_for(world["assigned"])
    url = reverse("network:growth_event_edit", args=[world["camp"].pk])
    stranger = make_user(Role.PROGRAMME_STAFF)
    for data in (
        {},
        {"kind": "party", "skills": [world["speaking"].pk]},
        {"kind": "training", "skills": [world["retired"].pk]},
        {"kind": "training", "skills": ["x"]},
        {"kind": "training", "skills": [world["speaking"].pk], "staff_facilitators": [stranger.pk]},
        {"kind": XSS, "skills": [world["speaking"].pk]},
    ):
        response = client.post(url, data)
        assert response.status_code == 400, data
        assert XSS not in response.content.decode()
    response = client.post(
        url,
        {
            "kind": "orientation",
            "skills": [world["facilitation"].pk],
            "staff_facilitators": [world["assigned"].pk],
        },
    )
    assert response.status_code == 302
    world["event"].refresh_from_db()
    assert world["event"].kind == "orientation"
    assert list(world["event"].staff_facilitators.all()) == [world["assigned"]]


def test_a_plain_engagement_offers_to_become_a_learning_event(world):
    from tests.helpers import past_engagement

    engagement = past_engagement(world["owner"])
    page = _page(
        client_for(world["owner"]).get(reverse("engagements:detail", args=[engagement.pk]))
    )
    assert "Make it a learning event" in page
    form = _page(
        client_for(world["owner"]).get(reverse("network:growth_event_edit", args=[engagement.pk]))
    )
    assert "Public speaking" in form and "Old topic" not in form


# --- The staff skills page -------------------------------------------------------------------


def test_the_skills_page_shows_evidence_steps_and_only_shared_reflections(world):
    attend(world, "Amihan")
    services.step_reach(consultant=world["amihan"], step=world["steps"][0], by=world["manager"])
    user = world["amihan"].user
    services.reflection_add(
        consultant=world["amihan"], by=user, body="Shared words", shared_with_team=True
    )
    services.reflection_add(
        consultant=world["amihan"], by=user, body="Private words", shared_with_team=False
    )
    page = _page(
        client_for(world["manager"]).get(
            reverse("network:growth_skills", args=[world["amihan"].pk])
        )
    )
    assert "Public speaking" in page and "Leadership camp in Tagaytay" in page
    assert "Consultant to trainer: Consultant" in page
    assert "Shared words" in page and "Private words" not in page
    assert world["amihan"].legal_name not in page


def test_staff_record_a_mentor_sign_off_chosen_by_search(world):
    client = client_for(world["manager"])
    url = reverse("network:growth_skill_add", args=[world["amihan"].pk])
    page = _page(client.get(url, {"mentor_q": "Dalis"}))
    assert "Dalisay" in page
    response = client.post(
        url,
        {
            "skill": world["speaking"].pk,
            "source": "mentor",
            "mentor": world["dalisay"].pk,
            "gained_on": timezone.localdate().isoformat(),
            "note": XSS,
        },
    )
    assert response.status_code == 302
    evidence = SkillEvidence.objects.get(source="mentor")
    assert evidence.mentor == world["dalisay"] and evidence.recorded_by == world["manager"]
    page = client.get(reverse("network:growth_skills", args=[world["amihan"].pk])).content.decode()
    assert XSS not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize(
    "change",
    [
        {"source": "mentor", "mentor": "SELF"},
        {"source": "mentor", "mentor": ""},
        {"source": "mentor", "mentor": "99999999"},
        {"source": "engagement", "engagement": ""},
        {"source": "engagement", "engagement": "OTHER"},
        {"source": "learning_event"},
        {"skill": "RETIRED"},
        {"gained_on": "2999-01-01"},
        {"gained_on": "yesterday"},
    ],
)
def test_the_skill_form_refuses_hostile_input(world, change, make_user):
    from tests.helpers import past_engagement

    not_hers = past_engagement(world["owner"])
    values = {
        "SELF": world["amihan"].pk,
        "OTHER": not_hers.pk,
        "RETIRED": world["retired"].pk,
    }
    data = {
        "skill": world["speaking"].pk,
        "source": "staff",
        "gained_on": timezone.localdate().isoformat(),
    }
    data.update({key: values.get(value, value) for key, value in change.items()})
    response = client_for(world["manager"]).post(
        reverse("network:growth_skill_add", args=[world["amihan"].pk]), data
    )
    assert response.status_code == 400
    assert not SkillEvidence.objects.filter(consultant=world["amihan"]).exists()


def test_programme_staff_name_only_engagements_they_run(world, make_user):
    """The assigned colleague runs the camp; an engagement of another owner
    that Amihan attended is not offered to her, nor accepted."""
    from engagements.models import Participation
    from tests.engagements.factories import ParticipationFactory
    from tests.helpers import past_engagement

    attend(world, "Amihan")
    elsewhere = past_engagement(make_user(Role.PROGRAMME_STAFF), title="Someone else's hearing")
    ParticipationFactory(
        engagement=elsewhere, consultant=world["amihan"], status=Participation.Status.ATTENDED
    )
    engagements_access.grant_staff_on_consultant(world["camp"], world["amihan"])
    client = client_for(world["assigned"])
    url = reverse("network:growth_skill_add", args=[world["amihan"].pk])
    page = _page(client.get(url))
    assert "Leadership camp in Tagaytay" in page and "Someone else" not in page
    response = client.post(
        url,
        {
            "skill": world["speaking"].pk,
            "source": "engagement",
            "engagement": elsewhere.pk,
            "gained_on": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 400
    assert not SkillEvidence.objects.filter(engagement=elsewhere).exists()


def test_withdraw_needs_a_reason_and_another_consultants_evidence_is_404(world):
    attend(world, "Amihan")
    attend(world, "Bayani")
    client = client_for(world["manager"])
    evidence = SkillEvidence.objects.filter(consultant=world["amihan"]).first()
    bayanis = SkillEvidence.objects.filter(consultant=world["bayani"]).first()
    url = reverse("network:growth_skill_withdraw", args=[world["amihan"].pk, evidence.pk])
    assert client.post(url, {"reason": ""}).status_code == 400
    wrong = reverse("network:growth_skill_withdraw", args=[world["amihan"].pk, bayanis.pk])
    assert client.post(wrong, {"reason": "x"}).status_code == 404
    assert client.post(url, {"reason": "Not yet"}).status_code == 302
    evidence.refresh_from_db()
    assert evidence.withdrawn_reason == "Not yet"
    assert client.post(url, {"reason": "Again"}).status_code == 400
    bayanis.refresh_from_db()
    assert bayanis.withdrawn_at is None


def test_step_form_marks_a_step_once(world):
    client = client_for(world["manager"])
    url = reverse("network:growth_step_add", args=[world["amihan"].pk])
    data = {"step": world["steps"][1].pk, "reached_on": timezone.localdate().isoformat()}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 400
    assert client.post(url, {**data, "step": "99999"}).status_code == 400
    assert StepReached.objects.count() == 1


def test_wrong_methods_are_refused(world):
    client = client_for(world["manager"])
    url = reverse("network:growth_skills", args=[world["amihan"].pk])
    assert client.post(url).status_code == 405
    assert client_for(world["amihan"].user).post(reverse("my_growth:index")).status_code == 405


# --- Her growth page and reflections ------------------------------------------------------------


def test_her_page_shows_what_she_led_and_what_she_could_do_next(world, make_user):
    from network.models import Network

    network = Network.objects.create(name="Philippine Survivor Network")
    PeerCircle.objects.create(
        network=network,
        name="Tuesday circle",
        facilitator=world["amihan"],
        staff_contact=world["owner"],
    )
    participation = world["participations"]["Bayani"]
    participation.role = "co_facilitator"
    participation.save(update_fields=["role"])
    attend(world, "Bayani")
    services.step_reach(consultant=world["amihan"], step=world["steps"][0], by=world["manager"])
    page = _page(client_for(world["amihan"].user).get(reverse("my_growth:index")))
    assert "Tuesday circle" in page and "Facilitator" in page
    assert "Next:</strong> Co-facilitator" in page
    assert "Skills it needs that you have not gained yet: Facilitation" in page
    page = _page(client_for(world["bayani"].user).get(reverse("my_growth:index")))
    assert "· Co-facilitator ·" in page
    assert "Leadership camp: <strong>1</strong>" in page


def test_the_growth_page_is_reached_from_the_portal_home(world):
    page = client_for(world["amihan"].user).get(reverse("portal:home")).content.decode()
    assert reverse("my_growth:index") in page


def test_reflections_add_edit_delete_her_own(world):
    client = client_for(world["amihan"].user)
    response = client.post(
        reverse("my_growth:reflection_add"), {"body": XSS, "shared_with_team": "on"}
    )
    assert response.status_code == 302
    reflection = Reflection.objects.get()
    assert reflection.shared_with_team and reflection.consultant == world["amihan"]
    page = client.get(reverse("my_growth:index")).content.decode()
    assert XSS not in page and "&lt;script&gt;" in page
    assert client.post(reverse("my_growth:reflection_add"), {"body": "  "}).status_code == 400
    edit = reverse("my_growth:reflection_edit", args=[reflection.pk])
    assert client.post(edit, {"body": "Now private"}).status_code == 302
    reflection.refresh_from_db()
    assert reflection.body == "Now private" and not reflection.shared_with_team
    # Bayani can neither read, change nor delete it.
    other = client_for(world["bayani"].user)
    assert other.get(edit).status_code == 404
    assert other.post(edit, {"body": "Mine now"}).status_code == 404
    delete = reverse("my_growth:reflection_delete", args=[reflection.pk])
    assert other.post(delete).status_code == 404
    assert client.post(delete).status_code == 302
    assert not Reflection.objects.exists()


def test_a_consultant_account_without_a_profile_sees_an_empty_page(make_user):
    user = make_user(Role.CONSULTANT)
    response = client_for(user).get(reverse("my_growth:index"))
    assert response.status_code == 200
    assert (
        client_for(user).post(reverse("my_growth:reflection_add"), {"body": "x"}).status_code == 302
    )
    assert not Reflection.objects.exists()


def test_the_consultant_page_links_her_skills_page(world):
    page = client_for(world["manager"]).get(
        reverse("consultants:detail", args=[world["amihan"].pk])
    )
    assert reverse("network:growth_skills", args=[world["amihan"].pk]) in page.content.decode()


def test_finance_sees_her_skills_but_not_what_she_shared(world, finance_user):
    services.reflection_add(
        consultant=world["amihan"],
        by=world["amihan"].user,
        body="Shared words",
        shared_with_team=True,
    )
    page = _page(
        client_for(finance_user).get(reverse("network:growth_skills", args=[world["amihan"].pk]))
    )
    assert "Skills gained" in page and "Shared words" not in page
    assert reverse("network:growth_skill_add", args=[world["amihan"].pk]) not in page
