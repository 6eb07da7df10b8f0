"""Business actions: status, reveal, wellbeing, portal invitation, export
and erasure."""

import datetime
import json
from pathlib import Path

import pytest
import time_machine
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.models import User
from accounts.roles import Role, has_role
from consultants import access, selectors, services
from consultants.models import (
    BusyPeriod,
    ConsentRecord,
    ConsentScope,
    Consultant,
    InvalidStatusTransition,
    StatusChange,
    WeeklyAvailability,
    WellbeingNote,
)
from tests.consultants.factories import (
    BusyPeriodFactory,
    ConsultantFactory,
    WeeklyAvailabilityFactory,
    WellbeingNoteFactory,
)
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)


def _access_entries(instance):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(instance),
        object_pk=str(instance.pk),
        action=LogEntry.Action.ACCESS,
    )


def _events(instance, event):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(instance),
        object_pk=str(instance.pk),
        additional_data__event=event,
    )


# --- Status -----------------------------------------------------------------------------


def test_status_change_writes_history(consultant, manager_user):
    change = services.consultant_status_change(
        consultant=consultant,
        status=Consultant.Status.ON_BREAK,
        by=manager_user,
        reason="Board exams",
        break_until=TODAY + datetime.timedelta(days=20),
        today=TODAY,
    )
    consultant.refresh_from_db()
    assert consultant.status == Consultant.Status.ON_BREAK
    assert consultant.break_until == TODAY + datetime.timedelta(days=20)
    assert (change.from_status, change.to_status, change.changed_by) == (
        "active",
        "on_break",
        manager_user,
    )
    services.consultant_status_change(
        consultant=consultant, status=Consultant.Status.ACTIVE, by=manager_user, today=TODAY
    )
    consultant.refresh_from_db()
    assert consultant.break_until is None
    history = list(selectors.status_history(consultant=consultant))
    assert [h.to_status for h in history] == ["active", "on_break"]
    assert history[1].reason == "Board exams"


@pytest.mark.parametrize("days", [0, -1, None])
def test_break_needs_a_date_in_the_future(consultant, manager_user, days):
    with pytest.raises(ValidationError) as error:
        services.consultant_status_change(
            consultant=consultant,
            status=Consultant.Status.ON_BREAK,
            by=manager_user,
            break_until=None if days is None else TODAY + datetime.timedelta(days=days),
            today=TODAY,
        )
    assert "break_until" in error.value.message_dict
    consultant.refresh_from_db()
    assert consultant.status == Consultant.Status.ACTIVE
    assert not StatusChange.objects.filter(consultant=consultant).exists()


def test_invalid_transition_refused(manager_user):
    consultant = ConsultantFactory(status=Consultant.Status.ONBOARDING)
    with pytest.raises(InvalidStatusTransition) as error:
        services.consultant_status_change(
            consultant=consultant,
            status=Consultant.Status.ON_BREAK,
            by=manager_user,
            break_until=TODAY + datetime.timedelta(days=3),
            today=TODAY,
        )
    assert "cannot become" in error.value.messages[0]
    assert not StatusChange.objects.exists()


def test_status_history_is_append_only(consultant, manager_user):
    change = services.consultant_status_change(
        consultant=consultant, status=Consultant.Status.ALUMNI, by=manager_user
    )
    from core.records import RecordIsImmutable

    with pytest.raises(RecordIsImmutable):
        change.save()
    with pytest.raises(RecordIsImmutable):
        change.delete()


def test_expired_breaks_end(manager_user):
    ended = ConsultantFactory(
        status=Consultant.Status.ON_BREAK, break_until=TODAY - datetime.timedelta(days=1)
    )
    running = ConsultantFactory(status=Consultant.Status.ON_BREAK, break_until=TODAY)
    assert services.consultant_breaks_end_expired(today=TODAY) == 1
    ended.refresh_from_db()
    running.refresh_from_db()
    assert ended.status == Consultant.Status.ACTIVE
    assert running.status == Consultant.Status.ON_BREAK
    assert StatusChange.objects.get(consultant=ended).changed_by is None


def test_profile_update_changes_only_given_fields_and_resets_bio_approval(consultant, manager_user):
    consultant.public_bio = "Old bio"
    consultant.save()
    services.consultant_public_bio_approve(consultant=consultant, by=manager_user)
    updated = services.consultant_update(
        consultant=consultant,
        by=manager_user,
        data={"public_bio": "New bio", "phone": "0917 000 1111"},
    )
    assert updated.public_bio_approved_at is None
    assert updated.phone == "+639170001111"
    assert updated.legal_name == "Maria Secret Santos"
    with pytest.raises(ValueError, match="status"):
        services.consultant_update(
            consultant=consultant, by=manager_user, data={"status": "alumni"}
        )


