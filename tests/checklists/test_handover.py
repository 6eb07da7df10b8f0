"""Handing over a leaving person's open checklist items
(``services.items_reassign_from``, ``checklists:handover``): managers and
administrators find the person by name and give their items to one person
on those engagements; items that person may not take stay; one audit event
per item moved; one e-mail to the person who takes them."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from checklists import services
from checklists.models import ChecklistItem
from engagements import workflow
from engagements.models import Engagement
from tests.engagements.factories import EngagementFactory, at
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
URL = reverse("checklists:handover")


@pytest.fixture(autouse=True)
def _daytime():
    with time_machine.travel(at(timezone.localdate() + datetime.timedelta(days=1), 10), tick=True):
        yield


@pytest.fixture
def world(make_user, manager_user):
    leaving = make_user(Role.PROGRAMME_STAFF, display_name="Lena Leaving")
    taker = make_user(Role.PROGRAMME_STAFF, display_name="Tomas Taker")
    shared = EngagementFactory(
        owner=leaving, status=Engagement.Status.SUBMITTED, assigned_staff=[taker]
    )
    alone = EngagementFactory(owner=leaving, status=Engagement.Status.SUBMITTED)
    for engagement in (shared, alone):
        workflow.engagement_transition(engagement=engagement, name="approve", by=manager_user)
    return {"leaving": leaving, "taker": taker, "shared": shared, "alone": alone}


def _theirs(user, engagement):
    return ChecklistItem.objects.filter(
        assignee=user, checklist__engagement=engagement, status="open"
    ).count()


def test_a_manager_finds_the_person_and_hands_over(
    world, manager_user, django_capture_on_commit_callbacks
):
    client = client_for(manager_user)
    found = client.get(URL, {"q": "lena"}).content.decode()
    assert "Lena Leaving" in found and f"?from={world['leaving'].pk}" in found
    page = client.get(URL, {"from": world["leaving"].pk}).content.decode()
    assert "Tomas Taker" in page and page.count('type="radio"') == 1

    on_shared = _theirs(world["leaving"], world["shared"])
    on_alone = _theirs(world["leaving"], world["alone"])
    assert on_shared and on_alone
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL, {"from": world["leaving"].pk, "to": world["taker"].pk})
    assert response.status_code == 302
    assert _theirs(world["taker"], world["shared"]) == on_shared
    assert _theirs(world["leaving"], world["alone"]) == on_alone  # not on that engagement
    events = LogEntry.objects.filter(additional_data__event="checklist_items_handed_over")
    assert events.count() == on_shared
    assert {
        (e.actor_id, e.additional_data["from_user"], e.additional_data["to_user"]) for e in events
    } == {(manager_user.pk, world["leaving"].pk, world["taker"].pk)}
    (message,) = [m for m in mail.outbox if m.to == [world["taker"].email]]
    assert f"{on_shared} checklist items have been handed to you" in message.body
    assert world["shared"].title not in message.body


def test_only_managers_and_administrators(world, make_user):
    for user in (world["leaving"], world["taker"], make_user(Role.FINANCE_OFFICER)):
        client = client_for(user)
        assert client.get(URL).status_code == 403
        response = client.post(URL, {"from": world["leaving"].pk, "to": user.pk})
        assert response.status_code == 403
        with pytest.raises(PermissionDenied):
            services.items_reassign_from(from_user=world["leaving"], to=world["taker"], by=user)
    assert _theirs(world["taker"], world["shared"]) == 0


@pytest.mark.parametrize("who", ["outsider", "inactive", "consultant", "same", "junk", "unknown"])
def test_bad_choices_are_refused(world, manager_user, make_user, who):
    client = client_for(manager_user)
    match who:
        case "outsider":
            to = make_user(Role.PROGRAMME_STAFF).pk
        case "inactive":
            person = make_user(Role.PROGRAMME_STAFF)
            world["shared"].assigned_staff.add(person)
            person.is_active = False
            person.save()
            to = person.pk
        case "consultant":
            person = make_user(Role.CONSULTANT)
            world["shared"].assigned_staff.add(person)
            to = person.pk
        case "same":
            to = world["leaving"].pk
        case "junk":
            to = "2; DROP TABLE x"
        case _:
            to = 10**9
    before = _theirs(world["leaving"], world["shared"])
    response = client.post(URL, {"from": world["leaving"].pk, "to": to})
    assert response.status_code == 400
    assert _theirs(world["leaving"], world["shared"]) == before
    assert client.get(URL, {"from": 10**9}).status_code == 404
    assert client.get(URL, {"from": "x'"}).status_code == 404
    # A consultant's account is never a "from": not even its name is shown.
    assert client.get(URL, {"from": make_user(Role.CONSULTANT).pk}).status_code == 404


def test_the_service_refuses_someone_who_may_take_nothing(world, manager_user, make_user):
    outsider = make_user(Role.PROGRAMME_STAFF)
    with pytest.raises(ValidationError):
        services.items_reassign_from(from_user=world["leaving"], to=outsider, by=manager_user)
    with pytest.raises(ValidationError):
        services.items_reassign_from(
            from_user=world["leaving"], to=world["leaving"], by=manager_user
        )


def test_search_is_bounded(world, manager_user, make_user):
    for n in range(15):
        person = make_user(Role.PROGRAMME_STAFF, display_name=f"Lena {n}")
        engagement = EngagementFactory(owner=person, status=Engagement.Status.SUBMITTED)
        workflow.engagement_transition(engagement=engagement, name="approve", by=manager_user)
    page = client_for(manager_user).get(URL, {"q": "Lena"}).content.decode()
    assert page.count("?from=") == 10
    assert client_for(manager_user).get(URL, {"q": "x" * 500}).status_code == 200
