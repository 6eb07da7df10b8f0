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
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from checklists import selectors, services
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


# --- What the pages read (issue #16: one query each, whatever the volume) --------------


def _approved(owner, manager, **kwargs) -> Engagement:
    engagement = EngagementFactory(owner=owner, status=Engagement.Status.SUBMITTED, **kwargs)
    workflow.engagement_transition(engagement=engagement, name="approve", by=manager)
    return engagement


def _finish(engagement, status=Engagement.Status.CANCELLED) -> None:
    Engagement.objects.filter(pk=engagement.pk).update(status=status)


def _held_on_running(person) -> int:
    return (
        ChecklistItem.objects.filter(assignee=person, status="open", consultant__isnull=True)
        .exclude(checklist__engagement__status__in=selectors.FINISHED)
        .count()
    )


def test_the_search_shows_who_holds_an_item_on_a_running_engagement(
    world, manager_user, make_user, django_assert_num_queries
):
    finished_only = make_user(Role.PROGRAMME_STAFF, display_name="Lena Finished")
    _finish(_approved(finished_only, manager_user), Engagement.Status.CLOSED)
    make_user(Role.PROGRAMME_STAFF, display_name="Lena Nothing")
    gone = make_user(Role.PROGRAMME_STAFF, display_name="Lena Gone")
    _approved(gone, manager_user)
    gone.is_active = False
    gone.save()
    with django_assert_num_queries(1):
        found = selectors.handover_people(query="lena")
    assert found == [gone, world["leaving"]]  # by name; inactive people too

    _finish(world["alone"])  # one running engagement left is enough
    assert world["leaving"] in selectors.handover_people(query="Leaving")
    _finish(world["shared"])
    assert selectors.handover_people(query="Leaving") == []

    page = client_for(manager_user).get(URL, {"q": "lena"}).content.decode()
    assert f"?from={gone.pk}" in page and "inactive" in page
    assert f"?from={finished_only.pk}" not in page


def test_the_summary_counts_what_is_held_on_running_engagements(
    world, manager_user, make_user, django_assert_num_queries
):
    leaving, taker = world["leaving"], world["taker"]
    # The owner of an engagement where she holds an item may take it too;
    # an inactive or consultant's account assigned there never.
    owner = make_user(Role.PROGRAMME_STAFF, display_name="Olga Owner")
    inactive = make_user(Role.PROGRAMME_STAFF, display_name="Ina Inactive", is_active=False)
    consultant = make_user(Role.CONSULTANT, display_name="Cora Consultant")
    theirs = _approved(owner, manager_user, assigned_staff=[inactive, consultant])
    item = ChecklistItem.objects.filter(
        checklist__engagement=theirs, status="open", consultant__isnull=True
    ).first()
    ChecklistItem.objects.filter(pk=item.pk).update(assignee=leaving)

    with django_assert_num_queries(1):
        summary = selectors.handover_summary(person=leaving)
    assert summary.open_items == _held_on_running(leaving) > 1
    assert summary.engagements == 3
    assert summary.takers == [owner, taker]  # by name

    _finish(theirs, Engagement.Status.CLOSED)
    _finish(world["shared"])
    summary = selectors.handover_summary(person=leaving)
    assert summary.open_items == _held_on_running(leaving) == _theirs(leaving, world["alone"])
    assert (summary.engagements, summary.takers) == (1, [])  # figures, and nobody to take them
    page = client_for(manager_user).get(URL, {"from": leaving.pk}).content.decode()
    assert "Nobody else runs these engagements" in page

    holds_nothing = make_user(Role.PROGRAMME_STAFF)
    with django_assert_num_queries(1):
        nothing = selectors.handover_summary(person=holds_nothing)
    assert (nothing.open_items, nothing.engagements, nothing.takers) == (0, 0, [])


def _queries(client, params) -> int:
    client.get(URL, params)  # warm the session
    with CaptureQueriesContext(connection) as captured:
        assert client.get(URL, params).status_code == 200
    return len(captured)


def test_both_pages_make_as_many_queries_at_any_volume(world, manager_user, make_user):
    client = client_for(manager_user)
    few = (_queries(client, {"q": "Lena"}), _queries(client, {"from": world["leaving"].pk}))
    for n in range(4):
        person = make_user(Role.PROGRAMME_STAFF, display_name=f"Lena {n}")
        _approved(person, manager_user, assigned_staff=[world["taker"]])
        _approved(world["leaving"], manager_user, assigned_staff=[person])
    many = (_queries(client, {"q": "Lena"}), _queries(client, {"from": world["leaving"].pk}))
    assert many == few
