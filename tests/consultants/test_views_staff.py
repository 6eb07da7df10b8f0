"""The staff pages of the consultants app: the happy paths, and bad,
hostile and unauthorised input on every form (who reaches which page at
all is tests/consultants/test_staff_permission_matrix.py)."""

from __future__ import annotations

import datetime
import re

import pytest
from auditlog.models import LogEntry
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultants import access, services
from consultants.models import (
    BusyPeriod,
    ConsentRecord,
    ConsentScope,
    Consultant,
    ExpertiseTopic,
    Language,
    StatusChange,
    WeeklyAvailability,
    WellbeingNote,
)
from consultants.validators import EVIDENCE_MAX_BYTES
from tests.consultants.factories import (
    BusyPeriodFactory,
    ConsultantFactory,
    WeeklyAvailabilityFactory,
    WellbeingNoteFactory,
)
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def url(name, consultant=None, **kwargs):
    if consultant is not None:
        kwargs["pk"] = consultant.pk
    return reverse(f"consultants:{name}", kwargs=kwargs)


def accesses(consultant=None):
    entries = LogEntry.objects.filter(action=LogEntry.Action.ACCESS)
    if consultant is not None:
        entries = entries.filter(object_pk=str(consultant.pk))
    return entries


def text(response) -> str:
    return response.content.decode()


# --- Directory ---------------------------------------------------------------------


def test_directory_shows_pseudonyms_never_legal_names(manager_user):
    ConsultantFactory(pseudonym="Amihan", legal_name="Hidden Legalname", email="x@example.net")
    response = client_for(manager_user).get(url("directory"))
    assert response.status_code == 200
    assert "Amihan" in text(response)
    assert "Hidden Legalname" not in text(response)
    assert "x@example.net" not in text(response)


def test_directory_search_and_filters(manager_user):
    topic = ExpertiseTopic.objects.get_or_create(slug="media-x", defaults={"name": "Media X"})[0]
    ConsultantFactory(
        pseudonym="Amihan",
        expertise=[topic],
        spoken_languages=[Language.CEBUANO],
        preferred_languages=[Language.CEBUANO],
    )
    ConsultantFactory(pseudonym="Amado", status=Consultant.Status.ONBOARDING)
    ConsultantFactory(pseudonym="Bituin")
    client = client_for(manager_user)

    found = text(client.get(url("directory"), {"q": "am"}))
    assert "Amihan" in found and "Amado" in found and "Bituin" not in found

    found = text(client.get(url("directory"), {"q": "am", "status": "active"}))
    assert "Amihan" in found and "Amado" not in found

    found = text(client.get(url("directory"), {"expertise": "media-x"}))
    assert "Amihan" in found and "Bituin" not in found

    found = text(client.get(url("directory"), {"language": "ceb"}))
    assert "Amihan" in found and "Bituin" not in found

    found = text(client.get(url("directory"), {"load": "room"}))
    assert "Amihan" in found and "Bituin" in found  # nobody has engagements yet
    found = text(client.get(url("directory"), {"load": "full"}))
    assert "No consultant matches these filters" in found


def test_directory_available_on_a_date(manager_user):
    monday = datetime.date(2030, 6, 17)
    assert monday.weekday() == 0
    free = ConsultantFactory(pseudonym="Free")
    WeeklyAvailabilityFactory(consultant=free, weekday=0)
    busy = ConsultantFactory(pseudonym="Busy")
    WeeklyAvailabilityFactory(consultant=busy, weekday=0)
    BusyPeriodFactory(consultant=busy, starts_on=monday, ends_on=monday)
    ConsultantFactory(pseudonym="Nowindow")

    found = text(client_for(manager_user).get(url("directory"), {"available_on": "2030-06-17"}))
    assert "Free" in found and "Busy" not in found and "Nowindow" not in found


def test_directory_hostile_filters_are_ignored_not_errors(manager_user):
    ConsultantFactory(pseudonym="Amihan")
    response = client_for(manager_user).get(
        url("directory"),
        {
            "status": "'; DROP TABLE x; --",
            "available_on": "not-a-date",
            "page": "999",
            "load": "everything",
        },
    )
    assert response.status_code == 200  # the bad filter shows its error, the page still works
    assert "Enter a valid date." in text(response)


