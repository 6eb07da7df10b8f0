import factory

from checklists.models import (
    Anchor,
    ChecklistTemplate,
    Condition,
    Evidence,
    Gate,
    OwnerRole,
    Stage,
    TemplateItem,
)


class ChecklistTemplateFactory(factory.django.DjangoModelFactory):
    """A draft version of a template of its own (publish with the service)."""

    class Meta:
        model = ChecklistTemplate

    slug = factory.Sequence(lambda n: f"template-{n}")
    version = 1
    name = factory.Sequence(lambda n: f"Template {n}")


class TemplateItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TemplateItem

    template = factory.SubFactory(ChecklistTemplateFactory)
    key = factory.Sequence(lambda n: f"item-{n}")
    stage = Stage.BEFORE
    title = factory.Sequence(lambda n: f"Item {n}")
    guidance = "Do it kindly."
    owner_role = OwnerRole.PROGRAMME_STAFF
    due_anchor = Anchor.START
    due_offset_days = -7
    evidence = Evidence.NONE
    waivable = False
    condition = Condition.ALWAYS
    gates = Gate.NONE
    order = factory.Sequence(lambda n: n)
