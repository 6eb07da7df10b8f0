"""A checklist is made when an engagement is approved: a copy of the current
template version, with only the items that fit, due dates and owners."""

import datetime

import pytest

from checklists import services
from checklists.models import Checklist, ChecklistItem, OwnerRole
from engagements import services as engagement_services
from engagements import workflow
from engagements.models import Engagement, EngagementType, Participation
from tests.checklists.factories import TemplateItemFactory
from tests.engagements.factories import EngagementFactory, ParticipationFactory

pytestmark = pytest.mark.django_db

EXPOSED_ONLY = {"privacy-plan", "media-briefed"}
IN_PERSON_ONLY = {"food-transport"}
ONLINE_ONLY = {"data-allowance"}
HEARING_ONLY = {"testimony-options"}
CONSULTANT_ITEMS = {"read-brief", "know-my-choices"}


def keys(engagement):
    return set(
        ChecklistItem.objects.filter(checklist__engagement=engagement).values_list("key", flat=True)
    )


def test_approval_makes_the_checklist_from_the_current_version(public_engagement):
    checklist = Checklist.objects.get(engagement=public_engagement)
    assert checklist.template == services.template_current()
    assert checklist.template.is_published


def test_public_in_person_gets_privacy_and_in_person_items(public_engagement):
    got = keys(public_engagement)
    assert got >= EXPOSED_ONLY | IN_PERSON_ONLY
    assert not (got & ONLINE_ONLY)
    assert not (got & HEARING_ONLY)
    # A consultant's items wait for a consultant.
    assert not (got & CONSULTANT_ITEMS)


def test_online_internal_gets_only_the_items_that_apply(internal_online):
    got = keys(internal_online)
    assert not (got & EXPOSED_ONLY)
    assert not (got & IN_PERSON_ONLY)
    assert got & ONLINE_ONLY == ONLINE_ONLY
    assert {"consent-participation", "story-and-stopping", "trauma-risk-plan", "debrief"} <= got


def test_a_hearing_gets_the_testimony_item(owner, approve):
    engagement = EngagementFactory(
        owner=owner, status=Engagement.Status.SUBMITTED, type=EngagementType.LEGISLATIVE_HEARING
    )
    approve(engagement)
    assert "testimony-options" in keys(engagement)


def test_due_dates_and_owner(public_engagement, owner):
    items = {
        i.key: i for i in ChecklistItem.objects.filter(checklist__engagement=public_engagement)
    }
    assert items["privacy-plan"].due_at == public_engagement.start - datetime.timedelta(days=7)
    assert items["debrief"].due_at == public_engagement.end + datetime.timedelta(days=2)
    assert items["check-in"].due_at == public_engagement.start
    staff_items = [i for i in items.values() if i.owner_role == OwnerRole.PROGRAMME_STAFF]
    assert {item.assignee_id for item in staff_items} == {owner.pk}
    # Another role's item is that role's to pick up.
    assert items["privacy-plan"].owner_role == OwnerRole.PROGRAMME_MANAGER
    assert items["privacy-plan"].assignee is None
    assert items["payment-made"].assignee is None


def test_instantiating_twice_keeps_the_one_checklist(public_engagement):
    count = ChecklistItem.objects.filter(checklist__engagement=public_engagement).count()
    again = services.checklist_instantiate(engagement=public_engagement)
    assert again == public_engagement.checklist
    assert ChecklistItem.objects.filter(checklist__engagement=public_engagement).count() == count


def test_no_published_template_installs_the_default_again(owner, approve):
    from django.db import connection

    # As a flushed test database: TRUNCATE is not a row operation, so the
    # trigger that freezes published versions does not stop it.
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE checklists_checklisttemplate CASCADE")
    engagement = EngagementFactory(owner=owner, status=Engagement.Status.SUBMITTED)
    approve(engagement)
    assert Checklist.objects.get(engagement=engagement).template.items.count() == 24


def test_changing_dates_moves_open_items_only(internal_online, owner):
    done = ChecklistItem.objects.get(checklist__engagement=internal_online, key="schedule-checked")
    services.item_mark_done(item=done, by=owner)
    done.refresh_from_db()
    kept_due = done.due_at
    later = internal_online.start + datetime.timedelta(days=3)
    engagement_services.engagement_update(
        engagement=internal_online,
        by=owner,
        data={"start": later, "end": later + datetime.timedelta(hours=2)},
    )
    debrief = ChecklistItem.objects.get(checklist__engagement=internal_online, key="debrief")
    assert debrief.due_at == later + datetime.timedelta(hours=2, days=2)
    done.refresh_from_db()
    assert done.due_at == kept_due


def test_consultant_items_follow_participation(
    internal_online, make_consultant, owner, consultant_user
):
    consultant = make_consultant(pseudonym="Amihan", user=consultant_user)
    internal_online = workflow.engagement_transition(
        engagement=internal_online, name="start_staffing", by=owner
    )
    participation = ParticipationFactory(engagement=internal_online, consultant=consultant)
    engagement_services.participation_accept(participation=participation, by=consultant.user)
    mine = ChecklistItem.objects.filter(
        checklist__engagement=internal_online, consultant=consultant
    )
    assert set(mine.values_list("key", flat=True)) == CONSULTANT_ITEMS
    assert {item.assignee_id for item in mine} == {consultant.user_id}
    # Confirmation does not copy them again.
    engagement_services.participation_confirm(participation=participation, by=owner)
    assert mine.count() == 2
    # Stepping back: the open items go, a done one stays.
    services.item_mark_done(item=mine.get(key="read-brief"), by=consultant.user)
    engagement_services.participation_withdraw(participation=participation, by=consultant.user)
    participation.refresh_from_db()
    assert participation.status == Participation.Status.WITHDRAWN
    assert list(mine.values_list("key", flat=True)) == ["read-brief"]


def test_a_new_version_after_approval_leaves_the_checklist_unchanged(
    internal_online, admin_user, owner, approve
):
    """Done when: editing the template after approval changes no checklist."""
    before = list(
        ChecklistItem.objects.filter(checklist__engagement=internal_online)
        .order_by("id")
        .values_list("key", "title", "guidance", "due_at", "gates")
    )
    current = services.template_current()
    draft = services.template_create_draft(template=current, by=admin_user)
    debrief = draft.items.get(key="debrief")
    debrief.title = "Debrief within 24 hours"
    debrief.due_offset_days = 1
    services.template_item_save(item=debrief)
    TemplateItemFactory(template=draft, key="new-thing", title="A brand new step")
    services.template_publish(template=draft, by=admin_user)
    assert services.template_current() == draft

    after = list(
        ChecklistItem.objects.filter(checklist__engagement=internal_online)
        .order_by("id")
        .values_list("key", "title", "guidance", "due_at", "gates")
    )
    assert after == before
    assert Checklist.objects.get(engagement=internal_online).template == current

    # A newly approved engagement gets the new version.
    fresh = EngagementFactory(owner=owner, status=Engagement.Status.SUBMITTED)
    approve(fresh)
    assert Checklist.objects.get(engagement=fresh).template == draft
    assert {"new-thing", "debrief"} <= keys(fresh)
    assert ChecklistItem.objects.get(checklist__engagement=fresh, key="debrief").title == (
        "Debrief within 24 hours"
    )