def test_consultant_approves_their_own_bio_but_not_someone_elses(
    own_consultant, consultant_user, consultant
):
    own_consultant.public_bio = "About me"
    own_consultant.save()
    approved = services.consultant_public_bio_approve(consultant=own_consultant, by=consultant_user)
    assert approved.public_bio_approved_at is not None
    consultant.public_bio = "Not mine"
    consultant.save()
    with pytest.raises(PermissionDenied):
        services.consultant_public_bio_approve(consultant=consultant, by=consultant_user)


def test_story_sharing_default(own_consultant, consultant_user):
    services.story_sharing_default_set(
        consultant=own_consultant, value=Consultant.StorySharing.GENERAL, by=consultant_user
    )
    own_consultant.refresh_from_db()
    assert own_consultant.story_sharing_default == "general"
    with pytest.raises(ValidationError):
        services.story_sharing_default_set(
            consultant=own_consultant, value="everything", by=consultant_user
        )


# --- Reveal ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("group", "expected"),
    [
        ("identity", {"legal_name": "Maria Secret Santos"}),
        ("contact", {"email": None, "phone": None, "address": None}),
        ("support_person", {"support_person_relation": "Aunt"}),
    ],
)
def test_reveal_writes_an_access_entry_with_its_reason(
    consultant, granted_staff_user, group, expected
):
    values = services.consultant_reveal(
        consultant=consultant,
        user=granted_staff_user,
        fields=group,
        reason="Booking the venue for the roundtable",
    )
    assert set(values) == set(services.REVEAL_FIELDS[group])
    for name, value in expected.items():
        if value is not None:
            assert values[name] == value
        else:
            assert values[name]
    entry = _access_entries(consultant).get()
    assert entry.actor == granted_staff_user
    assert entry.additional_data == {
        "fields": sorted(services.REVEAL_FIELDS[group]),
        "reason": "Booking the venue for the roundtable",
    }
    assert entry.object_repr == "Bituin"
    assert "Maria" not in json.dumps(entry.changes) + json.dumps(entry.additional_data)


@pytest.mark.parametrize("persona", ["programme_staff_user", "finance_user", "wellbeing_user"])
def test_reveal_refused_without_the_grant_and_nothing_written(request, consultant, persona):
    user = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services.consultant_reveal(
            consultant=consultant, user=user, fields="identity", reason="Curious"
        )
    assert not _access_entries(consultant).exists()


def test_reveal_refused_for_a_consultant_on_another(consultant_user, own_consultant, consultant):
    with pytest.raises(PermissionDenied):
        services.consultant_reveal(
            consultant=consultant, user=consultant_user, fields="contact", reason="x"
        )
    assert not _access_entries(consultant).exists()


@pytest.mark.parametrize("reason", ["", "   "])
def test_reveal_needs_a_reason(consultant, manager_user, reason):
    with pytest.raises(ValidationError):
        services.consultant_reveal(
            consultant=consultant, user=manager_user, fields="identity", reason=reason
        )
    assert not _access_entries(consultant).exists()


def test_reveal_by_assigned_lead_and_manager(consultant, assigned_wellbeing_user, manager_user):
    for user in (assigned_wellbeing_user, manager_user):
        services.consultant_reveal(
            consultant=consultant, user=user, fields="support_person", reason="Check-in call"
        )
    assert _access_entries(consultant).count() == 2


# --- Wellbeing -------------------------------------------------------------------------------


def test_wellbeing_lead_assignment_grants_and_moves(consultant, manager_user, make_user):
    first, second = make_user(Role.WELLBEING_LEAD), make_user(Role.WELLBEING_LEAD)
    services.wellbeing_lead_assign(consultant=consultant, lead=first, by=manager_user)
    assert access.can_read_wellbeing(first, consultant)
    services.wellbeing_lead_assign(consultant=consultant, lead=second, by=manager_user)
    first = User.objects.get(pk=first.pk)  # a fresh request
    assert not access.can_read_wellbeing(first, consultant)
    assert access.can_read_wellbeing(second, consultant)
    assert access.wellbeing_leads_of(consultant) == [second]
    assert _events(consultant, "wellbeing_lead_assigned").count() == 2
    services.wellbeing_lead_unassign(consultant=consultant, lead=second, by=manager_user)
    assert access.wellbeing_leads_of(consultant) == []


