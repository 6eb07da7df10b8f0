"""Choosing an engagement or a consultant on /reports/ by search
(core.search): the GET search-then-choose without JavaScript, the JSON
endpoint /staff/search/<source>/, who may find what, hostile queries, and
a page whose size does not grow with the tables."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from accounts.roles import Role
from core import search
from reports.models import ReportJob
from tests.engagements.factories import EngagementFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

BRIEF = "engagement_brief"
STATEMENT = "consultant_statement"
HOSTILE = [
    "x" * 5000,
    "' OR 1=1; --",
    "%",
    "_",
    "\\",
    "a\x00b",
    "\u202e\u0000\ud7ff",
    "T\u00e1l\u00e1 \u2603 \U0001d4af",
    "2026-13-45",
    "9999-12-31",
    "0000-01",
    "<script>alert(1)</script>",
]


def _search(client, source, text):
    return client.get(reverse("core:search_choices", args=[source]), {"q": text})


def test_staff_find_only_engagements_they_run(participation, owner, make_user):
    mine = participation.engagement
    colleague = make_user(Role.PROGRAMME_STAFF)
    theirs = EngagementFactory(owner=colleague, title=mine.title)

    found = _search(client_for(owner), "brief_engagement", mine.title[:5]).json()
    assert [row["value"] for row in found["results"]] == [mine.pk]
    assert found["results"][0]["label"].startswith(mine.title)

    found = _search(client_for(colleague), "brief_engagement", mine.title[:5]).json()
    assert [row["value"] for row in found["results"]] == [theirs.pk]
    # Nor her consultant.
    found = _search(client_for(colleague), "brief_consultant", "Tala").json()
    assert found["results"] == []
    found = _search(client_for(owner), "brief_consultant", "tal").json()
    assert [row["label"] for row in found["results"]] == ["Tala"]


def test_engagements_are_found_by_date_and_month(participation, owner):
    engagement = participation.engagement
    day = search.clean_query(engagement.start.astimezone(search_zone()).date().isoformat())
    client = client_for(owner)
    assert _search(client, "brief_engagement", day).json()["results"][0]["value"] == engagement.pk
    assert _search(client, "brief_engagement", day[:7]).json()["results"][0]["value"] == (
        engagement.pk
    )
    assert _search(client, "brief_engagement", "1999-01-01").json()["results"] == []


def search_zone():
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Manila")


@pytest.mark.parametrize(
    ("role", "source", "status"),
    [
        (Role.CONSULTANT, "statement_consultant", 403),
        (Role.CONSULTANT, "brief_engagement", 403),
        (Role.WELLBEING_LEAD, "brief_engagement", 403),
        (Role.FINANCE_OFFICER, "brief_engagement", 403),
        (Role.PROGRAMME_STAFF, "statement_consultant", 403),
        (Role.PROGRAMME_MANAGER, "statement_consultant", 403),
        (Role.FINANCE_OFFICER, "statement_consultant", 200),
        (Role.PROGRAMME_STAFF, "no_such_source", 404),
    ],
)
def test_the_endpoint_refuses_who_may_not_use_a_source(make_user, role, source, status):
    response = _search(client_for(make_user(role)), source, "a")
    assert response.status_code == status
    assert "no-store" in response["Cache-Control"]


def test_signed_out_is_sent_to_sign_in():
    response = _search(client_for(None), "brief_engagement", "a")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_queries_are_answered_safely(participation, owner, finance_user, text):
    for client, source in (
        (client_for(owner), "brief_engagement"),
        (client_for(owner), "brief_consultant"),
        (client_for(finance_user), "statement_consultant"),
    ):
        response = _search(client, source, text)
        assert response.status_code == 200
        body = response.json()
        assert len(body["query"]) <= search.MAX_QUERY
        assert "\x00" not in body["query"]
        assert body["results"] == [] or text == "T\u00e1l\u00e1 \u2603 \U0001d4af"
    page = client_for(owner).get(reverse("reports:list"), {f"{BRIEF}-engagement_q": text})
    assert page.status_code == 200
    assert b"<script>alert" not in page.content


def test_at_most_limit_results_and_how_many_more_in_the_same_queries(owner):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(owner)

    def searched():
        with CaptureQueriesContext(connection) as queries:
            body = _search(client, "brief_engagement", "workshop").json()
        return body, len(queries)

    EngagementFactory(owner=owner, title="Workshop 0")
    searched()  # the session is warm
    small, small_queries = searched()
    for n in range(1, search.LIMIT + 3):
        EngagementFactory(owner=owner, title=f"Workshop {n}")
    body, queries = searched()
    assert (len(small["results"]), small["more"]) == (1, 0)
    assert (len(body["results"]), body["more"]) == (search.LIMIT, 3)
    assert queries == small_queries


def test_search_then_choose_without_javascript(participation, owner, settings):
    """Search (a GET), choose a radio button, request: the job holds the ids."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    engagement = participation.engagement
    client = client_for(owner)
    page = client.get(
        reverse("reports:list"),
        {f"{BRIEF}-engagement_q": engagement.title[:6], f"{BRIEF}-consultant_q": "Tal"},
    ).content.decode()
    # The search boxes belong to the GET form; the matches are radios of the POST form.
    assert f'form="search-{BRIEF}"' in page
    assert f'id="search-{BRIEF}"' in page
    assert f'type="radio" name="{BRIEF}-engagement" value="{engagement.pk}"' in page
    assert f'type="radio" name="{BRIEF}-consultant" value="{participation.consultant_id}"' in page
    assert page.count("<option") == 2  # the footer's languages, nothing else

    response = client.post(
        reverse("reports:request", args=[BRIEF]),
        {f"{BRIEF}-engagement": engagement.pk, f"{BRIEF}-consultant": participation.consultant_id},
    )
    job = ReportJob.objects.get()
    assert response.status_code == 302
    assert job.params == {"engagement": engagement.pk, "consultant": participation.consultant_id}


