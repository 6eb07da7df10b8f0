"""No consultant contact detail in plain text anywhere in the database.

The demo loaded, every demo consultant invited to the portal and signed in
once (by e-mailed code through allauth's views; Amihan, whose demo account
has a password, by password), then a real ``pg_dump`` of the test database
(a client at least as new as the server; with none, ``COPY`` of every
table) and every session decoded: none of their e-mail addresses, phone
numbers or legal names appears, in any letter case or usual phone form.

Runs with the suite, on the test database; the data is committed
(``transaction=True``) so that ``pg_dump``, another process, sees it.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts import demo as accounts_demo
from accounts.models import User
from accounts.roles import Role
from consultants import services
from consultants.models import Consultant
from tests.accounts.test_sign_in import CODE, signed_in_user_id
from tests.database_text import (
    address_variants,
    found_in,
    pg_dump_text,
    phone_variants,
    session_text,
    user_tables,
)

pytestmark = pytest.mark.django_db(transaction=True)


def _sign_in_by_code(address: str) -> Client:
    client = Client()
    response = client.post(reverse("account_request_login_code"), {"email": address})
    assert response.status_code == 302
    code = CODE.search(mail.outbox[-1].body).group(1)
    client.post(reverse("account_confirm_login_code"), {"code": code})
    return client


def test_a_dump_of_the_database_holds_no_consultant_contact_detail(settings, capsys):
    settings.ALLOW_DEMO_DATA = True
    call_command("seed_demo")
    admin = accounts_demo.demo_user("admin@example.org")

    consultants = list(Consultant.objects.order_by("pk"))
    assert len(consultants) >= 10
    needles: set[str] = set(address_variants("consultant@example.org"))
    for consultant in consultants:
        needles |= address_variants(consultant.email)
        needles |= phone_variants(consultant.phone)
        needles |= {consultant.legal_name, consultant.legal_name.lower()}

        if consultant.user_id is None:
            services.consultant_invite_to_portal(consultant=consultant, by=admin)
            consultant.refresh_from_db()
            assert mail.outbox[-1].to == [consultant.email]
            client = _sign_in_by_code(consultant.email.title())
        elif consultant.pseudonym == "Liwanag":
            # The demo's survivor leader (network.demo): a password and a
            # second factor (tests/network/test_demo.py); signed in here.
            client = Client()
            client.force_login(User.objects.get(pk=consultant.user_id))
        else:  # Amihan: the demo's consultant sign-in, with a password
            client = Client()
            client.post(
                reverse("account_login"),
                {"login": "consultant@example.org", "password": accounts_demo.DEMO_PASSWORD},
            )
        user = User.objects.get(pk=consultant.user_id)
        assert user.is_sealed, consultant.pseudonym
        assert signed_in_user_id(client) == str(user.pk), consultant.pseudonym
        assert client.get("/portal/").status_code == 200
    assert User.objects.filter(groups__name=Role.CONSULTANT.value).count() == len(consultants)

    how, dump = pg_dump_text()
    text = dump + "\n" + session_text()

    # Not vacuous: the dump holds every table, the demo's pseudonyms, the
    # staff's plain work addresses and the consultants' sealed accounts.
    for _schema, table in user_tables():
        assert table in dump, f"{table} missing from the {how} output"
    for marker in ("Amihan", "Kalinaw", "manager@example.org", "@lookup.invalid"):
        assert marker in text, marker
    assert found_in(text, needles) == [], how
