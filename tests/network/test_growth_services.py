"""Growth services: learning events, skills from attendance (once, and
withdrawn on a no-show), skills staff record and withdraw, pathway steps,
reflections; with hostile input."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.utils import timezone

from consultants.models import Consultant
from engagements.models import Participation
from network.models import LearningEvent, Reflection, SkillEvidence, StepReached
from network.selectors.growth import growth_of, skills_of
from network.services import growth as services
from tests.consultants.factories import ConsultantFactory
from tests.engagements.factories import ParticipationFactory
from tests.helpers import past_engagement
from tests.network.growth_world import attend, build

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(make_user):
    return build(make_user)


def _current(consultant):
    return sorted(
        SkillEvidence.objects.filter(consultant=consultant, withdrawn_at__isnull=True).values_list(
            "skill__slug", "source"
        )
    )


# --- Learning events ---------------------------------------------------------------------


def test_learning_event_set_is_audited_and_changes_in_place(world):
    event = services.learning_event_set(
        engagement=world["camp"],
        by=world["assigned"],
        kind=LearningEvent.Kind.TRAINING,
        skills=[world["speaking"]],
        staff_facilitators=[world["assigned"], world["owner"]],
    )
    assert event.pk == world["event"].pk
    assert LearningEvent.objects.count() == 1
    assert event.kind == "training"
    assert set(event.staff_facilitators.all()) == {world["owner"], world["assigned"]}
    events = set(LogEntry.objects.values_list("additional_data__event", flat=True))
    assert {"learning_event_created", "learning_event_changed"} <= events


def test_learning_event_refuses_facilitators_who_do_not_run_it(world, make_user):
    stranger = make_user(world["owner"].groups.first() and None)
    with pytest.raises(ValidationError) as error:
        services.learning_event_set(
            engagement=world["camp"],
            by=world["owner"],
            kind="training",
            skills=[world["speaking"]],
            staff_facilitators=[stranger],
        )
    assert "staff_facilitators" in error.value.message_dict


@pytest.mark.parametrize("kind", ["", "party", "<script>alert(1)</script>"])
def test_learning_event_refuses_a_bad_kind(world, kind):
    with pytest.raises(ValidationError):
        services.learning_event_set(
            engagement=world["camp"], by=world["owner"], kind=kind, skills=[world["speaking"]]
        )


def test_learning_event_needs_a_skill_that_is_offered(world):
    with pytest.raises(ValidationError):
        services.learning_event_set(
            engagement=world["camp"], by=world["owner"], kind="training", skills=[]
        )
    with pytest.raises(ValidationError):
        services.learning_event_set(
            engagement=world["camp"],
            by=world["owner"],
            kind="training",
            skills=[world["speaking"], world["retired"]],
        )


# --- Skills from attendance ------------------------------------------------------------------


def test_attendance_gives_the_event_skills_once(world):
    attend(world, "Amihan")
    assert _current(world["amihan"]) == [
        ("facilitation", "learning_event"),
        ("public-speaking", "learning_event"),
    ]
    assert _current(world["bayani"]) == []
    # Setting the event again (same skills) adds nothing.
    services.learning_event_set(
        engagement=world["camp"],
        by=world["owner"],
        kind="leadership_camp",
        skills=[world["speaking"], world["facilitation"]],
    )
    assert SkillEvidence.objects.filter(consultant=world["amihan"]).count() == 2
    evidence = SkillEvidence.objects.filter(consultant=world["amihan"]).first()
    assert evidence.engagement == world["camp"]
    assert evidence.gained_on == timezone.localtime(world["camp"].start).date()


def test_a_no_show_correction_withdraws_them_and_attending_again_gives_them_back(world):
    attend(world, "Amihan")
    attend(world, "Amihan", action="mark_no_show")
    assert _current(world["amihan"]) == []
    withdrawn = SkillEvidence.objects.filter(consultant=world["amihan"])
    assert withdrawn.count() == 2
    assert all(e.withdrawn_by == world["owner"] and e.withdrawn_reason for e in withdrawn)
    attend(world, "Amihan")
    assert len(_current(world["amihan"])) == 2
    assert SkillEvidence.objects.filter(consultant=world["amihan"]).count() == 4


def test_a_no_show_keeps_skills_staff_recorded_from_the_event(world, manager_user):
    attend(world, "Amihan")
    services.skill_record(
        consultant=world["amihan"],
        skill=world["speaking"],
        source="mentor",
        mentor=world["dalisay"],
        by=manager_user,
    )
    attend(world, "Amihan", action="mark_no_show")
    assert _current(world["amihan"]) == [("public-speaking", "mentor")]


def test_an_engagement_that_is_not_a_learning_event_gives_no_skill(world, make_user):
    engagement = past_engagement(world["owner"])
    participation = ParticipationFactory(
        engagement=engagement,
        consultant=world["bayani"],
        status=Participation.Status.CONFIRMED,
    )
    from engagements.workflow import participation_transition

    participation_transition(participation=participation, name="mark_attended", by=world["owner"])
    assert _current(world["bayani"]) == []


def test_making_it_a_learning_event_after_attendance_gives_the_skills(world):
    attend(world, "Bayani")
    services.learning_event_set(
        engagement=world["camp"],
        by=world["owner"],
        kind="leadership_camp",
        skills=[world["speaking"]],
    )
    # Facilitation is no longer built by the camp: withdrawn.
    assert _current(world["bayani"]) == [("public-speaking", "learning_event")]


# --- Skills staff record -----------------------------------------------------------------------


def test_skill_record_from_an_engagement_she_attended(world, manager_user):
    attend(world, "Amihan")
    other = past_engagement(world["owner"])
    ParticipationFactory(
        engagement=other, consultant=world["amihan"], status=Participation.Status.ATTENDED
    )
    evidence = services.skill_record(
        consultant=world["amihan"],
        skill=world["speaking"],
        source="engagement",
        engagement=other,
        by=manager_user,
        note="Spoke at the hearing",
    )
    assert evidence.source == "engagement" and evidence.mentor is None
    assert LogEntry.objects.filter(additional_data__event="skill_recorded").exists()
    # Twice from the same engagement: refused with a message.
    with pytest.raises(ValidationError) as error:
        services.skill_record(
            consultant=world["amihan"],
            skill=world["speaking"],
            source="engagement",
            engagement=other,
            by=manager_user,
        )
    assert "skill" in error.value.message_dict


def test_skill_record_refuses_an_engagement_she_did_not_attend(world, manager_user):
    # Bayani's camp place is only confirmed; an engagement of someone else.
    with pytest.raises(ValidationError):
        services.skill_record(
            consultant=world["bayani"],
            skill=world["speaking"],
            source="engagement",
            engagement=world["camp"],
            by=manager_user,
        )
    with pytest.raises(ValidationError):
        services.skill_record(
            consultant=world["bayani"],
            skill=world["speaking"],
            source="engagement",
            by=manager_user,
        )


def test_skill_record_refuses_a_skill_not_offered(world, manager_user):
    with pytest.raises(ValidationError) as error:
        services.skill_record(
            consultant=world["amihan"], skill=world["retired"], source="staff", by=manager_user
        )
    assert "skill" in error.value.message_dict


def test_a_mentor_is_another_active_consultant(world, manager_user):
    with pytest.raises(ValidationError) as error:
        services.skill_record(
            consultant=world["amihan"],
            skill=world["speaking"],
            source="mentor",
            mentor=world["amihan"],
            by=manager_user,
        )
    assert "mentor" in error.value.message_dict
    alumna = ConsultantFactory(pseudonym="Alumna", status=Consultant.Status.ALUMNI)
    with pytest.raises(ValidationError):
        services.skill_record(
            consultant=world["amihan"],
            skill=world["speaking"],
            source="mentor",
            mentor=alumna,
            by=manager_user,
        )
    with pytest.raises(ValidationError):
        services.skill_record(
            consultant=world["amihan"], skill=world["speaking"], source="mentor", by=manager_user
        )


@pytest.mark.parametrize("source", ["learning_event", "", "admin"])
def test_staff_cannot_forge_a_source(world, manager_user, source):
    with pytest.raises(ValidationError):
        services.skill_record(
            consultant=world["amihan"],
            skill=world["speaking"],
            source=source,
            engagement=world["camp"],
            by=manager_user,
        )


def test_a_skill_is_not_gained_in_the_future(world, manager_user):
    with pytest.raises(ValidationError):
        services.skill_record(
            consultant=world["amihan"],
            skill=world["speaking"],
            source="staff",
            by=manager_user,
            gained_on=timezone.localdate() + datetime.timedelta(days=1),
        )


def test_skill_withdraw_keeps_the_row_with_its_reason(world, manager_user):
    evidence = services.skill_record(
        consultant=world["amihan"], skill=world["speaking"], source="staff", by=manager_user
    )
    with pytest.raises(ValidationError):
        services.skill_withdraw(evidence=evidence, by=manager_user, reason="   ")
    services.skill_withdraw(evidence=evidence, by=manager_user, reason="Recorded by mistake")
    evidence.refresh_from_db()
    assert evidence.withdrawn_at and evidence.withdrawn_reason == "Recorded by mistake"
    assert list(skills_of(world["amihan"])) == []
    with pytest.raises(ValidationError):
        services.skill_withdraw(evidence=evidence, by=manager_user, reason="Again")


def test_skills_of_is_one_query_and_current_only(world, manager_user, django_assert_num_queries):
    attend(world, "Amihan")
    services.skill_record(
        consultant=world["amihan"],
        skill=world["speaking"],
        source="mentor",
        mentor=world["dalisay"],
        by=manager_user,
    )
    with django_assert_num_queries(1):
        skills = list(skills_of(world["amihan"]))
        sources = [(e.skill.name, e.source, e.engagement_id, e.mentor_id) for e in skills]
    assert len(sources) == 3


# --- Pathway steps ----------------------------------------------------------------------------


def test_step_reach_once_and_the_next_step_names_missing_skills(world, manager_user):
    services.step_reach(consultant=world["amihan"], step=world["steps"][0], by=manager_user)
    with pytest.raises(ValidationError):
        services.step_reach(consultant=world["amihan"], step=world["steps"][0], by=manager_user)
    [view] = growth_of(world["amihan"]).pathways
    assert [step.title for step, _day in view.reached] == ["Consultant"]
    assert view.next_step.title == "Co-facilitator"
    assert [s.slug for s in view.missing] == ["facilitation"]
    attend(world, "Amihan")
    [view] = growth_of(world["amihan"]).pathways
    assert view.missing == []
    assert StepReached.objects.count() == 1


def test_a_step_of_a_retired_pathway_cannot_be_reached(world, manager_user):
    world["pathway"].is_active = False
    world["pathway"].save()
    with pytest.raises(ValidationError):
        services.step_reach(consultant=world["amihan"], step=world["steps"][0], by=manager_user)


# --- Reflections ----------------------------------------------------------------------------


def test_reflections_are_encrypted_hers_and_deletable(world):
    user = world["amihan"].user
    reflection = services.reflection_add(
        consultant=world["amihan"],
        by=user,
        body="  I led my first circle.  ",
        shared_with_team=False,
    )
    assert reflection.body == "I led my first circle."
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM network_reflection WHERE id = %s", [reflection.pk])
        assert "circle" not in str(cursor.fetchone()[0])
    services.reflection_edit(reflection=reflection, by=user, body="Changed", shared_with_team=True)
    reflection.refresh_from_db()
    assert reflection.shared_with_team and reflection.body == "Changed"
    with pytest.raises(ValidationError):
        services.reflection_edit(reflection=reflection, by=user, body=" ", shared_with_team=True)
    with pytest.raises(ValidationError):
        services.reflection_add(
            consultant=world["amihan"], by=user, body="x" * 4001, shared_with_team=False
        )
    services.reflection_delete(reflection=reflection, by=user)
    assert not Reflection.objects.exists()
    assert LogEntry.objects.filter(additional_data__event="reflection_deleted").exists()