def test_directory_paginates_by_25_and_keeps_filters(manager_user):
    ConsultantFactory.create_batch(30, status=Consultant.Status.ACTIVE)
    ConsultantFactory(status=Consultant.Status.ALUMNI)
    response = client_for(manager_user).get(url("directory"), {"status": "active"})
    page = text(response)
    assert len(response.context["page_obj"].object_list) == 25
    assert "30 consultants" in page
    assert "Page 1 of 2" in page
    next_link = re.search(r'href="([^"]+)" rel="next"', page).group(1)
    assert "status=active" in next_link and "page=2" in next_link
    second = client_for(manager_user).get(url("directory") + next_link.replace("&amp;", "&"))
    assert len(second.context["page_obj"].object_list) == 5


def test_directory_empty_states(manager_user, programme_staff_user):
    page = text(client_for(programme_staff_user).get(url("directory")))
    assert "No consultants to show" in page
    assert "Add a consultant" not in page  # programme staff do not add
    page = text(client_for(manager_user).get(url("directory")))
    assert "Add a consultant" in page


def test_directory_is_scoped_for_programme_staff(programme_staff_user):
    visible, hidden = ConsultantFactory(pseudonym="Seen"), ConsultantFactory(pseudonym="Unseen")
    access.grant_consultant_view(programme_staff_user, visible)
    page = text(client_for(programme_staff_user).get(url("directory")))
    assert "Seen" in page and "Unseen" not in page
    assert hidden.pk


def _directory_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url("directory"), {"status": "active", "language": "fil"})
    assert response.status_code == 200
    return len(queries)


def test_directory_view_query_count_is_the_same_at_10_and_500(manager_user):
    topics = list(ExpertiseTopic.objects.all()[:3])
    ConsultantFactory.create_batch(10, expertise=topics)
    client = client_for(manager_user)
    client.get(url("directory"))  # warm caches (content types), as a running server has
    at_10 = _directory_queries(client)

    ConsultantFactory.create_batch(490, expertise=topics)
    at_500 = _directory_queries(client)
    assert at_10 == at_500, (at_10, at_500)


# --- Detail and reveal -------------------------------------------------------------


def test_detail_shows_profile_but_hides_identity(manager_user, consultant, published_texts):
    services.consent_grant(consultant=consultant, scope=ConsentScope.PHOTO, by=manager_user)
    WeeklyAvailabilityFactory(consultant=consultant, weekday=2)
    response = client_for(manager_user).get(url("detail", consultant))
    page = text(response)
    assert response.status_code == 200
    assert "Bituin" in page
    assert "Maria Secret Santos" not in page
    assert consultant.email not in page and consultant.phone not in page
    assert "Reveal" in page
    assert "Wednesday 09:00\N{EN DASH}12:00" in page
    assert "Photographs" in page and "Given" in page and "Never asked" in page


def test_detail_offers_no_reveal_to_finance(finance_user, consultant):
    page = text(client_for(finance_user).get(url("detail", consultant)))
    assert "Bituin" in page
    assert 'action="/staff/consultants/' not in page  # no reveal form at all
    assert "Edit profile" not in page


@pytest.mark.parametrize(
    ("group", "secret"),
    [
        ("identity", "Maria Secret Santos"),
        ("contact", None),
        ("support_person", None),
    ],
)
def test_reveal_shows_values_once_and_audits_the_reason(manager_user, consultant, group, secret):
    expected = (
        secret
        or {
            "contact": consultant.email,
            "support_person": consultant.support_person_name,
        }[group]
    )
    client = client_for(manager_user)
    response = client.post(
        url("reveal", consultant),
        {"group": group, f"reveal-{group}-reason": "Booking the venue for the roundtable"},
    )
    assert response.status_code == 200
    assert expected in text(response)
    assert "no-store" in response["Cache-Control"]
    entry = accesses(consultant).get()
    assert entry.actor == manager_user
    assert entry.additional_data["reason"] == "Booking the venue for the roundtable"
    assert set(entry.additional_data["fields"]) == set(services.REVEAL_FIELDS[group])

    # The next page shows it hidden again.
    assert expected not in text(client.get(url("detail", consultant)))


def test_reveal_with_a_blank_reason_shows_an_error_and_nothing(manager_user, consultant):
    response = client_for(manager_user).post(
        url("reveal", consultant), {"group": "identity", "reveal-identity-reason": "   "}
    )
    assert response.status_code == 400
    assert "Say why you need to see it" in text(response)
    assert "Maria Secret Santos" not in text(response)
    assert not accesses().exists()


