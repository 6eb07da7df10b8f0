"""The admin's data-subject actions on a consultant: download the record as
JSON and erase the identity (with a typed reason), for administrators only,
from the change list and from the consultant's page."""

from __future__ import annotations

import json

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from consultants import services
from consultants.models import Consultant, WellbeingNote
from tests.consultants.factories import ConsultantFactory, WellbeingNoteFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:consultants_consultant_changelist"


def _url(name, consultant):
    return reverse(f"admin:consultants_consultant_{name}", args=[consultant.pk])


def _entries(consultant, **filters):
    return LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Consultant),
        object_pk=str(consultant.pk),
        **filters,
    )


def _action(client, action, *consultants):
    return client.post(
        reverse(CHANGELIST),
        {"action": action, "_selected_action": [c.pk for c in consultants]},
    )


# --- Download ------------------------------------------------------------------------


def test_change_page_offers_both_actions(admin_user, consultant):
    page = client_for(admin_user).get(_url("change", consultant)).content.decode()
    assert _url("export", consultant) in page
    assert _url("erase", consultant) in page


def test_download_from_the_change_list(admin_user, consultant):
    response = _action(client_for(admin_user), "download_record", consultant)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        f'attachment; filename="tinig-record-{consultant.pk}-'
    )
    assert "Bituin" not in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["profile"]["legal_name"] == "Maria Secret Santos"
    entry = _entries(consultant, action=LogEntry.Action.ACCESS).get()
    assert entry.actor == admin_user
    assert entry.additional_data["fields"] == ["export"]


def test_download_of_several_at_once_is_refused(admin_user, consultant):
    other = ConsultantFactory()
    response = _action(client_for(admin_user), "download_record", consultant, other)
    assert response.status_code == 302
    assert not _entries(consultant, action=LogEntry.Action.ACCESS).exists()


def test_download_page_asks_then_downloads_on_post(admin_user, consultant):
    client = client_for(admin_user)
    page = client.get(_url("export", consultant))
    assert page.status_code == 200
    assert "Maria" not in page.content.decode()  # the page itself shows nothing secret
    assert not _entries(consultant, action=LogEntry.Action.ACCESS).exists()

    response = client.post(_url("export", consultant))
    assert response.status_code == 200
    assert json.loads(response.content)["profile"]["pseudonym"] == "Bituin"
    assert _entries(consultant, action=LogEntry.Action.ACCESS).count() == 1


def test_download_page_of_a_missing_consultant_is_404(admin_user):
    response = client_for(admin_user).get("/admin/consultants/consultant/999999/export/")
    assert response.status_code == 404


# --- Erase ---------------------------------------------------------------------------


def test_erase_from_the_change_list_goes_to_the_confirmation(admin_user, consultant):
    response = _action(client_for(admin_user), "erase_identity", consultant)
    assert response.status_code == 302
    assert response["Location"] == _url("erase", consultant)
    consultant.refresh_from_db()
    assert not consultant.is_erased


def test_erase_needs_a_reason_and_the_tick(admin_user, consultant):
    client = client_for(admin_user)
    page = client.get(_url("erase", consultant)).content.decode()
    assert "cannot be undone" in page and "What stays" in page

    for data in ({}, {"reason": "   ", "confirm": "on"}, {"reason": "Asked by e-mail"}):
        response = client.post(_url("erase", consultant), data)
        assert response.status_code == 200
        assert "errorlist" in response.content.decode()
    consultant.refresh_from_db()
    assert not consultant.is_erased
    assert consultant.legal_name == "Maria Secret Santos"


def test_erase(admin_user, consultant):
    WellbeingNoteFactory(consultant=consultant, author=admin_user)
    client = client_for(admin_user)

    response = client.post(
        _url("erase", consultant), {"reason": "Written request of 3 June", "confirm": "on"}
    )

    assert response.status_code == 302
    assert response["Location"] == _url("change", consultant)
    consultant.refresh_from_db()
    assert consultant.is_erased
    assert consultant.legal_name == "" and consultant.pseudonym == "Bituin"
    assert not WellbeingNote.objects.filter(consultant=consultant).exists()
    entry = _entries(consultant, additional_data__event="identity_erased").get()
    assert entry.actor == admin_user
    assert entry.additional_data["reason"] == "Written request of 3 June"

    # Once erased: no second erasure, and the page no longer offers it.
    response = client.get(_url("erase", consultant))
    assert response.status_code == 302
    assert _url("erase", consultant) not in client.get(_url("change", consultant)).content.decode()


def test_erase_needs_the_csrf_token(admin_user, consultant):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post(_url("erase", consultant), {"reason": "x", "confirm": "on"})
    assert response.status_code == 403
    consultant.refresh_from_db()
    assert not consultant.is_erased


# --- Nobody else ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "role",
    [None, Role.CONSULTANT, Role.PROGRAMME_STAFF, Role.PROGRAMME_MANAGER, Role.FINANCE_OFFICER],
)
@pytest.mark.parametrize("name", ["export", "erase"])
def test_nobody_else_reaches_the_pages(make_user, consultant, role, name):
    client = client_for(make_user(role))
    for method in ("get", "post"):
        response = getattr(client, method)(_url(name, consultant), {"reason": "x", "confirm": "on"})
        assert response.status_code in (302, 403)
        assert "attachment" not in response.get("Content-Disposition", "")
    consultant.refresh_from_db()
    assert not consultant.is_erased
    assert not _entries(consultant, action=LogEntry.Action.ACCESS).exists()


def test_anonymous_is_sent_to_sign_in(consultant):
    response = Client().get(_url("erase", consultant))
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_the_consultants_own_account_cannot_use_the_admin(consultant_user, own_consultant):
    # A consultant may export their own record, but in the portal, never here.
    response = client_for(consultant_user).post(_url("export", own_consultant))
    assert response.status_code in (302, 403)
    assert "attachment" not in response.get("Content-Disposition", "")


def test_a_superuser_without_the_role_may_also_erase(make_user, consultant):
    # access.can_erase_identity: administrators and superusers.
    superuser = make_user(None, is_superuser=True, is_staff=True)
    response = client_for(superuser).post(
        _url("erase", consultant), {"reason": "Request", "confirm": "on"}
    )
    assert response.status_code == 302
    consultant.refresh_from_db()
    assert consultant.is_erased


def test_erased_consultant_export_still_works_and_shows_no_identity(admin_user, consultant):
    services.consultant_erase_identity(consultant=consultant, by=admin_user, reason="Request")
    response = client_for(admin_user).post(_url("export", consultant))
    assert "Maria" not in response.content.decode()
