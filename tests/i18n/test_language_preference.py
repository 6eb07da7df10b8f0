"""A person's language is a preference kept on the account: it drives their
pages once signed in (whatever the browser or cookie says), the footer
switcher changes it, a choice made on the sign-in page is adopted when
signing in, and signed out the cookie and Accept-Language decide (with
Tagalog counting as Filipino). Invitations are written in the language staff
chose for the person."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from accounts import services as account_services
from accounts.models import User
from accounts.roles import Role
from consultants import services as consultant_services
from tests.accounts.factories import TEST_PASSWORD
from tests.consultants.factories import ConsultantFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

SWITCH = reverse("set_language")
LOGIN = reverse("account_login")


def _lang(response) -> str:
    html = response.content.decode()
    return html.split('<html lang="', 1)[1].split('"', 1)[0]


def test_signed_in_pages_follow_her_preference_not_the_browser(consultant_user):
    consultant_user.language = "fil"
    consultant_user.save(update_fields=["language"])
    client = client_for(consultant_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get("/portal/", HTTP_ACCEPT_LANGUAGE="en-US,en")
    assert _lang(response) == "fil"
    assert response["Content-Language"] == "fil"
    # The cookie is brought in step, so the sign-out page stays in Filipino.
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "fil"


def test_the_switcher_saves_the_preference_and_shows_it(consultant_user):
    client = client_for(consultant_user)
    response = client.post(SWITCH, {"language": "fil", "next": "/portal/"})
    assert response.status_code == 302 and response["Location"] == "/portal/"
    consultant_user.refresh_from_db()
    assert consultant_user.language == "fil"
    page = client.get("/portal/").content.decode()
    assert '<option value="fil" lang="fil" selected>' in page
    # And back.
    client.post(SWITCH, {"language": "en", "next": "/portal/"})
    consultant_user.refresh_from_db()
    assert consultant_user.language == "en"
    assert _lang(client.get("/portal/")) == "en"


@pytest.mark.parametrize("value", ["xx", "", "de", "fil'><script>", "EN" * 50])
def test_an_unknown_language_changes_nothing(consultant_user, value):
    consultant_user.language = "fil"
    consultant_user.save(update_fields=["language"])
    client = client_for(consultant_user)
    response = client.post(SWITCH, {"language": value, "next": "/portal/"})
    assert response.status_code == 302
    consultant_user.refresh_from_db()
    assert consultant_user.language == "fil"


def test_the_switcher_never_sends_anyone_off_site(consultant_user):
    client = client_for(consultant_user)
    response = client.post(SWITCH, {"language": "fil", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert not response["Location"].startswith("https://evil.example")


def test_the_switcher_takes_no_get(consultant_user):
    assert client_for(consultant_user).get(SWITCH, {"language": "fil"}).status_code == 405


def test_signed_out_the_cookie_then_accept_language_decide():
    client = Client()
    assert _lang(client.get(LOGIN)) == "en"
    assert _lang(client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="fil-PH,fil;q=0.9")) == "fil"
    assert _lang(client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="tl")) == "fil"
    client.post(SWITCH, {"language": "fil", "next": LOGIN})
    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en")
    assert _lang(response) == "fil"
    assert "Mag-sign in" in response.content.decode()


def test_a_language_chosen_on_the_sign_in_page_becomes_hers(consultant_user):
    assert consultant_user.language == "en"
    client = Client()
    client.post(SWITCH, {"language": "fil", "next": LOGIN})
    response = client.post(LOGIN, {"login": consultant_user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    consultant_user.refresh_from_db()
    assert consultant_user.language == "fil"
    assert _lang(client.get("/portal/")) == "fil"


def test_a_cookie_left_by_someone_else_does_not_change_her_preference(consultant_user):
    """On a shared phone the cookie may be the last person's: only a choice
    made in this session is adopted."""
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fil"
    client.post(LOGIN, {"login": consultant_user.email, "password": TEST_PASSWORD})
    consultant_user.refresh_from_db()
    assert consultant_user.language == "en"
    assert _lang(client.get("/portal/")) == "en"


def test_staff_pages_follow_the_staff_members_preference(programme_staff_user):
    programme_staff_user.language = "fil"
    programme_staff_user.save(update_fields=["language"])
    response = client_for(programme_staff_user).get("/staff/")
    assert _lang(response) == "fil"


def test_a_staff_invitation_is_written_in_the_chosen_language(admin_user):
    account_services.staff_invite(
        email="bago@example.org",
        roles={Role.FINANCE_OFFICER},
        by=admin_user,
        language="fil",
    )
    user = User.objects.get(email="bago@example.org")
    assert user.language == "fil"
    message = mail.outbox[-1]
    assert message.subject != ""
    assert "link" in message.body and "Tinig" in message.body
    assert "The link works once" not in message.body


def test_the_staff_invite_form_offers_the_language(admin_user):
    client = client_for(admin_user)
    response = client.post(
        reverse("people:invite"),
        {
            "email": "isa@example.org",
            "display_name": "Isa",
            "roles": ["programme_staff"],
            "language": "fil",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email="isa@example.org").language == "fil"
    bad = client.post(
        reverse("people:invite"),
        {"email": "dalawa@example.org", "roles": ["programme_staff"], "language": "xx"},
    )
    assert bad.status_code == 400
    assert not User.objects.filter(email="dalawa@example.org").exists()


def test_a_portal_invitation_is_in_her_language(manager_user, django_capture_on_commit_callbacks):
    consultant = ConsultantFactory(email="bituin@example.org", preferred_languages=["fil"])
    with django_capture_on_commit_callbacks(execute=True):
        user = consultant_services.consultant_invite_to_portal(
            consultant=consultant, by=manager_user
        )
    assert user.language == "fil"  # her first preferred language Tinig speaks
    body = mail.outbox[-1].body
    assert "password" in body and "Choose a password" not in body


def test_staff_choose_the_language_of_a_portal_invitation(manager_user):
    consultant = ConsultantFactory(email="sampaguita@example.org", preferred_languages=["fil"])
    client = client_for(manager_user)
    page = client.get(reverse("consultants:invite", args=[consultant.pk])).content.decode()
    assert '<option value="fil" selected>' in page
    client.post(reverse("consultants:invite", args=[consultant.pk]), {"language": "en"})
    consultant.refresh_from_db()
    assert consultant.user.language == "en"


def test_dates_times_and_money_read_as_in_manila():
    moment = timezone.make_aware(datetime.datetime(2027, 1, 9, 9, 0))
    afternoon = moment.replace(hour=14, minute=30)
    with translation.override("fil"):
        assert formats.date_format(moment, "l, j F") == "Sabado, 9 Enero"
        assert formats.time_format(moment) == "9:00 n.u."
        assert formats.time_format(afternoon) == "2:30 n.h."
        assert formats.number_format(1234.5, decimal_pos=2, force_grouping=True) == "1,234.50"
    with translation.override("en"):
        assert formats.time_format(afternoon) == "14:30"