def test_reveal_of_an_unknown_group_is_404(manager_user, consultant):
    response = client_for(manager_user).post(
        url("reveal", consultant), {"group": "wellbeing_notes", "reason": "x"}
    )
    assert response.status_code == 404
    assert not accesses().exists()


def test_reveal_is_refused_without_the_grant(finance_user, programme_staff_user, consultant):
    data = {"group": "identity", "reveal-identity-reason": "Curious"}
    assert client_for(finance_user).post(url("reveal", consultant), data).status_code == 403
    # Seeing the consultant (on an engagement) is not enough to reveal.
    access.grant_consultant_view(programme_staff_user, consultant)
    response = client_for(programme_staff_user).post(url("reveal", consultant), data)
    assert response.status_code == 403
    assert not accesses().exists()


def test_reveal_by_granted_staff_and_assigned_lead(
    granted_staff_user, assigned_wellbeing_user, consultant
):
    for user in (granted_staff_user, assigned_wellbeing_user):
        response = client_for(user).post(
            url("reveal", consultant),
            {"group": "identity", "reveal-identity-reason": f"reason of {user.pk}"},
        )
        assert "Maria Secret Santos" in text(response)
    reasons = set(accesses(consultant).values_list("additional_data__reason", flat=True))
    assert reasons == {
        f"reason of {granted_staff_user.pk}",
        f"reason of {assigned_wellbeing_user.pk}",
    }


def test_reveal_needs_the_csrf_token(manager_user, consultant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager_user)
    response = client.post(
        url("reveal", consultant), {"group": "identity", "reveal-identity-reason": "x"}
    )
    assert response.status_code == 403
    assert "Maria Secret Santos" not in text(response)
    assert not accesses().exists()


def test_reveal_by_get_is_refused(manager_user, consultant):
    assert client_for(manager_user).get(url("reveal", consultant)).status_code == 405


# --- Create and edit ---------------------------------------------------------------


def _profile_data(**overrides):
    data = {
        "pseudonym": "Liwayway",
        "legal_name": "Rosa Totally Invented",
        "message_name": "Rosa",
        "email": "Rosa.Invented@Example.net",
        "phone": "0917 555 0134",
        "address": "",
        "support_person_name": "",
        "support_person_relation": "",
        "support_person_contact": "",
        "preferred_languages": ["fil"],
        "spoken_languages": ["en"],
        "region": "ncr",
        "occupation_status": "student",
        "occupation_constraints": "",
        "expertise": [],
        "monthly_engagement_limit": "2",
        "joined_on": "2026-01-15",
        "public_bio": "",
        "story_sharing_default": "nothing",
    }
    data.update(overrides)
    return data


def test_create_a_consultant(manager_user):
    response = client_for(manager_user).post(url("create"), _profile_data())
    consultant = Consultant.objects.get(pseudonym="Liwayway")
    assert response.status_code == 302
    assert response["Location"] == url("detail", consultant)
    assert consultant.legal_name == "Rosa Totally Invented"
    assert consultant.email == "rosa.invented@example.net"
    assert consultant.phone == "+639175550134"
    assert consultant.spoken_languages == ["en", "fil"]
    assert consultant.status == Consultant.Status.ONBOARDING
    assert StatusChange.objects.filter(consultant=consultant).count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"pseudonym": "BITUIN"}, "This pseudonym is already in use."),
        ({"phone": "12345"}, "Enter a Philippine mobile number"),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"legal_name": ""}, "This field is required."),
        ({"pseudonym": ""}, "This field is required."),
        ({"monthly_engagement_limit": "99"}, "less than or equal to 10"),
        ({"region": "atlantis"}, "Select a valid choice."),
        ({"pseudonym": "x" * 41}, "at most 40 characters"),
    ],
)
def test_create_refuses_bad_input_and_saves_nothing(manager_user, consultant, overrides, message):
    before = Consultant.objects.count()
    response = client_for(manager_user).post(url("create"), _profile_data(**overrides))
    assert response.status_code == 400
    assert text(response).count(message) == 1  # once, on its field
    assert "Nothing was saved." in text(response)
    assert Consultant.objects.count() == before


def test_create_escapes_hostile_input(manager_user):
    response = client_for(manager_user).post(
        url("create"), _profile_data(pseudonym="<script>alert(1)</script>", phone="bad")
    )
    assert "<script>alert(1)</script>" not in text(response)
    assert "&lt;script&gt;" in text(response)


