"""The admin: drafts edited with their items in order, published versions
read-only, publishing and new versions as actions."""

import pytest
from django.urls import reverse

from checklists import services
from checklists.models import ChecklistTemplate
from tests.checklists.factories import ChecklistTemplateFactory, TemplateItemFactory
from tests.helpers import client_for

pytestmark = pytest.mark.django_db


def _change(template):
    return reverse("admin:checklists_checklisttemplate_change", args=[template.pk])


def _inline_data(template, items, **overrides):
    data = {
        "name": template.name,
        "description": "",
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": str(len(items)),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
    }
    for n, item in enumerate(items):
        data.update(
            {
                f"items-{n}-id": str(item.pk),
                f"items-{n}-template": str(template.pk),
                f"items-{n}-order": str(item.order),
                f"items-{n}-key": item.key,
                f"items-{n}-stage": item.stage,
                f"items-{n}-title": item.title,
                f"items-{n}-guidance": item.guidance,
                f"items-{n}-owner_role": item.owner_role,
                f"items-{n}-due_anchor": item.due_anchor,
                f"items-{n}-due_offset_days": str(item.due_offset_days),
                f"items-{n}-evidence": item.evidence,
                f"items-{n}-gates": item.gates,
                f"items-{n}-condition": item.condition,
                f"items-{n}-engagement_types": "",
            }
        )
    data.update(overrides)
    return data


def test_pages_open(admin_user, public_engagement):
    client = client_for(admin_user)
    current = services.template_current()
    for url in (
        reverse("admin:checklists_checklisttemplate_changelist"),
        reverse("admin:checklists_checklisttemplate_add"),
        _change(current),
        reverse("admin:checklists_checklist_changelist"),
        reverse("admin:checklists_checklist_change", args=[public_engagement.checklist.pk]),
    ):
        assert client.get(url).status_code == 200, url


def test_a_published_version_is_read_only(admin_user):
    current = services.template_current()
    client = client_for(admin_user)
    page = client.get(_change(current)).content.decode()
    assert 'name="name"' not in page
    assert 'name="items-0-title"' not in page
    items = list(current.items.order_by("order"))
    response = client.post(
        _change(current), _inline_data(current, items, **{"items-0-title": "Hacked"})
    )
    assert response.status_code == 403
    assert current.items.get(pk=items[0].pk).title == items[0].title


def test_a_draft_is_edited_and_its_items_reordered(admin_user):
    draft = ChecklistTemplateFactory()
    first = TemplateItemFactory(template=draft, order=1, title="First")
    second = TemplateItemFactory(template=draft, order=2, title="Second")
    client = client_for(admin_user)
    data = _inline_data(
        draft,
        [first, second],
        **{"items-0-order": "20", "items-1-order": "10", "items-1-title": "Now first"},
    )
    response = client.post(_change(draft), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert list(draft.items.order_by("order").values_list("title", flat=True)) == [
        "Now first",
        "First",
    ]


def test_publish_and_new_version_actions(admin_user):
    current = services.template_current()
    client = client_for(admin_user)
    changelist = reverse("admin:checklists_checklisttemplate_changelist")
    client.post(changelist, {"action": "new_version", "_selected_action": [current.pk]})
    draft = ChecklistTemplate.objects.get(slug=current.slug, version=current.version + 1)
    assert not draft.is_published
    assert draft.items.count() == current.items.count()
    client.post(changelist, {"action": "publish", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.is_published
    assert services.template_current() == draft


def test_a_published_version_cannot_be_deleted(admin_user):
    current = services.template_current()
    client = client_for(admin_user)
    url = reverse("admin:checklists_checklisttemplate_delete", args=[current.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert ChecklistTemplate.objects.filter(pk=current.pk).exists()
