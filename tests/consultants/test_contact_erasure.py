"""Her contact details leave no plain copy: the portal account is sealed
(accounts.sealing), the audit trail names actors by id, and erasure leaves
no copy of her address or name in any table, session or audit entry."""

from __future__ import annotations

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from auditlog.models import LogEntry
from django.core import mail
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import Session
from consultants import services
from core import audit
from tests.accounts.factories import give_totp
from tests.accounts.test_sign_in import request_code, signed_in_user_id
from tests.database_text import (
    address_variants,
    every_table_text,
    found_in,
    phone_variants,
    session_text,
)

pytestmark = pytest.mark.django_db


def _needles(consultant) -> set[str]:
    return {
        *address_variants(consultant.email),
        *phone_variants(consultant.phone),
        consultant.legal_name,
        consultant.message_name,
    }


def _invite_and_sign_in(consultant, by, captured) -> Client:
    with captured(execute=True):
        user = services.consultant_invite_to_portal(consultant=consultant, by=by)
    assert mail.outbox[-1].to == [consultant.email]
    client = Client()
    code = request_code(client, consultant.email.upper())
    assert mail.outbox[-1].to == [consultant.email]
    client.post(reverse("account_confirm_login_code"), {"code": code})
    assert signed_in_user_id(client) == str(user.pk)
    # She acts in the portal: audit entries name her as actor.
    assert client.get(reverse("my:details")).status_code == 200
    return client


def test_an_invited_consultant_who_signed_in_has_no_plain_copy(
    consultant, manager_user, django_capture_on_commit_callbacks
):
    client = _invite_and_sign_in(consultant, manager_user, django_capture_on_commit_callbacks)
    response = client.post(reverse("my:story_sharing"), {"story_sharing_default": "general"})
    assert response.status_code == 302

    consultant.refresh_from_db()
    assert LogEntry.objects.filter(actor=consultant.user).exists()
    text = every_table_text() + session_text()
    assert found_in(text, _needles(consultant)) == []


def test_erasure_leaves_no_copy_of_her_address_or_name_anywhere(
    consultant, manager_user, admin_user, django_capture_on_commit_callbacks
):
    client = _invite_and_sign_in(consultant, manager_user, django_capture_on_commit_callbacks)
    consultant.refresh_from_db()
    user = consultant.user
    give_totp(user)
    needles = _needles(consultant)
    # An entry written before actors were recorded by id only, holding her
    # address (triggers set aside for this write, as in a migrated database).
    entry = audit.record_access(actor=user, instance=consultant, fields=["export"], reason="own")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(
            "UPDATE auditlog_logentry SET actor_email = %s WHERE id = %s",
            [consultant.email, entry.pk],
        )
        cursor.execute("SET LOCAL session_replication_role = origin")
    assert consultant.email in found_in(every_table_text(), needles)

    with django_capture_on_commit_callbacks(execute=True):
        services.consultant_erase_identity(
            consultant=consultant, by=admin_user, reason="Her request of 3 June"
        )

    user.refresh_from_db()
    assert not user.is_active and user.sealed_email is None
    assert user.email.endswith("@erased.invalid")
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Authenticator.objects.filter(user=user).exists()
    assert not [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(user.pk)
    ]
    assert client.get("/portal/").status_code != 200
    # Who acted is still known, by id; her address went through the one
    # audited path.
    entry.refresh_from_db()
    assert entry.actor == user and entry.actor_email is None
    redaction = LogEntry.objects.get(additional_data__event=audit.REDACTION_EVENT)
    assert redaction.actor == admin_user and redaction.additional_data["of_actor"] == user.pk
    assert found_in(every_table_text() + session_text(), needles) == []