def test_edit_never_prefills_identity_and_blank_keeps_it(manager_user, consultant):
    client = client_for(manager_user)
    page = text(client.get(url("edit", consultant)))
    assert 'value="Bituin"' in page
    for secret in ("Maria Secret Santos", consultant.email, consultant.phone):
        assert secret not in page

    data = _profile_data(
        pseudonym="Bituin Two", legal_name="", email="", phone="0918 111 2222", message_name=""
    )
    response = client.post(url("edit", consultant), data)
    assert response.status_code == 302
    consultant.refresh_from_db()
    assert consultant.pseudonym == "Bituin Two"
    assert consultant.legal_name == "Maria Secret Santos"  # kept
    assert consultant.phone == "+639181112222"  # replaced
    # The change history says that the phone changed, never what it holds.
    change = LogEntry.objects.filter(
        object_pk=str(consultant.pk), action=LogEntry.Action.UPDATE
    ).latest("timestamp")
    assert "+639181112222" not in str(change.changes)


def test_edit_refuses_a_duplicate_pseudonym(manager_user, consultant):
    ConsultantFactory(pseudonym="Tala")
    response = client_for(manager_user).post(
        url("edit", consultant), _profile_data(pseudonym="tala", legal_name="")
    )
    assert response.status_code == 400
    assert "This pseudonym is already in use." in text(response)
    consultant.refresh_from_db()
    assert consultant.pseudonym == "Bituin"


def test_edit_is_refused_to_those_who_only_see(granted_staff_user, finance_user, consultant):
    for user in (granted_staff_user, finance_user):
        response = client_for(user).post(url("edit", consultant), _profile_data(pseudonym="X"))
        assert response.status_code == 403
    consultant.refresh_from_db()
    assert consultant.pseudonym == "Bituin"


# --- Status ------------------------------------------------------------------------


def test_status_break_needs_an_end_date(manager_user, consultant):
    client = client_for(manager_user)
    response = client.post(url("status", consultant), {"status": "on_break", "reason": ""})
    assert response.status_code == 400
    assert "Choose the last day of the break." in text(response)

    until = timezone.localdate() + datetime.timedelta(days=20)
    response = client.post(
        url("status", consultant),
        {"status": "on_break", "break_until": until.isoformat(), "reason": "Exams"},
    )
    assert response.status_code == 302
    consultant.refresh_from_db()
    assert consultant.status == Consultant.Status.ON_BREAK and consultant.break_until == until
    assert consultant.status_changes.first().reason == "Exams"


def test_status_break_in_the_past_is_refused(manager_user, consultant):
    response = client_for(manager_user).post(
        url("status", consultant), {"status": "on_break", "break_until": "2000-01-01"}
    )
    assert response.status_code == 400
    assert "must be in the future" in text(response)


def test_status_only_offers_allowed_transitions(manager_user, consultant):
    response = client_for(manager_user).post(url("status", consultant), {"status": "onboarding"})
    assert response.status_code == 400
    assert "Select a valid choice." in text(response)
    consultant.refresh_from_db()
    assert consultant.status == Consultant.Status.ACTIVE


def test_status_alumni_asks_for_confirmation_first(manager_user, consultant):
    client = client_for(manager_user)
    response = client.post(url("status", consultant), {"status": "alumni", "reason": "Moved"})
    assert response.status_code == 200
    assert "Yes, make them alumni" in text(response)
    consultant.refresh_from_db()
    assert consultant.status == Consultant.Status.ACTIVE

    response = client.post(
        url("status", consultant), {"status": "alumni", "reason": "Moved", "confirm": "1"}
    )
    assert response.status_code == 302
    consultant.refresh_from_db()
    assert consultant.status == Consultant.Status.ALUMNI


# --- Invite ------------------------------------------------------------------------


def test_invite_confirms_then_creates_the_account(
    manager_user, consultant, django_capture_on_commit_callbacks
):
    client = client_for(manager_user)
    assert "Send the invitation" in text(client.get(url("invite", consultant)))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("invite", consultant))
    assert response.status_code == 302
    consultant.refresh_from_db()
    assert consultant.user is not None and consultant.user.delivery_email == consultant.email
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [consultant.email]

    page = text(client.get(url("invite", consultant)))
    assert "already has a portal account" in page
    assert "Send the invitation" not in page
    response = client.post(url("invite", consultant))
    assert response.status_code == 400
    assert len(mail.outbox) == 1