def test_only_managers_and_admins_assign_and_only_to_wellbeing_leads(
    consultant, manager_user, programme_staff_user, wellbeing_user
):
    with pytest.raises(PermissionDenied):
        services.wellbeing_lead_assign(
            consultant=consultant, lead=wellbeing_user, by=programme_staff_user
        )
    with pytest.raises(ValidationError):
        services.wellbeing_lead_assign(
            consultant=consultant, lead=programme_staff_user, by=manager_user
        )
    assert access.wellbeing_leads_of(consultant) == []


def test_wellbeing_notes_written_and_read_by_the_assigned_lead_only(
    consultant, assigned_wellbeing_user, manager_user, admin_user
):
    services.wellbeing_note_add(
        consultant=consultant,
        kind=WellbeingNote.Kind.AVOID,
        body="Avoid panels on family topics",
        author=assigned_wellbeing_user,
    )
    with pytest.raises(PermissionDenied):
        services.wellbeing_note_add(
            consultant=consultant, kind="helps", body="x", author=manager_user
        )
    with pytest.raises(PermissionDenied):
        services.wellbeing_notes_reveal(consultant=consultant, user=manager_user, reason="x")
    assert not _access_entries(consultant).exists()

    for user in (assigned_wellbeing_user, admin_user):
        notes = services.wellbeing_notes_reveal(
            consultant=consultant, user=user, reason="Preparing the debrief"
        )
        assert [n.body for n in notes] == ["Avoid panels on family topics"]
    entries = _access_entries(consultant)
    assert entries.count() == 2
    assert {e.additional_data["fields"][0] for e in entries} == {"wellbeing_notes"}


# --- Portal invitation ------------------------------------------------------------------------


