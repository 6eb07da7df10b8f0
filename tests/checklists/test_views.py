"""The staff pages with good, bad and hostile input."""

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from checklists.models import ChecklistItem
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def items(public_engagement):
    return {i.key: i for i in ChecklistItem.objects.filter(checklist__engagement=public_engagement)}


def test_checklist_page_shows_stages_progress_and_overdue(public_engagement, owner, items):
    url = reverse("checklists:engagement", args=[public_engagement.pk])
    page = client_for(owner).get(url).content.decode()
    for text in ("Before", "During", "After", "Privacy plan approved", "0 of"):
        assert text in page
    assert "Overdue" not in page
    with time_machine.travel(public_engagement.start + datetime.timedelta(days=1), tick=False):
        page = client_for(owner).get(url).content.decode()
    assert "badge-danger" in page and "Overdue" in page
    # Never a legal name.
    assert "Legal Name" not in page


def test_tick_done_with_a_note(owner, items):
    item = items["briefing-held"]
    url = reverse("checklists:item_done", args=[item.pk])
    assert client_for(owner).get(url).status_code == 200
    response = client_for(owner).post(url, {"note": "Held online."})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-{item.pk}")
    assert ChecklistItem.objects.get(pk=item.pk).status == "done"


def test_tick_from_my_tasks_returns_there(owner, items):
    item = items["schedule-checked"]
    response = client_for(owner).post(
        reverse("checklists:item_done", args=[item.pk]), {"next": "my_tasks"}
    )
    assert response["Location"] == reverse("checklists:my_tasks")
    # A hostile "next" goes nowhere else.
    item = items["check-in"]
    response = client_for(owner).post(
        reverse("checklists:item_done", args=[item.pk]), {"next": "https://evil.example"}
    )
    assert response["Location"].startswith(
        reverse("checklists:engagement", args=[item.checklist.engagement_id])
    )


@pytest.mark.parametrize(
    ("key", "data", "message"),
    [
        ("briefing-held", {"note": ""}, "This field is required"),
        ("briefing-held", {"note": "x" * 5000}, "at most 4000"),
        ("compensation-agreed", {"note": "ok"}, "This field is required"),
        (
            "compensation-agreed",
            {"evidence": SimpleUploadedFile("a.pdf", b"MZ evil")},
            "PDF, JPEG or PNG",
        ),
        (
            "compensation-agreed",
            {"evidence": SimpleUploadedFile("a.pdf", b"<script>alert(1)</script>")},
            "PDF, JPEG or PNG",
        ),
    ],
    ids=["no-note", "long-note", "no-file", "exe", "html"],
)
def test_bad_input_is_refused_and_nothing_changes(owner, items, key, data, message):
    item = items[key]
    response = client_for(owner).post(reverse("checklists:item_done", args=[item.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    fresh = ChecklistItem.objects.get(pk=item.pk)
    assert fresh.is_open and not fresh.evidence_file


def test_not_applicable(owner, items):
    url = reverse("checklists:item_not_applicable", args=[items["consent-recording"].pk])
    response = client_for(owner).post(url, {"justification": ""})
    assert response.status_code == 400
    response = client_for(owner).post(url, {"justification": "Nothing is recorded."})
    assert response.status_code == 302
    assert ChecklistItem.objects.get(pk=items["consent-recording"].pk).status == "not_applicable"


def test_not_applicable_on_a_non_waivable_item(owner, items):
    item = items["consent-participation"]
    url = reverse("checklists:item_not_applicable", args=[item.pk])
    page = client_for(owner).get(url).content.decode()
    assert "cannot be marked not applicable" in page
    response = client_for(owner).post(url, {"justification": "I say so"})
    assert response.status_code == 400
    assert ChecklistItem.objects.get(pk=item.pk).is_open


def test_evidence_download_is_audited(owner, items, manager_user):
    item = items["compensation-agreed"]
    client_for(owner).post(
        reverse("checklists:item_done", args=[item.pk]),
        {"evidence": SimpleUploadedFile("Maria agreement.pdf", b"%PDF-1.4 signed")},
    )
    url = reverse("checklists:item_evidence", args=[item.pk])
    assert client_for(manager_user).get(url).status_code == 405
    response = client_for(manager_user).post(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 signed"
    assert "Maria" not in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    entry = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).get()
    assert entry.actor == manager_user
    assert entry.additional_data["fields"] == ["evidence_file"]


def test_evidence_in_object_storage_is_served_and_goes_on_reopen(
    private_bucket, owner, items, manager_user, django_capture_on_commit_callbacks
):
    item = items["compensation-agreed"]
    client_for(owner).post(
        reverse("checklists:item_done", args=[item.pk]),
        {"evidence": SimpleUploadedFile("Maria agreement.pdf", b"%PDF-1.4 signed")},
    )
    item.refresh_from_db()
    assert list(private_bucket.objects()) == [item.evidence_file.name]
    assert b"signed" not in private_bucket.raw(item.evidence_file.name)

    response = client_for(manager_user).post(reverse("checklists:item_evidence", args=[item.pk]))
    assert b"".join(response.streaming_content) == b"%PDF-1.4 signed"

    with django_capture_on_commit_callbacks(execute=True):
        client_for(owner).post(reverse("checklists:item_reopen", args=[item.pk]))
    assert private_bucket.objects() == {}


def test_reopen(owner, items):
    item = items["schedule-checked"]
    client_for(owner).post(reverse("checklists:item_done", args=[item.pk]))
    url = reverse("checklists:item_reopen", args=[item.pk])
    assert client_for(owner).post(url).status_code == 302
    assert ChecklistItem.objects.get(pk=item.pk).is_open


def test_my_tasks_and_compliance_pages(owner, items, manager_user):
    page = client_for(owner).get(reverse("checklists:my_tasks")).content.decode()
    # Programme staff items are the owner's; a manager's item is the managers'.
    assert "Briefing held" in page and "Privacy plan approved" not in page
    page = client_for(manager_user).get(reverse("checklists:compliance")).content.decode()
    assert items["briefing-held"].checklist.engagement.title in page