def test_invite_without_an_email_says_so(manager_user):
    consultant = ConsultantFactory(email="")
    response = client_for(manager_user).post(url("invite", consultant))
    assert response.status_code == 400
    assert "Add the consultant" in text(response)
    consultant.refresh_from_db()
    assert consultant.user is None


# --- Availability ------------------------------------------------------------------


def test_add_and_remove_a_window(manager_user, consultant):
    client = client_for(manager_user)
    response = client.post(
        url("window_add", consultant),
        {"window-weekday": "1", "window-start_time": "09:00", "window-end_time": "12:00"},
    )
    assert response.status_code == 302
    window = WeeklyAvailability.objects.get(consultant=consultant)

    # Overlapping: a form error, nothing saved.
    response = client.post(
        url("window_add", consultant),
        {"window-weekday": "1", "window-start_time": "11:00", "window-end_time": "13:00"},
    )
    assert response.status_code == 400
    assert "overlaps another window" in text(response)
    # Ends before it starts.
    response = client.post(
        url("window_add", consultant),
        {"window-weekday": "2", "window-start_time": "13:00", "window-end_time": "09:00"},
    )
    assert "The window must end after it starts." in text(response)
    assert WeeklyAvailability.objects.filter(consultant=consultant).count() == 1

    # Removal asks first.
    remove = url("window_remove", consultant, window_pk=window.pk)
    assert "Remove the window" in text(client.get(remove))
    assert WeeklyAvailability.objects.filter(pk=window.pk).exists()
    assert client.post(remove).status_code == 302
    assert not WeeklyAvailability.objects.filter(pk=window.pk).exists()


def test_another_consultants_window_is_404(manager_user, consultant):
    other_window = WeeklyAvailabilityFactory()
    response = client_for(manager_user).post(
        url("window_remove", consultant, window_pk=other_window.pk)
    )
    assert response.status_code == 404
    assert WeeklyAvailability.objects.filter(pk=other_window.pk).exists()


def test_add_and_remove_a_busy_period(manager_user, consultant):
    client = client_for(manager_user)
    response = client.post(
        url("busy_add", consultant),
        {"busy-kind": "exams", "busy-starts_on": "2030-03-10", "busy-ends_on": "2030-03-01"},
    )
    assert response.status_code == 400
    assert "cannot end before it starts" in text(response)
    response = client.post(
        url("busy_add", consultant),
        {"busy-kind": "exams", "busy-starts_on": "2030-03-01", "busy-ends_on": "2030-03-10"},
    )
    assert response.status_code == 302
    period = BusyPeriod.objects.get(consultant=consultant)
    remove = url("busy_remove", consultant, period_pk=period.pk)
    assert "Remove the busy period" in text(client.get(remove))
    client.post(remove)
    assert not BusyPeriod.objects.filter(pk=period.pk).exists()


# --- Consent -----------------------------------------------------------------------


def _upload(content: bytes = PDF, name: str = "form.pdf", content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type)


def test_grant_with_evidence_then_withdraw_after_confirming(
    manager_user, consultant, published_texts
):
    consultant.preferred_languages = ["fil", "en"]
    consultant.save(update_fields=["preferred_languages"])
    client = client_for(manager_user)
    page = text(client.get(url("consent", consultant)))
    assert "Version 1" in page and "Text for photo" in page
    # Her preferred language, Filipino, is offered as the language she read.
    assert '<option value="fil" selected>' in page

    response = client.post(
        url("consent", consultant), {"scope": "photo", "language": "fil", "evidence": _upload()}
    )
    assert response.status_code == 302
    record = ConsentRecord.objects.get(consultant=consultant)
    assert record.is_grant and record.consent_text == published_texts["photo"]
    assert record.text_language == "fil"
    assert record.evidence.name.startswith("consent-evidence/")
    assert "form" not in record.evidence.name  # the uploaded name is never kept

    withdraw = url("consent_withdraw", consultant, scope="photo")
    assert "Record the withdrawal" in text(client.get(withdraw))
    assert ConsentRecord.objects.filter(consultant=consultant).count() == 1
    assert client.post(withdraw).status_code == 302
    latest = ConsentRecord.objects.filter(consultant=consultant).first()
    assert latest.action == ConsentRecord.Action.WITHDRAWN
    assert latest.text_language == "fil"  # the words of the grant it ends
    assert ConsentRecord.objects.filter(consultant=consultant).count() == 2
    assert "version 1, in Filipino" in text(client.get(url("consent", consultant)))


