"""A consultant's record: every category in the JSON and the readable page,
her own rows only, a fixed number of queries, the registry's rules.
(The PDF: tests/pages/test_record_pdf.py.)"""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.roles import Role
from consultants import record
from consultants.record import Entry, RecordSection, Row
from tests.consultants.factories import ConsultantFactory
from tests.consultants.record_world import MARKERS, full_record
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

SECTIONS = [
    "profile",
    "portal_account",
    "status_history",
    "story_sharing",
    "weekly_availability",
    "busy_periods",
    "consent",
    "wellbeing_notes",
    "engagements",
    "checklist_items",
    "contributions",
    "works",
    "skills",
    "pathway_steps",
    "reflections",
    "peer_circles",  # network/record_circles.py (#18 part 2)
    "agreements",
    "time_entries",
    "claims",
    "payment_methods",
    "payments",
    "owed",
    "statements",
    "reminders",
    "access_log",
]


@pytest.fixture
def her(make_user):
    user = make_user(Role.CONSULTANT, display_name="Tala")
    return ConsultantFactory(pseudonym="Tala", user=user, legal_name="Maria Secret Santos")


@pytest.fixture
def world(her):
    return full_record(her)


@pytest.fixture
def someone_else(make_user):
    """Another consultant with a full record of her own: none of it may show."""
    other = ConsultantFactory(
        pseudonym="Bituin", user=make_user(Role.CONSULTANT), legal_name="Other Person Reyes"
    )
    return other


def test_every_app_registered_its_sections_in_order():
    assert [kind.key for kind in record.record_section_kinds()] == SECTIONS


def test_the_json_holds_every_category(world, her):
    data = json.loads(client_for(her.user).post(reverse("my:record")).content.decode())

    assert data["format"] == "tinig-consultant-export/2"
    assert set(SECTIONS) <= set(data)
    text = json.dumps(data, ensure_ascii=False)
    for category, marker in MARKERS.items():
        if category in {"story_default", "agreement", "statement"}:
            continue  # codes and ISO dates in the JSON, labels on the page
        assert marker in text, category
    assert data["profile"]["legal_name"] == "Maria Secret Santos"
    assert data["story_sharing"] == {"default": "chosen"}
    assert data["agreements"][0]["rate_unit"] == "hour"
    assert data["statements"][0]["period_to"] == "2030-01-31"
    [engagement] = data["engagements"]
    assert engagement["story_sharing"] == "general"
    assert engagement["story_sharing_note"] == "Only the school part"
    assert [h["to"] for h in engagement["history"]] == ["accepted"]
    assert engagement["feedback"][0]["comments"] == "Felt heard and respected"
    assert data["payments"][0]["status"] == "paid"
    # 2 hours at 500, the meal allowance of 350, the lunch claim of 250.
    assert data["payments"][0]["total"] == "1600.00"
    assert {line["kind"] for line in data["payments"][0]["lines"]} >= {"time", "expense"}
    assert data["payment_methods"][0]["account_number"] == "+639171234567"
    [reminder] = data["reminders"]
    assert reminder["kind"] == "payment_sent" and reminder["status"] == "sent"
    assert reminder["subject"].startswith("Tinig: a payment sent on ")
    assert reminder["subject"] != "Tinig: a payment sent on"  # the date is there
    assert reminder["channel"] == "email"
    reveals = data["access_log"]
    manager = next(row for row in reveals if row["reason"] == "Call about travel money")
    assert manager["who"] == "Lorna Manager"
    assert manager["role"] == "Programme manager"
    assert world.staff.manager.email not in text  # never a staff e-mail address
    # The download itself is in her access log, as hers.
    assert reveals[-1]["who"] == "You"


def test_the_page_shows_every_category_and_writes_no_audit_entry(world, her):
    from auditlog.models import LogEntry

    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
    response = client_for(her.user).get(reverse("my:record_read"))

    assert response.status_code == 200
    html = response.content.decode()
    page = " ".join(html.split())
    for category, marker in MARKERS.items():
        assert marker in page, category
    title = html.split("<title>")[1].split("</title>")[0]
    assert title.strip() == "Your record · Tinig"
    assert "Maria" not in title
    assert "no-store" in response["Cache-Control"]
    assert world.staff.manager.email not in html
    assert "A downloaded file stays on this phone" in page
    assert reverse("reports:request", args=["consultant_record"]) in html
    assert LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count() == before


def test_the_choices_page_links_the_readable_record(her):
    html = client_for(her.user).get(reverse("my:record")).content.decode()
    assert reverse("my:record_read") in html
    assert "Download as JSON" in html and "Prepare a PDF" in html


def test_her_record_holds_nothing_of_another_consultant(world, her, someone_else):
    full_record(someone_else)
    data = client_for(her.user).post(reverse("my:record")).content.decode()
    page = client_for(her.user).get(reverse("my:record_read")).content.decode()
    for text in (data, page):
        assert "Other Person Reyes" not in text
        assert "Bituin" not in text
        assert someone_else.email not in text
    parsed = json.loads(data)
    assert len(parsed["engagements"]) == 1
    assert len(parsed["payments"]) == 1
    assert len(parsed["reminders"]) == 1


def _queries_to_build(consultant) -> int:
    record.record_build(consultant)  # content types and the like, cached once
    with CaptureQueriesContext(connection) as queries:
        record.record_build(consultant)
    return len(queries)


def test_building_the_record_takes_a_fixed_number_of_queries(make_user):
    small = ConsultantFactory(user=make_user(Role.CONSULTANT), pseudonym="Isa")
    full_record(small, n=1)
    large = ConsultantFactory(user=make_user(Role.CONSULTANT), pseudonym="Marami")
    full_record(large, n=4)

    assert _queries_to_build(small) == _queries_to_build(large) == RECORD_QUERIES
    assert (
        len(
            record.record_json(record.record_build(large), exported_at=large.created_at)[
                "engagements"
            ]
        )
        == 4
    )


# One or two per section (25 sections), plus the subject dates of the reminders;
# consent has two: its records, and their texts' translations (the words she read).
# Peer circles (network/record_circles.py): two.
RECORD_QUERIES = 34


def test_an_empty_record_says_so(her):
    data = json.loads(client_for(her.user).post(reverse("my:record")).content)
    assert data["engagements"] == [] and data["payments"] == []
    page = client_for(her.user).get(reverse("my:record_read")).content.decode()
    assert "No invitations yet." in page
    assert "No payments yet." in page


def test_sections_are_plain_data():
    section = RecordSection(
        rows=[
            Row(
                title="One",
                entries=[
                    Entry("when", "When", __import__("datetime").date(2030, 1, 2)),
                    Entry("amount", "Amount", __import__("decimal").Decimal("1.50")),
                    Entry("nested", "Nested", [Row(entries=[Entry("x", "X", True)])]),
                ],
            )
        ]
    )
    assert section.as_json() == [{"when": "2030-01-02", "amount": "1.50", "nested": [{"x": True}]}]
    assert section.rows[0].entries[0].text == "2 January 2030"
    assert section.rows[0].entries[2].is_rows


def test_a_key_registered_twice_from_another_module_is_refused():
    def build(consultant):
        return RecordSection()

    with pytest.raises(ImproperlyConfigured):
        record.register_record_section("profile", title="x", order=1, build=build)
    with pytest.raises(ImproperlyConfigured):
        record.register_record_section("Not A Slug", title="x", order=1, build=build)
