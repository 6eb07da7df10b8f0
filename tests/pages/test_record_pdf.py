"""The consultant's record as a PDF (kind ``consultant_record``, pages/record.py):
she alone may request it, for herself; it is written in her language,
named discreetly, headed "Tinig" and "Your record", audited, and holds
every category of her record (read back with pypdf and pdftotext)."""

from __future__ import annotations

import subprocess

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from pages.record import record_language
from reports import services
from reports.models import ReportJob
from reports.registry import get_report_kind
from reports.services import _supported_language
from tests.consultants.factories import ConsultantFactory
from tests.consultants.record_world import MARKERS, full_record
from tests.fixtures import name_survivor_leader
from tests.helpers import (
    ARTIFACTS,
    EMAIL_PATTERN,
    STAFF_ROLES,
    client_for,
    pdf_metadata,
    pdf_text,
)

pytestmark = [pytest.mark.django_db, pytest.mark.pdf]

KIND = "consultant_record"


@pytest.fixture
def her(make_user):
    user = make_user(Role.CONSULTANT, display_name="Tala")
    return ConsultantFactory(
        pseudonym="Tala", user=user, legal_name="Maria Secret Santos", preferred_languages=["en"]
    )


def _render(user) -> ReportJob:
    job = services.report_request(user=user, kind=KIND, params={})
    services.report_render(job_id=job.pk)
    job.refresh_from_db()
    return job


def test_the_pdf_holds_every_category(her):
    world = full_record(her)

    job = _render(her.user)

    assert job.status == ReportJob.Status.READY
    content = job.file.read()
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "consultant-record.pdf").write_bytes(content)
    text = " ".join(pdf_text(content).split())
    for category, marker in MARKERS.items():
        assert marker in text, category
    # pdftotext reads it the same way (a second, independent reader).
    poppler = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True
    ).stdout.decode()
    poppler = " ".join(poppler.split())
    for marker in (MARKERS["engagement"], MARKERS["payment"], MARKERS["access_reason"]):
        assert marker in poppler
    # Discreet: the header and title say Tinig and "Your record"; staff by
    # name, never an e-mail address; her name is in the body, not the title.
    assert text.startswith("Tinig Your record")
    metadata = pdf_metadata(content)
    assert metadata.get("/Title") == "Your record · Tinig"
    for match in EMAIL_PATTERN.finditer(text):
        assert match.group(0) in (her.email, her.user.email), match.group(0)
    assert world.staff.manager.email not in text
    assert job.download_name == f"tinig-record-{timezone.localdate():%Y-%m-%d}.pdf"


def test_preparing_it_is_audited_as_a_download(her):
    _render(her.user)
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).get()
    assert entry.actor == her.user
    assert entry.object_pk == str(her.pk)
    assert entry.additional_data["fields"] == ["export"]
    assert "PDF" in entry.additional_data["reason"]


@pytest.mark.parametrize("language", ["fil", "en"])
def test_written_in_her_language_whatever_the_page_was_in(her, language):
    her.user.language = language
    her.user.save(update_fields=["language"])
    her.preferred_languages = ["en"] if language == "fil" else ["fil"]  # her work, not her pages
    her.save(update_fields=["preferred_languages"])
    assert record_language(her.user) == language
    # Whatever language the page that asked was in; a language whose
    # translations are not installed yet falls back to the default, as
    # every document does (reports.services._supported_language).
    job = services.report_request(user=her.user, kind=KIND, params={}, language="xx")
    assert job.language == _supported_language(language)


def test_a_record_in_her_preferred_language_renders(her):
    her.user.language = "fil"
    her.user.save(update_fields=["language"])
    job = _render(her.user)
    assert job.status == ReportJob.Status.READY
    assert job.language == _supported_language("fil")


@pytest.mark.parametrize("role", STAFF_ROLES, ids=lambda role: role.value)
def test_no_staff_role_may_request_it(make_user, role, her):
    user = make_user(role)
    assert not get_report_kind(KIND).can_request(user)
    with pytest.raises(PermissionDenied):
        services.report_request(user=user, kind=KIND, params={})


def test_a_consultant_without_a_profile_may_not_request_it(make_user):
    user = make_user(Role.CONSULTANT)
    with pytest.raises(PermissionDenied):
        services.report_request(user=user, kind=KIND, params={})


def test_it_is_always_her_own_whatever_is_posted(her, make_user):
    other = ConsultantFactory(pseudonym="Bituin", user=make_user(Role.CONSULTANT))
    job = services.report_request(user=her.user, kind=KIND, params={"consultant": other.pk})
    assert job.params == {}
    services.report_render(job_id=job.pk)
    job.refresh_from_db()
    text = pdf_text(job.file.read())
    assert "Tala" in text and "Bituin" not in text


# The request URL (reports:request with this kind) for every persona.
PERSONAS = [
    ("anonymous", 302),
    ("no_role", 403),
    ("consultant", 302),
    ("consultant_without_profile", 403),
    ("other_consultant", 302),  # her own record, never the first one's
    ("leader", 302),  # a survivor leader: her own record too, nothing more
    *[(role.value, 403) for role in STAFF_ROLES],
]


@pytest.mark.parametrize(("persona", "status"), PERSONAS)
def test_request_url_for_every_persona(persona, status, her, make_user):
    if persona == "anonymous":
        user = None
    elif persona == "no_role":
        user = make_user(None)
    elif persona == "consultant":
        user = her.user
    elif persona == "consultant_without_profile":
        user = make_user(Role.CONSULTANT)
    elif persona == "other_consultant":
        user = ConsultantFactory(pseudonym="Bituin", user=make_user(Role.CONSULTANT)).user
    elif persona == "leader":
        user = name_survivor_leader(
            ConsultantFactory(pseudonym="Dalisay", user=make_user(Role.CONSULTANT))
        )
    else:
        user = make_user(Role(persona))

    response = client_for(user).post(reverse("reports:request", args=[KIND]))

    assert response.status_code == status
    jobs = ReportJob.objects.filter(kind=KIND)
    if persona == "anonymous":
        assert response["Location"].startswith("/accounts/login/")
        assert not jobs.exists()
    elif status == 302:
        job = jobs.get()
        assert job.requested_by == user
        assert response["Location"] == reverse("reports:detail", args=[job.pk])
        # The download is the requester's alone: her, not the other consultant.
        assert client_for(her.user if user != her.user else None).get(
            reverse("reports:detail", args=[job.pk])
        ).status_code in (302, 404)
    else:
        assert not jobs.exists()
