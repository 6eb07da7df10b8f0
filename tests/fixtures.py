"""Fixtures that tests of more than one app use, loaded for every test by
tests/conftest.py: a persona per role, a real Celery worker, consent texts
and consultants, and the compensation world (a past engagement run by
``owner`` with Tala's booked participation, rates, allowance policies and
an acknowledged agreement). An app's own conftest adds what only it needs
and imports no other conftest."""

from __future__ import annotations

import datetime
import subprocess
import sys
import uuid
from decimal import Decimal

import pytest

from accounts.roles import Role
from compensation import services as compensation_services
from consultants import services as consultant_services
from consultants.models import ConsentScope, ConsentText
from engagements.models import Participation
from tests.accounts.factories import UserFactory
from tests.compensation.factories import AllowancePolicyFactory, RateCardFactory
from tests.consultants.factories import (
    ConsultantFactory,
    WeeklyAvailabilityFactory,
    published_text,
)
from tests.engagements.factories import ParticipationFactory
from tests.helpers import ARTIFACTS, past_engagement
from tests.processes import WorkerHandle, worker_environment

EVERYDAY = (ConsentScope.PARTICIPATION, ConsentScope.DATA_PROCESSING)
ALL_SCOPES = tuple(ConsentScope.values)


# --- Personas -----------------------------------------------------------------


@pytest.fixture
def make_user(db):
    def _make(role: Role | None = None, **kwargs):
        return UserFactory(role=role, **kwargs)

    return _make


@pytest.fixture
def consultant_user(make_user):
    return make_user(Role.CONSULTANT, display_name="Tala")


@pytest.fixture
def programme_staff_user(make_user):
    return make_user(Role.PROGRAMME_STAFF)


@pytest.fixture
def manager_user(make_user):
    return make_user(Role.PROGRAMME_MANAGER)


@pytest.fixture
def finance_user(make_user):
    return make_user(Role.FINANCE_OFFICER)


@pytest.fixture
def finance_colleague(make_user):
    """A second finance officer: four eyes on money (compensation.workflow)
    let no one group, approve and pay a payment alone, so tests that carry
    a payment through approve it as this colleague."""
    return make_user(Role.FINANCE_OFFICER, display_name="Fina Colleague")


@pytest.fixture
def wellbeing_user(make_user):
    return make_user(Role.WELLBEING_LEAD)


@pytest.fixture
def admin_user(make_user):
    return make_user(Role.ADMINISTRATOR)


@pytest.fixture
def no_role_user(make_user):
    return make_user(None)


@pytest.fixture
def persona(request, make_user):
    """Parametrise with a role value, "anonymous" or "no_role"."""
    name = request.param
    if name == "anonymous":
        return None
    if name == "no_role":
        return make_user(None)
    if name == Role.SURVIVOR_LEADER:
        return make_survivor_leader(make_user)
    return make_user(Role(name))


def make_survivor_leader(make_user, **kwargs):
    """A consultant account that also holds the survivor leader role (the
    persona "survivor_leader" in every permission matrix). With no
    Consultant profile, like the "consultant" persona; tests that need her
    named in a network use ``network.services.leader_name``."""
    from accounts.services.users import user_set_roles

    user = make_user(Role.CONSULTANT, **kwargs)
    user_set_roles(user=user, roles={Role.CONSULTANT, Role.SURVIVOR_LEADER})
    return user


def name_survivor_leader(consultant, *, by=None):
    """Name a consultant (a profile with an account) a survivor leader of
    the programme's network, as a manager would; returns her account. The
    "leader" persona of the matrices whose personas hold objects: a leader
    who is not the consultant the objects belong to."""
    from network.models import Network
    from network.services.leaders import leader_name

    network, _created = Network.objects.get_or_create(name="Philippine Survivor Network")
    leader_name(
        network=network,
        consultant=consultant,
        by=by or UserFactory(role=Role.PROGRAMME_MANAGER),
    )
    return consultant.user


@pytest.fixture
def owner(programme_staff_user):
    """The programme staff member who owns the engagement under test."""
    return programme_staff_user


# --- A real Celery worker ---------------------------------------------------------


