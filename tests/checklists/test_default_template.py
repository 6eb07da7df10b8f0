"""The default template shipped by migrations 0002 (version 1, English),
0005 (version 2: the same items, in English and Filipino) and 0006 (version
3: the practices #17 added, where version 2 is still the shipped one), from
the practice texts. A new database reads today's file in 0002 and 0005, so
its current version is 2 with every item of version 3."""

import importlib

import pytest

from checklists import default_template, services
from checklists.models import (
    DEFAULT_TEMPLATE_SLUG,
    ChecklistTemplate,
    Condition,
    Evidence,
    Gate,
    OwnerRole,
    Stage,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def items():
    template = services.template_current()
    assert template is not None and template.is_published and template.version == 2
    return {item.key: item for item in template.items.all()}


def test_every_practice_of_the_issue_is_an_item(items):
    titles = " | ".join(item.title for item in items.values()).lower()
    for words in (
        "purpose and expected contribution",
        "work or school",
        "informed consent for participation",
        "recording",
        "need not share their personal story and can stop at any time",
        "compensation agreed in writing: preparation, travel, the engagement and debrief",
        "food and transport arranged or advanced",
        "privacy plan approved",
        "trauma-risk plan and support person",
        "briefing held",
        "check-in",
        "debrief within 48 hours",
        "wellbeing follow-up",
        "payment made within the target",
        "feedback collected",
        "credited, by pseudonym and only with consent",
        "agenda co-designed with the consultants",
        "with a peer or in a group",
        "told what their input changed",
    ):
        assert words in titles, words


def test_stages_gates_and_conditions(items):
    assert items["privacy-plan"].condition == Condition.EXPOSED_AUDIENCE
    assert items["privacy-plan"].gates == Gate.CONFIRM
    assert items["food-transport"].condition == Condition.IN_PERSON
    assert items["data-allowance"].condition == Condition.ONLINE
    # Every testimony-like engagement, not only a hearing (#17).
    assert items["testimony-options"].engagement_types == [
        "legislative_hearing",
        "policy_consultation",
        "conference",
        "media_interview",
        "research_interview",
    ]
    assert "face anyone who harmed them" in items["testimony-options"].title
    # The practices of the reference texts (version 3): none blocks confirm
    # or close; the last is ticked when an outcome is shared with them.
    for key in ("agenda-co-designed", "peer-option-offered", "input-changed-shared"):
        assert items[key].gates == "" and items[key].waivable, key
    assert items["agenda-co-designed"].stage == items["peer-option-offered"].stage == Stage.BEFORE
    assert items["input-changed-shared"].stage == Stage.AFTER
    assert items["check-in"].stage == Stage.DURING
    assert items["debrief"].due_anchor == "end" and items["debrief"].due_offset_days == 2
    assert items["compensation-agreed"].evidence == Evidence.FILE
    assert {i.key for i in items.values() if i.owner_role == OwnerRole.CONSULTANT} == {
        "read-brief",
        "know-my-choices",
    }
    for item in items.values():
        if item.gates == Gate.CONFIRM:
            assert item.stage == Stage.BEFORE
        if item.gates == Gate.CLOSE:
            assert item.stage == Stage.AFTER
        assert item.guidance.strip(), item.key
    # Consent and the right to stop are never waived.
    for key in ("consent-participation", "story-and-stopping", "trauma-risk-plan"):
        assert not items[key].waivable


def test_guidance_is_warm_and_plain(items):
    assert "never have to share their personal story" in items["story-and-stopping"].guidance
    assert "without giving a reason" in items["story-and-stopping"].guidance
    assert "experts" in items["purpose-explained"].guidance
    orders = [item.order for item in items.values()]
    assert orders == sorted(orders)


def test_every_text_is_in_filipino_too(items):
    template = services.template_current()
    assert template.name_fil == "Gawain kasama ang mga survivor"
    assert template.missing_translations() == []
    for item in items.values():
        assert item.missing_translations() == [], item.key
        assert item.title_fil != item.title and item.guidance_fil != item.guidance


def test_the_filipino_follows_the_glossary(items):
    every = " ".join(f"{item.title_fil} {item.guidance_fil}" for item in items.values())
    for never in (" po ", " ninyo", " kayo ", "biktima", "engagement"):
        assert never not in f" {every} ", never
    assert "pahintulot" in items["consent-participation"].title_fil
    # Her own items speak to her, and keep the programme's promises word for word.
    assert items["read-brief"].title_fil == "Nabasa ko na ang brief"
    choices = items["know-my-choices"].guidance_fil
    assert "Puwede kang magpahinga o tumigil kahit kailan, kahit walang dahilan" in choices
    assert "bayad pa rin ang oras na naibigay mo na" in choices
    assert "umatras" in items["story-and-stopping"].guidance_fil


def test_version_1_stays_as_it_was_published():
    first = ChecklistTemplate.objects.get(slug=DEFAULT_TEMPLATE_SLUG, version=1)
    assert first.is_published and first.name_fil == ""
    assert not first.items.exclude(title_fil="").exists()
    second = services.template_current()
    assert [(i.key, i.title, i.guidance) for i in first.items.all()] == [
        (i.key, i.title, i.guidance) for i in second.items.all()
    ]


def _install_version_2(keys: list[str]) -> ChecklistTemplate:
    from django.db import connection
    from django.utils import timezone

    from checklists.models import TemplateItem

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE checklists_checklisttemplate CASCADE")
    template = ChecklistTemplate.objects.create(
        slug=DEFAULT_TEMPLATE_SLUG, version=2, name=default_template.load()["name"]
    )
    TemplateItem.objects.bulk_create(
        TemplateItem(template=template, order=(n + 1) * 10, key=key, title=key, guidance=key)
        for n, key in enumerate(keys)
    )
    ChecklistTemplate.objects.filter(pk=template.pk).update(published_at=timezone.now())
    return template


def test_0006_publishes_version_3_over_the_shipped_version_2_only():
    from django.apps import apps

    migration = importlib.import_module(
        "checklists.migrations.0006_default_template_with_practices"
    )
    shipped = [item["key"] for item in default_template.load()["items"]]
    version_2 = [key for key in shipped if key not in migration.NEW_IN_VERSION_3]

    _install_version_2(version_2)
    migration.forward(apps, None)
    migration.forward(apps, None)  # once only

    current = services.template_current()
    assert current.version == 3
    assert list(current.items.order_by("order").values_list("key", flat=True)) == shipped
    assert ChecklistTemplate.objects.count() == 2


def test_0006_keeps_a_programme_s_own_version():
    from django.apps import apps

    migration = importlib.import_module(
        "checklists.migrations.0006_default_template_with_practices"
    )
    _install_version_2(["our-own-first-item", "debrief"])

    migration.forward(apps, None)

    assert services.template_current().version == 2