def test_invitation_creates_the_account_and_sends_a_discreet_email(
    consultant, manager_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        user = services.consultant_invite_to_portal(consultant=consultant, by=manager_user)

    consultant.refresh_from_db()
    assert consultant.user == user
    # Sealed: found by a keyed hash, her address kept only encrypted.
    assert user.is_sealed and user.email.endswith("@lookup.invalid")
    assert user.delivery_email == consultant.email
    assert user.display_name == "Bituin"
    assert has_role(user, Role.CONSULTANT)
    assert not user.has_usable_password()
    assert access.consultant_of(user) == consultant

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Your Tinig account"
    assert message.to == [consultant.email]
    html = message.alternatives[0][0]
    everything = (message.subject + message.body + html).lower()
    for word in ("survivor", "exploitation", "abuse", "victim", "trauma", "consultant", "maria"):
        assert word not in everything
    assert "Given" in message.body  # greeted by the name they chose for messages

    link = next(
        line for line in message.body.splitlines() if "/accounts/password/reset/key/" in line
    )
    path = "/" + link.split("/", 3)[3]
    client = client_for(None)
    response = client.get(path)
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response.status_code == 200
    assert b"password1" in response.content


def test_invitation_refused_without_email_or_twice(consultant, manager_user):
    services.consultant_invite_to_portal(consultant=consultant, by=manager_user)
    with pytest.raises(ValidationError):
        services.consultant_invite_to_portal(consultant=consultant, by=manager_user)
    no_email = ConsultantFactory(email="")
    with pytest.raises(ValidationError) as error:
        services.consultant_invite_to_portal(consultant=no_email, by=manager_user)
    assert "email" in error.value.message_dict
    assert User.objects.filter(consultant_profile__isnull=False).count() == 1


def test_invitation_refused_when_the_address_has_an_account(consultant, manager_user, make_user):
    make_user(None, email=consultant.email.upper())
    with pytest.raises(ValidationError):
        services.consultant_invite_to_portal(consultant=consultant, by=manager_user)
    consultant.refresh_from_db()
    assert consultant.user is None
    assert len(mail.outbox) == 0


# --- Export ------------------------------------------------------------------------------------


def _full_record(consultant, admin_user, lead):
    services.consent_grant(consultant=consultant, scope=ConsentScope.PHOTO, by=admin_user)
    WeeklyAvailabilityFactory(consultant=consultant)
    BusyPeriodFactory(consultant=consultant, note="Exam week")
    WellbeingNoteFactory(consultant=consultant, author=lead, body="Likes short sessions")
    services.consultant_status_change(
        consultant=consultant, status=Consultant.Status.ALUMNI, by=admin_user, reason="Moved on"
    )


def test_export_contains_everything_of_that_consultant_and_nothing_of_others(
    consultant, admin_user, wellbeing_user, published_texts
):
    other = ConsultantFactory(pseudonym="Kalinaw", legal_name="Other Person")
    _full_record(consultant, admin_user, wellbeing_user)
    _full_record(other, admin_user, wellbeing_user)

    data = services.consultant_export(consultant=consultant, by=admin_user)

    text = json.dumps(data)  # JSON-serialisable as it is
    assert data["profile"]["pseudonym"] == "Bituin"
    assert data["profile"]["legal_name"] == "Maria Secret Santos"
    assert data["profile"]["phone"] == consultant.phone
    assert data["profile"]["support_person_name"] == consultant.support_person_name
    assert [c["scope"] for c in data["consent"]] == ["photo"]
    assert data["consent"][0]["text"] == published_texts["photo"].body
    assert len(data["weekly_availability"]) == 1
    assert data["busy_periods"][0]["note"] == "Exam week"
    assert data["wellbeing_notes"][0]["note"] == "Likes short sessions"
    assert [h["to"] for h in data["status_history"]] == ["alumni"]
    assert data["status_history"][0]["reason"] == "Moved on"
    for foreign in ("Kalinaw", "Other Person", other.email, other.phone):
        assert foreign not in text
    entry = _access_entries(consultant).get()
    assert entry.additional_data["fields"] == ["export"]


def test_consultant_exports_their_own_record_only(own_consultant, consultant_user, consultant):
    data = services.consultant_export(consultant=own_consultant, by=consultant_user)
    assert data["profile"]["pseudonym"] == "Tala"
    assert data["portal_account"]["email"] == consultant_user.email
    with pytest.raises(PermissionDenied):
        services.consultant_export(consultant=consultant, by=consultant_user)


def test_manager_cannot_export(consultant, manager_user):
    with pytest.raises(PermissionDenied):
        services.consultant_export(consultant=consultant, by=manager_user)


# --- Erasure -----------------------------------------------------------------------------------


def test_erasure_keeps_the_pseudonym_and_wipes_the_rest(
    consultant, admin_user, wellbeing_user, published_texts, django_capture_on_commit_callbacks
):
    services.consultant_invite_to_portal(consultant=consultant, by=admin_user)
    consultant.refresh_from_db()
    account = consultant.user
    services.consultant_update(
        consultant=consultant,
        by=admin_user,
        data={"public_bio": "A bio", "occupation_constraints": "Night shifts at the mall"},
    )
    services.consent_grant(
        consultant=consultant,
        scope=ConsentScope.PARTICIPATION,
        by=admin_user,
        evidence=SimpleUploadedFile("form.pdf", b"%PDF-1.4 signed by Maria"),
    )
    evidence_path = Path(settings.PRIVATE_STORAGE_ROOT) / ConsentRecord.objects.get().evidence.name
    assert evidence_path.exists()
    _full_record(consultant, admin_user, wellbeing_user)

    with django_capture_on_commit_callbacks(execute=True):
        services.consultant_erase_identity(
            consultant=consultant, by=admin_user, reason="Request by e-mail of 3 June"
        )

    consultant = Consultant.objects.get(pk=consultant.pk)
    assert consultant.pseudonym == "Bituin"
    assert consultant.is_erased
    assert consultant.status == Consultant.Status.ALUMNI
    for name in services.ERASED_FIELDS:
        assert getattr(consultant, name) == "", name
    assert consultant.region == "ncr"  # coarse profile stays
    assert not WellbeingNote.objects.filter(consultant=consultant).exists()
    assert not WeeklyAvailability.objects.filter(consultant=consultant).exists()
    assert not BusyPeriod.objects.filter(consultant=consultant).exists()
    assert set(
        StatusChange.objects.filter(consultant=consultant).values_list("reason", flat=True)
    ) == {""}
    # Consent records stay (what was agreed, when), their evidence files go.
    assert ConsentRecord.objects.filter(consultant=consultant).count() == 2
    assert not ConsentRecord.objects.filter(consultant=consultant).exclude(evidence="").exists()
    assert not evidence_path.exists()
    account.refresh_from_db()
    assert not account.is_active
    assert account.email.endswith("@erased.invalid")
    assert account.display_name == "Bituin"
    entry = _events(consultant, "identity_erased").get()
    assert entry.actor == admin_user
    assert entry.additional_data["reason"] == "Request by e-mail of 3 June"

    data = services.consultant_export(consultant=consultant, by=admin_user)
    assert "Maria" not in json.dumps(data)
    with pytest.raises(ValidationError):
        services.consultant_update(consultant=consultant, by=admin_user, data={"legal_name": "X"})
    # Nothing about an erased consultant changes any more, from any side.
    refused_changes = [
        lambda: services.story_sharing_default_set(
            consultant=consultant, value=Consultant.StorySharing.GENERAL, by=admin_user
        ),
        lambda: services.weekly_window_add(
            consultant=consultant,
            weekday=0,
            start_time=datetime.time(9),
            end_time=datetime.time(10),
            by=admin_user,
        ),
        lambda: services.busy_period_add(
            consultant=consultant,
            kind=BusyPeriod.Kind.TRAVEL,
            starts_on=datetime.date(2026, 7, 1),
            ends_on=datetime.date(2026, 7, 2),
            by=admin_user,
        ),
    ]
    for change in refused_changes:
        with pytest.raises(ValidationError, match="erased"):
            change()
    assert not WeeklyAvailability.objects.filter(consultant=consultant).exists()
    assert not BusyPeriod.objects.filter(consultant=consultant).exists()


def test_only_administrators_erase_and_always_with_a_reason(consultant, manager_user, admin_user):
    with pytest.raises(PermissionDenied):
        services.consultant_erase_identity(consultant=consultant, by=manager_user, reason="x")
    with pytest.raises(ValidationError):
        services.consultant_erase_identity(consultant=consultant, by=admin_user, reason=" ")
    consultant.refresh_from_db()
    assert not consultant.is_erased
    assert consultant.legal_name == "Maria Secret Santos"


@time_machine.travel(datetime.datetime(2026, 6, 15, 10, tzinfo=datetime.UTC), tick=False)
def test_break_taken_from_the_portal(own_consultant, consultant_user):
    services.consultant_status_change(
        consultant=own_consultant,
        status=Consultant.Status.ON_BREAK,
        by=consultant_user,
        break_until=datetime.date(2026, 7, 1),
    )
    own_consultant.refresh_from_db()
    assert own_consultant.is_on_break_on(datetime.date(2026, 7, 1))
    assert not own_consultant.is_on_break_on(datetime.date(2026, 7, 2))


def test_evidence_opened_with_an_audit_entry_and_refused_otherwise(
    consultant, manager_user, finance_user, published_texts
):
    record = services.consent_grant(
        consultant=consultant,
        scope=ConsentScope.PARTICIPATION,
        by=manager_user,
        evidence=SimpleUploadedFile("form.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 10),
    )
    with pytest.raises(PermissionDenied):
        services.consent_evidence_open(record=record, user=finance_user, reason="x")
    assert not _access_entries(record).exists()
    file = services.consent_evidence_open(record=record, user=manager_user, reason="Audit request")
    with file:
        assert file.read().startswith(b"\x89PNG")
    assert _access_entries(record).get().additional_data["reason"] == "Audit request"


def test_evidence_lives_in_object_storage_when_configured_and_erasure_removes_it(
    private_bucket, consultant, manager_user, admin_user, published_texts,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 10
    record = services.consent_grant(
        consultant=consultant,
        scope=ConsentScope.PARTICIPATION,
        by=manager_user,
        evidence=SimpleUploadedFile("Maria form.png", png),
    )
    assert list(private_bucket.objects()) == [record.evidence.name]
    assert private_bucket.raw(record.evidence.name).startswith(b"TINIGENC1\n")
    file = services.consent_evidence_open(record=record, user=manager_user, reason="Audit request")
    with file:
        assert file.read() == png

    with django_capture_on_commit_callbacks(execute=True):
        services.consultant_erase_identity(
            consultant=consultant, by=admin_user, reason="Request by e-mail of 3 June"
        )

    assert private_bucket.objects() == {}


def test_reveal_records_where_from(consultant, manager_user, rf):
    request = rf.get("/", REMOTE_ADDR="203.0.113.9")
    services.consultant_reveal(
        consultant=consultant, user=manager_user, fields="contact", reason="Call", request=request
    )
    assert _access_entries(consultant).get().remote_addr == "203.0.113.9"