@pytest.fixture
def celery_worker(transactional_db, settings):
    """A real `celery worker` process on the test database and the test broker.

    Tests that use it must commit what the worker should see, hence
    ``transactional_db``. Yields a handle with ``.name`` and ``.log_path``.
    """
    from config.celery import app

    app.control.purge()  # messages left by earlier tests that had no worker
    name = f"test-{uuid.uuid4().hex[:8]}@localhost"
    ARTIFACTS.mkdir(exist_ok=True)
    log_path = ARTIFACTS / f"worker-{name.split('@')[0]}.log"
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "-l",
        "INFO",
        "-c",
        "1",
        "-n",
        name,
        "--without-mingle",
        "--without-gossip",
    ]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            command,
            env=worker_environment(settings),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    handle = WorkerHandle(process=process, name=name, log_path=log_path)
    try:
        handle.wait_ready()
        yield handle
    finally:
        handle.stop()


# --- Languages ---------------------------------------------------------------------


@pytest.fixture
def filipino_requests():
    """``filipino_requests(user)``: the person reads Tinig in Filipino (their
    account's language, which their pages follow once signed in);
    ``filipino_requests(user, "en")`` turns them back."""

    def _reads(user, language: str = "fil"):
        user.language = language
        user.save(update_fields=["language"])
        return user

    return _reads


# --- Consent texts and consultants -------------------------------------------------


@pytest.fixture
def texts(db) -> dict[str, ConsentText]:
    """Version 1 of every scope's text, published with its Filipino."""
    # A migration may have published a scope's first text already.
    return {scope: published_text(scope) for scope in ConsentScope.values}


@pytest.fixture
def make_consultant(texts, make_user):
    """An active consultant free on Mondays 08:00-18:00 with the given consents."""
    recorder = make_user(Role.PROGRAMME_MANAGER)

    def _make(
        *,
        scopes=EVERYDAY,
        windows=((0, datetime.time(8), datetime.time(18)),),
        **kwargs,
    ):
        consultant = ConsultantFactory(**kwargs)
        for weekday, start, end in windows:
            WeeklyAvailabilityFactory(
                consultant=consultant, weekday=weekday, start_time=start, end_time=end
            )
        for scope in scopes:
            consultant_services.consent_grant(consultant=consultant, scope=scope, by=recorder)
        return consultant

    return _make


@pytest.fixture
def own_consultant(consultant_user):
    """The profile of the ``consultant_user`` persona."""
    return ConsultantFactory(pseudonym="Tala", user=consultant_user)


@pytest.fixture
def other_consultant(make_user):
    return ConsultantFactory(user=make_user(Role.CONSULTANT), pseudonym="Bituin")


# --- Compensation ----------------------------------------------------------------


@pytest.fixture
def rates(db):
    return {
        "hour": RateCardFactory(role="participant", unit="hour", amount=Decimal("500.00")),
        "fixed": RateCardFactory(role="speaker", unit="fixed", amount=Decimal("5000.00")),
        "half_day": RateCardFactory(role="panelist", unit="half_day", amount=Decimal("2000.00")),
    }


@pytest.fixture
def policies(db):
    return {
        "meal": AllowancePolicyFactory(kind="meal", default_amount=Decimal("350.00")),
        "communication": AllowancePolicyFactory(
            kind="communication", default_amount=Decimal("300.00")
        ),
        "transport": AllowancePolicyFactory(
            kind="transport", default_amount=Decimal("500.00"), in_person_only=True
        ),
        "lodging": AllowancePolicyFactory(
            kind="lodging",
            default_amount=Decimal("2500.00"),
            paid_in_advance=False,
            in_person_only=True,
            receipt_required_above=Decimal("0.00"),
        ),
    }


@pytest.fixture
def engagement(owner):
    """Completed ten days ago, run by ``owner``."""
    return past_engagement(owner)


@pytest.fixture
def participation(engagement, own_consultant):
    """``own_consultant`` attended ``engagement`` as a participant."""
    return ParticipationFactory(
        engagement=engagement,
        consultant=own_consultant,
        status=Participation.Status.ATTENDED,
        role="participant",
        responded_at=engagement.start - datetime.timedelta(days=20),
    )


@pytest.fixture
def agreement(participation, owner, rates, policies):
    """Version 1, acknowledged (the consultant accepted)."""
    agreement = compensation_services.agreement_propose(participation=participation, by=owner)
    return compensation_services.agreement_acknowledge(
        agreement=agreement, by=owner, on_behalf=True
    )
