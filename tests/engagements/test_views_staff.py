"""The staff pages of engagements: happy paths, bad and hostile input, and
refusals that change nothing (who reaches which page at all is
tests/engagements/test_staff_permission_matrix.py)."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from consultants.models import ConsentScope, ExpertiseTopic
from engagements.models import (
    Debrief,
    Engagement,
    EngagementTransition,
    Participation,
    PrivacyPlan,
)
from tests.consultants.factories import ConsultantFactory
from tests.engagements.factories import (
    MONDAY,
    DebriefFactory,
    EngagementFactory,
    FeedbackFactory,
    ParticipationFactory,
    PrivacyPlanFactory,
    at,
)
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
S = Engagement.Status
P = Participation.Status


def url(view, engagement=None, **kwargs):
    if engagement is not None:
        kwargs["pk"] = engagement.pk
    return reverse(f"engagements:{view}", kwargs=kwargs)


def text(response) -> str:
    return response.content.decode()


def _form_data(**overrides) -> dict:
    data = {
        "title": "Curriculum review",
        "type": "content",
        "purpose": "Review the new module.",
        "expected_contribution": "Read and comment.",
        "requested_by": "Training team",
        "start": "2031-06-02T10:00",
        "end": "2031-06-02T12:00",
        "mode": "online",
        "venue": "",
        "online_link": "https://meet.example.org/abc",
        "audience": "internal",
        "consultants_wanted": "2",
        "languages": ["fil", "en"],
        "preparation_hours": "1.5",
        "notes": "",
    }
    data.update(overrides)
    return data


# --- List -------------------------------------------------------------------------------


def test_list_is_scoped_to_what_the_user_may_see(owner, manager_user, make_user):
    mine = EngagementFactory(owner=owner, title="Mine")
    colleague = make_user(Role.PROGRAMME_STAFF)
    assigned = EngagementFactory(owner=colleague, title="Assigned to me", assigned_staff=[owner])
    EngagementFactory(owner=colleague, title="Not mine")

    page = text(client_for(owner).get(url("list")))
    assert "Mine" in page and "Assigned to me" in page and "Not mine" not in page
    assert "2 engagements" in page

    everything = text(client_for(manager_user).get(url("list")))
    assert all(title in everything for title in ("Mine", "Assigned to me", "Not mine"))
    assert mine.pk and assigned.pk


def test_list_filters_and_search(manager_user, make_user):
    other_owner = make_user(Role.PROGRAMME_STAFF, display_name="Olga Owner")
    EngagementFactory(title="Alpha roundtable", type="roundtable", audience="internal")
    EngagementFactory(
        title="Beta hearing",
        type="legislative_hearing",
        audience="government",
        status=S.SUBMITTED,
        start=at(MONDAY + datetime.timedelta(days=14), 9),
        owner=other_owner,
        requested_by="Senate liaison",
    )
    client = client_for(manager_user)

    def titles(**params):
        page = text(client.get(url("list"), params))
        return {t for t in ("Alpha roundtable", "Beta hearing") if t in page}

    assert titles(status="submitted") == {"Beta hearing"}
    assert titles(type="roundtable") == {"Alpha roundtable"}
    assert titles(audience="government") == {"Beta hearing"}
    assert titles(starts_from=(MONDAY + datetime.timedelta(days=1)).isoformat()) == {"Beta hearing"}
    assert titles(starts_until=MONDAY.isoformat()) == {"Alpha roundtable"}
    assert titles(owner=other_owner.pk) == {"Beta hearing"}
    assert titles(q="senate") == {"Beta hearing"}
    assert titles(q="alpha") == {"Alpha roundtable"}
    page = text(client.get(url("list"), {"q": "nothing like it"}))
    assert "No engagement matches these filters" in page


def test_list_bad_and_hostile_filters(manager_user):
    EngagementFactory(title="Alpha roundtable")
    client = client_for(manager_user)

    response = client.get(url("list"), {"status": "everything", "starts_from": "yesterday"})
    assert response.status_code == 400
    assert "Select a valid choice" in text(response)

    response = client.get(
        url("list"),
        {"starts_from": MONDAY.isoformat(), "starts_until": "2031-01-01"},
    )
    assert response.status_code == 400
    assert "This day is before the first day." in text(response)

    response = client.get(url("list"), {"q": "<script>alert(1)</script>", "page": "999"})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in text(response)
    assert "&lt;script&gt;" in text(response)


def test_list_empty_state(owner):
    page = text(client_for(owner).get(url("list")))
    assert "No engagements yet" in page
    assert url("create") in page


def test_list_paginates(manager_user):
    owner = EngagementFactory().owner
    Engagement.objects.bulk_create(
        Engagement(
            title=f"Row {n:02d}",
            type="roundtable",
            owner=owner,
            start=at(MONDAY, 10) + datetime.timedelta(days=n),
            end=at(MONDAY, 12) + datetime.timedelta(days=n),
            mode="online",
            audience="internal",
        )
        for n in range(30)
    )
    page2 = text(client_for(manager_user).get(url("list"), {"page": 2}))
    assert "Page 2 of 2" in page2
    assert "Row 29" in page2 and "Row 00" not in page2


def _bulk_engagements(owner, consultant, count, *, start_day=MONDAY):
    rows = Engagement.objects.bulk_create(
        Engagement(
            title=f"Load {n}",
            type="roundtable" if n % 2 else "training",
            owner=owner,
            start=at(start_day, 10) + datetime.timedelta(days=n % 28, minutes=n),
            end=at(start_day, 12) + datetime.timedelta(days=n % 28, minutes=n),
            mode="online",
            audience="internal",
            status=S.STAFFING,
        )
        for n in range(count)
    )
    Participation.objects.bulk_create(
        Participation(
            engagement=engagement,
            consultant=consultant,
            role="participant",
            status=P.INVITED,
            period=DateTimeTZRange(engagement.start, engagement.end, "[)"),
            story_sharing="nothing",
            invited_by=owner,
        )
        for engagement in rows
    )


def _queries(client, path, params=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params or {})
    assert response.status_code == 200, text(response)[:500]
    return len(queries)


@pytest.mark.parametrize("role", [Role.PROGRAMME_MANAGER, Role.PROGRAMME_STAFF])
def test_list_query_count_is_the_same_at_10_and_1000(make_user, role):
    user = make_user(role)
    consultant = ConsultantFactory()
    _bulk_engagements(user, consultant, 10)
    client = client_for(user)
    client.get(url("list"))  # warm caches (content types), as a running server has
    params = {"type": "roundtable", "q": "load"}
    at_10 = (_queries(client, url("list")), _queries(client, url("list"), params))

    _bulk_engagements(user, consultant, 990)
    at_1000 = (_queries(client, url("list")), _queries(client, url("list"), params))
    assert at_10 == at_1000, (at_10, at_1000)
    assert "1000 engagements" in text(client.get(url("list")))


# --- Calendar ---------------------------------------------------------------------------


def test_calendar_shows_the_month_with_previous_and_next(manager_user):
    EngagementFactory(title="Monday meeting", start=at(MONDAY, 23), end=at(MONDAY, 23, 30))
    EngagementFactory(title="Cancelled one", status=S.CANCELLED)
    page = text(client_for(manager_user).get(url("calendar"), {"month": "2031-06"}))
    assert "June 2031" in page
    assert "23:00 Monday meeting" in page
    assert "Cancelled one" not in page
    assert "?month=2031-05" in page and "?month=2031-07" in page

    december = text(client_for(manager_user).get(url("calendar"), {"month": "2031-12"}))
    assert "?month=2032-01" in december and "Monday meeting" not in december


@pytest.mark.parametrize("month", ["2031-13", "june", "0001-01", "<b>"])
def test_calendar_bad_month_shows_this_month(manager_user, month):
    response = client_for(manager_user).get(url("calendar"), {"month": month})
    assert response.status_code == 200
    assert timezone.localdate().strftime("%B %Y") in text(response)


def test_calendar_query_count_is_fixed(manager_user):
    consultant = ConsultantFactory()
    _bulk_engagements(manager_user, consultant, 3)
    client = client_for(manager_user)
    client.get(url("calendar"))
    few = _queries(client, url("calendar"), {"month": "2031-06"})
    _bulk_engagements(manager_user, consultant, 200)
    many = _queries(client, url("calendar"), {"month": "2031-06"})
    assert few == many


def test_calendar_caps_a_busy_day_and_links_to_the_rest(manager_user):
    for n in range(7):
        EngagementFactory(title=f"Busy {n}", start=at(MONDAY, 8 + n), end=at(MONDAY, 9 + n))
    EngagementFactory(title="Called off", status=S.CANCELLED, start=at(MONDAY, 7))
    client = client_for(manager_user)
    page = text(client.get(url("calendar"), {"month": "2031-06"}))
    assert "Busy 0" in page and "Busy 2" in page and "Busy 3" not in page
    assert "4 more" in page
    assert f"{url('list')}?on=2031-06-02" in page
    listed = text(client.get(url("list"), {"on": "2031-06-02"}))
    assert "7 engagements" in listed and "Busy 6" in listed and "Called off" not in listed
    cancelled = text(client.get(url("list"), {"on": "2031-06-02", "status": S.CANCELLED}))
    assert "Called off" in cancelled and "Busy" not in cancelled
    assert "Busy" not in text(client.get(url("list"), {"on": "2031-06-03"}))


@pytest.mark.parametrize(
    "query",
    [
        {"on": "9999-12-31"},
        {"starts_until": "9999-12-31"},
        {"starts_from": "0001-01-01"},
        {"on": "2031-02-30"},
        {"on": "<script>"},
        {"page": "-1"},
        {"page": "99999999999999999999"},
        {"page": "x"},
    ],
)
def test_list_refuses_hostile_days_and_pages_calmly(manager_user, query):
    EngagementFactory(title="Still listed", start=at(MONDAY, 10), end=at(MONDAY, 11))
    response = client_for(manager_user).get(url("list"), query)
    # A bad day: the form says so (400), the list unfiltered; a bad page
    # number: the nearest page.
    assert response.status_code == (200 if "page" in query else 400)
    assert "Still listed" in text(response)


# --- Create and edit ----------------------------------------------------------------------


def test_create_saves_a_draft_in_manila_time(owner):
    topic = ExpertiseTopic.objects.create(slug="x-topic", name="X topic")
    response = client_for(owner).post(url("create"), _form_data(expertise=[topic.pk]))
    engagement = Engagement.objects.get(title="Curriculum review")
    assert response.status_code == 302
    assert response["Location"] == url("detail", engagement)
    assert engagement.status == S.DRAFT
    assert engagement.owner == owner
    assert engagement.start == datetime.datetime(2031, 6, 2, 2, 0, tzinfo=datetime.UTC)
    assert list(engagement.expertise.all()) == [topic]
    assert engagement.languages == ["fil", "en"]
    assert EngagementTransition.objects.filter(engagement=engagement, name="create").exists()


def test_create_refuses_an_end_before_the_start(owner):
    response = client_for(owner).post(
        url("create"), _form_data(start="2031-06-02T12:00", end="2031-06-02T10:00")
    )
    assert response.status_code == 400
    assert "The engagement must end after it starts." in text(response)
    assert not Engagement.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"title": ""}, "This field is required."),
        ({"type": "party"}, "Select a valid choice"),
        ({"start": "not a date"}, "Enter a valid date/time."),
        ({"consultants_wanted": "0"}, "greater than or equal to 1"),
        ({"preparation_hours": "-3"}, "greater than or equal to 0"),
        ({"online_link": "javascript:alert(1)"}, "Enter a valid URL."),
        ({"languages": ["xx"]}, "Select a valid choice"),
        ({"title": "x" * 500}, "at most 160 characters"),
    ],
)
def test_create_bad_input(owner, overrides, message):
    response = client_for(owner).post(url("create"), _form_data(**overrides))
    assert response.status_code == 400
    assert message in text(response)
    assert not Engagement.objects.exists()


def test_create_ignores_an_owner_posted_by_programme_staff(owner, manager_user, make_user):
    someone = make_user(Role.PROGRAMME_STAFF)
    client_for(owner).post(url("create"), _form_data(owner=someone.pk))
    assert Engagement.objects.get().owner == owner

    client_for(manager_user).post(url("create"), _form_data(owner=someone.pk, title="For them"))
    assert Engagement.objects.get(title="For them").owner == someone


def test_create_refuses_an_owner_who_may_not_own(manager_user, finance_user):
    response = client_for(manager_user).post(url("create"), _form_data(owner=finance_user.pk))
    assert response.status_code == 400
    assert not Engagement.objects.exists()


def test_edit_shows_and_takes_manila_times(owner):
    engagement = EngagementFactory(owner=owner)
    client = client_for(owner)
    page = text(client.get(url("edit", engagement)))
    assert 'value="2031-06-02T10:00"' in page

    response = client.post(
        url("edit", engagement),
        _form_data(title="Moved", start="2031-06-09T14:00", end="2031-06-09T16:00"),
    )
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.title == "Moved"
    assert timezone.localtime(engagement.start).hour == 14


def test_edit_refuses_an_end_before_the_start_and_changes_nothing(owner):
    engagement = EngagementFactory(owner=owner, title="Stays")
    response = client_for(owner).post(
        url("edit", engagement),
        _form_data(title="Changed", start="2031-06-02T12:00", end="2031-06-02T11:00"),
    )
    assert response.status_code == 400
    assert "The engagement must end after it starts." in text(response)
    engagement.refresh_from_db()
    assert engagement.title == "Stays"


def test_edit_of_a_closed_engagement_is_refused(owner):
    engagement = EngagementFactory(owner=owner, status=S.CLOSED, title="Done")
    client = client_for(owner)
    response = client.get(url("edit", engagement), follow=True)
    assert "A closed engagement can no longer be changed." in text(response)
    client.post(url("edit", engagement), _form_data(title="Changed"))
    engagement.refresh_from_db()
    assert engagement.title == "Done"


def test_edit_moving_into_a_double_booking_is_refused(owner, make_consultant):
    consultant = make_consultant()
    first = EngagementFactory(owner=owner, status=S.STAFFING, title="First")
    second = EngagementFactory(
        owner=owner,
        status=S.STAFFING,
        title="Second",
        start=at(MONDAY, 14),
        end=at(MONDAY, 16),
    )
    for engagement in (first, second):
        ParticipationFactory(engagement=engagement, consultant=consultant, status=P.ACCEPTED)
    response = client_for(owner).post(
        url("edit", second),
        _form_data(title="Second", start="2031-06-02T11:00", end="2031-06-02T13:00"),
    )
    assert response.status_code == 400
    assert "These dates overlap another engagement of" in text(response)
    second.refresh_from_db()
    assert timezone.localtime(second.start).hour == 14


# --- Detail and transitions -----------------------------------------------------------------


def test_detail_shows_participants_plan_timeline_and_actions(owner, make_consultant):
    engagement = EngagementFactory(owner=owner, status=S.STAFFING, audience="public")
    PrivacyPlanFactory(engagement=engagement)
    ParticipationFactory(
        engagement=engagement,
        consultant=make_consultant(pseudonym="Bituin", legal_name="Hidden Legal Name"),
        status=P.ACCEPTED,
        story_sharing="general",
    )
    EngagementTransition.objects.create(
        engagement=engagement, name="approve", from_status="submitted", to_status="approved"
    )
    page = text(client_for(owner).get(url("detail", engagement)))
    assert "Bituin" in page and "Hidden Legal Name" not in page
    assert "Share general insights only" in page
    assert "Not approved yet" in page
    assert "Secret Support Person" not in page  # on the plan's own page only
    assert "Submitted → Approved" in page
    assert f'action="{url("transition", engagement, name="confirm")}"' in page
    assert f'action="{url("transition", engagement, name="cancel")}"' in page
    assert 'name="reason"' in page  # cancelling asks why
    assert "1 confirmed consultant is wanted; 0 so far." in page  # what still blocks confirm
    participation = engagement.participations.get()
    confirm = url("participation_confirm", engagement, participation_pk=participation.pk)
    assert f'action="{confirm}"' in page


def test_detail_offers_no_actions_to_a_reader(finance_user, owner):
    engagement = EngagementFactory(owner=owner, status=S.STAFFING)
    page = text(client_for(finance_user).get(url("detail", engagement)))
    assert "What you can do next" not in page
    assert "/actions/" not in page
    assert url("edit", engagement) not in page


def test_submit_then_approve(owner, manager_user):
    engagement = EngagementFactory(owner=owner)
    response = client_for(owner).post(url("transition", engagement, name="submit"))
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == S.SUBMITTED
    # The owner may not approve their own request.
    assert client_for(owner).post(url("transition", engagement, name="approve")).status_code == 403
    engagement.refresh_from_db()
    assert engagement.status == S.SUBMITTED

    response = client_for(manager_user).post(
        url("transition", engagement, name="approve"), follow=True
    )
    assert "The request was approved." in text(response)
    engagement.refresh_from_db()
    assert engagement.status == S.APPROVED


def test_a_refused_transition_lists_every_reason_and_changes_nothing(owner):
    engagement = EngagementFactory(
        owner=owner, purpose="", expected_contribution="", mode="in_person", venue=""
    )
    response = client_for(owner).post(url("transition", engagement, name="submit"))
    page = text(response)
    assert response.status_code == 400
    assert "“Submit for approval” was not done." in page
    assert "Describe the purpose." in page
    assert "Say what is asked of the consultants." in page
    assert "An engagement in person needs a venue." in page
    engagement.refresh_from_db()
    assert engagement.status == S.DRAFT
    assert not EngagementTransition.objects.filter(engagement=engagement).exists()


def test_cancel_needs_a_reason(owner):
    engagement = EngagementFactory(owner=owner, status=S.STAFFING)
    client = client_for(owner)
    response = client.post(url("transition", engagement, name="cancel"), {"reason": "  "})
    assert response.status_code == 400
    assert "Give a reason." in text(response)
    engagement.refresh_from_db()
    assert engagement.status == S.STAFFING

    client.post(url("transition", engagement, name="cancel"), {"reason": "Venue closed"})
    engagement.refresh_from_db()
    assert engagement.status == S.CANCELLED
    assert engagement.transitions.get(name="cancel").reason == "Venue closed"


def test_confirming_a_public_engagement_without_a_privacy_plan_is_refused(owner, make_consultant):
    engagement = EngagementFactory(owner=owner, status=S.STAFFING, audience="public")
    ParticipationFactory(engagement=engagement, consultant=make_consultant(), status=P.CONFIRMED)
    response = client_for(owner).post(url("transition", engagement, name="confirm"))
    assert response.status_code == 400
    assert "needs a privacy plan first" in text(response)
    engagement.refresh_from_db()
    assert engagement.status == S.STAFFING


def test_transition_hostile_input(owner):
    engagement = EngagementFactory(owner=owner)
    client = client_for(owner)
    assert client.post(url("transition", engagement, name="explode")).status_code == 404
    assert client.get(url("transition", engagement, name="submit")).status_code == 405
    response = client.post(url("transition", engagement, name="cancel"), {"reason": "x" * 3000})
    assert response.status_code == 400
    engagement.refresh_from_db()
    assert engagement.status == S.DRAFT


def test_a_transition_from_the_wrong_state_is_refused(owner):
    engagement = EngagementFactory(owner=owner, status=S.CLOSED)
    response = client_for(owner).post(url("transition", engagement, name="submit"))
    assert response.status_code == 400
    assert "is not possible while the engagement is “Closed”" in text(response)


# --- Participants --------------------------------------------------------------------------


def test_confirm_twice_is_refused_the_second_time(owner, make_consultant):
    engagement = EngagementFactory(owner=owner, status=S.STAFFING)
    participation = ParticipationFactory(
        engagement=engagement, consultant=make_consultant(pseudonym="Bituin"), status=P.ACCEPTED
    )
    client = client_for(owner)
    path = url("participation_confirm", engagement, participation_pk=participation.pk)
    response = client.post(path, follow=True)
    assert "Bituin is confirmed." in text(response)
    response = client.post(path)  # a second tab
    assert response.status_code == 400
    assert "This consultant is already confirmed." in text(response)
    assert participation.changes.filter(to_status=P.CONFIRMED).count() == 1


def test_revoke_an_invitation(owner, make_consultant):
    engagement = EngagementFactory(owner=owner, status=S.STAFFING)
    participation = ParticipationFactory(engagement=engagement, consultant=make_consultant())
    client_for(owner).post(
        url("participation_revoke", engagement, participation_pk=participation.pk)
    )
    participation.refresh_from_db()
    assert participation.status == P.REVOKED


def test_attendance_after_the_start(owner, make_consultant):
    start = timezone.now() - datetime.timedelta(hours=3)
    engagement = EngagementFactory(
        owner=owner, status=S.CONFIRMED, start=start, end=start + datetime.timedelta(hours=2)
    )
    participation = ParticipationFactory(
        engagement=engagement, consultant=make_consultant(), status=P.CONFIRMED
    )
    client = client_for(owner)
    path = url("participation_attendance", engagement, participation_pk=participation.pk)
    assert client.post(path, {"attended": "maybe"}).status_code == 400
    assert client.post(path, {"attended": "no"}).status_code == 302
    participation.refresh_from_db()
    assert participation.status == P.NO_SHOW
    client.post(path, {"attended": "yes"})  # a correction
    participation.refresh_from_db()
    assert participation.status == P.ATTENDED


def test_attendance_before_the_start_is_refused(owner, make_consultant):
    engagement = EngagementFactory(owner=owner, status=S.CONFIRMED)
    participation = ParticipationFactory(
        engagement=engagement, consultant=make_consultant(), status=P.CONFIRMED
    )
    response = client_for(owner).post(
        url("participation_attendance", engagement, participation_pk=participation.pk),
        {"attended": "yes"},
    )
    assert response.status_code == 400
    assert "The engagement has not started yet." in text(response)
    participation.refresh_from_db()
    assert participation.status == P.CONFIRMED


def test_answer_recorded_on_behalf(owner, make_consultant):
    engagement = EngagementFactory(owner=owner, status=S.STAFFING)
    participation = ParticipationFactory(engagement=engagement, consultant=make_consultant())
    client = client_for(owner)
    path = url("participation_answer", engagement, participation_pk=participation.pk)
    assert client.post(path, {"answer": "delete"}).status_code == 400
    client.post(path, {"answer": "accept"})
    participation.refresh_from_db()
    assert participation.status == P.ACCEPTED
    assert participation.changes.last().by == owner
    client.post(path, {"answer": "withdraw"})
    participation.refresh_from_db()
    assert participation.status == P.WITHDRAWN


def test_a_participation_of_another_engagement_is_404(owner, make_consultant):
    mine = EngagementFactory(owner=owner, status=S.STAFFING)
    theirs = ParticipationFactory(consultant=make_consultant(), status=P.ACCEPTED)
    response = client_for(owner).post(
        url("participation_confirm", mine, participation_pk=theirs.pk)
    )
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == P.ACCEPTED


# --- Matching and invitations -------------------------------------------------------------------


def test_matching_suggests_with_reasons_and_shows_the_excluded_on_request(owner, make_consultant):
    topic = ExpertiseTopic.objects.create(slug="y-topic", name="Youth policy")
    engagement = EngagementFactory(owner=owner, status=S.STAFFING, expertise=[topic])
    make_consultant(pseudonym="Bituin", expertise=[topic])
    make_consultant(pseudonym="Resting", status="alumni")
    client = client_for(owner)

    page = text(client.get(url("matching", engagement)))
    assert "Bituin" in page
    assert "Knows Youth policy (1 of 1 topic wanted)." in page
    assert "No engagements in the last 90 days." in page
    assert "Resting" not in page
    assert "Show excluded and why" in page

    page = text(client.get(url("matching", engagement), {"excluded": "1"}))
    assert "Resting" in page and "Alumni: no longer takes engagements." in page


def test_invite_from_matching(owner, make_consultant):
    engagement = EngagementFactory(owner=owner, status=S.STAFFING)
    consultant = make_consultant(pseudonym="Bituin")
    response = client_for(owner).post(
        url("invite", engagement), {"consultant": consultant.pk, "role": "speaker"}, follow=True
    )
    assert "Bituin is invited as speaker." in text(response)
    participation = Participation.objects.get()
    assert (participation.consultant, participation.role, participation.status) == (
        consultant,
        "speaker",
        P.INVITED,
    )


def test_inviting_an_excluded_consultant_is_refused_with_the_reasons(owner, make_consultant):
    engagement = EngagementFactory(owner=owner, status=S.STAFFING, audience="public")
    consultant = make_consultant(pseudonym="Bituin", status="alumni")
    response = client_for(owner).post(
        url("invite", engagement), {"consultant": consultant.pk, "role": "speaker"}
    )
    page = text(response)
    assert response.status_code == 400
    assert "Bituin cannot be invited:" in page
    assert "Alumni: no longer takes engagements." in page
    assert "No consent for:" in page
    assert not Participation.objects.exists()


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"consultant": "abc", "role": "speaker"},
        {"consultant": "999999", "role": "speaker"},
        {"consultant": "1", "role": "queen"},
    ],
)
def test_invite_bad_input(owner, data):
    engagement = EngagementFactory(owner=owner, status=S.STAFFING)
    response = client_for(owner).post(url("invite", engagement), data)
    assert response.status_code == 400
    assert "Nobody was invited." in text(response)
    assert not Participation.objects.exists()


def test_invite_outside_staffing_is_refused(owner, make_consultant):
    engagement = EngagementFactory(owner=owner, status=S.APPROVED)
    consultant = make_consultant()
    response = client_for(owner).post(
        url("invite", engagement), {"consultant": consultant.pk, "role": "speaker"}
    )
    assert response.status_code == 400
    assert "Consultants are invited while the engagement is staffing" in text(response)
    assert not Participation.objects.exists()


def test_matching_query_count_is_the_same_at_10_and_1000_engagements(owner, make_consultant):
    topic = ExpertiseTopic.objects.create(slug="z-topic", name="Z")
    engagement = EngagementFactory(owner=owner, status=S.STAFFING, expertise=[topic])
    consultants = [make_consultant(expertise=[topic]) for _ in range(3)]
    client = client_for(owner)
    client.get(url("matching", engagement))
    _bulk_engagements(owner, consultants[0], 10, start_day=MONDAY + datetime.timedelta(days=60))
    at_10 = (
        _queries(client, url("matching", engagement)),
        _queries(client, url("matching", engagement), {"excluded": "1"}),
    )
    for consultant in consultants[1:]:
        _bulk_engagements(owner, consultant, 495, start_day=MONDAY + datetime.timedelta(days=60))
    at_1000 = (
        _queries(client, url("matching", engagement)),
        _queries(client, url("matching", engagement), {"excluded": "1"}),
    )
    assert Engagement.objects.count() > 1000
    assert at_10 == at_1000, (at_10, at_1000)


# --- Privacy plan -------------------------------------------------------------------------------


def test_privacy_plan_write_then_approve(owner, manager_user):
    engagement = EngagementFactory(owner=owner, status=S.STAFFING, audience="media")
    data = {
        "pseudonym_only": "on",
        "photo": "not_allowed",
        "video": "protected",
        "audio": "not_allowed",
        "seating_and_entry": "Side entrance",
        "support_person_present": "Ate Joy",
    }
    response = client_for(owner).post(url("privacy_plan", engagement), data, follow=True)
    assert "The privacy plan was saved. A programme manager approves it." in text(response)
    plan = PrivacyPlan.objects.get()
    assert plan.video == "protected" and not plan.is_approved
    assert client_for(owner).post(url("privacy_plan_approve", engagement)).status_code == 403

    client_for(manager_user).post(url("privacy_plan_approve", engagement))
    plan.refresh_from_db()
    assert plan.approved_by == manager_user

    # A change needs approving again.
    client_for(owner).post(url("privacy_plan", engagement), {**data, "photo": "allowed"})
    plan.refresh_from_db()
    assert plan.photo == "allowed" and not plan.is_approved


def test_privacy_plan_bad_input(owner):
    engagement = EngagementFactory(owner=owner, status=S.STAFFING, audience="media")
    response = client_for(owner).post(
        url("privacy_plan", engagement), {"photo": "everything", "video": "", "audio": "allowed"}
    )
    assert response.status_code == 400
    assert not PrivacyPlan.objects.exists()


def test_privacy_plan_approve_without_a_plan_is_404(manager_user):
    engagement = EngagementFactory(status=S.STAFFING)
    assert client_for(manager_user).post(url("privacy_plan_approve", engagement)).status_code == 404


# --- Staff of the engagement ----------------------------------------------------------------------


def test_assign_and_unassign_staff(owner, make_user, make_consultant):
    colleague = make_user(Role.PROGRAMME_STAFF, display_name="Cora Colleague")
    engagement = EngagementFactory(owner=owner, status=S.STAFFING)
    client = client_for(owner)
    page = text(client.get(url("assign_staff", engagement)))
    assert "Cora Colleague" in page

    client.post(url("assign_staff", engagement), {"staff_member": colleague.pk})
    assert list(engagement.assigned_staff.all()) == [colleague]
    # Now the colleague sees it.
    assert client_for(colleague).get(url("detail", engagement)).status_code == 200

    client.post(url("unassign_staff", engagement, user_pk=colleague.pk))
    assert not engagement.assigned_staff.exists()
    assert client_for(colleague).get(url("detail", engagement)).status_code == 404


def test_assign_staff_refuses_someone_not_programme_staff(owner, finance_user):
    engagement = EngagementFactory(owner=owner)
    response = client_for(owner).post(
        url("assign_staff", engagement), {"staff_member": finance_user.pk}
    )
    assert response.status_code == 400
    assert not engagement.assigned_staff.exists()


# --- Debrief and feedback ------------------------------------------------------------------------


def test_debrief_once_completed(owner):
    engagement = EngagementFactory(owner=owner, status=S.CONFIRMED)
    client = client_for(owner)
    response = client.post(
        url("debrief", engagement), {"held_on": "2031-06-02", "note": "It went well."}
    )
    assert response.status_code == 400
    assert "A debrief is written once the engagement is completed." in text(response)
    assert not Debrief.objects.exists()

    Engagement.objects.filter(pk=engagement.pk).update(status=S.COMPLETED)
    today = timezone.localdate().isoformat()
    assert (
        client.post(url("debrief", engagement), {"held_on": today, "note": ""}).status_code == 400
    )
    response = client.post(url("debrief", engagement), {"held_on": today, "note": "It went well."})
    assert response.status_code == 302
    assert Debrief.objects.get().note == "It went well."
    assert "It went well." in text(client.get(url("detail", engagement)))


def test_feedback_respects_anonymity(owner, make_consultant):
    engagement = EngagementFactory(owner=owner, status=S.COMPLETED)
    FeedbackFactory(
        participation__engagement=engagement,
        participation__consultant=make_consultant(pseudonym="Named"),
        comments="Loved it",
    )
    FeedbackFactory(
        participation__engagement=engagement,
        participation__consultant=make_consultant(pseudonym="Hidden"),
        anonymous=True,
        comments="Too long",
    )
    page = text(client_for(owner).get(url("feedback", engagement)))
    assert "Named" in page and "Loved it" in page
    assert "Hidden" not in page and "Too long" in page and "Anonymous" in page


def test_feedback_page_is_refused_to_readers(finance_user, owner):
    engagement = EngagementFactory(owner=owner, status=S.COMPLETED)
    assert client_for(finance_user).get(url("feedback", engagement)).status_code == 403


# --- Dashboard ---------------------------------------------------------------------------------


def test_dashboard_shows_what_needs_me_today(owner, manager_user, make_consultant):
    EngagementFactory(title="Waiting approval", status=S.SUBMITTED)
    soon = timezone.now() + datetime.timedelta(days=3)
    staffing = EngagementFactory(
        owner=owner,
        title="Soon",
        status=S.STAFFING,
        start=soon,
        end=soon + datetime.timedelta(hours=1),
    )
    ParticipationFactory(
        engagement=staffing, consultant=make_consultant(pseudonym="Bituin"), status=P.ACCEPTED
    )
    DebriefFactory(engagement=EngagementFactory(owner=owner, title="Debriefed", status=S.COMPLETED))
    EngagementFactory(owner=owner, title="Needs debrief", status=S.COMPLETED)

    page = text(client_for(owner).get(reverse("staff:dashboard")))
    assert "What needs you today" in page
    assert "Soon" in page and "Bituin" in page and "Needs debrief" in page
    assert "Waiting approval" not in page  # only managers approve
    assert "Debriefed" not in page

    manager_page = text(client_for(manager_user).get(reverse("staff:dashboard")))
    assert "Waiting approval" in manager_page
    assert "Consultants" in manager_page  # the existing cards stay


def test_dashboard_says_when_nothing_needs_me(finance_user):
    assert "Nothing needs you today." in text(
        client_for(finance_user).get(reverse("staff:dashboard"))
    )


# --- The consultants directory's load -----------------------------------------------------------


def test_directory_shows_this_months_load_from_engagements(manager_user, make_consultant):
    today = timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today.replace(day=1), datetime.time(9)))
    consultant = make_consultant(pseudonym="Busy", monthly_engagement_limit=3)
    for n, status in enumerate([P.ACCEPTED, P.CONFIRMED, P.INVITED, P.DECLINED]):
        engagement = EngagementFactory(
            start=start + datetime.timedelta(hours=3 * n),
            end=start + datetime.timedelta(hours=3 * n + 1),
        )
        ParticipationFactory(engagement=engagement, consultant=consultant, status=status)
    next_month = EngagementFactory(
        start=start + datetime.timedelta(days=40), end=start + datetime.timedelta(days=40, hours=1)
    )
    ParticipationFactory(engagement=next_month, consultant=consultant, status=P.CONFIRMED)

    client = client_for(manager_user)
    page = text(client.get(reverse("consultants:directory")))
    assert "2 of 3" in page
    assert "2 of at most 3" in text(client.get(reverse("consultants:detail", args=[consultant.pk])))


def test_directory_load_adds_no_queries(manager_user, make_consultant):
    client = client_for(manager_user)
    consultants = [make_consultant() for _ in range(3)]
    client.get(reverse("consultants:directory"))
    before = _queries(client, reverse("consultants:directory"))
    today = timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today.replace(day=1), datetime.time(9)))
    for n, consultant in enumerate(consultants):
        engagement = EngagementFactory(
            start=start + datetime.timedelta(hours=n),
            end=start + datetime.timedelta(hours=n, minutes=30),
        )
        ParticipationFactory(engagement=engagement, consultant=consultant, status=P.CONFIRMED)
    ConsultantFactory.create_batch(20)
    after = _queries(client, reverse("consultants:directory"))
    assert before == after


def test_privacy_plan_page_shows_the_support_person_to_those_who_run_it(owner):
    engagement = EngagementFactory(owner=owner, status=S.STAFFING, audience="public")
    PrivacyPlanFactory(engagement=engagement)
    assert "Secret Support Person" in text(client_for(owner).get(url("privacy_plan", engagement)))


def test_consent_scopes_needed_are_named_on_matching(owner):
    engagement = EngagementFactory(owner=owner, status=S.STAFFING, audience="media")
    page = text(client_for(owner).get(url("matching", engagement)))
    assert str(ConsentScope.QUOTING.label) in page


def test_what_submitting_needs_is_named_on_the_form_and_linked_from_the_button(owner):
    """A field is optional or a gate, never both: purpose, what is asked and the
    venue may be left empty in a draft, but the form says they are needed to
    submit, and the page's refused "Submit for approval" links to each one."""
    engagement = EngagementFactory(
        owner=owner, purpose="", expected_contribution="", mode="in_person", venue=""
    )
    client = client_for(owner)

    page = text(client.get(url("detail", engagement)))
    edit = url("edit", engagement)
    assert f'href="{edit}#id_purpose">Describe the purpose.</a>' in page
    assert f'href="{edit}#id_expected_contribution">Say what is asked' in page
    assert f'href="{edit}#id_venue">An engagement in person needs a venue.</a>' in page

    form = text(client.get(edit))
    assert form.count("Needed before you submit for approval.") == 2
    assert "needed before you submit for approval." in form
    for name in ("purpose", "expected_contribution", "venue"):
        label_start = form.index(f'<label for="id_{name}">')
        label = form[label_start : form.index("</label>", label_start)]
        assert "(optional)" not in label
    # Still truly optional fields keep their marker.
    label_start = form.index('<label for="id_requested_by">')
    assert "(optional)" in form[label_start : form.index("</label>", label_start)]

    # A draft still saves without them.
    response = client.post(edit, _form_data(purpose="", expected_contribution=""))
    assert response.status_code == 302
    engagement.refresh_from_db()
    assert engagement.purpose == ""
    assert engagement.status == S.DRAFT