def test_withdrawing_a_scope_never_granted_is_refused(manager_user, consultant, published_texts):
    response = client_for(manager_user).post(url("consent_withdraw", consultant, scope="video"))
    assert response.status_code == 400
    assert "nothing to withdraw" in text(response)
    assert not ConsentRecord.objects.exists()


def test_unknown_scope_is_404(manager_user, consultant):
    response = client_for(manager_user).post(url("consent_withdraw", consultant, scope="soul"))
    assert response.status_code == 404


def test_grant_without_a_published_text_says_so(manager_user, consultant):
    response = client_for(manager_user).post(
        url("consent", consultant), {"scope": "photo", "language": "en"}
    )
    assert response.status_code == 400
    assert "There is no published consent text" in text(response)


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (lambda: _upload(b"MZ\x90\x00 not a pdf", "form.pdf"), "must be a PDF, JPEG or PNG"),
        (lambda: _upload(b"%PDF-" + b"0" * EVIDENCE_MAX_BYTES, "big.pdf"), "larger than 5 MB"),
        (lambda: _upload(b"", "empty.pdf"), "empty"),
    ],
)
def test_bad_evidence_is_refused_and_nothing_saved(
    manager_user, consultant, published_texts, upload, message
):
    response = client_for(manager_user).post(
        url("consent", consultant), {"scope": "photo", "language": "en", "evidence": upload()}
    )
    assert response.status_code == 400
    assert message in text(response)
    assert not ConsentRecord.objects.exists()


def test_evidence_download_needs_a_reason_and_is_audited(
    manager_user, finance_user, consultant, published_texts
):
    record = services.consent_grant(
        consultant=consultant, scope="photo", by=manager_user, evidence=_upload()
    )
    evidence = url("consent_evidence", consultant, record_pk=record.pk)
    client = client_for(manager_user)
    response = client.post(evidence, {"reason": ""})
    assert response.status_code == 400
    assert not accesses().exists()

    response = client.post(evidence, {"reason": "Checking the signature"})
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"] == (
        f'attachment; filename="tinig-document-{record.pk}.pdf"'
    )
    assert "no-store" in response["Cache-Control"]
    entry = accesses().get()
    assert entry.additional_data == {"fields": ["evidence"], "reason": "Checking the signature"}

    assert client_for(finance_user).post(evidence, {"reason": "x"}).status_code == 403


def test_evidence_of_another_consultant_is_404(manager_user, consultant, published_texts):
    other = ConsultantFactory()
    record = services.consent_grant(
        consultant=other, scope="photo", by=manager_user, evidence=_upload()
    )
    response = client_for(manager_user).post(
        url("consent_evidence", consultant, record_pk=record.pk), {"reason": "x"}
    )
    assert response.status_code == 404
    assert not accesses().exists()


def test_no_page_edits_or_deletes_consent_history():
    from consultants.urls_staff import urlpatterns

    routes = " ".join(str(pattern.pattern) for pattern in urlpatterns)
    assert "consent" in routes
    for verb in ("edit", "delete", "update"):
        assert not re.search(rf"consent[^ ]*{verb}", routes)


# --- Wellbeing ---------------------------------------------------------------------


def test_wellbeing_notes_reveal_and_add(assigned_wellbeing_user, consultant):
    WellbeingNoteFactory(
        consultant=consultant, body="Prefers mornings", author=assigned_wellbeing_user
    )
    client = client_for(assigned_wellbeing_user)
    page = text(client.get(url("wellbeing", consultant)))
    assert "Prefers mornings" not in page

    response = client.post(url("wellbeing", consultant), {"reveal-reason": ""})
    assert response.status_code == 400
    assert "Prefers mornings" not in text(response)
    assert not accesses().exists()

    response = client.post(url("wellbeing", consultant), {"reveal-reason": "Before the check-in"})
    assert "Prefers mornings" in text(response)
    assert "no-store" in response["Cache-Control"]
    entry = accesses(consultant).get()
    assert entry.additional_data == {"fields": ["wellbeing_notes"], "reason": "Before the check-in"}

    response = client.post(
        url("wellbeing_note_add", consultant), {"note-kind": "helps", "note-body": "Short calls"}
    )
    assert response.status_code == 302
    assert WellbeingNote.objects.filter(consultant=consultant).count() == 2
    response = client.post(
        url("wellbeing_note_add", consultant), {"note-kind": "helps", "note-body": ""}
    )
    assert response.status_code == 400


