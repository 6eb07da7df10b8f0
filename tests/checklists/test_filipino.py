"""Checklist texts in English and Filipino: a version is published with both,
a new draft keeps the Filipino, the Filipino of a published version is as
fixed as the English, checklists copy it, and pages, gate messages and her
record show the active language's words."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from checklists import default_template, gates, services
from checklists.models import (
    DEFAULT_TEMPLATE_SLUG,
    ChecklistItem,
    ChecklistTemplate,
    Gate,
    TemplateItem,
)
from consultants import record
from core.records import RecordIsImmutable
from engagements.models import Participation
from tests.checklists.factories import ChecklistTemplateFactory, TemplateItemFactory
from tests.engagements.factories import ParticipationFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db

migration = importlib.import_module("checklists.migrations.0005_default_template_in_filipino")
DEFAULT = {item["key"]: item for item in default_template.load()["items"]}


# --- Publishing in both languages -----------------------------------------------------


@pytest.fixture
def draft():
    template = ChecklistTemplateFactory(name="Roundtable", name_fil="")
    TemplateItemFactory(template=template, title="Room booked", title_fil="")
    TemplateItemFactory(template=template, title="Snacks", guidance="Ask first", guidance_fil="")
    TemplateItemFactory(template=template, title="Done right")
    return template


def test_a_version_without_its_filipino_is_not_published(draft):
    with pytest.raises(ValidationError) as refused:
        services.template_publish(template=draft)
    assert refused.value.messages == [
        "A checklist template is published in English and Filipino together.",
        "Write the template's name (and description) in Filipino too.",
        "Write the Filipino title (and guidance) of these items: “Room booked”; “Snacks”.",
    ]
    draft.refresh_from_db()
    assert not draft.is_published

    ChecklistTemplate.objects.filter(pk=draft.pk).update(name_fil="Roundtable sa Filipino")
    TemplateItem.objects.filter(template=draft).update(title_fil="Pamagat", guidance_fil="Gabay")
    draft.refresh_from_db()
    assert services.template_publish(template=draft).is_published


def test_the_admin_refuses_to_publish_without_the_filipino(draft, admin_user):
    response = client_for(admin_user).post(
        reverse("admin:checklists_checklisttemplate_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
        follow=True,
    )
    assert "published in English and Filipino together" in response.content.decode()
    draft.refresh_from_db()
    assert not draft.is_published


def test_a_new_draft_keeps_the_filipino_and_the_published_filipino_never_changes():
    current = services.template_current()
    draft = services.template_create_draft(template=current)
    assert (draft.name_fil, draft.description_fil) == (current.name_fil, current.description_fil)
    copied = {item.key: item for item in draft.items.all()}
    for item in current.items.all():
        assert (copied[item.key].title_fil, copied[item.key].guidance_fil) == (
            item.title_fil,
            item.guidance_fil,
        )

    published_item = current.items.get(key="read-brief")
    published_item.title_fil = "Iba na"
    with pytest.raises(RecordIsImmutable):
        published_item.save()
    current.name_fil = "Iba na"
    with pytest.raises(RecordIsImmutable):
        current.save()
    for statement, pk in (
        ("UPDATE checklists_templateitem SET title_fil = 'Iba' WHERE id = %s", published_item.pk),
        ("UPDATE checklists_checklisttemplate SET name_fil = 'Iba' WHERE id = %s", current.pk),
    ):
        with (
            pytest.raises(DatabaseError, match="never changed"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [pk])


# --- Checklists copy it, pages show it ---------------------------------------------


@pytest.fixture
def items(public_engagement):
    return {i.key: i for i in ChecklistItem.objects.filter(checklist__engagement=public_engagement)}


def test_a_checklist_copies_the_filipino(items):
    privacy = items["privacy-plan"]
    assert privacy.title_fil == DEFAULT["privacy-plan"]["fil"]["title"]
    assert privacy.guidance_fil == DEFAULT["privacy-plan"]["fil"]["guidance"]


def test_items_read_in_the_active_language(items):
    item = items["privacy-plan"]
    with translation.override("fil"):
        assert item.shown_title == "Naaprubahan ang plano sa privacy"
        assert item.shown_guidance.startswith("Bago humarap sa publiko")
        assert services.template_current().shown_name == "Gawain kasama ang mga survivor"
    with translation.override("en"):
        assert item.shown_title == "Privacy plan approved"
    untranslated = ChecklistItem(title="Only English", title_fil="")
    with translation.override("fil"):
        assert untranslated.shown_title == "Only English"


def test_staff_pages_show_the_filipino_to_staff_who_read_filipino(
    public_engagement, owner, items, filipino_requests
):
    client = client_for(filipino_requests(owner))
    page = client.get(reverse("checklists:engagement", args=[public_engagement.pk])).content
    page = page.decode()
    assert "Naaprubahan ang plano sa privacy" in page
    assert "Privacy plan approved" not in page
    assert "Mula sa “Gawain kasama ang mga survivor”, bersiyon 2." in page

    page = client.get(reverse("checklists:my_tasks")).content.decode()
    assert "Natingnan ang schedule laban sa trabaho o pag-aaral ng consultant" in page

    item = items["briefing-held"]
    page = client.get(reverse("checklists:item_done", args=[item.pk])).content.decode()
    assert "Naidaos ang briefing" in page and "Makipagkita sa mga consultant" in page

    english = client_for(filipino_requests(owner, "en"))
    english = english.get(reverse("checklists:my_tasks")).content.decode()
    assert "Schedule checked against the consultant" in english


def test_her_own_items_are_in_filipino_in_the_portal_and_her_record(
    internal_online, make_consultant, make_user, filipino_requests
):
    user = make_user(Role.CONSULTANT)
    consultant = make_consultant(user=user)
    ParticipationFactory(
        engagement=internal_online, consultant=consultant, status=Participation.Status.ACCEPTED
    )
    services.checklist_add_consultant(engagement=internal_online, consultant=consultant)
    item = ChecklistItem.objects.get(consultant=consultant, key="know-my-choices")
    client = client_for(filipino_requests(user))

    page = client.get(reverse("my_checklist:index")).content.decode()
    assert "Nabasa ko na ang brief" in page and "I have read the brief" not in page
    page = client.get(reverse("my_checklist:item", args=[item.pk])).content.decode()
    assert "Alam kong hindi ko kailangang ibahagi ang kuwento ko" in page
    assert "Puwede kang magpahinga o tumigil kahit kailan, kahit walang dahilan" in page

    with translation.override("fil"):
        sections = record.record_build(consultant)
    (checklist,) = [section for section in sections if section.key == "checklist_items"]
    assert "Nabasa ko na ang brief" in [row.title for row in checklist.rows]


def test_a_gate_names_the_open_items_in_the_language_of_who_is_refused(public_engagement):
    with translation.override("fil"):
        reasons = gates.before_items_done(engagement=public_engagement, by=None, now=None)
    assert "Checklist: hindi pa tapos ang “Naaprubahan ang plano sa privacy”." in reasons
    with translation.override("en"):
        reasons = gates.before_items_done(engagement=public_engagement, by=None, now=None)
    assert "Checklist: “Privacy plan approved” is not done yet." in reasons
    assert ChecklistItem.objects.filter(
        checklist__engagement=public_engagement, gates=Gate.CONFIRM
    ).exists()


# --- The data migration ----------------------------------------------------------------


def test_the_migration_gives_older_checklists_their_filipino_and_installs_once(items):
    before = ChecklistTemplate.objects.filter(slug=DEFAULT_TEMPLATE_SLUG).count()
    # A checklist made from version 1, before the Filipino existed.
    ChecklistItem.objects.filter(pk=items["debrief"].pk).update(title_fil="", guidance_fil="")
    # One whose words are not the default's (a custom template): left alone.
    ChecklistItem.objects.filter(pk=items["check-in"].pk).update(
        title="Our own check-in", title_fil="", guidance_fil=""
    )

    migration.forward(apps, None)
    migration.forward(apps, None)

    debrief = ChecklistItem.objects.get(pk=items["debrief"].pk)
    assert debrief.title_fil == "Debrief sa loob ng 48 oras"
    assert debrief.status == ChecklistItem.Status.OPEN
    assert ChecklistItem.objects.get(pk=items["check-in"].pk).title_fil == ""
    # The current version already has its Filipino: no other version is made.
    assert ChecklistTemplate.objects.filter(slug=DEFAULT_TEMPLATE_SLUG).count() == before
