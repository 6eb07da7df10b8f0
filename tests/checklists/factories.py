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
    """A draft version of a template of its own (publish with the service),
    in English and Filipino."""

    class Meta:
        model = ChecklistTemplate

    slug = factory.Sequence(lambda n: f"template-{n}")
    version = 1
    name = factory.Sequence(lambda n: f"Template {n}")
    name_fil = factory.LazyAttribute(lambda o: f"Template {o.name} sa Filipino")


class TemplateItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TemplateItem

    template = factory.SubFactory(ChecklistTemplateFactory)
    key = factory.Sequence(lambda n: f"item-{n}")
    stage = Stage.BEFORE
    title = factory.Sequence(lambda n: f"Item {n}")
    title_fil = factory.LazyAttribute(lambda o: f"{o.title} (Filipino)")
    guidance = "Do it kindly."
    guidance_fil = "Gawin ito nang may malasakit."
    owner_role = OwnerRole.PROGRAMME_STAFF
    due_anchor = Anchor.START
    due_offset_days = -7
    evidence = Evidence.NONE
    waivable = False
    condition = Condition.ALWAYS
    gates = Gate.NONE
    order = factory.Sequence(lambda n: n)