def test_wellbeing_is_closed_to_the_manager(manager_user, consultant):
    WellbeingNoteFactory(consultant=consultant, body="Private")
    response = client_for(manager_user).post(url("wellbeing", consultant), {"reveal-reason": "x"})
    assert response.status_code == 403
    assert not accesses().exists()


def test_manager_assigns_the_wellbeing_lead(manager_user, wellbeing_user, finance_user, consultant):
    client = client_for(manager_user)
    response = client.post(url("wellbeing_lead", consultant), {"lead": finance_user.pk})
    assert response.status_code == 400  # not a wellbeing lead: not a choice
    response = client.post(url("wellbeing_lead", consultant), {"lead": wellbeing_user.pk})
    assert response.status_code == 302
    assert access.can_read_wellbeing(wellbeing_user, consultant)
    assert wellbeing_user.display_name in text(client.get(url("detail", consultant)))


# --- Encryption at rest, through the pages -------------------------------------------


def test_a_profile_created_through_the_page_is_encrypted_at_rest(manager_user):
    client_for(manager_user).post(url("create"), _profile_data())
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM consultants_consultant")
        dump = repr(cursor.fetchall())
    assert "Liwayway" in dump
    for secret in ("Rosa Totally Invented", "rosa.invented@example.net", "639175550134", "5550134"):
        assert secret not in dump


def test_directory_load_filter_uses_the_registered_monthly_load(manager_user):
    """The engagements app registers how busy each consultant is this month."""
    from django.db.models import Case, Value, When

    from consultants import selectors

    busy = ConsultantFactory(pseudonym="Busy", monthly_engagement_limit=2)
    ConsultantFactory(pseudonym="Idle", monthly_engagement_limit=2)

    def source(first, last):
        assert first.day == 1 and last.month == first.month
        return Case(When(pseudonym="Busy", then=Value(2)), default=Value(0))

    selectors.register_monthly_load(source)
    try:
        client = client_for(manager_user)
        full = text(client.get(url("directory"), {"load": "full"}))
        assert "Busy" in full and "Idle" not in full
        room = text(client.get(url("directory"), {"load": "room"}))
        assert "Idle" in room and ">Busy<" not in room
        assert "2 of 2" in text(client.get(url("directory")))
        assert "2 of at most 2" in text(client.get(url("detail", busy)))
    finally:
        selectors._monthly_load_sources.remove(source)


# --- Encrypted fields in the page's normal view -----------------------------------------


def test_status_reasons_shown_on_the_page_are_one_recorded_view(manager_user, consultant):
    for status, reason in [("alumni", "Moved abroad"), ("active", "Came back")]:
        services.consultant_status_change(
            consultant=consultant, status=status, by=manager_user, reason=reason
        )
    client = client_for(manager_user)

    page = text(client.get(url("detail", consultant), REMOTE_ADDR="203.0.113.5"))

    assert "Moved abroad" in page and "Came back" in page
    entry = accesses(consultant).get()  # one for the page, not one per row
    assert entry.actor == manager_user and entry.remote_addr == "203.0.113.5"
    assert entry.additional_data == {
        "fields": ["statuschange.reason"],
        "reason": "viewed on the consultant page",
    }
    client.get(url("detail", consultant))
    assert accesses(consultant).count() == 2  # every page view


def test_no_recorded_view_when_no_reason_is_shown(manager_user, programme_staff_user, consultant):
    services.consultant_status_change(
        consultant=consultant, status="alumni", by=manager_user, reason=""
    )
    assert client_for(manager_user).get(url("detail", consultant)).status_code == 200
    assert not accesses().exists()  # no reason to show

    services.consultant_status_change(
        consultant=consultant, status="active", by=manager_user, reason="Came back"
    )
    access.grant_consultant_view(programme_staff_user, consultant)
    page = text(client_for(programme_staff_user).get(url("detail", consultant)))
    assert "Came back" not in page  # not theirs to see: nothing shown, nothing recorded
    assert not accesses().exists()
