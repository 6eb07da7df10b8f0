"""The consultant's own portal pages (/portal/me/): happy paths, bad input,
hostile input (another consultant's objects, forged scopes, no CSRF token),
and what each page costs in queries. Who reaches which page at all is in
test_portal_permission_matrix.py."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from consultants import selectors, services
from consultants.models import (
    BusyPeriod,
    ConsentRecord,
    ConsentScope,
    ConsentText,
    Consultant,
    WeeklyAvailability,
)
from tests.consultants.factories import (
    BusyPeriodFactory,
    ConsentTextFactory,
    ConsultantFactory,
    WeeklyAvailabilityFactory,
)
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
NOON = datetime.datetime(2026, 6, 15, 4, tzinfo=datetime.UTC)  # 12:00 in Manila


@pytest.fixture
def client(consultant_user, own_consultant):
    return client_for(consultant_user)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def _page(response) -> str:
    return response.content.decode()


# --- Everyone's pages: sign-in, no-store, a consultant without a profile ----------------


def test_anonymous_is_sent_to_sign_in():
    response = Client().get(reverse("my:availability"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/portal/me/availability/")


def test_staff_get_403(manager_user):
    assert client_for(manager_user).get(reverse("my:details")).status_code == 403


def test_a_consultant_account_without_a_profile_gets_a_kind_404(consultant_user):
    response = client_for(consultant_user).get(reverse("my:details"))
    assert response.status_code == 404
    assert "Not ready yet" in _page(response)


@pytest.mark.parametrize(
    "name", ["my:index", "my:details", "my:details_edit", "my:availability", "my:consent"]
)
def test_pages_are_never_stored(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


def test_posts_need_the_csrf_token(consultant_user, own_consultant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(consultant_user)
    response = client.post(
        reverse("my:window_add"), {"weekday": 0, "start_time": "09:00", "end_time": "12:00"}
    )
    assert response.status_code == 403
    assert not WeeklyAvailability.objects.exists()


# --- My details -------------------------------------------------------------------------


def test_details_show_my_own_values_and_nobody_elses(client, own_consultant, consultant):
    page = _page(client.get(reverse("my:details")))
    assert own_consultant.email in page
    assert own_consultant.phone in page
    assert own_consultant.support_person_name in page
    assert consultant.email not in page
    assert "Maria Secret Santos" not in page


DETAILS = {
    "message_name": "  Ta  ",
    "email": "Tala.New@Example.NET",
    "phone": "0917-555-0101",
    "address": "12 New Street",
    "support_person_name": "Ate Lorna",
    "support_person_relation": "Sister",
    "support_person_contact": "0918 555 0202",
    "preferred_languages": ["ceb"],
    "spoken_languages": ["en"],
}


def test_details_change(client, own_consultant):
    response = client.post(reverse("my:details_edit"), DETAILS)

    assert response.status_code == 302
    assert response["Location"] == reverse("my:details")
    own_consultant.refresh_from_db()
    assert own_consultant.message_name == "Ta"
    assert own_consultant.email == "tala.new@example.net"
    assert own_consultant.phone == "+639175550101"
    assert own_consultant.support_person_name == "Ate Lorna"
    assert own_consultant.preferred_languages == ["ceb"]
    assert own_consultant.spoken_languages == ["en", "ceb"]  # preferred counts as spoken
    assert own_consultant.legal_name  # untouched


def test_details_form_is_filled_with_my_values(client, own_consultant):
    page = _page(client.get(reverse("my:details_edit")))
    assert f'value="{own_consultant.email}"' in page
    assert f'value="{own_consultant.phone}"' in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("phone", "12345", "Enter a Philippine mobile number"),
        ("email", "not-an-address", "Please enter an e-mail address like name@example.com."),
        ("preferred_languages", ["xx"], "Please choose from the options shown."),
        ("address", "x" * 501, "Please keep this to 500 characters or fewer."),
        ("message_name", "<b>" * 30, "Please keep this to 80 characters or fewer."),
    ],
)
def test_details_bad_input_saves_nothing(client, own_consultant, field, value, message):
    before = (own_consultant.email, own_consultant.phone, own_consultant.address)
    response = client.post(reverse("my:details_edit"), {**DETAILS, field: value})

    assert response.status_code == 200
    assert message in _page(response)
    own_consultant.refresh_from_db()
    assert (own_consultant.email, own_consultant.phone, own_consultant.address) == before


def test_details_cannot_touch_other_fields(client, own_consultant):
    client.post(
        reverse("my:details_edit"),
        {**DETAILS, "pseudonym": "Hacked", "legal_name": "X", "status": "alumni"},
    )
    own_consultant.refresh_from_db()
    assert own_consultant.pseudonym == "Tala"
    assert own_consultant.legal_name != "X"
    assert own_consultant.status == Consultant.Status.ACTIVE


# --- Weekly windows ---------------------------------------------------------------------


def test_availability_empty_states(client):
    page = _page(client.get(reverse("my:availability")))
    assert "No free times yet" in page
    assert "No busy days coming up" in page


def test_window_add_and_list(client, own_consultant):
    response = client.post(
        reverse("my:window_add"), {"weekday": 2, "start_time": "18:00", "end_time": "21:00"}
    )
    assert response.status_code == 302
    window = WeeklyAvailability.objects.get(consultant=own_consultant)
    assert (window.weekday, window.start_time) == (2, datetime.time(18))
    page = _page(client.get(reverse("my:availability")))
    assert "Wednesday" in page and "18:00\u201321:00" in page


def test_overlapping_window_is_refused_clearly(client, own_consultant):
    WeeklyAvailabilityFactory(consultant=own_consultant, weekday=0)  # 09:00-12:00
    response = client.post(
        reverse("my:window_add"), {"weekday": 0, "start_time": "11:00", "end_time": "13:00"}
    )
    assert response.status_code == 200
    assert "overlaps another window" in _page(response)
    assert WeeklyAvailability.objects.filter(consultant=own_consultant).count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"weekday": 0, "start_time": "12:00", "end_time": "09:00"}, "must end after it starts"),
        (
            {"weekday": 0, "start_time": "25:00", "end_time": "26:00"},
            "Please enter a time like 14:30.",
        ),
        (
            {"weekday": 9, "start_time": "09:00", "end_time": "10:00"},
            "Please choose one of the options",
        ),
        (
            {"weekday": "Monday", "start_time": "09:00", "end_time": "10:00"},
            "Please choose one of the options",
        ),
        ({}, "Please choose one."),
        ({"weekday": 0, "start_time": "", "end_time": "10:00"}, "Please fill this in."),
    ],
)
def test_bad_window_saves_nothing(client, data, message):
    response = client.post(reverse("my:window_add"), data)
    assert response.status_code == 200
    assert message in _page(response)
    assert not WeeklyAvailability.objects.exists()


def test_window_remove_asks_first(client, own_consultant):
    window = WeeklyAvailabilityFactory(consultant=own_consultant)
    url = reverse("my:window_remove", args=[window.pk])

    page = _page(client.get(url))
    assert "Remove this free time?" in page
    assert WeeklyAvailability.objects.filter(pk=window.pk).exists()

    assert client.post(url).status_code == 302
    assert not WeeklyAvailability.objects.filter(pk=window.pk).exists()


def test_another_consultants_window_is_404(client, consultant):
    window = WeeklyAvailabilityFactory(consultant=consultant)
    url = reverse("my:window_remove", args=[window.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert WeeklyAvailability.objects.filter(pk=window.pk).exists()


def test_unknown_window_is_404(client):
    assert client.get("/portal/me/availability/times/999999/remove/").status_code == 404


# --- Busy periods ------------------------------------------------------------------------


@time_machine.travel(NOON, tick=False)
def test_busy_period_add_and_list(client, own_consultant):
    response = client.post(
        reverse("my:busy_add"),
        {"kind": "exams", "starts_on": "2026-06-20", "ends_on": "2026-06-24", "note": "Finals"},
    )
    assert response.status_code == 302
    period = BusyPeriod.objects.get(consultant=own_consultant)
    assert (period.kind, period.starts_on, period.note) == (
        "exams",
        datetime.date(2026, 6, 20),
        "Finals",
    )
    page = _page(client.get(reverse("my:availability")))
    assert "Exams" in page and "20 Jun \u2013 24 Jun 2026" in page and "Finals" in page


@time_machine.travel(NOON, tick=False)
def test_past_busy_periods_are_not_listed(client, own_consultant):
    BusyPeriodFactory(
        consultant=own_consultant,
        kind="travel",
        starts_on=datetime.date(2026, 5, 1),
        ends_on=datetime.date(2026, 5, 3),
    )
    assert "No busy days coming up" in _page(client.get(reverse("my:availability")))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"kind": "work", "starts_on": "2026-07-10", "ends_on": "2026-07-01"},
            "cannot be before the first day",
        ),
        (
            {"kind": "work", "starts_on": "2026-02-30", "ends_on": "2026-03-01"},
            "Please enter a date like 5 December 2026.",
        ),
        ({"kind": "work", "starts_on": "tomorrow", "ends_on": "2026-03-01"}, "Please enter a date"),
        (
            {"kind": "party", "starts_on": "2026-07-01", "ends_on": "2026-07-01"},
            "Please choose one of",
        ),
        (
            {"kind": "work", "starts_on": "2026-07-01", "ends_on": "2026-07-01", "note": "x" * 201},
            "Please keep this to 200 characters or fewer.",
        ),
    ],
)
def test_bad_busy_period_saves_nothing(client, data, message):
    response = client.post(reverse("my:busy_add"), data)
    assert response.status_code == 200
    assert message in _page(response)
    assert not BusyPeriod.objects.exists()


def test_busy_period_remove_asks_first(client, own_consultant):
    period = BusyPeriodFactory(consultant=own_consultant)
    url = reverse("my:busy_remove", args=[period.pk])
    assert "Remove these busy days?" in _page(client.get(url))
    assert client.post(url).status_code == 302
    assert not BusyPeriod.objects.filter(pk=period.pk).exists()


def test_another_consultants_busy_period_is_404(client, consultant):
    period = BusyPeriodFactory(consultant=consultant)
    url = reverse("my:busy_remove", args=[period.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert BusyPeriod.objects.filter(pk=period.pk).exists()


# --- A break ---------------------------------------------------------------------------------


@time_machine.travel(NOON, tick=False)
def test_take_a_break_then_change_its_end_then_end_it(client, own_consultant):
    response = client.post(reverse("my:break"), {"break_until": "2026-07-31"})
    assert response.status_code == 302
    own_consultant.refresh_from_db()
    assert own_consultant.status == Consultant.Status.ON_BREAK
    assert own_consultant.break_until == datetime.date(2026, 7, 31)
    change = selectors.status_history(consultant=own_consultant).first()
    assert change.changed_by.pk == own_consultant.user_id and change.reason == ""

    assert "Friday 31 July 2026" in _page(client.get(reverse("my:availability")))
    client.post(reverse("my:break"), {"break_until": "2026-07-10"})
    own_consultant.refresh_from_db()
    assert own_consultant.break_until == datetime.date(2026, 7, 10)

    assert "End your break now?" in _page(client.get(reverse("my:break_end")))
    own_consultant.refresh_from_db()
    assert own_consultant.status == Consultant.Status.ON_BREAK  # GET only asks
    assert client.post(reverse("my:break_end")).status_code == 302
    own_consultant.refresh_from_db()
    assert own_consultant.status == Consultant.Status.ACTIVE
    assert own_consultant.break_until is None


@time_machine.travel(NOON, tick=False)
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-06-15", "Choose a day after today"),
        ("2026-01-01", "Choose a day after today"),
        ("2026-13-01", "Please enter a date like 5 December 2026."),
        ("2026-06-15'; DROP TABLE consultants_consultant;--", "Please enter a date like"),
        ("", "Please fill this in."),
    ],
)
def test_bad_break_date_changes_nothing(client, own_consultant, value, message):
    response = client.post(reverse("my:break"), {"break_until": value})
    assert response.status_code == 200
    assert message in _page(response)
    own_consultant.refresh_from_db()
    assert own_consultant.status == Consultant.Status.ACTIVE


@time_machine.travel(NOON, tick=False)
def test_onboarding_consultant_cannot_set_a_break_here(consultant_user):
    consultant = ConsultantFactory(user=consultant_user, status=Consultant.Status.ONBOARDING)
    client = client_for(consultant_user)

    page = _page(client.get(reverse("my:break")))
    assert "tell the programme team" in page
    response = client.post(reverse("my:break"), {"break_until": "2026-07-31"}, follow=True)
    assert "A break cannot be set right now." in _messages(response)
    consultant.refresh_from_db()
    assert consultant.status == Consultant.Status.ONBOARDING


def test_ending_a_break_when_not_on_one(client, own_consultant):
    response = client.post(reverse("my:break_end"), follow=True)
    assert "You are not on a break." in _messages(response)
    own_consultant.refresh_from_db()
    assert own_consultant.status == Consultant.Status.ACTIVE


# --- Consent ------------------------------------------------------------------------------------


def _records(consultant):
    return ConsentRecord.objects.filter(consultant=consultant)


def test_consent_page_shows_each_scope(client, own_consultant, published_texts):
    services.consent_grant(
        consultant=own_consultant, scope=ConsentScope.PHOTO, by=own_consultant.user
    )
    page = _page(client.get(reverse("my:consent")))
    for scope in ConsentScope:
        assert str(scope.label) in page
    assert "text version 1" in page
    assert reverse("my:consent_withdraw", args=["photo"]) in page
    assert reverse("my:consent_grant", args=["video"]) in page
    assert "by you" in page


def test_consent_empty_state(client):
    page = _page(client.get(reverse("my:consent")))
    assert "Nothing recorded yet" in page
    # No published text: nothing to agree to (a migration publishes the
    # first text of "appearing at public events"; the others come later).
    published = set(
        ConsentText.objects.filter(published_at__isnull=False).values_list("scope", flat=True)
    )
    for scope in set(ConsentScope.values) - published:
        assert reverse("my:consent_grant", args=[scope]) not in page


def test_consent_recorded_by_staff_says_so(client, own_consultant, manager_user, published_texts):
    services.consent_grant(consultant=own_consultant, scope=ConsentScope.AUDIO, by=manager_user)
    page = _page(client.get(reverse("my:consent")))
    assert "recorded by the programme team" in page
    assert manager_user.display_name not in page


def test_withdraw_asks_first_then_counts_at_once(client, own_consultant, published_texts):
    services.consent_grant(
        consultant=own_consultant, scope=ConsentScope.PHOTO, by=own_consultant.user
    )
    url = reverse("my:consent_withdraw", args=["photo"])

    assert "Withdraw your consent for “Photographs”?" in _page(client.get(url))
    assert selectors.consent_is_granted(consultant=own_consultant, scope="photo")

    response = client.post(url, follow=True)
    assert "Your consent for “Photographs” is withdrawn, from this moment on." in _messages(
        response
    )
    assert not selectors.consent_is_granted(consultant=own_consultant, scope="photo")
    latest = _records(own_consultant).first()
    assert latest.action == ConsentRecord.Action.WITHDRAWN
    assert latest.recorded_by == own_consultant.user


def test_withdrawing_a_scope_never_granted_says_so(client, own_consultant, published_texts):
    url = reverse("my:consent_withdraw", args=["video"])
    expected = "Consent for “Video” is not currently given, so there is nothing to withdraw."

    assert expected in _messages(client.get(url, follow=True))
    assert expected in _messages(client.post(url, follow=True))
    assert not _records(own_consultant).exists()


def test_grant_shows_the_current_text_and_needs_the_tick(client, own_consultant, published_texts):
    ConsentTextFactory(
        scope="video", version=2, body="Video text, second wording", published_at=NOON
    )
    url = reverse("my:consent_grant", args=["video"])

    page = _page(client.get(url))
    assert "Video text, second wording" in page and "version 2" in page

    response = client.post(url, {"version": 2})
    assert "Tick the box if you want to give your consent." in _page(response)
    assert not _records(own_consultant).exists()

    response = client.post(url, {"version": 2, "agree": "on"}, follow=True)
    assert "Thank you. Your consent for “Video” is recorded." in _messages(response)
    record = _records(own_consultant).get()
    assert (record.scope, record.action, record.consent_text.version) == ("video", "granted", 2)


def test_grant_of_a_text_replaced_while_reading_asks_to_read_again(
    client, own_consultant, published_texts
):
    ConsentTextFactory(scope="photo", version=2, body="New photo text", published_at=NOON)
    response = client.post(
        reverse("my:consent_grant", args=["photo"]), {"version": 1, "agree": "on"}
    )
    assert response.status_code == 200
    assert "The text has just been updated" in _page(response)
    assert "New photo text" in _page(response)
    assert not _records(own_consultant).exists()


def test_regrant_after_withdrawal(client, own_consultant, published_texts):
    services.consent_grant(consultant=own_consultant, scope="photo", by=own_consultant.user)
    services.consent_withdraw(consultant=own_consultant, scope="photo", by=own_consultant.user)
    client.post(reverse("my:consent_grant", args=["photo"]), {"version": 1, "agree": "on"})
    assert selectors.consent_is_granted(consultant=own_consultant, scope="photo")
    assert list(_records(own_consultant).values_list("action", flat=True)) == [
        "granted",
        "withdrawn",
        "granted",
    ]


def test_a_newer_text_is_offered_while_the_old_consent_stands(
    client, own_consultant, published_texts
):
    services.consent_grant(consultant=own_consultant, scope="photo", by=own_consultant.user)
    ConsentTextFactory(scope="photo", version=2, body="Photo, reworded", published_at=NOON)

    page = _page(client.get(reverse("my:consent")))
    assert "There is a newer text (version 2)" in page
    assert reverse("my:consent_grant", args=["photo"]) in page

    client.post(reverse("my:consent_grant", args=["photo"]), {"version": 2, "agree": "on"})
    latest = _records(own_consultant).first()
    assert (latest.action, latest.consent_text.version) == ("granted", 2)
    assert "There is a newer text" not in _page(client.get(reverse("my:consent")))


def test_granting_twice_under_the_same_text_says_so(client, own_consultant, published_texts):
    services.consent_grant(consultant=own_consultant, scope="photo", by=own_consultant.user)
    response = client.post(
        reverse("my:consent_grant", args=["photo"]), {"version": 1, "agree": "on"}
    )
    assert "already given under this text" in _page(response)
    assert _records(own_consultant).count() == 1


def test_grant_without_a_published_text(client, own_consultant):
    ConsentText.objects.create(scope="media", version=1, body="Draft only")
    response = client.get(reverse("my:consent_grant", args=["media"]), follow=True)
    assert "There is nothing to agree to for “Contact with the media” yet." in " ".join(
        _messages(response)
    )
    response = client.post(reverse("my:consent_grant", args=["media"]), {"version": 1})
    assert not _records(own_consultant).exists()


@pytest.mark.parametrize("scope", ["everything", "PHOTO", "photo_", "1"])
def test_unknown_scopes_are_404(client, published_texts, scope):
    assert client.get(f"/portal/me/consent/{scope}/give/").status_code == 404
    assert client.post(f"/portal/me/consent/{scope}/withdraw/").status_code == 404


def test_consent_history_cannot_be_changed_from_the_portal(client, own_consultant, published_texts):
    services.consent_grant(consultant=own_consultant, scope="photo", by=own_consultant.user)
    record = _records(own_consultant).get()
    for method in ("put", "patch", "delete"):
        response = getattr(client, method)(reverse("my:consent"))
        assert response.status_code == 405
    page = _page(client.get(reverse("my:consent")))
    assert f"/{record.pk}/" not in page  # no link to any one record


# --- Story sharing -------------------------------------------------------------------------------


def test_story_sharing_default(client, own_consultant):
    page = _page(client.get(reverse("my:story_sharing")))
    assert "You never have to share your personal story." in page
    for choice in Consultant.StorySharing:
        assert str(choice.label) in page

    response = client.post(reverse("my:story_sharing"), {"story_sharing_default": "general"})
    assert response.status_code == 302
    own_consultant.refresh_from_db()
    assert own_consultant.story_sharing_default == "general"


@pytest.mark.parametrize("value", ["everything", ""])
def test_story_sharing_bad_value(client, own_consultant, value):
    response = client.post(reverse("my:story_sharing"), {"story_sharing_default": value})
    assert response.status_code == 200
    own_consultant.refresh_from_db()
    assert own_consultant.story_sharing_default == Consultant.StorySharing.NOTHING


# --- My record --------------------------------------------------------------------------------


def test_record_download(client, own_consultant, consultant):
    assert "Download as JSON" in _page(client.get(reverse("my:record")))
    assert not LogEntry.objects.filter(action=LogEntry.Action.ACCESS).exists()  # GET only shows

    response = client.post(reverse("my:record"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="tinig-record-')
    assert "Tala" not in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["profile"]["pseudonym"] == "Tala"
    assert data["profile"]["phone"] == own_consultant.phone
    assert consultant.email not in response.content.decode()
    entry = LogEntry.objects.get(
        content_type=ContentType.objects.get_for_model(Consultant),
        object_pk=str(own_consultant.pk),
        action=LogEntry.Action.ACCESS,
    )
    assert entry.actor_id == own_consultant.user_id
    assert entry.additional_data["fields"] == ["export"]


# --- Query counts --------------------------------------------------------------------------------
# Session, user, roles, profile, the page's own reads, the session renewal:
# the same whether there is one row or many.


@pytest.mark.parametrize("rows", [1, 7])
def test_availability_queries_do_not_grow_with_rows(
    client, own_consultant, django_assert_num_queries, rows
):
    for day in range(rows):
        WeeklyAvailabilityFactory(consultant=own_consultant, weekday=day)
        BusyPeriodFactory(consultant=own_consultant)
    with django_assert_num_queries(AVAILABILITY_QUERIES):
        assert client.get(reverse("my:availability")).status_code == 200


@pytest.mark.parametrize("scopes", [1, len(ConsentScope.values)])
def test_consent_queries_do_not_grow_with_records(
    client, own_consultant, published_texts, django_assert_num_queries, scopes
):
    user = own_consultant.user
    for scope in ConsentScope.values[:scopes]:
        services.consent_grant(consultant=own_consultant, scope=scope, by=user)
        services.consent_withdraw(consultant=own_consultant, scope=scope, by=user)
        services.consent_grant(consultant=own_consultant, scope=scope, by=user)
    with django_assert_num_queries(CONSENT_QUERIES):
        assert client.get(reverse("my:consent")).status_code == 200


AVAILABILITY_QUERIES = 9
# One of them: her "fold details away" choice ({% discreet %}).
CONSENT_QUERIES = 11


# --- The demo consultant -------------------------------------------------------------------


def test_every_page_works_for_the_demo_consultant():
    """Amihan (consultant@example.org) with the demo's consent, windows,
    busy days and evidence: every page of the portal answers."""
    from accounts import demo as accounts_demo
    from consultants import demo

    accounts_demo.seed()
    demo.seed()
    user = accounts_demo.demo_user("consultant@example.org")
    amihan = Consultant.objects.get(user=user)
    client = client_for(user)
    pages = [
        reverse(name)
        for name in (
            "my:index",
            "my:details",
            "my:details_edit",
            "my:availability",
            "my:window_add",
            "my:busy_add",
            "my:break",
            "my:consent",
            "my:story_sharing",
            "my:record",
        )
    ]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
    data = json.loads(client.post(reverse("my:record")).content)
    assert data["profile"]["pseudonym"] == amihan.pseudonym == "Amihan"
