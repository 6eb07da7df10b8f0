"""Bounded: her page, the engagement's page and the partner's form take a
fixed number of queries, however many contributions and outcomes there are."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from impact import services
from impact.models import OutcomeStatus
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def _add(world, n):
    for i in range(n):
        contribution = services.contribution_create(
            engagement=world["engagement"],
            by=world["owner"],
            kind="recommendation",
            summary=f"Recommendation {i}",
            consultants=[world["amihan"], world["bayani"]],
        )
        services.outcome_record(
            contribution=contribution,
            by=world["owner"],
            status=OutcomeStatus.ADOPTED,
            decided_on=timezone.localdate(),
            shared_note="Taken up.",
        )
        services.work_create(
            engagement=world["engagement"],
            by=world["owner"],
            title=f"Work {i}",
            kind="report",
            consultants=[world["amihan"]],
        )


def _count(client, url) -> int:
    client.get(url)  # sessions, content types: cached once
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("page", ["portal", "staff"])
def test_pages_take_a_fixed_number_of_queries(world, page):
    if page == "portal":
        client, url = client_for(world["amihan"].user), reverse("my_impact:index")
    else:
        client = client_for(world["manager"])
        url = reverse("impact:engagement", args=[world["engagement"].pk])
    _add(world, 1)
    small = _count(client, url)
    _add(world, 5)
    assert _count(client, url) == small


def test_the_impact_page_takes_a_fixed_number_of_queries(world):
    """Its page of contributions, the count of those waiting and the
    pagination: the same queries for one contribution as for a hundred."""
    client, url = client_for(world["manager"]), reverse("impact:index")
    _add(world, 1)
    small = _count(client, url)
    for i in range(60):
        services.contribution_create(
            engagement=world["engagement"],
            by=world["owner"],
            kind="review",
            summary=f"Waiting {i}",
            consultants=[world["amihan"]],
        )
    _add(world, 3)
    assert _count(client, url) == small
    assert _count(client, url + "?q=a&page=2") == small
