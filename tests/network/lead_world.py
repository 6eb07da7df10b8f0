"""Shared pieces of the survivor leader tests (tests/network/test_lead_*.py):
a network, a leader named in it, requests awaiting approval. A module of
its own, loaded as a plugin by tests/conftest.py; the fixtures' names
start with ``lead_`` (or name the request) so other parts' fixtures keep
theirs."""

from __future__ import annotations

import time
from decimal import Decimal

import pytest
from django.test import Client

from accounts.roles import Role
from engagements import workflow
from engagements.models import Audience, Engagement
from network.models import Network
from network.services.leaders import leader_name
from tests.consultants.factories import ConsultantFactory
from tests.engagements.factories import EngagementFactory

FEE = Decimal("750.00")


def mfa_client(user, *, second_factor: bool = True) -> Client:
    """A client signed in as ``user`` as allauth would record it: with a
    password, and a second factor (TOTP) unless ``second_factor=False``."""
    from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
    from allauth.account.internal.flows.login import _AUTHENTICATION_METHODS_USER_SESSION_KEY
    from allauth.account.internal.userkit import user_id_to_str

    client = Client()
    client.force_login(user)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "password", "at": time.time()},
        *([{"method": "mfa", "at": time.time(), "type": "totp"}] if second_factor else []),
    ]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session.save()
    return client


def make_network(**kwargs) -> Network:
    defaults = {
        "name": "Philippine Survivor Network",
        "short_name": "PSN",
        "review_required_audiences": [Audience.MEDIA, Audience.GOVERNMENT],
        "leaders_need_mfa": False,
        "review_fee": FEE,
    }
    return Network.objects.create(**{**defaults, **kwargs})


def make_leader(make_user, network: Network, by, *, pseudonym: str = "Liwayway"):
    user = make_user(Role.CONSULTANT)
    consultant = ConsultantFactory(user=user, pseudonym=pseudonym)
    leadership = leader_name(network=network, consultant=consultant, by=by)
    user.refresh_from_db()
    return user, leadership


def submitted_request(owner, **kwargs) -> Engagement:
    """A request submitted for approval through the workflow."""
    engagement = EngagementFactory(owner=owner, **kwargs)
    workflow.engagement_transition(engagement=engagement, name="submit", by=owner)
    engagement.refresh_from_db()
    return engagement


@pytest.fixture
def lead_network(db):
    return make_network()


@pytest.fixture
def lead_leader(make_user, lead_network, manager_user):
    """(user, leadership) of a named survivor leader."""
    return make_leader(make_user, lead_network, manager_user)


@pytest.fixture
def media_request(programme_staff_user, lead_network):
    return submitted_request(
        programme_staff_user,
        title="Radio feature on online safety",
        audience=Audience.MEDIA,
        type="media_interview",
        requested_by="Radyo Bayan newsdesk, juan@radyo.example",
        notes="Staff only: the producer called twice.",
    )


@pytest.fixture
def internal_request(programme_staff_user, lead_network):
    return submitted_request(programme_staff_user, title="Module review", audience="internal")
