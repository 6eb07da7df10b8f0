"""Reassigning a checklist item (``services.item_reassign``, the staff page
``checklists:item_reassign``): the engagement's owner, managers and
administrators hand an open staff item to someone on the engagement; the
change is audited (who, when, from, to) and the new assignee is told at
once by e-mail (the reminder kind ``staff_checklist_item_assigned``). Bad,
hostile and unauthorised input is refused and changes nothing."""

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
from checklists import access, services
from checklists.models import ChecklistItem
from checklists.reminders import ASSIGNED_KEY
from engagements import workflow
from engagements.models import Audience, Engagement, Mode, Participation
from reminders import services as reminder_services
from reminders.models import ReminderDelivery
from tests.consultants.factories import ConsultantFactory
from tests.engagements.factories import EngagementFactory, ParticipationFactory, at
from tests.helpers import client_for

pytestmark = pytest.mark.django_db
D = ReminderDelivery.Status


@pytest.fixture(autouse=True)
def _daytime():
    """Manila mid-morning, outside every quiet hour, so the message goes at once."""
    moment = at(timezone.localdate() + datetime.timedelta(days=1), 10)
    with time_machine.travel(moment, tick=True):
        yield


@pytest.fixture
def world(make_user, manager_user):
    owner = make_user(Role.PROGRAMME_STAFF, display_name="Olive Owner")
    assigned = make_user(Role.PROGRAMME_STAFF, display_name="Asa Assigned")
    engagement = EngagementFactory(
        owner=owner,
        status=Engagement.Status.SUBMITTED,
        audience=Audience.PUBLIC,
        mode=Mode.IN_PERSON,
        venue="Hall",
        online_link="",
        assigned_staff=[assigned],
        title="Secret roundtable title",
    )
    workflow.engagement_transition(engagement=engagement, name="approve", by=manager_user)
    items = {i.key: i for i in ChecklistItem.objects.filter(checklist__engagement=engagement)}
    return {"owner": owner, "assigned": assigned, "engagement": engagement, "items": items}


def _url(item):
    return reverse("checklists:item_reassign", args=[item.pk])


def _ours():
    return [m for m in mail.outbox if m.subject == "Tinig: a checklist item is now yours"]


def test_owner_hands_an_item_to_assigned_staff(world, django_capture_on_commit_callbacks):
    item = world["items"]["briefing-held"]
    assert item.assignee == world["owner"]
    client = client_for(world["owner"])
    page = client.get(_url(item)).content.decode()
    assert "Asa Assigned" in page and 'type="radio"' in page
    assert "Olive Owner</label>" not in page  # the current assignee is not a choice

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_url(item), {"assignee": world["assigned"].pk})
    assert response.status_code == 302
    assert response["Location"].endswith(f"#item-{item.pk}")
    item.refresh_from_db()
    assert item.assignee == world["assigned"] and item.assigned_at is not None

    entry = LogEntry.objects.filter(
        object_pk=str(item.pk), additional_data__event="checklist_item_reassigned"
    ).get()
    assert entry.actor == world["owner"]
    assert entry.additional_data["from_user"] == world["owner"].pk
    assert entry.additional_data["to_user"] == world["assigned"].pk
    assert entry.timestamp >= item.assigned_at - datetime.timedelta(seconds=5)

    delivery = ReminderDelivery.objects.get(kind=ASSIGNED_KEY)
    assert delivery.user == world["assigned"] and delivery.status == D.SENT
    (message,) = _ours()
    assert message.to == [world["assigned"].email]
    # Discreet: a link, not the work.
    assert "Secret roundtable title" not in message.body and "Briefing" not in message.body
    assert reverse("checklists:engagement", args=[world["engagement"].pk]) in message.body

    # It is in their tasks now, and out of the owner's.
    tasks = client_for(world["assigned"]).get(reverse("checklists:my_tasks")).content.decode()
    assert item.title in tasks


def test_a_manager_may_reassign_and_the_checklist_offers_it(world, manager_user):
    item = world["items"]["briefing-held"]
    page = client_for(manager_user).get(
        reverse("checklists:engagement", args=[world["engagement"].pk])
    )
    assert _url(item) in page.content.decode()
    services.item_reassign(item=item, to=world["assigned"], by=manager_user)
    item.refresh_from_db()
    assert item.assignee == world["assigned"]
    # Assigned staff see the checklist without the "Reassign" link.
    page = client_for(world["assigned"]).get(
        reverse("checklists:engagement", args=[world["engagement"].pk])
    )
    assert _url(item) not in page.content.decode()


def test_taking_an_item_back_yourself_sends_no_message(world, django_capture_on_commit_callbacks):
    item = world["items"]["briefing-held"]
    services.item_reassign(item=item, to=world["assigned"], by=world["owner"])
    with django_capture_on_commit_callbacks(execute=True):
        services.item_reassign(item=item, to=world["owner"], by=world["owner"])
    item.refresh_from_db()
    assert item.assignee == world["owner"] and item.assigned_at is None
    assert [d.user_id for d in ReminderDelivery.objects.filter(kind=ASSIGNED_KEY)] == [
        world["assigned"].pk
    ]


