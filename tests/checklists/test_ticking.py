"""Ticking items done or not applicable, and every way it is refused.
A refusal changes nothing."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.roles import Role
from checklists import services
from checklists.models import ChecklistItem
from consultants import access as consultants_access
from tests.engagements.factories import ParticipationFactory

pytestmark = pytest.mark.django_db

OPEN = ChecklistItem.Status.OPEN


@pytest.fixture
def items(public_engagement):
    return {i.key: i for i in ChecklistItem.objects.filter(checklist__engagement=public_engagement)}


def _unchanged(item):
    fresh = ChecklistItem.objects.get(pk=item.pk)
    assert fresh.status == OPEN
    assert fresh.done_at is None and fresh.done_by is None
    assert not fresh.evidence_file
    assert fresh.note == "" and fresh.justification == ""


def test_owner_ticks_done_with_a_note(items, owner):
    item = services.item_mark_done(item=items["briefing-held"], by=owner, note=" Held on Zoom. ")
    assert item.status == ChecklistItem.Status.DONE
    assert item.done_by == owner and item.done_at is not None
    assert ChecklistItem.objects.get(pk=item.pk).note == "Held on Zoom."


def test_a_note_is_needed_when_the_item_asks_for_one(items, owner):
    with pytest.raises(ValidationError) as error:
        services.item_mark_done(item=items["briefing-held"], by=owner, note="   ")
    assert "note" in error.value.message_dict
    _unchanged(items["briefing-held"])


def test_a_file_is_needed_when_the_item_asks_for_one(items, owner):
    item = items["compensation-agreed"]
    with pytest.raises(ValidationError) as error:
        services.item_mark_done(item=item, by=owner, note="Agreed.")
    assert "evidence" in error.value.message_dict
    _unchanged(item)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ\x90\x00 an executable", "PDF, JPEG or PNG"),
        (b"", "empty"),
        (b"%PDF-" + b"x" * (5 * 1024 * 1024), "larger than 5 MB"),
    ],
    ids=["wrong-type", "empty", "too-large"],
)
def test_bad_evidence_is_refused(items, owner, content, message, settings, tmp_path):
    item = items["compensation-agreed"]
    upload = SimpleUploadedFile("agreement.pdf", content, content_type="application/pdf")
    with pytest.raises(ValidationError) as error:
        services.item_mark_done(item=item, by=owner, evidence=upload)
    assert message in " ".join(error.value.message_dict.get("evidence", []))
    _unchanged(item)
    # Nothing was written to private storage.
    root = tmp_path / "private"
    assert not root.exists() or not any(root.rglob("*.*"))


def test_good_evidence_is_kept_under_a_random_name(items, owner):
    item = services.item_mark_done(
        item=items["compensation-agreed"],
        by=owner,
        evidence=SimpleUploadedFile("Maria Santos agreement.pdf", b"%PDF-1.4 signed"),
    )
    assert item.evidence_file.name.startswith("checklist-evidence/")
    assert item.evidence_file.name.endswith(".pdf")
    assert "Maria" not in item.evidence_file.name


def test_someone_who_does_not_own_the_item_cannot_tick_it(items, make_user, public_engagement):
    colleague = make_user(Role.PROGRAMME_STAFF)  # not on this engagement
    finance = make_user(Role.FINANCE_OFFICER)  # may see it, not a finance item
    consultant = make_user(Role.CONSULTANT)
    for person in (colleague, finance, consultant):
        with pytest.raises(PermissionDenied):
            services.item_mark_done(item=items["briefing-held"], by=person, note="Sneaky")
    _unchanged(items["briefing-held"])


def test_role_holders_tick_their_items(items, make_user):
    finance = make_user(Role.FINANCE_OFFICER)
    services.item_mark_done(item=items["food-transport"], by=finance, note="Advanced PHP 500.")
    assert ChecklistItem.objects.get(pk=items["food-transport"].pk).done_by == finance


def test_assigned_staff_and_managers_tick(items, make_user, public_engagement, manager_user):
    assigned = make_user(Role.PROGRAMME_STAFF)
    public_engagement.assigned_staff.add(assigned)
    services.item_mark_done(item=items["schedule-checked"], by=assigned)
    services.item_mark_done(item=items["privacy-plan"], by=manager_user, note="Approved.")

    schedule = ChecklistItem.objects.get(pk=items["schedule-checked"].pk)
    privacy = ChecklistItem.objects.get(pk=items["privacy-plan"].pk)
    assert (schedule.status, schedule.done_by) == (ChecklistItem.Status.DONE, assigned)
    assert (privacy.status, privacy.done_by) == (ChecklistItem.Status.DONE, manager_user)
    assert schedule.done_at is not None and privacy.done_at is not None
    assert privacy.note == "Approved."


def test_a_non_waivable_item_cannot_be_not_applicable(items, owner):
    with pytest.raises(ValidationError) as error:
        services.item_mark_not_applicable(
            item=items["consent-participation"], by=owner, justification="Not needed."
        )
    assert "cannot be marked not applicable" in error.value.messages[0]
    _unchanged(items["consent-participation"])


def test_not_applicable_needs_a_justification(items, owner):
    with pytest.raises(ValidationError) as error:
        services.item_mark_not_applicable(
            item=items["consent-recording"], by=owner, justification=" "
        )
    assert "justification" in error.value.message_dict
    _unchanged(items["consent-recording"])


def test_not_applicable_with_a_justification(items, owner):
    item = services.item_mark_not_applicable(
        item=items["consent-recording"], by=owner, justification="No recording at all."
    )
    assert item.status == ChecklistItem.Status.NOT_APPLICABLE
    assert item.justification == "No recording at all."


def test_a_closed_item_is_not_ticked_again(items, owner):
    services.item_mark_done(item=items["schedule-checked"], by=owner)
    with pytest.raises(ValidationError):
        services.item_mark_done(item=items["schedule-checked"], by=owner)
    with pytest.raises(ValidationError):
        services.item_mark_not_applicable(
            item=items["schedule-checked"], by=owner, justification="x"
        )


def test_reopen_undoes_a_tick(items, owner):
    services.item_mark_done(
        item=items["compensation-agreed"],
        by=owner,
        evidence=SimpleUploadedFile("a.pdf", b"%PDF-1.4"),
    )
    item = services.item_reopen(item=items["compensation-agreed"], by=owner)
    _unchanged(item)


def test_consultant_items_are_the_consultants_own(
    public_engagement, make_consultant, consultant_user, owner, manager_user, make_user
):
    consultant = make_consultant(user=consultant_user)
    other = make_consultant(user=make_user(Role.CONSULTANT))
    ParticipationFactory(engagement=public_engagement, consultant=consultant, status="accepted")
    ParticipationFactory(engagement=public_engagement, consultant=other, status="accepted")
    for c in (consultant, other):
        services.checklist_add_consultant(engagement=public_engagement, consultant=c)
    mine = ChecklistItem.objects.get(consultant=consultant, key="read-brief")
    for person in (owner, manager_user, other.user):
        with pytest.raises(PermissionDenied):
            services.item_mark_done(item=mine, by=person)
    _unchanged(mine)
    services.item_mark_done(item=mine, by=consultant_user)
    assert ChecklistItem.objects.get(pk=mine.pk).done_by == consultant_user
    assert consultants_access.consultant_of(consultant_user) == consultant
