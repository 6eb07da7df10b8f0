"""Failed sign-ins count per account and per address (ACCOUNT_RATE_LIMITS
"login_failed": 5 per account in 5 minutes, 60 per address in 10): one
person's wrong passwords or codes lock their account, not a colleague
behind the same office connection; many accounts tried from one address
do throttle that address."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from tests.accounts.factories import TEST_PASSWORD, totp_code

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
MFA = reverse("mfa_authenticate")
NOW = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
OFFICE = "203.0.113.10"
ELSEWHERE = "198.51.100.20"


def signed_in(client: Client) -> str | None:
    return client.session.get("_auth_user_id")


def password(client: Client, email: str, secret: str = TEST_PASSWORD):
    return client.post(LOGIN, {"login": email, "password": secret})


def test_one_persons_wrong_passwords_lock_their_account_not_a_colleagues(make_user):
    me, colleague = make_user(Role.PROGRAMME_STAFF), make_user(Role.PROGRAMME_STAFF)
    with time_machine.travel(NOW, tick=False):
        mine = Client(REMOTE_ADDR=OFFICE)
        for attempt in range(5):
            password(mine, me.email, f"wrong-{attempt}")
        refused = password(mine, me.email)
        assert "Too many failed login attempts" in refused.content.decode()
        assert refused.status_code == 200

        theirs = Client(REMOTE_ADDR=OFFICE)
        assert password(theirs, colleague.email)["Location"] == MFA
        theirs.post(MFA, {"code": totp_code()})
        assert signed_in(theirs) == str(colleague.pk)


def test_one_persons_wrong_codes_lock_their_second_step_not_a_colleagues(make_user):
    me, colleague = make_user(Role.PROGRAMME_STAFF), make_user(Role.PROGRAMME_STAFF)
    with time_machine.travel(NOW, tick=False):
        mine = Client(REMOTE_ADDR=OFFICE)
        assert password(mine, me.email)["Location"] == MFA
        for _ in range(5):
            assert mine.post(MFA, {"code": "000000"}).status_code == 200
        locked = mine.post(MFA, {"code": totp_code()})
        assert signed_in(mine) is None
        assert "Too many" in locked.content.decode()

        theirs = Client(REMOTE_ADDR=OFFICE)
        password(theirs, colleague.email)
        theirs.post(MFA, {"code": totp_code()})
        assert signed_in(theirs) == str(colleague.pk)


def test_a_locked_account_does_not_use_up_the_offices_allowance(make_user):
    """The per-account rate is checked first, so hammering a locked account
    is not counted against the address."""
    me, colleague = make_user(Role.PROGRAMME_STAFF), make_user(Role.PROGRAMME_STAFF)
    with time_machine.travel(NOW, tick=False) as clock:
        mine = Client(REMOTE_ADDR=OFFICE)
        for minute in range(4):
            for attempt in range(20):
                password(mine, me.email, f"wrong-{minute}-{attempt}")
            clock.shift(datetime.timedelta(seconds=61))  # under the 30/min sign-in limit
        theirs = Client(REMOTE_ADDR=OFFICE)
        password(theirs, colleague.email)
        theirs.post(MFA, {"code": totp_code()})
        assert signed_in(theirs) == str(colleague.pk)


def test_many_accounts_failing_from_one_address_throttle_that_address(make_user):
    targets = [make_user(Role.CONSULTANT) for _ in range(20)]
    fresh = make_user(Role.CONSULTANT)
    with time_machine.travel(NOW, tick=False) as clock:
        office = Client(REMOTE_ADDR=OFFICE)
        for attempt in range(60):
            password(office, targets[attempt % 20].email, f"guess-{attempt}")
            if attempt % 25 == 24:
                clock.shift(datetime.timedelta(seconds=61))  # under the 30/min sign-in limit

        refused = password(office, fresh.email)
        assert signed_in(office) is None
        assert "Too many failed login attempts" in refused.content.decode()

        # The same account from another address is fine: it was the address.
        elsewhere = Client(REMOTE_ADDR=ELSEWHERE)
        password(elsewhere, fresh.email)
        assert signed_in(elsewhere) == str(fresh.pk)

        clock.shift(datetime.timedelta(minutes=10, seconds=1))
        password(office, fresh.email)
        assert signed_in(office) == str(fresh.pk)


def test_fewer_failures_from_one_address_throttle_nobody(make_user):
    """Thirty mistakes spread over an office in a few minutes lock no one else."""
    targets = [make_user(Role.CONSULTANT) for _ in range(10)]
    fresh = make_user(Role.CONSULTANT)
    with time_machine.travel(NOW, tick=False):
        office = Client(REMOTE_ADDR=OFFICE)
        for attempt in range(29):
            password(office, targets[attempt % 10].email, f"guess-{attempt}")
        password(office, fresh.email)
        assert signed_in(office) == str(fresh.pk)


def test_behind_the_proxy_each_client_has_its_own_allowance(make_user, settings):
    """docker-compose.yml: every request comes from Caddy's address; the
    client's is in X-Forwarded-For (TRUSTED_PROXY_COUNT=1). One client's
    failures throttle that client, not everyone behind the proxy."""
    settings.TRUSTED_PROXY_COUNT = 1
    caddy = "172.18.0.5"
    targets = [make_user(Role.CONSULTANT) for _ in range(20)]
    fresh = make_user(Role.CONSULTANT)
    with time_machine.travel(NOW, tick=False) as clock:
        office = Client(REMOTE_ADDR=caddy, HTTP_X_FORWARDED_FOR=OFFICE)
        for attempt in range(60):
            password(office, targets[attempt % 20].email, f"guess-{attempt}")
            if attempt % 25 == 24:
                clock.shift(datetime.timedelta(seconds=61))  # under the 30/min sign-in limit

        refused = password(office, fresh.email)
        assert signed_in(office) is None
        assert "Too many failed login attempts" in refused.content.decode()

        elsewhere = Client(REMOTE_ADDR=caddy, HTTP_X_FORWARDED_FOR=ELSEWHERE)
        password(elsewhere, fresh.email)
        assert signed_in(elsewhere) == str(fresh.pk)
