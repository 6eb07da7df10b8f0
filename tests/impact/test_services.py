"""Contributions and outcomes: who may record them, whom they credit, the
append-only history, and the discreet message to the consultants."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.roles import Role
from core.records import RecordIsImmutable
from impact import services
from impact.models import Contribution, Outcome, OutcomeStatus
from reminders.models import ReminderDelivery

pytestmark = pytest.mark.django_db


def test_a_contribution_credits_only_those_who_took_part(world):
    with pytest.raises(ValidationError) as error:
        services.contribution_create(
            engagement=world["engagement"],
            by=world["owner"],
            kind="review",
            summary="Reviewed the module.",
            consultants=[world["amihan"], world["declined"]],
        )
    assert "consultants" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.contribution_create(
            engagement=world["engagement"],
            by=world["owner"],
            kind="review",
            summary="Reviewed the module.",
            consultants=[],
        )
    assert not Contribution.objects.exists()


@pytest.mark.parametrize("role", [Role.PROGRAMME_STAFF, Role.FINANCE_OFFICER, Role.CONSULTANT])
def test_only_those_who_run_it_record(world, make_user, role):
    with pytest.raises(PermissionDenied):
        services.contribution_create(
            engagement=world["engagement"],
            by=make_user(role),
            kind="review",
            summary="x",
            consultants=[world["amihan"]],
        )


def test_a_bad_kind_is_refused(world):
    with pytest.raises(ValidationError):
        services.contribution_create(
            engagement=world["engagement"],
            by=world["owner"],
            kind="<script>",
            summary="x",
            consultants=[world["amihan"]],
        )


def test_outcomes_are_a_history_months_after_the_close(world, contribution, quiet_off, mailoutbox):
    first = services.outcome_record(
        contribution=contribution,
        by=world["assigned"],
        status=OutcomeStatus.UNDER_CONSIDERATION,
        decided_on=timezone.localdate() - datetime.timedelta(days=1),
        note="Their director is keen; the board decides in March.",
        shared_note="The agency is considering it.",
    )
    later = timezone.now() + datetime.timedelta(days=180)
    second = services.outcome_record(
        contribution=contribution,
        by=world["owner"],
        status=OutcomeStatus.ADOPTED,
        decided_on=timezone.localdate(later),
        evidence_link="https://example.org/guideline",
        evidence_file=SimpleUploadedFile("x.pdf", b"%PDF-1.4 guideline"),
        now=later,
    )
    contribution.refresh_from_db()
    assert contribution.status == OutcomeStatus.ADOPTED
    assert list(contribution.outcomes.values_list("pk", flat=True)) == [second.pk, first.pk]
    first.note = "changed"
    with pytest.raises(RecordIsImmutable):
        first.save()
    with pytest.raises(RecordIsImmutable):
        first.delete()
    assert second.evidence_file.name.startswith("impact-evidence/")
    assert "x.pdf" not in second.evidence_file.name


def test_a_future_date_is_refused(world, contribution):
    with pytest.raises(ValidationError):
        services.outcome_record(
            contribution=contribution,
            by=world["owner"],
            status=OutcomeStatus.ADOPTED,
            decided_on=timezone.localdate() + datetime.timedelta(days=2),
        )
    assert not Outcome.objects.exists()


@pytest.mark.parametrize(
    "decided_on", [datetime.date(1999, 1, 1), datetime.date(1, 1, 1), "day before"]
)
def test_a_date_before_the_engagement_began_is_refused(world, contribution, decided_on):
    began = timezone.localdate(world["engagement"].start)
    if decided_on == "day before":
        decided_on = began - datetime.timedelta(days=1)
    with pytest.raises(ValidationError) as error:
        services.outcome_record(
            contribution=contribution,
            by=world["owner"],
            status=OutcomeStatus.ADOPTED,
            decided_on=decided_on,
        )
    assert "before the engagement began" in error.value.message_dict["decided_on"][0]
    assert not Outcome.objects.exists()
    contribution.refresh_from_db()
    assert contribution.status == OutcomeStatus.UNKNOWN


def test_the_engagement_s_first_day_is_its_manila_date(world, contribution):
    """It began at 00:30 in Manila, still the day before in UTC: that UTC day
    is refused, the Manila day is accepted."""
    from zoneinfo import ZoneInfo

    engagement = world["engagement"]
    manila_day = timezone.localdate() - datetime.timedelta(days=20)
    engagement.start = datetime.datetime.combine(
        manila_day, datetime.time(0, 30), tzinfo=ZoneInfo("Asia/Manila")
    )
    engagement.end = engagement.start + datetime.timedelta(hours=3)
    engagement.save(update_fields=["start", "end"])
    assert engagement.start.astimezone(datetime.UTC).date() == manila_day - datetime.timedelta(
        days=1
    )
    assert services.outcome_earliest_day(engagement) == manila_day
    with pytest.raises(ValidationError):
        services.outcome_record(
            contribution=contribution,
            by=world["owner"],
            status=OutcomeStatus.ADOPTED,
            decided_on=manila_day - datetime.timedelta(days=1),
        )
    outcome = services.outcome_record(
        contribution=contribution,
        by=world["owner"],
        status=OutcomeStatus.ADOPTED,
        decided_on=manila_day,
    )
    assert outcome.decided_on == manila_day


def test_a_bad_evidence_file_is_refused(world, contribution):
    with pytest.raises(ValidationError):
        services.outcome_record(
            contribution=contribution,
            by=world["owner"],
            status=OutcomeStatus.ADOPTED,
            decided_on=timezone.localdate(),
            evidence_file=SimpleUploadedFile("x.pdf", b"MZ not a pdf"),
        )
    assert not Outcome.objects.exists()


def test_the_consultants_are_told_discreetly(
    world, contribution, quiet_off, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.outcome_record(
            contribution=contribution,
            by=world["owner"],
            status=OutcomeStatus.ADOPTED,
            decided_on=timezone.localdate(),
            note="Secret team note",
            shared_note="The agency adopted it.",
        )
    deliveries = ReminderDelivery.objects.filter(kind="outcome_changed")
    assert {d.consultant_id for d in deliveries} == {world["amihan"].pk, world["bayani"].pk}
    assert len(mailoutbox) == 2
    for message in mailoutbox:
        text = message.subject + message.body
        assert "/portal/voice/" in message.body
        for secret in ("testify", "video", "adopted", "Secret", world["engagement"].title):
            assert secret not in text


def test_unknown_tells_nobody(world, contribution, quiet_off, mailoutbox):
    services.outcome_record(
        contribution=contribution,
        by=world["owner"],
        status=OutcomeStatus.UNKNOWN,
        decided_on=timezone.localdate(),
    )
    assert not ReminderDelivery.objects.filter(kind="outcome_changed").exists()
    assert mailoutbox == []


def test_quiet_hours_hold_the_message(
    world, contribution, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.REMINDERS_QUIET_START, settings.REMINDERS_QUIET_END = "00:00", "23:59"
    with django_capture_on_commit_callbacks(execute=True):
        services.outcome_record(
            contribution=contribution,
            by=world["owner"],
            status=OutcomeStatus.ADOPTED,
            decided_on=timezone.localdate(),
        )
    assert ReminderDelivery.objects.filter(kind="outcome_changed").count() == 2
    assert mailoutbox == []


def test_sharing_an_outcome_ticks_the_checklist_practice_of_telling_them(
    world, contribution, quiet_off
):
    """The default checklist's "Consultants told what their input changed"
    (version 3) is ticked by telling them, by whoever recorded the outcome."""
    from checklists import services as checklists_services
    from checklists.models import ChecklistItem

    checklists_services.checklist_instantiate(engagement=world["engagement"])
    item = ChecklistItem.objects.get(
        checklist__engagement=world["engagement"], key=checklists_services.INPUT_CHANGED_SHARED
    )
    services.outcome_record(
        contribution=contribution,
        by=world["assigned"],
        status=OutcomeStatus.UNKNOWN,
        decided_on=timezone.localdate(),
    )
    item.refresh_from_db()
    assert item.is_open  # nothing to tell yet

    services.outcome_record(
        contribution=contribution,
        by=world["assigned"],
        status=OutcomeStatus.ADOPTED,
        decided_on=timezone.localdate(),
    )

    item.refresh_from_db()
    assert item.status == ChecklistItem.Status.DONE
    assert item.done_by == world["assigned"]
