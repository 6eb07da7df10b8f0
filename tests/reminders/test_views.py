"""Every reminder page x every persona, and the pages with bad, hostile
and unauthorised input."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from reminders import registry
from reminders.models import (
    ConsultantReminderPreference,
    ReminderDelivery,
    ReminderSetting,
    StaffReminderPreference,
)
from reminders.urls_portal import urlpatterns as portal_patterns
from reminders.urls_staff import urlpatterns as staff_patterns
from tests.consultants.factories import ConsultantFactory
from tests.fixtures import name_survivor_leader
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "no_role",
    "consultant",
    "leader",  # another consultant, named survivor leader: her own preferences only
    "staff",
    "manager",
    "finance",
    "wellbeing",
    "admin",
]
S, D, OK, B, RE, N = 302, 403, 200, 400, "redirect", 404

# fmt: off
MATRIX = {
    #                                   anon no_r cons lead staff mgr fin wb  admin
    "reminders:settings":     ("get",  [S,   D,   D,   D,   D,    OK, D,  D,  OK]),
    "reminders:setting_edit": ("get",  [S,   D,   D,   D,   D,    OK, D,  D,  OK]),
    "reminders:log":          ("get",  [S,   D,   D,   D,   D,    OK, D,  D,  OK]),
    "reminders:failed":       ("get",  [S,   D,   D,   D,   D,    OK, D,  D,  OK]),
    "reminders:retry":        ("post", [S,   D,   D,   D,   D,    RE, D,  D,  RE]),
    "reminders:mark_sent":    ("post", [S,   D,   D,   D,   D,    RE, D,  D,  RE]),
    "reminders:me":           ("get",  [S,   D,   D,   D,   OK,   OK, OK, OK, OK]),
    "my_reminders:preferences": ("get", [S,  D,   OK,  OK,  D,    D,  D,  D,  D]),
}
# fmt: on


@pytest.fixture
def world(make_user):
    owner = make_user(Role.CONSULTANT)
    consultant = ConsultantFactory(user=owner, legal_name="Maria Secret")
    failed = ReminderDelivery.objects.create(
        kind="engagement_upcoming",
        target_type="engagements.participation",
        target_id=1,
        consultant=consultant,
        due_at=timezone.now() - datetime.timedelta(hours=1),
        send_after=timezone.now(),
        status=ReminderDelivery.Status.FAILED,
        attempts=5,
        last_error="SMTPServerDisconnected",
    )
    uncertain = ReminderDelivery.objects.create(
        kind="payment_sent",
        target_type="compensation.payment",
        target_id=1,
        consultant=consultant,
        due_at=timezone.now() - datetime.timedelta(hours=1),
        send_after=timezone.now(),
        status=ReminderDelivery.Status.UNCERTAIN,
        attempts=1,
        interrupted=1,
        last_error="Interrupted",
    )
    return {"owner": owner, "consultant": consultant, "failed": failed, "uncertain": uncertain}


def _persona(name, world, make_user):
    return {
        "anonymous": lambda: None,
        "no_role": lambda: make_user(None),
        "consultant": lambda: world["owner"],
        "leader": lambda: name_survivor_leader(
            ConsultantFactory(user=make_user(Role.CONSULTANT), legal_name="Lea Leader")
        ),
        "staff": lambda: make_user(Role.PROGRAMME_STAFF),
        "manager": lambda: make_user(Role.PROGRAMME_MANAGER),
        "finance": lambda: make_user(Role.FINANCE_OFFICER),
        "wellbeing": lambda: make_user(Role.WELLBEING_LEAD),
        "admin": lambda: make_user(Role.ADMINISTRATOR),
    }[name]()


def _url(name, world):
    kwargs = {
        "reminders:setting_edit": {"kind": "engagement_upcoming"},
        "reminders:retry": {"pk": world["failed"].pk},
        "reminders:mark_sent": {"pk": world["uncertain"].pk},
    }.get(name, {})
    return reverse(name, kwargs=kwargs)


CASES = [
    pytest.param(name, persona, method, expected, id=f"{name}-{persona}")
    for name, (method, row) in MATRIX.items()
    for persona, expected in zip(PERSONAS, row, strict=True)
]


@pytest.mark.parametrize(("name", "persona", "method", "expected"), CASES)
def test_matrix(name, persona, method, expected, world, make_user):
    client = client_for(_persona(persona, world, make_user))
    url = _url(name, world)
    response = client.get(url) if method == "get" else client.post(url)
    row, after = {
        "reminders:retry": (world["failed"], ReminderDelivery.Status.PENDING),
        "reminders:mark_sent": (world["uncertain"], ReminderDelivery.Status.SENT),
    }.get(name, (None, None))
    if expected == RE:
        assert response.status_code == 302
        assert response["Location"] == reverse("reminders:failed")
        row.refresh_from_db()
        assert row.status == after
        return
    assert response.status_code == expected, response.content[:300]
    if expected == S:
        assert response["Location"].startswith("/accounts/login/")
    if row is not None:
        before = row.status
        row.refresh_from_db()
        assert row.status == before
    assert b"Maria Secret" not in response.content


def test_every_url_is_in_the_matrix():
    names = {f"reminders:{p.name}" for p in staff_patterns} | {
        f"my_reminders:{p.name}" for p in portal_patterns
    }
    assert names == set(MATRIX)


# --- Settings -----------------------------------------------------------------------


def test_manager_changes_timing(manager_user):
    client = client_for(manager_user)
    url = reverse("reminders:setting_edit", kwargs={"kind": "engagement_upcoming"})
    response = client.post(url, {"enabled": "on", "offsets": "48, 2,48"})
    assert response.status_code == 302
    setting = ReminderSetting.objects.get(kind="engagement_upcoming")
    assert (setting.enabled, setting.offsets, setting.updated_by) == (True, [48, 2], manager_user)
    page = client.get(reverse("reminders:settings")).content.decode()
    assert "48, 2" in page


@pytest.mark.parametrize(
    "offsets",
    ["", "abc", "-5", "99999", "1,2,3,4,5,6,7", "<script>alert(1)</script>", "1;DROP TABLE x"],
)
def test_bad_timing_is_refused(manager_user, offsets):
    client = client_for(manager_user)
    url = reverse("reminders:setting_edit", kwargs={"kind": "engagement_upcoming"})
    response = client.post(url, {"enabled": "on", "offsets": offsets})
    assert response.status_code == 400
    assert b"<script>alert(1)</script>" not in response.content
    assert not ReminderSetting.objects.exists()


def test_unknown_kind_is_404(manager_user):
    client = client_for(manager_user)
    for kind in ("nope", "engagement-upcoming"):
        url = reverse("reminders:setting_edit", kwargs={"kind": kind})
        assert client.get(url).status_code == 404
        assert client.post(url, {"offsets": "1"}).status_code == 404


# --- Log and failed -------------------------------------------------------------------


def test_log_shows_no_body_and_filters(world, manager_user):
    client = client_for(manager_user)
    response = client.get(reverse("reminders:log"))
    content = response.content.decode()
    assert world["consultant"].pseudonym in content
    assert "Engagement coming up" in content
    assert world["consultant"].email not in content
    response = client.get(reverse("reminders:log"), {"status": "sent"})
    assert world["consultant"].pseudonym not in response.content.decode()
    # Hostile or malformed filters: ignored, never an error.
    for query in (
        {"since": "not-a-date"},
        {"kind": "<script>"},
        {"status": "' OR 1=1"},
        {"page": "999"},
        {"audience": "martians"},
    ):
        assert client.get(reverse("reminders:log"), query).status_code == 200


def test_log_pages_in_constant_queries(world, manager_user, django_assert_max_num_queries):
    for n in range(60):
        ReminderDelivery.objects.create(
            kind="availability_refresh",
            target_type="consultants.consultant",
            target_id=n,
            consultant=world["consultant"],
            due_at=timezone.now() - datetime.timedelta(minutes=n),
            send_after=timezone.now(),
            status=ReminderDelivery.Status.SENT,
        )
    client = client_for(manager_user)
    client.get(reverse("reminders:log"))
    with django_assert_max_num_queries(12):
        assert client.get(reverse("reminders:log"), {"page": 2}).status_code == 200


def _log_rows(consultant, count, *, due=None):
    due = due or timezone.now()
    ReminderDelivery.objects.bulk_create(
        ReminderDelivery(
            kind="availability_refresh",
            target_type="consultants.consultant",
            target_id=n,
            consultant=consultant,
            # Pairs share a moment: the cursor must order by id within it.
            due_at=due - datetime.timedelta(minutes=n // 2),
            send_after=due,
            status=ReminderDelivery.Status.SENT,
        )
        for n in range(count)
    )


def _log_ids(response) -> list[int]:
    return [row.pk for row in response.context["page_obj"].rows]


def test_log_pages_by_cursor_older_and_newer_without_gaps(world, manager_user):
    from reminders.views import PER_PAGE

    _log_rows(world["consultant"], PER_PAGE * 2 + 7)
    everything = list(
        ReminderDelivery.objects.order_by("-due_at", "-id").values_list("pk", flat=True)
    )
    client = client_for(manager_user)
    seen, response, pages = [], client.get(reverse("reminders:log")), []
    while True:
        assert response.status_code == 200
        pages.append(response)
        seen += _log_ids(response)
        older = response.context["page_obj"].older
        if not older:
            break
        assert f"older={older}" in response.content.decode()
        response = client.get(reverse("reminders:log"), {"older": older})
    assert seen == everything
    assert len(pages) == 3
    assert pages[0].context["page_obj"].newer is None
    # Newer from the last page: the middle page, the same rows.
    back = client.get(reverse("reminders:log"), {"newer": pages[2].context["page_obj"].newer})
    assert _log_ids(back) == _log_ids(pages[1])
    # Newer from the middle: the first page, full.
    first = client.get(reverse("reminders:log"), {"newer": pages[1].context["page_obj"].newer})
    assert _log_ids(first) == _log_ids(pages[0])
    assert first.context["page_obj"].newer is None


def test_log_cursor_keeps_the_filters(world, manager_user):
    from reminders.views import PER_PAGE

    _log_rows(world["consultant"], PER_PAGE + 3)
    client = client_for(manager_user)
    first = client.get(reverse("reminders:log"), {"status": "sent"})
    older = first.context["page_obj"].older
    assert "status=sent" in first.content.decode().split(f"older={older}")[0].rsplit('"', 1)[-1]
    second = client.get(reverse("reminders:log"), {"status": "sent", "older": older})
    assert len(_log_ids(second)) == 3
    assert all(r.status == "sent" for r in second.context["page_obj"].rows)


@pytest.mark.parametrize(
    "cursor",
    [
        "x",
        "not base64!",
        "A" * 500,
        "MjAzMS0wNi0wMlQxMDowMDowMA|1",  # a moment without its zone
        "MjAzMS0wNi0wMlQxMDowMDowMCswMDowMHwtMQ",  # a negative id
        "MjAzMS0wNi0wMlQxMDowMDowMCswMDowMHw5OTk5OTk5OTk5OTk5OTk5OTk5OTk",  # id past bigint
        "PHNjcmlwdD4",  # "<script>"
        "' OR 1=1 --",
    ],
)
@pytest.mark.parametrize("direction", ["older", "newer"])
def test_log_hostile_cursor_shows_the_first_page_with_400(world, manager_user, cursor, direction):
    response = client_for(manager_user).get(reverse("reminders:log"), {direction: cursor})
    assert response.status_code == 400
    assert response.context["bad_cursor"] is True
    assert "not one Tinig made" in response.content.decode()
    assert world["consultant"].pseudonym in response.content.decode()


def test_log_cursor_past_the_end_says_so(world, manager_user):
    from core.bounded import encode_cursor

    long_ago = encode_cursor(timezone.now() - datetime.timedelta(days=9000), 1)
    response = client_for(manager_user).get(reverse("reminders:log"), {"older": long_ago})
    assert response.status_code == 200
    assert "No more reminders this way" in response.content.decode()


def test_log_query_count_does_not_grow_with_depth(
    world, manager_user, django_assert_max_num_queries
):
    from reminders.views import PER_PAGE

    _log_rows(world["consultant"], PER_PAGE * 3)
    client = client_for(manager_user)
    older = client.get(reverse("reminders:log")).context["page_obj"].older
    deeper = client.get(reverse("reminders:log"), {"older": older}).context["page_obj"].older
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for params in ({}, {"older": older}, {"older": deeper}):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("reminders:log"), params).status_code == 200
        counts.append(len(queries))
    assert len(set(counts)) == 1, counts


def test_retry_of_a_sent_reminder_changes_nothing(world, manager_user):
    delivery = world["failed"]
    ReminderDelivery.objects.filter(pk=delivery.pk).update(status=ReminderDelivery.Status.SENT)
    client = client_for(manager_user)
    response = client.post(reverse("reminders:retry", kwargs={"pk": delivery.pk}), follow=True)
    assert "Only a failed reminder, or one possibly sent, can be sent again." in (
        response.content.decode()
    )
    delivery.refresh_from_db()
    assert delivery.status == ReminderDelivery.Status.SENT
    assert client.post(reverse("reminders:retry", kwargs={"pk": 10**9})).status_code == 404
    assert client.get(reverse("reminders:retry", kwargs={"pk": delivery.pk})).status_code == 405


# --- My digest; the consultant's choices -----------------------------------------------


HOURS = {"quiet_start": "21:00", "quiet_end": "08:00", "time_zone": "Asia/Manila"}


def test_staff_chooses_the_digest(programme_staff_user):
    client = client_for(programme_staff_user)
    page = client.get(reverse("reminders:me")).content.decode()
    assert 'value="21:00"' in page
    assert 'value="Asia/Manila" selected' in page
    response = client.post(reverse("reminders:me"), {"daily_digest": "on", **HOURS})
    assert response.status_code == 302
    assert StaffReminderPreference.objects.get(user=programme_staff_user).daily_digest
    assert client.post(reverse("reminders:me"), HOURS).status_code == 302
    assert not StaffReminderPreference.objects.get(user=programme_staff_user).daily_digest


def test_staff_chooses_their_quiet_hours(programme_staff_user):
    client = client_for(programme_staff_user)
    chosen = {"quiet_start": "22:30", "quiet_end": "06:15", "time_zone": "Europe/Berlin"}
    assert client.post(reverse("reminders:me"), chosen).status_code == 302
    preference = StaffReminderPreference.objects.get(user=programme_staff_user)
    assert (preference.quiet_start, preference.quiet_end, preference.time_zone) == (
        datetime.time(22, 30),
        datetime.time(6, 15),
        "Europe/Berlin",
    )
    for bad in ({**chosen, "time_zone": "Mars/Olympus"}, {**chosen, "quiet_start": "25:00"}):
        assert client.post(reverse("reminders:me"), bad).status_code == 400
    preference.refresh_from_db()
    assert preference.time_zone == "Europe/Berlin"


def test_consultant_turns_a_kind_off(world):
    client = client_for(world["owner"])
    page = client.get(reverse("my_reminders:preferences")).content.decode()
    # No script but safety.js (the exit shortcut; everything works without it).
    assert "<script" not in page.replace('<script src="/static/js/safety.js" defer></script>', "")
    assert "Engagement coming up" in page
    # Every consultant kind (other apps register theirs too), one turned off.
    data = {kind.key: "email" for kind in registry.kinds(registry.Audience.CONSULTANT)}
    data["engagement_upcoming"] = "none"
    assert client.post(reverse("my_reminders:preferences"), data).status_code == 302
    assert (
        ConsultantReminderPreference.objects.get(
            consultant=world["consultant"], kind="engagement_upcoming"
        ).channel
        == "none"
    )
    page = client.get(reverse("my_reminders:preferences")).content.decode()
    assert 'value="none" checked' in page or "checked" in page


@pytest.mark.parametrize(
    "data",
    [
        {"engagement_upcoming": "sms"},
        {"engagement_upcoming": "<script>"},
        {},
    ],
)
def test_consultant_bad_choices_are_refused(world, data):
    client = client_for(world["owner"])
    response = client.post(reverse("my_reminders:preferences"), data)
    assert response.status_code == 400
    assert not ConsultantReminderPreference.objects.exists()


def test_consultant_cannot_set_staff_kinds_or_another_consultant(world, make_user):
    client = client_for(world["owner"])
    data = {kind.key: "email" for kind in registry.kinds(registry.Audience.CONSULTANT)}
    data.update({"staff_debrief_missing": "none", "consultant": "999"})
    assert client.post(reverse("my_reminders:preferences"), data).status_code == 302
    assert not ConsultantReminderPreference.objects.filter(kind="staff_debrief_missing").exists()
    assert set(ConsultantReminderPreference.objects.values_list("consultant_id", flat=True)) == {
        world["consultant"].pk
    }


def test_consultant_without_profile_gets_404(make_user):
    client = client_for(make_user(Role.CONSULTANT))
    assert client.get(reverse("my_reminders:preferences")).status_code == 404


# --- Admin ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "model",
    [
        "remindersetting",
        "reminderdelivery",
        "consultantreminderpreference",
        "staffreminderpreference",
    ],
)
def test_admin_lists_every_model(world, admin_user, model):
    client = client_for(admin_user)
    response = client.get(reverse(f"admin:reminders_{model}_changelist"))
    assert response.status_code == 200
    assert b"Maria Secret" not in response.content


def test_admin_cannot_add_or_delete_deliveries(world, admin_user):
    client = client_for(admin_user)
    assert client.get(reverse("admin:reminders_reminderdelivery_add")).status_code == 403
    url = reverse("admin:reminders_reminderdelivery_change", args=[world["failed"].pk])
    assert client.get(url).status_code == 200
    delete = reverse("admin:reminders_reminderdelivery_delete", args=[world["failed"].pk])
    assert client.get(delete).status_code == 403


# --- Text messages on the portal ------------------------------------------------------------


def _all_kinds(channel: str) -> dict[str, str]:
    return {kind.key: channel for kind in registry.kinds(registry.Audience.CONSULTANT)}


POST_CASES = [
    pytest.param(persona, expected, id=persona)
    for persona, expected in zip(PERSONAS, MATRIX["my_reminders:preferences"][1], strict=True)
]


@pytest.mark.parametrize(("persona", "expected"), POST_CASES)
def test_posting_preferences_follows_the_matrix(persona, expected, world, make_user):
    """Nobody but the consultant herself changes her choices; a POST answers
    like the page (login, 403) and writes nothing for anyone else."""
    user = _persona(persona, world, make_user)
    client = client_for(user)
    data = {**_all_kinds("both"), "consultant": str(world["consultant"].pk)}
    response = client.post(reverse("my_reminders:preferences"), data)
    if expected == OK:
        assert response.status_code == 302
        assert set(ConsultantReminderPreference.objects.values_list("channel", flat=True)) == {
            "both"
        }
        # Her own choices, whoever's id the form was sent with.
        assert set(
            ConsultantReminderPreference.objects.values_list("consultant__user", flat=True)
        ) == {user.pk}
        return
    assert response.status_code == expected
    assert not ConsultantReminderPreference.objects.exists()


def test_consultant_with_a_number_chooses_text_messages(world):
    client = client_for(world["owner"])
    page = client.get(reverse("my_reminders:preferences")).content.decode()
    assert 'value="sms"' in page and 'value="both"' in page
    assert "By text message" in page
    assert 'id="sms-needs-number"' not in page
    data = _all_kinds("email")
    data["engagement_upcoming"] = "both"
    data["invitation_waiting"] = "sms"
    assert client.post(reverse("my_reminders:preferences"), data).status_code == 302
    chosen = dict(ConsultantReminderPreference.objects.values_list("kind", "channel"))
    assert chosen["engagement_upcoming"] == "both"
    assert chosen["invitation_waiting"] == "sms"
    # The number itself is never on this page.
    assert world["consultant"].phone not in page


def test_without_a_number_text_messages_are_not_offered(world):
    Consultant = type(world["consultant"])
    Consultant.objects.filter(pk=world["consultant"].pk).update(phone="")
    client = client_for(world["owner"])
    page = client.get(reverse("my_reminders:preferences")).content.decode()
    assert 'value="sms"' not in page and 'value="both"' not in page
    assert 'id="sms-needs-number"' in page
    assert reverse("my:details_edit") in page
    assert "add your mobile number" in page
    data = _all_kinds("email")
    data["engagement_upcoming"] = "sms"
    response = client.post(reverse("my_reminders:preferences"), data)
    assert response.status_code == 400
    assert not ConsultantReminderPreference.objects.exists()


def test_service_refuses_text_messages_without_a_number(world):
    from django.core.exceptions import ValidationError

    from reminders import services

    Consultant = type(world["consultant"])
    Consultant.objects.filter(pk=world["consultant"].pk).update(phone="")
    world["consultant"].refresh_from_db()
    with pytest.raises(ValidationError) as raised:
        services.consultant_preferences_save(
            consultant=world["consultant"],
            choices={"engagement_upcoming": "both"},
            by=world["owner"],
        )
    assert "engagement_upcoming" in raised.value.message_dict
    assert not ConsultantReminderPreference.objects.exists()


def test_number_removed_after_choosing_text_messages_is_said_plainly(world):
    ConsultantReminderPreference.objects.create(
        consultant=world["consultant"], kind="engagement_upcoming", channel="sms"
    )
    Consultant = type(world["consultant"])
    Consultant.objects.filter(pk=world["consultant"].pk).update(phone="")
    client = client_for(world["owner"])
    page = client.get(reverse("my_reminders:preferences")).content.decode()
    assert "You chose text messages, but there is no mobile number" in page
    # Nothing is silently switched to e-mail: she chooses again.
    assert 'value="sms"' not in page


def test_text_messages_off_are_not_offered_nor_mentioned(world, settings):
    settings.SMS_BACKEND = ""
    client = client_for(world["owner"])
    page = client.get(reverse("my_reminders:preferences")).content.decode()
    assert 'value="sms"' not in page
    assert 'id="sms-needs-number"' not in page
    data = _all_kinds("email")
    data["engagement_upcoming"] = "both"
    assert client.post(reverse("my_reminders:preferences"), data).status_code == 400


def test_every_consultant_kind_tells_her_what_it_does_to_her():
    """Her choices speak to her ("Before one of your checklist items is
    due"), never about "a consultant"; the staff's pages keep the
    description that says to whom a kind goes."""
    for kind in registry.kinds(registry.Audience.CONSULTANT):
        for_her = str(kind.description_for_her)
        assert for_her, kind.key
        assert "consultant" not in for_her.lower(), kind.key
        assert "you" in for_her.lower().split() or "your" in for_her.lower(), kind.key


@pytest.mark.parametrize(
    ("language", "expected", "staff_wording"),
    [
        ("en", "Before one of your checklist items is due.", "To a consultant"),
        ("fil", "Bago ang takdang araw ng isa sa mga item sa checklist mo.", "Sa consultant"),
    ],
)
def test_her_reminder_choices_are_written_to_her(world, language, expected, staff_wording):
    user = world["owner"]
    type(user).objects.filter(pk=user.pk).update(language=language)
    page = client_for(user).get(reverse("my_reminders:preferences")).content.decode()
    assert expected in page
    assert staff_wording not in page
