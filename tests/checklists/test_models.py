"""Templates: versions, immutability once published, item rules."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.utils import ProgrammingError

from checklists import services
from checklists.models import (
    ChecklistTemplate,
    Condition,
    Gate,
    OwnerRole,
    Stage,
    TemplateItem,
)
from core.records import RecordIsImmutable
from engagements.models import Audience, EngagementType, Mode
from tests.checklists.factories import ChecklistTemplateFactory, TemplateItemFactory
from tests.engagements.factories import EngagementFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(admin_user):
    template = ChecklistTemplateFactory()
    TemplateItemFactory(template=template, key="a", title="First")
    return services.template_publish(template=template, by=admin_user)


def test_a_published_version_is_never_edited(published):
    published.name = "Changed"
    with pytest.raises(RecordIsImmutable):
        published.save()
    with pytest.raises(RecordIsImmutable):
        published.delete()
    item = published.items.get()
    item.title = "Changed"
    with pytest.raises(RecordIsImmutable):
        item.save()
    with pytest.raises(ValidationError):
        item.full_clean()
    with pytest.raises(RecordIsImmutable):
        item.delete()
    with pytest.raises(RecordIsImmutable):
        TemplateItem(
            template=published, key="b", stage="before", title="B", owner_role="programme_staff"
        ).save()
    with pytest.raises(ValidationError):
        services.template_publish(template=published)


def test_postgresql_refuses_too(published):
    for statement in (
        lambda: ChecklistTemplate.objects.filter(pk=published.pk).update(name="Sneaky"),
        lambda: ChecklistTemplate.objects.filter(pk=published.pk).delete(),
        lambda: TemplateItem.objects.filter(template=published).update(title="Sneaky"),
        lambda: TemplateItem.objects.filter(template=published).delete(),
    ):
        with pytest.raises(ProgrammingError, match="never changed"), transaction.atomic():
            statement()
    published.refresh_from_db()
    assert published.name != "Sneaky"
    assert published.items.get().title == "First"


def test_a_draft_is_edited_freely_and_new_versions_count_up(published, admin_user):
    draft = services.template_create_draft(template=published, by=admin_user)
    assert (draft.slug, draft.version, draft.is_published) == (published.slug, 2, False)
    item = draft.items.get()
    item.title = "First, reworded"
    services.template_item_save(item=item)
    assert published.items.get().title == "First"
    assert services.template_create_draft(template=published).version == 3


def test_a_template_without_items_is_not_published():
    with pytest.raises(ValidationError):
        services.template_publish(template=ChecklistTemplateFactory())


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"condition": Condition.TYPES, "engagement_types": []}, "types_chosen"),
        ({"stage": Stage.AFTER, "gates": Gate.CONFIRM}, "gate_matches_stage"),
        ({"stage": Stage.BEFORE, "gates": Gate.CLOSE}, "gate_matches_stage"),
        ({"owner_role": OwnerRole.CONSULTANT, "gates": Gate.CONFIRM}, "consultant_items"),
    ],
)
def test_item_rules(fields, constraint):
    item = TemplateItemFactory.build(template=ChecklistTemplateFactory(), **fields)
    with pytest.raises(ValidationError):
        item.full_clean()
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        TemplateItem.objects.bulk_create([item])


@pytest.mark.parametrize(
    ("condition", "types", "engagement", "applies"),
    [
        (Condition.ALWAYS, [], {}, True),
        (Condition.EXPOSED_AUDIENCE, [], {"audience": Audience.GOVERNMENT}, True),
        (Condition.EXPOSED_AUDIENCE, [], {"audience": Audience.MEDIA}, True),
        (Condition.EXPOSED_AUDIENCE, [], {"audience": Audience.PARTNERS}, False),
        (Condition.IN_PERSON, [], {"mode": Mode.IN_PERSON}, True),
        (Condition.IN_PERSON, [], {"mode": Mode.ONLINE}, False),
        (Condition.ONLINE, [], {"mode": Mode.ONLINE}, True),
        (Condition.TYPES, [EngagementType.TRAINING], {"type": EngagementType.TRAINING}, True),
        (Condition.TYPES, [EngagementType.TRAINING], {"type": EngagementType.ROUNDTABLE}, False),
    ],
)
def test_conditions(condition, types, engagement, applies):
    item = TemplateItemFactory.build(condition=condition, engagement_types=types)
    assert item.applies_to(EngagementFactory.build(**engagement)) is applies