def test_the_first_message_is_skipped_once_the_item_moved_on(world, make_user):
    item = world["items"]["briefing-held"]
    third = make_user(Role.PROGRAMME_STAFF)
    world["engagement"].assigned_staff.add(third)
    services.item_reassign(item=item, to=world["assigned"], by=world["owner"])
    first = ReminderDelivery.objects.get(kind=ASSIGNED_KEY, user=world["assigned"])
    services.item_reassign(item=item, to=third, by=world["owner"])
    assert reminder_services.delivery_send(delivery_id=first.pk) == "skipped"
    assert ReminderDelivery.objects.filter(kind=ASSIGNED_KEY, user=third).exists()


@pytest.mark.parametrize(
    "who", ["outsider", "inactive", "consultant", "finance_on_it", "unknown", "junk", "empty"]
)
def test_hostile_or_wrong_choices_are_refused(world, make_user, who):
    item = world["items"]["briefing-held"]
    engagement = world["engagement"]
    match who:
        case "outsider":  # programme staff, not on this engagement
            value = make_user(Role.PROGRAMME_STAFF).pk
        case "inactive":
            person = make_user(Role.PROGRAMME_STAFF)
            engagement.assigned_staff.add(person)
            person.is_active = False
            person.save()
            value = person.pk
        case "consultant":
            person = make_user(Role.CONSULTANT)
            engagement.assigned_staff.add(person)
            value = person.pk
        case "finance_on_it":  # on the engagement, but not a role that does this item
            person = make_user(Role.FINANCE_OFFICER)
            engagement.assigned_staff.add(person)
            value = person.pk
        case "unknown":
            value = 10**9
        case "junk":
            value = "1 OR 1=1"
        case _:
            value = ""
    response = client_for(world["owner"]).post(_url(item), {"assignee": value})
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.assignee == world["owner"] and item.assigned_at is None
    assert not ReminderDelivery.objects.filter(kind=ASSIGNED_KEY).exists()
    if who not in ("junk", "empty", "unknown"):
        # The service refuses them too, whatever a form lets through.
        with pytest.raises(ValidationError) as refused:
            services.item_reassign(item=item, to=value, by=world["owner"])
        assert "on this engagement" in str(refused.value)


def test_only_the_owner_managers_and_administrators(world, make_user, admin_user):
    item = world["items"]["briefing-held"]
    for user in (world["assigned"], make_user(Role.FINANCE_OFFICER)):
        assert client_for(user).post(_url(item), {"assignee": user.pk}).status_code == 403
        with pytest.raises(PermissionDenied):
            services.item_reassign(item=item, to=world["assigned"], by=user)
    # Someone who cannot see the engagement gets a 404, as for a made-up item.
    colleague = make_user(Role.PROGRAMME_STAFF)
    client = client_for(colleague)
    assert client.post(_url(item), {"assignee": colleague.pk}).status_code == 404
    assert client.post(reverse("checklists:item_reassign", args=[10**9])).status_code == 404
    item.refresh_from_db()
    assert item.assignee == world["owner"]
    services.item_reassign(item=item, to=world["assigned"], by=admin_user)


def test_a_done_item_a_finished_checklist_and_a_consultants_item_are_refused(world, manager_user):
    items = world["items"]
    owner = world["owner"]
    done = items["schedule-checked"]
    services.item_mark_done(item=done, by=owner)
    response = client_for(owner).post(_url(done), {"assignee": world["assigned"].pk})
    assert response.status_code == 400
    assert "Only an item still to do can be reassigned." in response.content.decode()

    consultant = ConsultantFactory()
    ParticipationFactory(
        engagement=world["engagement"],
        consultant=consultant,
        status=Participation.Status.ACCEPTED,
    )
    services.checklist_add_consultant(engagement=world["engagement"], consultant=consultant)
    theirs = ChecklistItem.objects.filter(consultant=consultant).first()
    assert client_for(manager_user).get(_url(theirs)).status_code == 403

    open_item = items["briefing-held"]
    Engagement.objects.filter(pk=world["engagement"].pk).update(status=Engagement.Status.CLOSED)
    page = client_for(owner).get(_url(open_item))
    assert page.status_code == 200
    assert "its checklist is finished" in page.content.decode()
    assert 'type="radio"' not in page.content.decode()
    response = client_for(owner).post(_url(open_item), {"assignee": world["assigned"].pk})
    assert response.status_code == 400
    open_item.refresh_from_db()
    assert open_item.assignee == owner


def test_a_finance_item_goes_only_to_finance_people_on_the_engagement(
    world, make_user, manager_user
):
    item = world["items"]["payment-made"]
    assert list(access.assignee_candidates(item)) == []
    page = client_for(manager_user).get(_url(item)).content.decode()
    assert "Nobody else on this engagement may do this item." in page
    finance = make_user(Role.FINANCE_OFFICER, display_name="Fe Finance")
    world["engagement"].assigned_staff.add(finance)
    assert list(access.assignee_candidates(item)) == [finance]
    services.item_reassign(item=item, to=finance, by=manager_user)
    item.refresh_from_db()
    assert item.assignee == finance


def test_the_page_is_a_bounded_choice(world, make_user, django_assert_max_num_queries):
    """The choices are the engagement's own people, never every staff member."""
    for _ in range(5):
        make_user(Role.PROGRAMME_STAFF)
    item = world["items"]["briefing-held"]
    page = client_for(world["owner"]).get(_url(item)).content.decode()
    assert page.count('type="radio"') == 1