def test_a_posted_row_the_person_may_not_see_is_refused(participation, make_user, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    colleague = make_user(Role.PROGRAMME_STAFF)
    response = client_for(colleague).post(
        reverse("reports:request", args=[BRIEF]),
        {
            f"{BRIEF}-engagement": participation.engagement_id,
            f"{BRIEF}-consultant": participation.consultant_id,
        },
    )
    assert response.status_code == 200
    assert not ReportJob.objects.exists()
    # The error page names neither the engagement nor the consultant.
    assert participation.engagement.title.encode() not in response.content
    assert b"Tala" not in response.content


def test_a_chosen_row_stays_chosen_after_an_error(participation, owner, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    response = client_for(owner).post(
        reverse("reports:request", args=[BRIEF]),
        {f"{BRIEF}-engagement": participation.engagement_id, f"{BRIEF}-consultant": ""},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert f'value="{participation.engagement_id}" id="id_{BRIEF}-engagement_0" checked' in page


def test_finance_chooses_a_consultant_by_search(
    finance_user, own_consultant, other_consultant, settings
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    client = client_for(finance_user)
    page = client.get(reverse("reports:list"), {f"{STATEMENT}-consultant_q": "bit"}).content
    assert b"Bituin" in page and b"Tala" not in page
    body = _search(client, "statement_consultant", "TALA").json()
    assert body["results"] == [{"value": own_consultant.pk, "label": "Tala"}]


def test_the_reports_page_does_not_grow_with_the_tables(owner, finance_user, django_db_setup):
    from tests.consultants.factories import ConsultantFactory

    def page_of(user):
        client = client_for(user)
        client.get(reverse("reports:list"))
        return len(client.get(reverse("reports:list")).content)

    small = {user.pk: page_of(user) for user in (owner, finance_user)}
    EngagementFactory.create_batch(30, owner=owner)
    ConsultantFactory.create_batch(30)
    assert {user.pk: page_of(user) for user in (owner, finance_user)} == small


def test_the_json_is_plain_data(participation, owner):
    participation.engagement.title = '<img src=x onerror="alert(1)">'
    participation.engagement.save(update_fields=["title"])
    response = _search(client_for(owner), "brief_engagement", "img")
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content)["results"][0]["label"].startswith("<img")
